"""The desk: sharing the data file through git (the three-way merge driver, git as a
subprocess)."""
