"""A WHOIS server (RFC 3912) on loopback for tests: canned answers per domain.

It reads one query line, finds the domain in it and sends the bytes stored
for that domain, then closes the connection. Query flags are ignored, so
"-T dn,ace example.de", "domain example.com", "=example.com" and
"example.jp/e" all ask for the stored answer of their domain. Use it as a
context manager:

    with WhoisServer({"example.com": b"Domain Name: EXAMPLE.COM\\r\\n"}) as server:
        WhoisRegistrationLookup(server=server.address).lookup(...)

`mode` makes it misbehave: SILENT accepts and never answers, DRIP sends
the answer one byte per `drip_interval` seconds.
"""

from __future__ import annotations

import enum
import socket
import socketserver
import threading
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

WHOIS_CORPUS = Path(__file__).resolve().parent.parent / "data" / "whois-corpus"
NOT_FOUND_ANSWER = b'No match for "%s".\r\n'
_MAX_QUERY_BYTES = 1024


class Mode(enum.Enum):
    ANSWER = "answer"
    SILENT = "silent"
    DRIP = "drip"


def domain_in_query(query: str) -> str:
    """Return the domain a WHOIS query line asks about, lower case.

    The domain is the last word; a leading "=" and a trailing "/e" (JPRS)
    or "." are dropped.
    """
    words = query.strip().split()
    if not words:
        return ""
    domain = words[-1].lower()
    domain = domain.removeprefix("=").removesuffix("/e").rstrip(".")
    return domain


class WhoisServer:
    """A threaded WHOIS server on 127.0.0.1 with a free port.

    `queries` records each query line received, in order.
    """

    def __init__(
        self,
        responses: Mapping[str, bytes] | None = None,
        *,
        mode: Mode = Mode.ANSWER,
        drip_interval: float = 0.5,
    ) -> None:
        self.mode = mode
        self.drip_interval = drip_interval
        self.queries: list[str] = []
        self.stopping = threading.Event()
        self._responses: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self.set_responses(responses or {})
        self._server = _Server(("127.0.0.1", 0), _Handler, self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )
        self._started = False

    @property
    def address(self) -> tuple[str, int]:
        """The (host, port) the server listens on."""
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def set_responses(self, responses: Mapping[str, bytes]) -> None:
        """Replace all stored answers; keys are domains, matched case-insensitively."""
        with self._lock:
            self._responses = {
                domain.lower().rstrip("."): answer for domain, answer in responses.items()
            }

    def response_for(self, domain: str) -> bytes:
        """Return the stored answer for `domain`, or a Verisign-style "No match"."""
        with self._lock:
            answer = self._responses.get(domain)
        if answer is None:
            return NOT_FOUND_ANSWER % domain.upper().encode("ascii", "replace")
        return answer

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port; silent and dripping handlers end too."""
        self.stopping.set()
        if self._started:
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[socketserver.BaseRequestHandler],
        owner: WhoisServer,
    ) -> None:
        self.owner = owner
        super().__init__(address, handler)


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        owner = self.server.owner
        self.connection.settimeout(5.0)
        try:
            line = self.rfile.readline(_MAX_QUERY_BYTES)
        except OSError:
            return
        query = line.decode("utf-8", "replace").strip()
        owner.queries.append(query)
        answer = owner.response_for(domain_in_query(query))

        if owner.mode is Mode.SILENT:
            owner.stopping.wait()
        elif owner.mode is Mode.DRIP:
            self._drip(answer, owner)
        else:
            self._send(answer)

    def _drip(self, answer: bytes, owner: WhoisServer) -> None:
        for index in range(len(answer)):
            if owner.stopping.wait(owner.drip_interval):
                return
            if not self._send(answer[index : index + 1]):
                return

    def _send(self, data: bytes) -> bool:
        try:
            self.connection.sendall(data)
        except OSError:
            return False
        return True

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
