"""An RDAP server on loopback for tests: canned responses per path.

Each path gets a `Route`: status, body, headers, and optionally a delay
before the response, a response sent one byte at a time, or no response.
Requests are recorded with their headers. Use it as a context manager:

    with RdapServer() as server:
        server.route("/domain/example.com", Route(body=b"{}"))
        lookup(server.url)
"""

from __future__ import annotations

import json
import ssl
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

RDAP_DATA = Path(__file__).resolve().parent.parent / "data" / "rdap"


def fixture_bytes(name: str) -> bytes:
    """Return the bytes of `tests/data/rdap/<name>`."""
    return (RDAP_DATA / name).read_bytes()


def fixture_json(name: str) -> Any:
    """Return `tests/data/rdap/<name>` parsed as JSON."""
    return json.loads(fixture_bytes(name))


@dataclass
class Route:
    """A canned response to GET on one path.

    `delay` (seconds) passes before anything is sent. With `drip_interval`
    set, the whole response, status line included, is sent one byte per
    interval. With `hang` set, the server reads the request and sends
    nothing until it stops. Without `send_content_length`, the body ends
    when the server closes the connection.
    """

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/rdap+json"
    delay: float = 0.0
    drip_interval: float | None = None
    hang: bool = False
    send_content_length: bool = True


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    headers: dict[str, str]


class RdapServer:
    """A threaded HTTP server on 127.0.0.1 with a free port."""

    def __init__(self, *, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[RecordedRequest] = []
        self.stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _Handler, self)
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )
        self._scheme = "https" if tls is not None else "http"

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The base URL, ending in "/"."""
        return f"{self._scheme}://127.0.0.1:{self.port}/"

    def route(self, path: str, route: Route) -> None:
        self.routes[path] = route

    def json(
        self,
        path: str,
        document: Any,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Serve `document` (a JSON value, or a fixture file name) at `path`."""
        if isinstance(document, str) and document.endswith(".json"):
            body = fixture_bytes(document)
        else:
            body = json.dumps(document).encode()
        self.route(path, Route(status=status, body=body, headers=dict(headers or {})))

    def redirect(self, path: str, location: str, *, status: int = 302) -> None:
        self.route(path, Route(status=status, headers={"Location": location}))

    def paths_requested(self) -> list[str]:
        return [request.path for request in self.requests]

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        owner: RdapServer,
    ) -> None:
        super().__init__(address, handler)
        self.owner = owner


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        owner = self.server.owner
        path = urlsplit(self.path).path
        owner.requests.append(
            RecordedRequest(path, {k.lower(): v for k, v in self.headers.items()})
        )
        route = owner.routes.get(path)
        if route is None:
            # 501 rather than 404, so that a missing route cannot pass for
            # an RDAP "not found" response.
            route = Route(status=501, body=f"no route for {path}".encode())
        if route.hang:
            owner.stopping.wait()
            return
        if route.delay and owner.stopping.wait(route.delay):
            return
        raw = self._raw_response(route)
        if route.drip_interval is None:
            self.wfile.write(raw)
            return
        for index in range(len(raw)):
            if owner.stopping.wait(route.drip_interval):
                return
            try:
                self.wfile.write(raw[index : index + 1])
            except OSError:
                return

    def _raw_response(self, route: Route) -> bytes:
        reason = HTTPStatus(route.status).phrase if route.status in _KNOWN else "Status"
        headers = {"Content-Type": route.content_type, "Connection": "close"}
        if route.send_content_length:
            headers["Content-Length"] = str(len(route.body))
        headers.update(route.headers)
        lines = [f"HTTP/1.1 {route.status} {reason}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        head = "\r\n".join(lines) + "\r\n\r\n"
        self.close_connection = True
        return head.encode("latin-1") + route.body

    def log_message(self, format: str, *args: Any) -> None:
        return None


_KNOWN = {status.value for status in HTTPStatus}
