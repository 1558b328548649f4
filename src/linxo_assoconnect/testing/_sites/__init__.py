"""The three sandboxed sites: what each page shows and what each form does.

One module per site (`_linxo`, `_bank`, `_assoconnect`); `_common` holds their hostnames and
what each needs from the sandbox that serves it (`Host`).
"""

from ._assoconnect import AssoConnectSite
from ._bank import BankSite
from ._common import ASSOCONNECT_HOST, BANK_HOST, LINXO_HOST
from ._linxo import LinxoSite

__all__ = [
    "ASSOCONNECT_HOST",
    "BANK_HOST",
    "LINXO_HOST",
    "AssoConnectSite",
    "BankSite",
    "LinxoSite",
]
