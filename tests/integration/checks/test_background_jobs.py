"""Check jobs on a real RQ worker and in-process, and the server budget they share."""

from __future__ import annotations

import subprocess
import time
from datetime import date
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from rq.job import Job

from tests.integration.checks.helpers import (
    TRACKER_SCRIPT,
    add_domains,
    add_owner,
    container_for,
    make_settings,
    max_in_window,
    process_env,
    whois_answer,
)
from tests.support.whois_server import WhoisServer
from tracker.adapters.jobs import InlineJobQueue
from tracker.adapters.rq_queue import RqJobQueue
from tracker.entrypoints import runtime
from tracker.entrypoints.container import Container
from tracker.entrypoints.jobs import check_domain_job, check_due_domains_job
from tracker.services.settings import ServerLimit, set_server_limit

WORKER_TIMEOUT = 60


class TimedQueries(list[str]):
    """The server's query log, with the arrival time of each query."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def append(self, query: str) -> None:
        self.times.append(time.monotonic())
        super().append(query)


def run_workers(
    count: int, env: dict[str, str]
) -> list[subprocess.CompletedProcess[str]]:
    """Run `count` burst workers at once and wait for all of them."""
    processes = [
        subprocess.Popen(
            [TRACKER_SCRIPT, "worker", "--burst"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(count)
    ]
    results = []
    for process in processes:
        output, _ = process.communicate(timeout=WORKER_TIMEOUT)
        results.append(
            subprocess.CompletedProcess(process.args, process.returncode, output)
        )
    return results


def stored_expiry(container: Container, domain_id: int) -> date | None:
    with container.uow() as uow:
        domain = uow.domains.get(domain_id)
        assert domain is not None
        return domain.expiration_date


def test_rq_worker_runs_check_job(
    database_url: str, redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    with WhoisServer({"example.com": whois_answer("example.com")}) as server:
        settings = make_settings(
            tmp_path,
            database_url,
            redis_url=redis_url,
            redis_prefix=redis_prefix,
            whois_server=server.address,
        )
        container = container_for(settings)
        [domain_id] = add_domains(container, add_owner(container), ["example.com"])
        queue = container.job_queue()
        assert isinstance(queue, RqJobQueue)

        queue.enqueue(check_domain_job, domain_id)
        [result] = run_workers(1, process_env(settings))

    assert result.returncode == 0, result.stdout
    assert server.queries == ["domain example.com"]
    assert stored_expiry(container, domain_id) == date(2027, 6, 1)
    with container.uow() as uow:
        [log] = uow.check_logs.list_for_domain(domain_id)
    assert log.success is True
    assert log.server == "{}:{}".format(*server.address)


def test_in_process_queue_runs_same_job(
    migrated_sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with WhoisServer({"example.com": whois_answer("example.com")}) as server:
        settings = make_settings(
            tmp_path, migrated_sqlite_url, whois_server=server.address
        )
        container = container_for(settings)
        monkeypatch.setattr(runtime, "_container", container)
        [domain_id] = add_domains(container, add_owner(container), ["example.com"])
        assert isinstance(container.job_queue(), InlineJobQueue)

        InlineJobQueue(synchronous=True).enqueue(check_domain_job, domain_id)

    assert server.queries == ["domain example.com"]
    assert stored_expiry(container, domain_id) == date(2027, 6, 1)


def test_due_pass_job_checks_due_domains(
    migrated_sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = ["a.com", "b.org", "c.ru"]
    with WhoisServer({name: whois_answer(name) for name in names}) as server:
        settings = make_settings(
            tmp_path, migrated_sqlite_url, whois_server=server.address
        )
        container = container_for(settings)
        monkeypatch.setattr(runtime, "_container", container)
        ids = add_domains(container, add_owner(container), names)

        summary = check_due_domains_job()

    assert summary.checked == 3
    assert summary.failed == 0
    assert [stored_expiry(container, i) for i in ids] == [date(2027, 6, 1)] * 3


def test_two_workers_share_one_server_budget(
    migrated_sqlite_url: str, redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    rate = 5.0
    names = [f"site{index}.com" for index in range(20)]
    with WhoisServer({name: whois_answer(name) for name in names}) as server:
        server.queries = TimedQueries()
        settings = make_settings(
            tmp_path,
            migrated_sqlite_url,
            redis_url=redis_url,
            redis_prefix=redis_prefix,
            whois_server=server.address,
        )
        container = container_for(settings)
        label = "{}:{}".format(*server.address)
        set_server_limit(container.uow(), label, ServerLimit(2, rate))
        ids = add_domains(container, add_owner(container), names)
        for domain_id in ids:
            container.job_queue().enqueue(check_domain_job, domain_id)

        results = run_workers(2, process_env(settings))

    assert [r.returncode for r in results] == [0, 0], [r.stdout for r in results]
    assert len(server.queries) == 20
    assert max_in_window(server.queries.times, 1.0) <= rate
    assert all(stored_expiry(container, i) == date(2027, 6, 1) for i in ids)
    connection = Redis.from_url(redis_url)
    registry = Queue(redis_prefix, connection=connection).finished_job_registry
    jobs = Job.fetch_many(registry.get_job_ids(), connection=connection)
    assert len({job.worker_name for job in jobs if job is not None}) == 2


def test_separate_budgets_exceed_server_rate(
    migrated_sqlite_url: str, tmp_path: Path
) -> None:
    # The control for the test above: two processes that each keep their own
    # budget send twice the rate, and the window count shows it.
    rate = 5.0
    names = [f"site{index}.com" for index in range(20)]
    with WhoisServer({name: whois_answer(name) for name in names}) as server:
        server.queries = TimedQueries()
        settings = make_settings(
            tmp_path, migrated_sqlite_url, whois_server=server.address
        )
        container = container_for(settings)
        label = "{}:{}".format(*server.address)
        set_server_limit(container.uow(), label, ServerLimit(2, rate))
        add_domains(container, add_owner(container), names)
        env = process_env(settings)
        processes = [
            subprocess.Popen(
                [TRACKER_SCRIPT, "check", *half],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for half in (names[:10], names[10:])
        ]
        outputs = [p.communicate(timeout=WORKER_TIMEOUT)[0] for p in processes]

    assert [p.returncode for p in processes] == [0, 0], outputs
    assert len(server.queries) == 20
    assert max_in_window(server.queries.times, 1.0) > rate
