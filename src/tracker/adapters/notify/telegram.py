"""Telegram messages through the Bot API method sendMessage."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from tracker.services.ports import Message, NotificationFailed

# Statuses worth a retry: an admin can fix 401 and 404 (a wrong or revoked
# bot token), and 429 (rate limit) and 5xx pass on their own. Other 4xx
# replies concern the chat, so they fail at once.
_RETRY_STATUSES = frozenset({401, 404, 429})


class TelegramNotifier:
    """Sends the plain-text body of a message to a chat.

    `token` returns the bot token from the admin settings at every send.
    `api_base` is the Bot API root, a loopback server in tests. The token is
    part of the request path, so it never appears in an error message.
    """

    def __init__(
        self,
        api_base: str,
        token: Callable[[], str | None],
        *,
        timeout: float = 15.0,
    ) -> None:
        self.api_base = api_base.rstrip("/")
        self._token = token
        self.timeout = timeout

    def is_configured(self) -> bool:
        """Return True when the admin settings hold a bot token."""
        return bool(self._token())

    def send(self, recipient: str, message: Message) -> None:
        token = self._token()
        if not token:
            raise NotificationFailed(
                "no Telegram bot token is set; an admin sets it in the settings",
                permanent=False,
            )
        payload = {
            "chat_id": recipient,
            "text": message.text,
            "disable_web_page_preview": True,
        }
        request = urllib.request.Request(
            f"{self.api_base}/bot{token}/sendMessage",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = _json(response.read())
        except urllib.error.HTTPError as error:
            raise _http_error(error.code, _json(error.read())) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", None) or error
            raise NotificationFailed(
                f"Telegram API at {self.api_base} failed: {reason}", permanent=False
            ) from None
        if not body.get("ok"):
            description = body.get("description") or "ok is false"
            raise NotificationFailed(
                f"Telegram API rejected the message: {description}", permanent=True
            )


def _http_error(status: int, body: dict[str, Any]) -> NotificationFailed:
    description = body.get("description") or "no description"
    permanent = status not in _RETRY_STATUSES and status < 500
    return NotificationFailed(
        f"Telegram API returned {status}: {description}", permanent=permanent
    )


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8", "replace"))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
