"""HTTP GET with one deadline for the whole exchange, a body cap and redirects.

`http.client` only has a timeout per socket operation, so a server that sends
one byte at a time could hold a lookup forever. Here every socket read and
write gets the time left until one deadline, and reading stops when it has
passed.
"""

from __future__ import annotations

import http.client
import io
import select
import socket
import ssl
import time
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from tracker.domain.model import LookupErrorKind
from tracker.services.ports import LookupFailed, ServerBudget

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK_SIZE = 64 * 1024
_USER_AGENT = "tracker (domain expiry tracker)"


@dataclass(frozen=True)
class Response:
    """A final (non-redirect) HTTP response with its whole body."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def host(self) -> str:
        return host_of(self.url)


class Deadline:
    """A point in `time.monotonic()` seconds after which I/O must stop."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def remaining(self) -> float:
        """Return the seconds left; raise `TimeoutError` when none are."""
        left = self._end - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"the {self.seconds:g} s deadline passed")
        return left


def host_of(url: str) -> str:
    return urlsplit(url).hostname or ""


def fetch(
    url: str,
    *,
    deadline: Deadline,
    accept: str,
    max_bytes: int,
    max_redirects: int,
    budget: ServerBudget | None = None,
    tls_context: ssl.SSLContext | None = None,
) -> Response:
    """GET `url`, following redirects, and return the final response.

    Any status other than a redirect is returned, so the caller maps 404,
    429 and the rest. Raises `LookupFailed` with kind TIMEOUT when `deadline`
    passes, RESPONSE_TOO_LARGE when a body exceeds `max_bytes`, and NETWORK
    for connection errors, redirect loops, more than `max_redirects`
    redirects and redirects to another scheme than http or https, or from
    https to http. `budget.slot` is held around each request, with the time
    left as its wait. https URLs are verified with `tls_context`, by default
    the system's trusted certificates.
    """
    visited = [url]
    while True:
        response = _get_once(url, deadline, accept, max_bytes, budget, tls_context)
        if response.status not in REDIRECT_STATUSES:
            return response
        url = _redirect_target(response, visited, max_redirects)
        visited.append(url)


def _redirect_target(response: Response, visited: list[str], max_redirects: int) -> str:
    location = response.headers.get("location")
    if not location:
        raise LookupFailed(
            LookupErrorKind.NETWORK,
            f"{response.url} returned HTTP {response.status} without a Location header",
        )
    target = urljoin(response.url, location.strip())
    scheme = urlsplit(target).scheme
    if scheme not in ("http", "https"):
        raise LookupFailed(
            LookupErrorKind.NETWORK,
            f"{response.url} redirected to {target!r}, not HTTP",
        )
    if scheme == "http" and urlsplit(response.url).scheme == "https":
        raise LookupFailed(
            LookupErrorKind.NETWORK,
            f"{response.url} redirected from https to plain http ({target})",
        )
    if target in visited:
        raise LookupFailed(
            LookupErrorKind.NETWORK, f"redirect loop: {response.url} -> {target}"
        )
    if len(visited) > max_redirects:
        raise LookupFailed(
            LookupErrorKind.NETWORK,
            f"more than {max_redirects} redirects, starting at {visited[0]}",
        )
    return target


def _get_once(
    url: str,
    deadline: Deadline,
    accept: str,
    max_bytes: int,
    budget: ServerBudget | None,
    tls_context: ssl.SSLContext | None,
) -> Response:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise LookupFailed(LookupErrorKind.NETWORK, f"{url!r} is not an http(s) URL")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query

    slot = budget.slot(host, _time_left(deadline, url)) if budget else nullcontext()
    with slot:
        tls = (
            (tls_context or _default_tls_context()) if parts.scheme == "https" else None
        )
        connection = _DeadlineConnection(host, parts.port, tls=tls, deadline=deadline)
        try:
            connection.request(
                "GET", path, headers={"Accept": accept, "User-Agent": _USER_AGENT}
            )
            response = connection.getresponse()
            body = _read_body(response, max_bytes, url)
            headers = {name.lower(): value for name, value in response.getheaders()}
        except TimeoutError:
            raise LookupFailed(
                LookupErrorKind.TIMEOUT,
                f"{url}: timed out after {deadline.seconds:g} s",
            ) from None
        except (OSError, http.client.HTTPException) as error:
            raise LookupFailed(
                LookupErrorKind.NETWORK, f"{url}: {_describe(error)}"
            ) from None
        finally:
            connection.close_socket()
    return Response(url=url, status=response.status, headers=headers, body=body)


