"""`tracker remind` against a SQLite database and a loopback SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.integration.reminders.conftest import SmtpServer, add_domain, add_owner
from tracker.adapters.clock import FixedClock
from tracker.adapters.unit_of_work import (
    SqlAlchemyUnitOfWork,
    build_engine,
    session_factory,
)
from tracker.entrypoints.cli import main


@pytest.fixture
def cli_env(tmp_path: Path, smtp_server: SmtpServer) -> dict[str, str]:
    return {
        "TRACKER_INSTANCE": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
        "SECRET_KEY": "test-secret",
        "REDIS_URL": "",
        "BASE_URL": "https://tracker.example.org",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_server.port),
        "SMTP_SECURITY": "none",
        "MAIL_FROM": "reminders@tracker.example.org",
    }


def test_remind_due_sends_and_prints_summary(
    cli_env: dict[str, str], smtp_server: SmtpServer
) -> None:
    runner = CliRunner()
    upgraded = runner.invoke(main, ["db", "upgrade"], env=cli_env)
    assert upgraded.exit_code == 0, upgraded.output
    # The command uses the system clock, so the data is dated from today.
    clock = FixedClock(datetime.now(UTC))
    engine = build_engine(cli_env["DATABASE_URL"])
    factory = session_factory(engine)
    owner = add_owner(SqlAlchemyUnitOfWork(factory), clock, "owner@example.org")
    add_domain(SqlAlchemyUnitOfWork(factory), clock, owner, "example.com", 10)
    engine.dispose()

    first = runner.invoke(main, ["remind", "--due"], env=cli_env)
    second = runner.invoke(main, ["remind", "--due"], env=cli_env)

    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[-1] == (
        "sent 1, retrying 0, failed 0, skipped 0, interrupted 0, waiting 0, "
        "planned 0 domains, planning errors 0"
    )
    assert second.output.splitlines()[-1].startswith("sent 0,")
    [email] = smtp_server.handler.messages()
    assert email["Subject"] == "example.com expires in 10 days"
    plain = email.get_body(("plain",))
    assert plain is not None
    assert "https://tracker.example.org/" in plain.get_content()


def test_remind_due_without_smtp_keeps_reminders_waiting(
    cli_env: dict[str, str], smtp_server: SmtpServer
) -> None:
    runner = CliRunner()
    runner.invoke(main, ["db", "upgrade"], env=cli_env)
    clock = FixedClock(datetime.now(UTC))
    engine = build_engine(cli_env["DATABASE_URL"])
    factory = session_factory(engine)
    owner = add_owner(SqlAlchemyUnitOfWork(factory), clock, "owner@example.org")
    add_domain(SqlAlchemyUnitOfWork(factory), clock, owner, "example.com", 10)
    no_smtp = {**cli_env, "SMTP_HOST": ""}

    first = runner.invoke(main, ["remind", "--due"], env=no_smtp)
    later = runner.invoke(main, ["remind", "--due"], env=cli_env)

    with SqlAlchemyUnitOfWork(factory) as uow:
        attempts = [
            row.attempts
            for domain in uow.domains.list_for_user(owner)
            for row in uow.reminders.list_for_domain(domain.id or 0)
        ]
    engine.dispose()
    assert first.exit_code == 0, first.output
    assert "waiting 1," in first.output.splitlines()[-1]
    assert later.output.splitlines()[-1].startswith("sent 1,")
    assert sorted(attempts) == [0, 0, 0, 0, 1]
    [email] = smtp_server.handler.messages()
    assert email["Subject"] == "example.com expires in 10 days"


def test_remind_replan_counts_domains(cli_env: dict[str, str]) -> None:
    runner = CliRunner()
    runner.invoke(main, ["db", "upgrade"], env=cli_env)

    result = runner.invoke(main, ["remind", "--replan"], env=cli_env)

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "planned reminders for 0 domains"


def test_remind_needs_a_mode(cli_env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["remind"], env=cli_env)

    assert result.exit_code == 2
    assert "give --due or --replan" in result.output
