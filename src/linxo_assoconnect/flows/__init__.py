"""Flows: the tutorial's steps chained from page objects. ``_async`` is the source, ``_sync``
is generated from it."""
