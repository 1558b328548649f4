"""The async API: the same names and signatures as `linxo_assoconnect`, for asyncio and Jupyter.

    from linxo_assoconnect.aio import LinxoLoginPage, LinxoSettings
"""

from . import _errors, _models
from ._errors import *  # noqa: F403 - the same error tree as the sync API
from ._models import *  # noqa: F403 - the same models as the sync API
from ._retry import RetryPolicy
from .pages._async.bank import BankAuthPage
from .pages._async.linxo import LinxoLoginPage, LinxoSettings

__all__ = [
    "BankAuthPage",
    "LinxoLoginPage",
    "LinxoSettings",
    "RetryPolicy",
    *_errors.__all__,
    *_models.__all__,
]
