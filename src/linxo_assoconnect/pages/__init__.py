"""Page objects. The async ones in ``_async`` are the source; ``_sync`` is generated from them."""
