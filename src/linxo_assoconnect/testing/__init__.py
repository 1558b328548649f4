"""An offline sandbox of Linxo, AssoConnect and a demo bank, for tests and demonstrations.

    from linxo_assoconnect.testing import Sandbox

    sandbox = Sandbox("broken_connection")
    sandbox.attach(context)          # a Playwright BrowserContext (sync API)
    page = context.new_page()
    page.goto("https://wwws.linxo.com/auth.page#Login")

The pages are recorded-style HTML fixtures served at the sites' real hostnames through
Playwright routing; nothing leaves the machine. `Sandbox.record` tells what happened.
`Sandbox.from_capture(folder)` serves instead a set of real pages recorded and scrubbed by
``linxo-assoconnect capture``.
"""

from importlib import import_module as _import_module
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

if _TYPE_CHECKING:
    from ._data import (
        DEMO_ASSOCONNECT,
        DEMO_BANK,
        DEMO_LINXO,
        DEMO_LINXO_CODE,
        DEMO_SMS_CODE,
        DemoLogin,
        federation_linxo,
    )
    from ._http import Request, Response
    from ._markup import PRESETS, Markup
    from ._replay import CapturedSandbox
    from ._sandbox import Sandbox
    from ._scenario import SCENARIOS, Scenario
    from ._sites import ASSOCONNECT_HOST, BANK_HOST, LINXO_HOST
    from ._state import Event, Record

# Imported on first use: the pytest plugin (``plugin``, loaded by every pytest run where the
# package is installed) imports this package, and must cost nothing until a test uses it.
_LAZY = {
    "DEMO_ASSOCONNECT": "._data",
    "DEMO_BANK": "._data",
    "DEMO_LINXO": "._data",
    "DEMO_LINXO_CODE": "._data",
    "DEMO_SMS_CODE": "._data",
    "DemoLogin": "._data",
    "federation_linxo": "._data",
    "Request": "._http",
    "Response": "._http",
    "PRESETS": "._markup",
    "Markup": "._markup",
    "CapturedSandbox": "._replay",
    "Sandbox": "._sandbox",
    "SCENARIOS": "._scenario",
    "Scenario": "._scenario",
    "ASSOCONNECT_HOST": "._sites",
    "BANK_HOST": "._sites",
    "LINXO_HOST": "._sites",
    "Event": "._state",
    "Record": "._state",
}


def __getattr__(name: str) -> _Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "ASSOCONNECT_HOST",
    "BANK_HOST",
    "DEMO_ASSOCONNECT",
    "DEMO_BANK",
    "DEMO_LINXO",
    "DEMO_LINXO_CODE",
    "DEMO_SMS_CODE",
    "LINXO_HOST",
    "PRESETS",
    "SCENARIOS",
    "CapturedSandbox",
    "DemoLogin",
    "Event",
    "Markup",
    "Record",
    "Request",
    "Response",
    "Sandbox",
    "Scenario",
    "federation_linxo",
]
