"""aes-tracker: track the commitments made in diplomatic communiqués."""

__version__ = "0.1.0"