def _time_left(deadline: Deadline, url: str) -> float:
    try:
        return deadline.remaining()
    except TimeoutError:
        raise LookupFailed(
            LookupErrorKind.TIMEOUT, f"{url}: timed out after {deadline.seconds:g} s"
        ) from None


def _read_body(response: http.client.HTTPResponse, max_bytes: int, url: str) -> bytes:
    declared = response.getheader("Content-Length")
    if declared and declared.strip().isdigit() and int(declared) > max_bytes:
        raise _too_large(url, max_bytes)
    body = bytearray()
    while chunk := response.read1(_CHUNK_SIZE):
        body += chunk
        if len(body) > max_bytes:
            raise _too_large(url, max_bytes)
    return bytes(body)


def _too_large(url: str, max_bytes: int) -> LookupFailed:
    return LookupFailed(
        LookupErrorKind.RESPONSE_TOO_LARGE,
        f"{url}: the response is larger than {max_bytes} bytes",
    )


def _describe(error: BaseException) -> str:
    if isinstance(error, http.client.RemoteDisconnected):
        return "the server closed the connection without a response"
    if isinstance(error, http.client.IncompleteRead):
        return "the server closed the connection in the middle of the response"
    return str(error) or type(error).__name__


@lru_cache(maxsize=1)
def _default_tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


class _DeadlineConnection(http.client.HTTPConnection):
    """An HTTP or HTTPS connection whose socket I/O stops at one deadline."""

    def __init__(
        self,
        host: str,
        port: int | None,
        *,
        tls: ssl.SSLContext | None,
        deadline: Deadline,
    ) -> None:
        default_port = http.client.HTTPS_PORT if tls else http.client.HTTP_PORT
        super().__init__(host, port or default_port)
        self._tls = tls
        self._deadline = deadline
        self._raw_socket: socket.socket | None = None

    def connect(self) -> None:
        # NOTE: name resolution inside create_connection has no timeout of its
        # own (the system resolver's applies), and each address it tries gets
        # the whole time left.
        sock = socket.create_connection(
            (self.host, self.port), timeout=self._deadline.remaining()
        )
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._tls is not None:
                sock = _tls_handshake(sock, self._tls, self.host, self._deadline)
        except BaseException:
            sock.close()
            raise
        self._raw_socket = sock
        self.sock = _DeadlineSocket(sock, self._deadline)

    def close_socket(self) -> None:
        """Close the connection and its socket, even while a response is unread."""
        self.close()
        if self._raw_socket is not None:
            self._raw_socket.close()
            self._raw_socket = None


def _tls_handshake(
    sock: socket.socket, context: ssl.SSLContext, host: str, deadline: Deadline
) -> ssl.SSLSocket:
    """Wrap `sock` in TLS, verifying `host`, and finish the handshake by `deadline`.

    The handshake runs non-blocking, because a blocking one applies the
    socket timeout to each of its reads and so has no overall limit.
    """
    tls_sock = context.wrap_socket(
        sock, server_hostname=host, do_handshake_on_connect=False
    )
    try:
        tls_sock.setblocking(False)
        while not _handshake_step(tls_sock, deadline):
            pass
    except BaseException:
        tls_sock.close()
        raise
    return tls_sock


def _handshake_step(tls_sock: ssl.SSLSocket, deadline: Deadline) -> bool:
    """Advance the handshake; return True once it is complete."""
    try:
        tls_sock.do_handshake()
        return True
    except ssl.SSLWantReadError:
        readable, _, _ = select.select([tls_sock], [], [], deadline.remaining())
        ready = bool(readable)
    except ssl.SSLWantWriteError:
        _, writable, _ = select.select([], [tls_sock], [], deadline.remaining())
        ready = bool(writable)
    if not ready:
        raise TimeoutError("the TLS handshake did not finish in time")
    return False


class _DeadlineSocket:
    """The parts of a socket `http.client` uses, each call bounded by a deadline."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def sendall(self, data: bytes) -> None:
        self._sock.settimeout(self._deadline.remaining())
        self._sock.sendall(data)

    def recv_into(self, buffer: memoryview) -> int:
        self._sock.settimeout(self._deadline.remaining())
        return self._sock.recv_into(buffer)

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self))

    def close(self) -> None:
        # http.client calls this as soon as a response has a "Connection:
        # close" header, before its body is read, because a real socket stays
        # open while a file made from it is. The owner of the connection
        # closes the socket with `close_socket` instead.
        return None


class _DeadlineReader(io.RawIOBase):
    def __init__(self, sock: _DeadlineSocket) -> None:
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        return self._sock.recv_into(buffer)
