"""``python -m linxo_assoconnect``: the command line."""

from .cli._main import main

raise SystemExit(main())
