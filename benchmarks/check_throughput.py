"""Measure one check pass of 1,000 domains against five rate-limited WHOIS servers.

Run from the repository root:

    .venv/bin/python benchmarks/check_throughput.py

A child process serves five WHOIS servers on 127.0.0.1. Each sends its
record 100 ms after the query and accepts 20 queries in any one-second
window. A query beyond that gets "Queries per second limit exceeded" at
once, the rate-limit response the adapter recognises. The domains
are spread evenly over five TLDs, one TLD per server.

The pass runs in this process through the production path: an SQLite
database in a temporary folder, `due_targets` and `jobs.run_checks` (the
code behind `tracker check --due` and the periodic job), the per-server
lanes, the `LocalServerBudget` of the container and the WHOIS adapter.
The one change is the address book of the WHOIS adapter, which sends each
registry host name to its loopback server. Each server's rate is set the
way an admin sets it, with `set_server_limit`.

Then the same domains are looked up the naive way: python-whois's
`whois.whois` in a sequential loop, its sockets sent to the same servers.

The last line reads
`domains D seconds S bound B ratio R rate_limited K naive_seconds N speedup X rss_mb M`,
where the bound is the busiest server's domains divided by its rate, the
ratio is seconds over bound, and rss_mb is the peak resident memory of this
process after the pass, before the naive loop runs.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import resource
import socket
import tempfile
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from multiprocessing.sharedctypes import SynchronizedArray
from pathlib import Path

ANSWER_DELAY_SECONDS = 0.1
SERVER_RATE = 20
# One TLD per server. tracker's WHOIS table and python-whois both name a
# registry server for each of these TLDs, and both libraries read the
# record below for each of them.
TLDS = ("ca", "sg", "ai", "mx", "by")
RATE_LIMIT_ANSWER = b"% Queries per second limit exceeded for your address\r\n"


def record(name: str) -> bytes:
    # python-whois reads "Registry Expiry Date" for .ca, .sg and .ai, and
    # "Expiration Date" for .mx and .by.
    return (
        f"Domain Name: {name.upper()}\r\n"
        "Registrar: Example Registrar, Inc.\r\n"
        "Registry Expiry Date: 2027-06-01T00:00:00Z\r\n"
        "Expiration Date: 2027-06-01\r\n"
    ).encode()


# --- the servers, in a child process -------------------------------------


def serve(count: int, ports_out: Connection, counters: SynchronizedArray[int]) -> None:
    """Serve `count` WHOIS servers until terminated.

    counters[2 * i] counts the records server i sent, counters[2 * i + 1]
    its rate-limit responses.
    """
    asyncio.run(_serve(count, ports_out, counters))


async def _serve(
    count: int, ports_out: Connection, counters: SynchronizedArray[int]
) -> None:
    servers = []
    for index in range(count):
        accepted: deque[float] = deque()
        handler = _handler(index, accepted, counters)
        servers.append(await asyncio.start_server(handler, "127.0.0.1", 0, backlog=256))
    ports_out.send([s.sockets[0].getsockname()[1] for s in servers])
    await asyncio.Event().wait()


def _handler(
    index: int, accepted: deque[float], counters: SynchronizedArray[int]
) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]:
    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        line = await reader.readline()
        now = time.monotonic()
        while accepted and accepted[0] <= now - 1.0:
            accepted.popleft()
        if len(accepted) >= SERVER_RATE:
            _count(counters, 2 * index + 1)
            writer.write(RATE_LIMIT_ANSWER)
        else:
            accepted.append(now)
            await asyncio.sleep(ANSWER_DELAY_SECONDS)
            _count(counters, 2 * index)
            name = line.decode("utf-8", "replace").split()[-1].lower()
            writer.write(record(name))
        await writer.drain()
        writer.close()

    return handle


def _count(counters: SynchronizedArray[int], slot: int) -> None:
    with counters.get_lock():
        counters[slot] += 1


# --- the measured process ------------------------------------------------


@dataclass
class PassResult:
    seconds: float
    checked: int
    failed: int
    rss_mb: float


def run_pass(domains: list[str], addresses: dict[str, tuple[str, int]]) -> PassResult:
    """Check `domains` in one pass through tracker's code; return the figures."""
    from tracker.adapters.schema import upgrade
    from tracker.adapters.whois import WhoisRegistrationLookup
    from tracker.domain.model import Domain, User
    from tracker.domain.names import DomainName
    from tracker.entrypoints import jobs
    from tracker.entrypoints.config import Settings
    from tracker.entrypoints.container import build_container
    from tracker.services.scheduling import due_targets
    from tracker.services.settings import ServerLimit, set_server_limit

    folder = Path(tempfile.mkdtemp(prefix="tracker-benchmark-"))
    settings = Settings.from_env(
        instance_path=folder,
        database_url=f"sqlite:///{folder / 'tracker.db'}",
        secret_key="benchmark",
        redis_url=None,
        whois_server=None,
        rdap_base=None,
        run_scheduler=False,
    )
    container = build_container(settings)
    upgrade(container.engine())
    for host in addresses:
        limit = ServerLimit(max_concurrent=4, per_second=SERVER_RATE)
        set_server_limit(container.uow(), host, limit)
    lookup = WhoisRegistrationLookup(
        timeout=settings.lookup_timeout,
        budget=container.budget(),
        host_addresses=addresses,
    )
    container.lookup.override(lookup)

    now = datetime.now(UTC)
    with container.uow() as uow:
        user = User("benchmark@example.com", "-", created_at=now)
        uow.users.add(user)
        assert user.id is not None
        for name in domains:
            domain = Domain(user.id, DomainName.parse(name), created_at=now)
            domain.next_check_at = now - timedelta(minutes=1)
            uow.domains.add(domain)
        uow.commit()

    started = time.monotonic()
    targets = due_targets(container.uow(), container.clock(), jobs.PASS_LIMIT)
    summary = jobs.run_checks(container, targets)
    seconds = time.monotonic() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return PassResult(seconds, summary.checked, summary.failed, rss_mb)


