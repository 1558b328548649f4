"""Webhook notifications: tell a person when they must act, or when a bank's consent expires.

One JSON POST to a chat webhook (Slack, Mattermost… read ``text``) or to a ntfy server's root
(JSON publishing, with ``topic``). A notification that fails is logged and reported as `False`,
never raised: it must not hide the run's real outcome. The webhook's URL path, its password and
its token headers are secrets, remembered so that no log or error shows them. Needs the extra
``webhook`` (httpx).

`send_webhook` (async) is written in ``_async/notify.py``; `send_webhook_sync` is its twin
generated in ``_sync/notify.py``; what they share is in ``_notification.py``.
"""

from ._async.notify import send_webhook
from ._notification import Notification, missing_extra
from ._sync.notify import send_webhook as send_webhook_sync

__all__ = ["Notification", "missing_extra", "send_webhook", "send_webhook_sync"]
