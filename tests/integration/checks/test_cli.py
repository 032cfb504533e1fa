"""`tracker check` and `tracker domains ...` against a migrated database and a loopback WHOIS server."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.integration.checks.helpers import (
    OWNER,
    add_domains,
    add_owner,
    container_for,
    make_settings,
    process_env,
    whois_answer,
)
from tests.support.whois_server import WhoisServer
from tracker.domain.model import DataSource
from tracker.entrypoints.cli import main
from tracker.entrypoints.config import Settings
from tracker.entrypoints.container import Container

ANSWERS = {
    "example.com": whois_answer("example.com", date(2027, 6, 1)),
    "example.org": whois_answer("example.org", date(2027, 2, 1)),
    "пример.рф": whois_answer("xn--e1afmkfd.xn--p1ai", date(2027, 3, 1)),
    "xn--e1afmkfd.xn--p1ai": whois_answer("xn--e1afmkfd.xn--p1ai", date(2027, 3, 1)),
}


@pytest.fixture
def server() -> Iterator[WhoisServer]:
    with WhoisServer(ANSWERS) as whois:
        yield whois


@pytest.fixture
def settings(migrated_sqlite_url: str, tmp_path: Path, server: WhoisServer) -> Settings:
    return make_settings(tmp_path, migrated_sqlite_url, whois_server=server.address)


@pytest.fixture
def container(settings: Settings) -> Container:
    return container_for(settings)


@pytest.fixture
def owner(container: Container) -> int:
    return add_owner(container)


def run(settings: Settings, *args: str) -> Result:
    env: dict[str, str | None] = dict(process_env(settings))
    for name in ("REDIS_URL", "WHOIS_SERVER", "RDAP_BASE"):
        env.setdefault(name, None)
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def stored(container: Container, user_id: int) -> dict[str, object]:
    with container.uow() as uow:
        return {
            d.name: (d.expiration_date, d.registrar, d.source)
            for d in uow.domains.list_for_user(user_id)
        }


def test_check_due_checks_due_domains(
    settings: Settings, container: Container, owner: int, server: WhoisServer
) -> None:
    add_domains(container, owner, ["example.com", "example.org"])

    result = run(settings, "check", "--due")

    assert result.exit_code == 0, result.output
    assert "checked 2, changed 2, failed 0, rate limited 0" in result.output
    assert len(server.queries) == 2
    assert stored(container, owner)["example.com"][0] == date(2027, 6, 1)


def test_check_due_skips_domains_not_due(
    settings: Settings, container: Container, owner: int, server: WhoisServer
) -> None:
    [domain_id] = add_domains(container, owner, ["example.com"])
    with container.uow() as uow:
        domain = uow.domains.get(domain_id)
        assert domain is not None
        domain.next_check_at = container.clock().now() + timedelta(days=1)
        uow.commit()

    result = run(settings, "check", "--due")

    assert result.exit_code == 0, result.output
    assert "checked 0," in result.output
    assert server.queries == []


def test_check_all_checks_every_domain(
    settings: Settings, container: Container, owner: int, server: WhoisServer
) -> None:
    add_domains(container, owner, ["example.com", "example.org"])
    run(settings, "check", "--due")

    result = run(settings, "check", "--all")

    assert result.exit_code == 0, result.output
    assert "checked 2, changed 0, failed 0" in result.output
    assert len(server.queries) == 4


def test_check_named_domain_prints_result(
    settings: Settings, container: Container, owner: int
) -> None:
    add_domains(container, owner, ["пример.рф", "example.org"])

    result = run(settings, "check", "ПРИМЕР.рф")

    assert result.exit_code == 0, result.output
    assert "пример.рф: expires 2027-03-01, Example Registrar, Inc." in result.output
    assert "checked 1," in result.output


def test_check_named_failure_exits_one(
    settings: Settings, container: Container, owner: int
) -> None:
    add_domains(container, owner, ["missing.com"])

    result = run(settings, "check", "missing.com")

    assert result.exit_code == 1
    assert "missing.com:" in result.output
    assert "checked 1, changed 0, failed 1" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check"], "give --due, --all or at least one DOMAIN"),
        (["check", "--due", "example.com"], "not several of them"),
        (["check", "--due", "--deadline", "0"], "--deadline"),
    ],
)
def test_check_rejects_bad_usage(
    settings: Settings, args: list[str], message: str
) -> None:
    result = run(settings, *args)

    assert result.exit_code == 2
    assert message in result.output


def test_check_names_unknown_and_invalid_domains(
    settings: Settings, container: Container, owner: int, server: WhoisServer
) -> None:
    add_domains(container, owner, ["example.com"])

    result = run(settings, "check", "example.com", "nobody.org", "not a domain")

    assert result.exit_code == 1
    assert "nobody.org is not tracked by any user" in result.output
    assert "'not a domain' is not a valid domain name" in result.output
    assert server.queries == []


def test_check_without_tables_says_how_to_fix(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'empty.db'}")

    result = run(settings, "check", "--all")

    assert result.exit_code == 1
    assert "run: tracker db upgrade" in result.output


def test_worker_without_redis_explains(settings: Settings) -> None:
    result = run(settings, "worker", "--burst")

    assert result.exit_code == 1
    assert "REDIS_URL is not set" in result.output


def test_domains_add_and_list(
    settings: Settings, container: Container, owner: int
) -> None:
    result = run(
        settings, "domains", "add", OWNER, "https://www.Example.com/x", "пример.рф"
    )

    assert result.exit_code == 0, result.output
    assert "added example.com" in result.output
    assert "added пример.рф" in result.output
    listing = run(settings, "domains", "list", "--user", OWNER)
    assert listing.output.splitlines() == [
        f"{OWNER}\texample.com\tunknown\t\t\t",
        f"{OWNER}\tпример.рф\tunknown\t\t\t",
    ]


def test_domains_add_reports_bad_and_duplicate(
    settings: Settings, container: Container, owner: int
) -> None:
    run(settings, "domains", "add", OWNER, "example.com")

    result = run(
        settings, "domains", "add", OWNER, "example.com", "bad..name", "example.org"
    )

    assert result.exit_code == 1
    assert "skipped: you already track example.com" in result.output
    assert "'bad..name' is not a valid domain name" in result.output
    assert "added example.org" in result.output
    assert set(stored(container, owner)) == {"example.com", "example.org"}


def test_domains_unknown_user_fails(settings: Settings, container: Container) -> None:
    for args in (
        ["domains", "add", "nobody@example.com", "example.com"],
        ["domains", "list", "--user", "nobody@example.com"],
        ["domains", "remove", "nobody@example.com", "example.com"],
    ):
        result = run(settings, *args)

        assert result.exit_code == 1, args
        assert "no account has the email address nobody@example.com" in result.output


def test_domains_list_json_and_csv(
    settings: Settings, container: Container, owner: int
) -> None:
    run(settings, "domains", "add", OWNER, "example.com")
    run(settings, "check", "--all")

    as_json = run(settings, "domains", "list", "--json")
    as_csv = run(settings, "domains", "list", "--csv")
    both = run(settings, "domains", "list", "--json", "--csv")

    [record] = [json.loads(line) for line in as_json.output.splitlines()]
    assert record["domain"] == "example.com"
    assert record["expiration_date"] == "2027-06-01"
    assert record["registrar"] == "Example Registrar, Inc."
    assert record["source"] == "whois"
    assert record["user"] == OWNER
    [row] = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert row["expiration_date"] == "2027-06-01"
    assert row["days_left"] == str(record["days_left"])
    assert both.exit_code == 2


def test_domains_remove(settings: Settings, container: Container, owner: int) -> None:
    run(settings, "domains", "add", OWNER, "example.com", "example.org")

    result = run(settings, "domains", "remove", OWNER, "EXAMPLE.com", "other.net", "x")

    assert result.exit_code == 1
    assert "removed example.com" in result.output
    assert f"{OWNER} does not track other.net" in result.output
    assert "'x' is not a valid domain name" in result.output
    assert set(stored(container, owner)) == {"example.org"}


def test_domains_import_reports_bad_lines(
    settings: Settings, container: Container, owner: int, tmp_path: Path
) -> None:
    path = tmp_path / "domains.csv"
    path.write_text(
        "\ufeffDomain;Expires;Registrar\n"
        "example.com;2027-04-01;Manual Registrar\n"
        "\n"
        "# a comment line\n"
        "not a domain;;\n"
        "example.org;01/02/2027;\n"
        "пример.рф;;\n"
        "example.net;2027-08-09;Reg;extra\n"
        "example.com;;\n"
        "far-future.com;9999-12-31;Reg\n",
        encoding="utf-8",
    )

    result = run(settings, "domains", "import", OWNER, str(path))

    assert result.exit_code == 1
    assert f"{path}:5: 'not a domain' is not a valid domain name" in result.output
    assert f"{path}:6: invalid expiry date '01/02/2027'" in result.output
    assert f"{path}:8: 4 columns" in result.output
    assert f"{path}:9: skipped: you already track example.com" in result.output
    assert f"{path}:10: expiry date 9999-12-31 is outside" in result.output
    assert "imported 2, already tracked 1, malformed 4" in result.output
    domains = stored(container, owner)
    assert domains == {
        "example.com": (date(2027, 4, 1), "Manual Registrar", DataSource.MANUAL),
        "xn--e1afmkfd.xn--p1ai": (None, None, None),
    }


def test_domains_import_plain_list(
    settings: Settings, container: Container, owner: int, tmp_path: Path
) -> None:
    path = tmp_path / "list.csv"
    path.write_text("example.com\nexample.org\n", encoding="utf-8")

    result = run(settings, "domains", "import", OWNER, str(path))

    assert result.exit_code == 0, result.output
    assert "imported 2, already tracked 0, malformed 0" in result.output
    assert set(stored(container, owner)) == {"example.com", "example.org"}


def test_domains_import_rejects_non_utf8(
    settings: Settings, container: Container, owner: int, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("caf\xe9.com\n".encode("latin-1"))

    result = run(settings, "domains", "import", OWNER, str(path))

    assert result.exit_code == 1
    assert "is not UTF-8 text" in result.output


def test_domains_import_missing_file(
    settings: Settings, owner: int, tmp_path: Path
) -> None:
    result = run(settings, "domains", "import", OWNER, str(tmp_path / "nope.csv"))

    assert result.exit_code == 2
    assert "nope.csv" in result.output
