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
