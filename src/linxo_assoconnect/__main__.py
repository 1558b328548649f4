"""``python -m linxo_assoconnect``: the command line."""

from .cli import main

raise SystemExit(main())
