"""The web app's pure helpers: `next` checks, pasted lists, problem sentences."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask_babel import Babel

from tracker.domain.expiry import Urgency
from tracker.domain.model import Domain
from tracker.domain.names import DomainName
from tracker.entrypoints.web.display import as_sentence, problem_text
from tracker.entrypoints.web.redirects import is_local_path
from tracker.services.domains import DomainRow, split_domain_list

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "target", ["/", "/domains/3", "/domains/3/manual?x=1#top", "/пример"]
)
def test_local_path_accepted(target: str) -> None:
    assert is_local_path(target)


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "/\\/evil.example",
        "\\\\evil.example",
        "https://evil.example/",
        "http:evil.example",
        "javascript:alert(1)",
        "evil.example/path",
        " /domains",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\x00/evil.example",
        "/ /evil.example",
    ],
)
def test_foreign_or_odd_path_rejected(target: str | None) -> None:
    assert not is_local_path(target)


def test_split_list_on_lines_commas_and_semicolons() -> None:
    text = " a.com\r\nb.com,c.com ;d.com\n\n, a.com ,my site.com"

    assert split_domain_list(text) == [
        "a.com",
        "b.com",
        "c.com",
        "d.com",
        "my site.com",
    ]


def test_split_list_of_blank_input_is_empty() -> None:
    assert split_domain_list(" \n, ;") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lookup failed: x", "Lookup failed: x."),
        ("done.", "Done."),
        ("", ""),
    ],
)
def test_as_sentence(text: str, expected: str) -> None:
    assert as_sentence(text) == expected


def make_row(**fields: object) -> DomainRow:
    domain = Domain(1, DomainName.parse("example.com"), created_at=NOW)
    defaults: dict[str, object] = {
        "id": 1,
        "name": "example.com",
        "unicode_name": "example.com",
        "registrar": None,
        "expiration_date": None,
        "days_left": None,
        "urgency": Urgency.UNKNOWN,
        "source": None,
        "last_error": None,
        "domain": domain,
        "last_checked_at": NOW,
    }
    return DomainRow(**{**defaults, **fields})  # type: ignore[arg-type]


@pytest.fixture
def request_context() -> Iterator[None]:
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        yield


@pytest.mark.usefixtures("request_context")
def test_problem_of_failure_under_a_day() -> None:
    row = make_row(
        failing_days=0,
        last_error="whois.example answered too slowly",
        last_error_kind="timed out",
    )

    assert problem_text(row) == "lookup failed: whois.example answered too slowly"


@pytest.mark.usefixtures("request_context")
def test_problem_counts_days_with_plural() -> None:
    one = make_row(failing_days=1, last_error=None, last_error_kind="rate limited")
    five = make_row(failing_days=5, last_error="x", last_error_kind="network error")

    assert problem_text(one) == "lookup failing for 1 day: rate limited"
    assert problem_text(five) == "lookup failing for 5 days: x"


@pytest.mark.usefixtures("request_context")
def test_no_expiry_is_a_problem_only_without_date() -> None:
    missing = make_row(last_error_kind="no expiry published")
    entered = make_row(
        last_error_kind="no expiry published",
        expiration_date=date(2027, 1, 1),
        source="manual",
    )

    assert problem_text(missing) == (
        "the registry publishes no expiry date for this domain"
    )
    assert problem_text(entered) is None
