"""The secrets the library has been given, and their removal from every text it writes.

Every password of a `Credentials` and every one-time code is remembered here (in memory only),
so that logs, exception messages and evidence files can be cleaned of them whatever their path.
"""

from __future__ import annotations

import logging
import threading

__all__ = ["MASK", "RedactingFilter", "logger", "redact", "remember"]

MASK = "**********"
_SHORTEST = 4  # shorter values would mask ordinary words and digits

_known: set[str] = set()
_lock = threading.Lock()


def remember(secret: str) -> str:
    """Remember ``secret`` so that `redact` masks it from now on; return it unchanged."""
    if len(secret) >= _SHORTEST:
        with _lock:
            _known.add(secret)
    return secret


def redact(text: str) -> str:
    """``text`` with every remembered secret replaced by `MASK`."""
    with _lock:
        secrets = sorted(_known, key=len, reverse=True)  # a secret may contain another one
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    """Masks remembered secrets in a record's message, arguments and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


# The library's one logger: silent unless the application configures logging, and redacted
# before any handler sees a record.
logger = logging.getLogger("linxo_assoconnect")
logger.addHandler(logging.NullHandler())
logger.addFilter(RedactingFilter())
