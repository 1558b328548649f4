"""The command line's async I/O: the single source (``_sync`` is generated from here)."""
