"""Fixtures for the reminder tests: a migrated database, an owner with a
domain, a loopback SMTP server and a loopback stand-in for the Telegram Bot API."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.unit.fakes import FakeHasher
from tracker.adapters.clock import FixedClock
from tracker.adapters.schema import upgrade
from tracker.adapters.unit_of_work import (
    SqlAlchemyUnitOfWork,
    build_engine,
    session_factory,
)
from tracker.services import accounts, domains
from tracker.services.ports import UnitOfWork

UowFactory = Callable[[], UnitOfWork]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def sqlite_uow(sqlite_url: str) -> Iterator[UowFactory]:
    """A unit-of-work factory on a migrated SQLite database."""
    engine = build_engine(sqlite_url)
    upgrade(engine)
    factory = session_factory(engine)
    yield lambda: SqlAlchemyUnitOfWork(factory)
    engine.dispose()


def add_owner(
    uow: UnitOfWork, clock: FixedClock, email: str, *, language: str = "en"
) -> int:
    return accounts.register_user(
        uow, FakeHasher(), clock, email, "s3cret-pass", language=language
    )


def add_domain(
    uow: UnitOfWork, clock: FixedClock, user_id: int, name: str, days_left: int
) -> int:
    """Add a domain whose expiry date, typed by hand, is `days_left` days away."""
    domain_id = domains.add_domain(uow, clock, user_id, name)
    expiry = clock.today() + timedelta(days=days_left)
    domains.enter_expiry_manually(
        uow, clock, user_id, domain_id, expiry, "Example Registrar"
    )
    return domain_id


# SMTP ------------------------------------------------------------------------


@dataclass
class SmtpHandler:
    """An aiosmtpd handler that stores what it accepts.

    `data_replies` and `rcpt_replies` are consumed one per command. While
    they last, the server replies with them instead of accepting.
    """

    received: list[bytes] = field(default_factory=list)
    data_replies: list[str] = field(default_factory=list)
    rcpt_replies: list[str] = field(default_factory=list)
    data_commands: int = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.rcpt_replies:
            return self.rcpt_replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_commands += 1
        if self.data_replies:
            return self.data_replies.pop(0)
        self.received.append(envelope.original_content or envelope.content)
        return "250 Message accepted"

    def messages(self) -> list[EmailMessage]:
        return [
            message_from_bytes(raw, policy=policy.default)  # type: ignore[misc]
            for raw in self.received
        ]


@dataclass
class SmtpServer:
    handler: SmtpHandler
    port: int
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """An SMTP server on a free loopback port, started."""
    server = SmtpServer(SmtpHandler(), free_port())
    server.start()
    yield server
    server.stop()


# Telegram Bot API ------------------------------------------------------------


@dataclass
class BotApi:
    """Records each request and replies with the queued (status, body), else ok."""

    port: int
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    replies: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def bot_api() -> Iterator[BotApi]:
    api = BotApi(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            payload = json.loads(self.rfile.read(length) or b"{}")
            api.requests.append((self.path, payload))
            status, body = (
                api.replies.pop(0)
                if api.replies
                else (200, {"ok": True, "result": {"message_id": len(api.requests)}})
            )
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    api.port = server.server_address[1]
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield api
    server.shutdown()
    server.server_close()
