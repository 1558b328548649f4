"""The command line: ``linxo-assoconnect`` (``python -m linxo_assoconnect``)."""

from ._main import main

__all__ = ["main"]
