"""Limits of the web app: log-in throttling, request size, row ids, long pastes, bidi text.

The WHOIS server sends "No match" for every domain, so lookups end at once
and stay on loopback.
"""

from __future__ import annotations

import logging
import random
import re
import string
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert

from tests.integration.test_web_flows import (
    PASSWORD,
    build_test_container,
    dashboard,
    flashes,
    log_in,
    register,
    row_named,
    seed_domain,
    user_id_of,
)
from tests.support.whois_server import WhoisServer
from tests.unit.fakes import FakeHasher
from tracker.adapters import orm
from tracker.adapters.clock import FixedClock
from tracker.adapters.repositories import MAX_ROW_ID
from tracker.entrypoints.config import Settings
from tracker.entrypoints.container import Container
from tracker.entrypoints.web import create_app, lockouts
from tracker.entrypoints.web.flashes import MAX_ECHO_LENGTH, MAX_FLASHES
from tracker.services.login_throttle import LOCKOUT, MAX_FAILURES_PER_ADDRESS

OWNER = "owner@example.org"
# Browsers drop a cookie whose name, value and attributes exceed 4096 bytes.
COOKIE_LIMIT = 4096
TOO_LARGE_IDS = ["99999999999999999999999", "9223372036854775808", str(MAX_ROW_ID + 1)]


@pytest.fixture(scope="module")
def whois_server() -> Iterator[WhoisServer]:
    with WhoisServer() as server:
        yield server


def make_app(container: Container) -> Flask:
    app = create_app(container=container)
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture
def container(
    tmp_path: Path, clock: FixedClock, whois_server: WhoisServer
) -> Container:
    container = build_test_container(tmp_path, clock, whois_server.address)
    # scrypt takes about a tenth of a second; these tests fail many log-ins.
    container.hasher.override(providers.Object(FakeHasher()))
    return container


@pytest.fixture
def app(container: Container) -> Flask:
    return make_app(container)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def log_in_from(client: FlaskClient, email: str, password: str, address: str) -> Any:
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def page_text(response: Any) -> str:
    return " ".join(flashes(response.get_data(as_text=True)))


# Log-in throttling


