"""The store: which data file, how it is read section by section, cached, locked, journalled
and replaced."""
