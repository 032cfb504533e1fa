"""Email through an SMTP server with smtplib: STARTTLS, implicit TLS or plain."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

from tracker.services.ports import Message, NotificationFailed

SECURITY_MODES = ("starttls", "ssl", "none")
_DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class SmtpConfig:
    """SMTP_HOST, SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD, SMTP_SECURITY, MAIL_FROM.

    `timeout` is in seconds per socket operation, as smtplib applies it.
    """

    host: str | None = None
    port: int | None = None
    username: str | None = None
    password: str | None = None
    security: str = "starttls"
    mail_from: str | None = None
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.security not in SECURITY_MODES:
            raise ValueError(
                f"SMTP_SECURITY={self.security!r} is invalid; "
                f"use one of {', '.join(SECURITY_MODES)}"
            )

    @classmethod
    def from_settings(cls, smtp: Mapping[str, Any]) -> SmtpConfig:
        """Build the configuration from `Settings.smtp`."""
        return cls(
            host=smtp.get("host"),
            port=smtp.get("port"),
            username=smtp.get("username"),
            password=smtp.get("password"),
            security=smtp.get("security") or "starttls",
            mail_from=smtp.get("mail_from"),
        )

    @property
    def effective_port(self) -> int:
        return self.port or _DEFAULT_PORTS[self.security]


class SmtpNotifier:
    """Sends each message on its own SMTP connection.

    `sender` returns the admin's mail sender setting, read at every send; when
    it returns None, MAIL_FROM applies.
    """

    def __init__(
        self, config: SmtpConfig, sender: Callable[[], str | None] | None = None
    ) -> None:
        self.config = config
        self._sender = sender

    def is_configured(self) -> bool:
        """Return True when SMTP_HOST and a sender address are set.

        MAIL_FROM is checked first, so the admin setting is read only without it.
        """
        if not self.config.host:
            return False
        if self.config.mail_from:
            return True
        return bool(self._sender and self._sender())

    def send(self, recipient: str, message: Message) -> None:
        config = self.config
        if not config.host:
            raise NotificationFailed("SMTP_HOST is not set", permanent=False)
        mail_from = (self._sender() if self._sender else None) or config.mail_from
        if not mail_from:
            raise NotificationFailed(
                "no sender address; set MAIL_FROM or the mail sender in the admin "
                "settings",
                permanent=False,
            )
        email = build_email(mail_from, recipient, message)
        try:
            with self._connect() as client:
                client.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()))
            context = f"SMTP server rejected recipient {recipient}"
            raise _reply_error(context, code, reply) from None
        except smtplib.SMTPAuthenticationError as error:
            # A wrong password is the same for every message and an admin can
            # fix it, so retry rather than drop the reminder.
            raise NotificationFailed(
                f"SMTP login as {config.username} failed: {error.smtp_code} "
                f"{_text(error.smtp_error)}",
                permanent=False,
            ) from None
        except smtplib.SMTPResponseException as error:
            raise _reply_error(
                "SMTP server", error.smtp_code, error.smtp_error
            ) from None
        except smtplib.SMTPNotSupportedError as error:
            raise NotificationFailed(
                f"SMTP server {config.host} lacks a required extension: {error}",
                permanent=False,
            ) from None
        except (smtplib.SMTPException, OSError) as error:
            # NOTE: a timeout after the message data was sent may hide an
            # accepted message, and the retry then delivers it a second time.
            raise NotificationFailed(
                f"SMTP server {config.host}:{config.effective_port} "
                f"failed: {error or type(error).__name__}",
                permanent=False,
            ) from None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        assert config.host is not None
        port = config.effective_port
        if config.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                config.host,
                port,
                timeout=config.timeout,
                context=ssl.create_default_context(),
            )
        else:
            client = smtplib.SMTP(config.host, port, timeout=config.timeout)
        try:
            client.ehlo()
            if config.security == "starttls":
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if config.username:
                client.login(config.username, config.password or "")
        except BaseException:
            client.close()
            raise
        return client


def build_email(mail_from: str, recipient: str, message: Message) -> EmailMessage:
    """Build a multipart/alternative email with plain-text and HTML parts."""
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = mail_from
    email["To"] = recipient
    email["Date"] = format_datetime(datetime.now(UTC))
    _, address = parseaddr(mail_from)
    email["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    # RFC 3834: an automatic message, so auto-responders do not reply to it.
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    return email


def _reply_error(context: str, code: int, reply: bytes | str) -> NotificationFailed:
    """Map an SMTP reply to a failure: 4xx may pass later, 5xx never will."""
    return NotificationFailed(
        f"{context}: {code} {_text(reply)}", permanent=500 <= code < 600
    )


def _text(reply: bytes | str) -> str:
    if isinstance(reply, bytes):
        return reply.decode("utf-8", "replace")
    return reply