def test_fifth_wrong_password_locks_account(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    register(client, OWNER)
    client.post("/logout")
    caplog.set_level(logging.INFO, logger="tracker")

    answers = [log_in(client, OWNER, f"wrong-guess-{n}") for n in range(5)]

    assert [r.status_code for r in answers] == [200, 200, 200, 200, 429]
    assert "Wrong email or password." in page_text(answers[3])
    assert (
        "Too many failed log-ins for this account; try again in 15 minutes."
        in page_text(answers[4])
    )
    assert answers[4].headers["Retry-After"] == str(int(LOCKOUT.total_seconds()))
    assert f"locked log-ins for {OWNER} until" in caplog.text
    assert "127.0.0.1" in caplog.text
    assert "wrong-guess" not in caplog.text


def test_locked_account_rejects_right_password_until_lockout_ends(
    client: FlaskClient, clock: FixedClock
) -> None:
    register(client, OWNER)
    client.post("/logout")
    for n in range(5):
        log_in(client, OWNER, f"wrong-guess-{n}")

    locked = log_in(client, OWNER)

    assert locked.status_code == 429
    assert "try again in 15 minutes" in page_text(locked)
    assert client.get("/").status_code == 302

    clock.advance(timedelta(minutes=10))
    assert "try again in 5 minutes" in page_text(log_in(client, OWNER))

    clock.advance(timedelta(minutes=5))
    assert log_in(client, OWNER).status_code == 302
    assert client.get("/").status_code == 200


def test_unknown_email_is_locked_like_a_known_one(client: FlaskClient) -> None:
    answers = [log_in(client, "nobody@example.org", "guess-1x") for _ in range(5)]

    assert [r.status_code for r in answers] == [200, 200, 200, 200, 429]
    assert "for this account" in page_text(answers[4])


def test_successful_log_in_resets_the_count(client: FlaskClient) -> None:
    register(client, OWNER)
    client.post("/logout")
    for n in range(4):
        log_in(client, OWNER, f"wrong-guess-{n}")
    assert log_in(client, OWNER).status_code == 302
    client.post("/logout")

    answers = [log_in(client, OWNER, f"again-wrong-{n}") for n in range(4)]

    assert {r.status_code for r in answers} == {200}


def test_many_emails_from_one_address_lock_the_address(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    register(client, OWNER)
    client.post("/logout")
    caplog.set_level(logging.WARNING, logger="tracker")
    attacker = "198.51.100.7"

    answers = [
        log_in_from(client, f"user{n}@example.org", "guess-1x", attacker)
        for n in range(MAX_FAILURES_PER_ADDRESS)
    ]

    assert answers[-2].status_code == 200
    assert answers[-1].status_code == 429
    assert "from your network address" in page_text(answers[-1])
    assert log_in_from(client, OWNER, PASSWORD, attacker).status_code == 429
    assert log_in_from(client, OWNER, PASSWORD, "203.0.113.9").status_code == 302
    assert f"locked log-ins for address {attacker}" in caplog.text


def test_lockout_message_in_russian(client: FlaskClient) -> None:
    client.post("/language", data={"language": "ru", "next": "/"})

    answers = [log_in(client, "nobody@example.org", "guess-1x") for _ in range(5)]

    assert answers[4].status_code == 429
    assert (
        "Слишком много неудачных попыток входа в эту учётную запись; "
        "попробуйте снова через 15 минут." in page_text(answers[4])
    )


# Request size and long pastes


def scrambled(length: int, seed: int) -> str:
    """Return letters and digits that zlib cannot shrink, the same on every run."""
    chosen = random.Random(seed).choices(
        string.ascii_lowercase + string.digits, k=length
    )
    return "".join(chosen)


def session_cookie_size(response: Any) -> int:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if "session=" in c]
    assert len(cookies) == 1
    return len(cookies[0])


def test_ten_megabyte_form_is_rejected_with_413(client: FlaskClient) -> None:
    register(client, OWNER)

    response = client.post("/domains", data={"names": "a" * (10 * 2**20)})

    assert response.status_code == 413
    assert "The form was too large" in response.get_data(as_text=True)


def test_long_paste_without_separators_keeps_its_message(
    client: FlaskClient,
) -> None:
    register(client, OWNER)
    dashboard(client)
    pasted = scrambled(8000, seed=1)

    response = client.post("/domains", data={"names": pasted})

    assert session_cookie_size(response) < COOKIE_LIMIT
    messages = flashes(dashboard(client))
    assert len(messages) == 1
    shown = messages[0].split(" is not a valid domain name")[0]
    assert len(shown) == MAX_ECHO_LENGTH
    assert shown.endswith("…")
    assert pasted.startswith(shown[:-1])


@pytest.mark.parametrize("language", ["en", "ru"])
def test_many_invalid_entries_are_summarised(
    client: FlaskClient, language: str
) -> None:
    register(client, OWNER)
    client.post("/language", data={"language": language, "next": "/"})
    dashboard(client)
    entries = [f"bad_{n:03}_{scrambled(200, seed=n)}.com" for n in range(150)]

    response = client.post("/domains", data={"names": "\n".join(entries)})

    assert session_cookie_size(response) < COOKIE_LIMIT
    messages = flashes(dashboard(client))
    assert len(messages) == MAX_FLASHES
    assert messages[0].startswith(f"bad_000_{entries[0][8:40]}")
    summary = {"en": "…and 143 more messages.", "ru": "…и ещё 143 сообщения."}
    assert messages[-1] == summary[language]


# Row ids out of range


@pytest.fixture(params=["sqlite", "postgres"])
def backend_app(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    clock: FixedClock,
    whois_server: WhoisServer,
) -> Iterator[tuple[Flask, Container]]:
    """An app on SQLite, then on a private PostgreSQL schema."""
    overrides: dict[str, str] = {}
    if request.param == "postgres":
        overrides["database_url"] = request.getfixturevalue("postgres_url")
    container = build_test_container(tmp_path, clock, whois_server.address, **overrides)
    container.hasher.override(providers.Object(FakeHasher()))
    yield make_app(container), container
    container.engine().dispose()


@pytest.mark.parametrize("domain_id", TOO_LARGE_IDS)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/domains/{id}"),
        ("GET", "/domains/{id}/status"),
        ("GET", "/domains/{id}/manual"),
        ("POST", "/domains/{id}/check"),
        ("POST", "/domains/{id}/delete"),
        ("POST", "/domains/{id}/mute"),
    ],
)
def test_too_large_domain_id_is_not_found(
    backend_app: tuple[Flask, Container], method: str, path: str, domain_id: str
) -> None:
    app, _container = backend_app
    client = app.test_client()
    register(client, OWNER)

    response = client.open(path.format(id=domain_id), method=method)

    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def make_admin(client: FlaskClient, container: Container) -> None:
    register(client, "root@example.org")
    with container.uow() as uow:
        user = uow.users.get_by_email("root@example.org")
        assert user is not None
        user.is_admin = True
        uow.commit()


