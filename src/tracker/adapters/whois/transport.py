"""The WHOIS protocol (RFC 3912) over TCP, bounded by one deadline.

python-whois's own client is not used: its timeout applies to each read,
so a server that sends a byte every half second keeps it waiting
indefinitely, and socket errors come back as an empty response.
"""

from __future__ import annotations

import concurrent.futures
import socket
import time
from typing import Any

from tracker.domain.model import LookupErrorKind
from tracker.services.ports import LookupFailed

_CHUNK_BYTES = 65_536
# getaddrinfo() has no timeout of its own, so names are resolved in these
# threads while the caller waits no longer than its deadline. A resolver
# that hangs keeps one thread busy until the system resolver gives up.
_RESOLVER = concurrent.futures.ThreadPoolExecutor(
    max_workers=4, thread_name_prefix="whois-resolver"
)


def query_server(
    host: str, port: int, query: str, *, timeout: float, max_bytes: int
) -> bytes:
    """Send `query` to a WHOIS server and return its whole response.

    `timeout` (seconds) bounds the whole exchange: name resolution, connect,
    sending and every read. Raises `LookupFailed` with kind TIMEOUT when the
    deadline passes, RESPONSE_TOO_LARGE past `max_bytes`, and NETWORK when
    the name does not resolve or the connection is refused or reset.
    """
    deadline = time.monotonic() + timeout
    address = _resolve(host, port, deadline)
    try:
        with socket.socket(address[0], socket.SOCK_STREAM) as connection:
            connection.settimeout(_remaining(deadline, host))
            connection.connect(address[1])
            connection.settimeout(_remaining(deadline, host))
            connection.sendall(query.encode("utf-8") + b"\r\n")
            return _read_until_closed(connection, host, deadline, max_bytes)
    except TimeoutError:
        message = f"{host} did not respond within {timeout:g} s"
        raise _failure(LookupErrorKind.TIMEOUT, message, host) from None
    except OSError as error:
        message = f"connection to {host} port {port} failed: {error}"
        raise _failure(LookupErrorKind.NETWORK, message, host) from None


def _resolve(host: str, port: int, deadline: float) -> tuple[socket.AddressFamily, Any]:
    future = _RESOLVER.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = future.result(timeout=max(deadline - time.monotonic(), 0.0))
    except TimeoutError:
        message = f"resolving {host} did not finish in time"
        raise _failure(LookupErrorKind.TIMEOUT, message, host) from None
    except OSError as error:
        message = f"cannot resolve {host}: {error}"
        raise _failure(LookupErrorKind.NETWORK, message, host) from None
    family, _, _, _, sockaddr = infos[0]
    return family, sockaddr


def _read_until_closed(
    connection: socket.socket, host: str, deadline: float, max_bytes: int
) -> bytes:
    chunks: list[bytes] = []
    received = 0
    while True:
        connection.settimeout(_remaining(deadline, host))
        chunk = connection.recv(_CHUNK_BYTES)
        if not chunk:
            return b"".join(chunks)
        received += len(chunk)
        if received > max_bytes:
            raise _failure(
                LookupErrorKind.RESPONSE_TOO_LARGE,
                f"{host} sent more than {max_bytes} bytes",
                host,
            )
        chunks.append(chunk)


def _remaining(deadline: float, host: str) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError(f"deadline for {host} passed")
    return remaining


def _failure(kind: LookupErrorKind, message: str, host: str) -> LookupFailed:
    return LookupFailed(kind, message, server=host)
