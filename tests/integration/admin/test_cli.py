"""`tracker create-admin` and `tracker users ...` on a migrated SQLite database."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tracker.adapters.passwords import ScryptPasswordHasher
from tracker.adapters.unit_of_work import (
    SqlAlchemyUnitOfWork,
    build_engine,
    session_factory,
)
from tracker.entrypoints.cli import main

PASSWORD = "Good-pass-42"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("TRACKER_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    for name in ("REDIS_URL", "WHOIS_SERVER", "RDAP_BASE"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


@pytest.fixture
def migrated(runner: CliRunner) -> CliRunner:
    result = runner.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return runner


def stored_users(tmp_path: Path) -> dict[str, tuple[bool, bool, str]]:
    """Return email -> (is_admin, is_active, password hash)."""
    engine = build_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    try:
        with SqlAlchemyUnitOfWork(session_factory(engine)) as uow:
            return {
                u.email: (u.is_admin, u.is_active, u.password_hash)
                for u in uow.users.list()
            }
    finally:
        engine.dispose()


def create_admin(runner: CliRunner, email: str, password: str = PASSWORD) -> Result:
    return runner.invoke(
        main, ["create-admin", email, "--password-stdin"], input=password + "\n"
    )


def test_create_admin_from_stdin(migrated: CliRunner, tmp_path: Path) -> None:
    result = create_admin(migrated, "Root@Example.org")

    assert result.exit_code == 0, result.output
    assert "created admin root@example.org" in result.output
    is_admin, is_active, password_hash = stored_users(tmp_path)["root@example.org"]
    assert (is_admin, is_active) == (True, True)
    assert ScryptPasswordHasher().verify(password_hash, PASSWORD)


def test_create_admin_prompts_twice(migrated: CliRunner, tmp_path: Path) -> None:
    typed = f"{PASSWORD}\n{PASSWORD}\n"

    result = migrated.invoke(main, ["create-admin", "root@example.org"], input=typed)

    assert result.exit_code == 0, result.output
    assert result.output.count("Password") == 1
    assert "Repeat for confirmation" in result.output
    assert stored_users(tmp_path)["root@example.org"][0] is True


def test_create_admin_asks_again_after_weak_password(
    migrated: CliRunner, tmp_path: Path
) -> None:
    typed = f"1234567\n{PASSWORD}\n{PASSWORD}\n"

    result = migrated.invoke(main, ["create-admin", "root@example.org"], input=typed)

    assert result.exit_code == 0, result.output
    assert "at least 8 characters" in result.output
    assert "root@example.org" in stored_users(tmp_path)


def test_create_admin_rejects_mismatched_passwords(
    migrated: CliRunner, tmp_path: Path
) -> None:
    typed = f"{PASSWORD}\nOther-pass-42\n"

    result = migrated.invoke(main, ["create-admin", "root@example.org"], input=typed)

    assert result.exit_code != 0
    assert "do not match" in result.output
    assert stored_users(tmp_path) == {}


@pytest.mark.parametrize("password", ["short", "12345678901", "aaaaaaaaaa", ""])
def test_create_admin_rejects_weak_password_on_stdin(
    migrated: CliRunner, tmp_path: Path, password: str
) -> None:
    result = create_admin(migrated, "root@example.org", password)

    assert result.exit_code == 1
    assert "Error:" in result.output
    assert stored_users(tmp_path) == {}


def test_create_admin_for_existing_email_fails(migrated: CliRunner) -> None:
    create_admin(migrated, "root@example.org")

    result = create_admin(migrated, "root@example.org")

    assert result.exit_code == 1
    assert "tracker users promote root@example.org" in result.output


def test_create_admin_needs_migrated_database(runner: CliRunner) -> None:
    result = create_admin(runner, "root@example.org")

    assert result.exit_code == 1
    assert "run: tracker db upgrade" in result.output


def test_promote_and_demote(migrated: CliRunner, tmp_path: Path) -> None:
    create_admin(migrated, "root@example.org")
    create_admin(migrated, "second@example.org")
    migrated.invoke(main, ["users", "demote", "second@example.org"])
    assert stored_users(tmp_path)["second@example.org"][0] is False

    promoted = migrated.invoke(main, ["users", "promote", "SECOND@example.org"])

    assert promoted.exit_code == 0, promoted.output
    assert "is now an admin" in promoted.output
    assert stored_users(tmp_path)["second@example.org"][0] is True

    demoted = migrated.invoke(main, ["users", "demote", "root@example.org"])

    assert demoted.exit_code == 0, demoted.output
    assert stored_users(tmp_path)["root@example.org"][0] is False


def test_last_active_admin_cannot_be_demoted(
    migrated: CliRunner, tmp_path: Path
) -> None:
    create_admin(migrated, "root@example.org")

    result = migrated.invoke(main, ["users", "demote", "root@example.org"])

    assert result.exit_code == 1
    assert "it is the last active admin" in result.output
    assert stored_users(tmp_path)["root@example.org"][0] is True


def test_unknown_email_fails(migrated: CliRunner) -> None:
    result = migrated.invoke(main, ["users", "promote", "nobody@example.org"])

    assert result.exit_code == 1
    assert "no account has the email address nobody@example.org" in result.output


def test_users_list(migrated: CliRunner) -> None:
    create_admin(migrated, "root@example.org")

    result = migrated.invoke(main, ["users", "list"])

    assert result.exit_code == 0
    assert result.output == "1\troot@example.org\tadmin active\n"