@pytest.mark.parametrize("view", ["domains", "users", "checks", "notifications"])
def test_admin_treats_too_large_id_as_missing(
    backend_app: tuple[Flask, Container], view: str
) -> None:
    app, container = backend_app
    client = app.test_client()
    make_admin(client, container)
    missing = client.get(f"/admin/{view}/details/?id=123456")

    for row_id in [*TOO_LARGE_IDS, "not-a-number"]:
        for page in ("details", "edit"):
            response = client.get(f"/admin/{view}/{page}/?id={row_id}")
            assert response.status_code == missing.status_code, (page, row_id)
            assert response.headers.get("Location") == missing.headers.get("Location")
        deleted = client.post(f"/admin/{view}/delete/", data={"id": row_id})
        assert deleted.status_code == 302, row_id


def test_admin_check_now_skips_too_large_id(
    backend_app: tuple[Flask, Container],
) -> None:
    app, container = backend_app
    client = app.test_client()
    make_admin(client, container)

    response = client.post(
        "/admin/domains/action/",
        data={"action": "check_now", "rowid": TOO_LARGE_IDS},
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert "3 domain(s) no longer exist." in response.get_data(as_text=True)


def test_repositories_return_none_for_too_large_ids(
    backend_app: tuple[Flask, Container],
) -> None:
    _app, container = backend_app

    with container.uow() as uow:
        for row_id in [MAX_ROW_ID + 1, 2**63, 10**23, -(2**63) - 1]:
            assert uow.users.get(row_id) is None
            assert uow.domains.get(row_id) is None
            assert uow.domains.get_for_user(1, row_id) is None
            assert uow.reminders.get(row_id) is None


# Text from registries


def test_bidi_controls_in_registry_text_are_contained(
    client: FlaskClient, container: Container, clock: FixedClock
) -> None:
    register(client, OWNER)
    owner = user_id_of(container, OWNER)
    domain_id = seed_domain(container, owner, "bidi.com", None)
    now = clock.now()
    with container.uow() as uow:
        domain = uow.domains.get(domain_id)
        assert domain is not None
        domain.registrar = "Co \u202eevil"
        domain.last_error = "whois.example: \u202eno match."
        domain.last_error_kind = "unparsable response"
        domain.failing_since = now
        uow.commit()
    with container.engine().begin() as connection:
        connection.execute(
            insert(orm.check_logs),
            {
                "domain_id": domain_id,
                "checked_at": datetime(2026, 12, 4, 11, tzinfo=UTC),
                "success": False,
                "error_kind": "unparsable response",
                "error_message": "answer from \u2067evil\u2069 server",
                "server": "whois.\u202eexample",
                "renewal": False,
            },
        )

    board = dashboard(client)
    detail = client.get(f"/domains/{domain_id}").get_data(as_text=True)

    row = row_named(board, "bidi.com")
    assert "<bdi>Co evil</bdi>" in row.html
    assert "<bdi>lookup failed: whois.example: no match</bdi>" in row.html
    assert "<bdi>Co evil</bdi>" in detail
    assert re.search(r"<bdi[^>]*>answer from evil server</bdi>", detail)
    assert "<bdi>whois.example</bdi>" in detail
    for page in (board, detail):
        assert not re.search("[\u202a-\u202e\u2066-\u2069]", page)


def test_trusted_proxy_sets_client_address(tmp_path: Path) -> None:
    settings = Settings.from_env(
        instance_path=tmp_path / "proxied",
        secret_key="test",
        run_scheduler=False,
        trusted_proxies=1,
    )
    app = create_app(settings)

    @app.get("/_client_address")
    def show_address() -> str:
        return lockouts.client_address()

    client = app.test_client()
    response = client.get(
        "/_client_address", headers={"X-Forwarded-For": "203.0.113.7"}
    )

    assert response.get_data(as_text=True) == "203.0.113.7"
