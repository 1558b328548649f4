"""The async Session: the single source of the logic (``_sync`` is generated from here)."""
