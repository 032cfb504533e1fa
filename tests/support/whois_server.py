"""A WHOIS server (RFC 3912) on loopback for tests: canned responses per domain.

It reads one query line, finds the domain in it and sends the bytes stored
for that domain, then closes the connection. Query flags are ignored, so
"-T dn,ace example.de", "domain example.com", "=example.com" and
"example.jp/e" all ask for the stored response of their domain. Use it as a
context manager:

    with WhoisServer({"example.com": b"Domain Name: EXAMPLE.COM\\r\\n"}) as server:
        WhoisRegistrationLookup(server=server.address).lookup(...)

`mode` makes it misbehave: SILENT accepts and never responds, and DRIP
sends the response one byte per `drip_interval` seconds.
"""

from __future__ import annotations

import contextlib
import enum
import socket
import socketserver
import threading
from collections.abc import Mapping
from types import TracebackType
from typing import Self

NOT_FOUND_RESPONSE = b'No match for "%s".\r\n'
_MAX_QUERY_BYTES = 1024


class Mode(enum.Enum):
    """How the server treats each query."""

    NORMAL = "normal"
    SILENT = "silent"
    DRIP = "drip"


def domain_in_query(query: str) -> str:
    """Return the domain named in a WHOIS query line, lower case.

    The domain is the last word, without a leading "=" and without a
    trailing "/e" (JPRS) or ".".
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
        mode: Mode = Mode.NORMAL,
        drip_interval: float = 0.5,
        port: int = 0,
    ) -> None:
        self.mode = mode
        self.drip_interval = drip_interval
        self.queries: list[str] = []
        self.stopping = threading.Event()
        self._responses: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self.set_responses(responses or {})
        self._server = _Server(("127.0.0.1", port), _Handler, self)
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
        """Replace all stored responses by `responses`, keyed by domain.

        Domains match case-insensitively and without a trailing dot.
        """
        with self._lock:
            self._responses = {
                domain.lower().rstrip("."): response
                for domain, response in responses.items()
            }

    def response_for(self, domain: str) -> bytes:
        """Return the stored response for `domain`, or a Verisign-style "No match"."""
        with self._lock:
            response = self._responses.get(domain)
        if response is None:
            return NOT_FOUND_RESPONSE % domain.upper().encode("ascii", "replace")
        return response

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
        response = owner.response_for(domain_in_query(query))

        if owner.mode is Mode.SILENT:
            owner.stopping.wait()
        elif owner.mode is Mode.DRIP:
            self._drip(response, owner)
        else:
            self._send(response)

    def _drip(self, response: bytes, owner: WhoisServer) -> None:
        for index in range(len(response)):
            if owner.stopping.wait(owner.drip_interval):
                return
            if not self._send(response[index : index + 1]):
                return

    def _send(self, data: bytes) -> bool:
        try:
            self.connection.sendall(data)
        except OSError:
            return False
        return True

    def finish(self) -> None:
        # The client may have gone already (it timed out on a silent server).
        with contextlib.suppress(OSError):
            super().finish()
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
