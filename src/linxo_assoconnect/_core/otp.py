"""The one-time-code callback: a plain callable, or (async API only) an async one."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from .secrets import remember

__all__ = ["AsyncOtp", "SyncOtp", "call_otp", "call_otp_async"]

SyncOtp = Callable[[], str]
AsyncOtp = Callable[[], str | Awaitable[str]]


def call_otp(otp: SyncOtp) -> str:
    """Ask the callback for the code (sync API)."""
    return remember(otp())


async def call_otp_async(otp: AsyncOtp) -> str:
    """Ask the callback for the code, awaiting it if it is async (async API)."""
    code = otp()
    return remember(await code if inspect.isawaitable(code) else code)