def run_naive(domains: list[str], ports_by_tld: dict[str, int]) -> float:
    """Look `domains` up one after another with python-whois; return the seconds."""
    import whois  # type: ignore[import-untyped]
    from whois.whois import NICClient  # type: ignore[import-untyped]

    ports_by_host = {
        NICClient().choose_server(f"example.{tld}"): port
        for tld, port in ports_by_tld.items()
    }

    class LoopbackSocket(socket.socket):
        """A socket whose connect to a known WHOIS host goes to its loopback server."""

        def connect(self, address: object) -> None:
            host = address[0] if isinstance(address, tuple) else None
            if host not in ports_by_host:
                raise OSError(f"the benchmark has no server for {address!r}")
            super().connect(("127.0.0.1", ports_by_host[host]))

    NICClient.get_socket = staticmethod(
        lambda: LoopbackSocket(socket.AF_INET, socket.SOCK_STREAM)
    )
    started = time.monotonic()
    for name in domains:
        entry = whois.whois(name, quiet=True)
        if not entry.get("expiration_date"):
            raise RuntimeError(f"python-whois read no expiry date for {name}")
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domains", type=int, default=1000, help="domains to check")
    parser.add_argument(
        "--skip-naive", action="store_true", help="skip the python-whois loop"
    )
    options = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from tracker.adapters.whois.servers import server_for

    context = multiprocessing.get_context("spawn")
    counters = context.Array("i", 2 * len(TLDS))
    receiver, sender = context.Pipe(duplex=False)
    servers = context.Process(
        target=serve, args=(len(TLDS), sender, counters), daemon=True
    )
    servers.start()
    try:
        ports = receiver.recv()
        ports_by_tld = dict(zip(TLDS, ports, strict=True))
        addresses = {}
        for tld, port in ports_by_tld.items():
            host = server_for(tld)
            assert host is not None, f"tracker's WHOIS table has no server for .{tld}"
            addresses[host] = ("127.0.0.1", port)
        domains = [
            f"site{index // len(TLDS)}.{TLDS[index % len(TLDS)]}"
            for index in range(options.domains)
        ]
        report(options, domains, addresses, ports_by_tld, counters)
    finally:
        servers.terminate()
        servers.join()


def report(
    options: argparse.Namespace,
    domains: list[str],
    addresses: dict[str, tuple[str, int]],
    ports_by_tld: dict[str, int],
    counters: SynchronizedArray[int],
) -> None:
    result = run_pass(domains, addresses)
    rate_limited = sum(counters[1::2])
    busiest = max(sum(1 for d in domains if d.endswith("." + tld)) for tld in TLDS)
    bound = busiest / SERVER_RATE
    ratio = result.seconds / bound
    print(f"servers: {len(TLDS)}, {SERVER_RATE} queries per second each")
    print(f"pass: {result.checked} checked, {result.failed} failed")
    print(f"seconds: {result.seconds:.2f}")
    print(f"checks per second: {result.checked / result.seconds:.1f}")
    print(f"rate-limit answers: {rate_limited}")
    print(f"bound: {bound:.2f} s ({busiest} domains on the busiest server)")
    print(f"ratio to bound: {ratio:.3f}")
    print(f"peak memory: {result.rss_mb:.1f} MB")

    naive = float("nan")
    if not options.skip_naive:
        naive = run_naive(domains, ports_by_tld)
        naive_limited = sum(counters[1::2]) - rate_limited
        print(
            f"naive python-whois loop: {naive:.2f} s, {naive_limited} rate-limit answers"
        )
    print(
        f"domains {len(domains)} seconds {result.seconds:.2f} bound {bound:.2f} "
        f"ratio {ratio:.3f} rate_limited {rate_limited} "
        f"naive_seconds {naive:.2f} speedup {naive / result.seconds:.2f} "
        f"rss_mb {result.rss_mb:.1f}"
    )


if __name__ == "__main__":
    main()
