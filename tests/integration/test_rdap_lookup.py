"""RdapRegistrationLookup over real HTTP against an RDAP server on loopback."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support.rdap_server import RdapServer, Route, fixture_bytes, fixture_json
from tests.unit.fakes import FakeLookup
from tracker.adapters.lookup_chain import ChainedRegistrationLookup
from tracker.adapters.rdap import Bootstrap, RdapRegistrationLookup
from tracker.adapters.rdap.lookup import retry_after_seconds
from tracker.domain.model import DataSource, LookupErrorKind, Registration
from tracker.domain.names import DomainName
from tracker.services.ports import LookupFailed


class RecordingBudget:
    """A ServerBudget that records its calls and can refuse every slot."""

    def __init__(self, *, refuse: bool = False) -> None:
        self.refuse = refuse
        self.slots: list[tuple[str, float]] = []
        self.rate_limited: list[str] = []

    @contextmanager
    def slot(self, server: str, wait_seconds: float) -> Iterator[None]:
        self.slots.append((server, wait_seconds))
        if self.refuse:
            raise LookupFailed(LookupErrorKind.RATE_LIMITED, f"no slot for {server}")
        yield

    def report_rate_limited(self, server: str) -> None:
        self.rate_limited.append(server)


@pytest.fixture
def server() -> Iterator[RdapServer]:
    with RdapServer() as running:
        yield running


def rdap_lookup(base_url: str, **options: Any) -> RdapRegistrationLookup:
    return RdapRegistrationLookup(
        bootstrap=Bootstrap.packaged(), base_overrides={"*": base_url}, **options
    )


def failure_of(lookup: RdapRegistrationLookup, name: str) -> LookupFailed:
    with pytest.raises(LookupFailed) as caught:
        lookup.lookup(DomainName.parse(name))
    return caught.value


REGISTRY_CASES = [
    (
        "nordwind-tools.com",
        "domain-com.json",
        date(2027, 3, 12),
        "NameCheap, Inc.",
        ("client transfer prohibited",),
    ),
    (
        "openharbor.org",
        "domain-org.json",
        date(2027, 5, 2),
        "Gandi SAS",
        ("client transfer prohibited", "client delete prohibited"),
    ),
    (
        "harbourlight.co.uk",
        "domain-uk.json",
        date(2027, 6, 20),
        "Mythic Beasts Ltd",
        ("active",),
    ),
    ("atelier-lumiere.fr", "domain-fr.json", date(2027, 9, 22), "OVH", ("active",)),
    # registro.br is registry and registrar at once, so it names no registrar;
    # its expiry, 2027-03-31 22:30 at -03:00, is 2027-04-01 in UTC.
    ("padariaaurora.com.br", "domain-br.json", date(2027, 4, 1), None, ("active",)),
]


@pytest.mark.parametrize(
    ("name", "fixture", "expires", "registrar", "statuses"),
    REGISTRY_CASES,
    ids=[case[1] for case in REGISTRY_CASES],
)
def test_registry_response_parsed(
    server: RdapServer,
    name: str,
    fixture: str,
    expires: date,
    registrar: str | None,
    statuses: tuple[str, ...],
) -> None:
    server.json(f"/domain/{name}", fixture)

    registration = rdap_lookup(server.url).lookup(DomainName.parse(name))

    assert registration.domain == name
    assert registration.expiration_date == expires
    assert registration.registrar == registrar
    assert registration.statuses == statuses
    assert registration.source is DataSource.RDAP
    assert registration.server == "127.0.0.1"
    assert registration.raw_size == len(fixture_bytes(fixture))


def test_request_asks_for_rdap_json(server: RdapServer) -> None:
    server.json("/domain/nordwind-tools.com", "domain-com.json")

    rdap_lookup(server.url).lookup(DomainName.parse("https://www.Nordwind-Tools.com/"))

    assert server.paths_requested() == ["/domain/nordwind-tools.com"]
    assert server.requests[0].headers["accept"] == "application/rdap+json"


def test_idn_queried_as_punycode(server: RdapServer) -> None:
    name = DomainName.parse("bäckerei-nord.com")
    document = fixture_json("domain-com.json")
    document["ldhName"] = name.ascii.upper()
    server.json(f"/domain/{name.ascii}", document)

    registration = rdap_lookup(server.url).lookup(name)

    assert name.ascii.startswith("xn--")
    assert server.paths_requested() == [f"/domain/{name.ascii}"]
    assert registration.domain == name.ascii


def test_base_url_path_kept(server: RdapServer) -> None:
    server.json("/com/v1/domain/nordwind-tools.com", "domain-com.json")

    registration = rdap_lookup(server.url + "com/v1").lookup(
        DomainName.parse("nordwind-tools.com")
    )

    assert registration.expiration_date == date(2027, 3, 12)


def test_no_expiration_event_gives_no_date(server: RdapServer) -> None:
    server.json("/domain/zeilmakerij.nl", "domain-nl-no-expiration.json")

    registration = rdap_lookup(server.url).lookup(DomainName.parse("zeilmakerij.nl"))

    assert registration.expiration_date is None
    assert registration.registrar == "Hostnet B.V."
    assert registration.source is DataSource.RDAP


def test_registrar_entity_events_ignored(server: RdapServer) -> None:
    document = fixture_json("domain-nl-no-expiration.json")
    document["entities"][0]["events"] = [
        {"eventAction": "expiration", "eventDate": "2026-12-31T00:00:00Z"}
    ]
    server.json("/domain/zeilmakerij.nl", document)

    registration = rdap_lookup(server.url).lookup(DomainName.parse("zeilmakerij.nl"))

    assert registration.expiration_date is None


def test_earliest_of_several_expirations(server: RdapServer) -> None:
    document = fixture_json("domain-com.json")
    document["events"].append(
        {"eventAction": "expiration", "eventDate": "2026-12-20T23:59:59Z"}
    )
    server.json("/domain/nordwind-tools.com", document)

    registration = rdap_lookup(server.url).lookup(
        DomainName.parse("nordwind-tools.com")
    )

    assert registration.expiration_date == date(2026, 12, 20)


def registrar_of(server: RdapServer, document: dict[str, Any]) -> str | None:
    server.json("/domain/nordwind-tools.com", document)
    registration = rdap_lookup(server.url).lookup(
        DomainName.parse("nordwind-tools.com")
    )
    return registration.registrar


def test_registrar_public_id_without_fn(server: RdapServer) -> None:
    document = fixture_json("domain-com.json")
    del document["entities"][0]["vcardArray"]

    assert registrar_of(server, document) == "IANA Registrar ID 1068"


def test_registrar_handle_without_fn_or_public_id(server: RdapServer) -> None:
    document = fixture_json("domain-com.json")
    registrar = document["entities"][0]
    del registrar["vcardArray"]
    del registrar["publicIds"]

    assert registrar_of(server, document) == "1068"


def test_registrar_found_inside_other_entity(server: RdapServer) -> None:
    document = fixture_json("domain-com.json")
    registrar = document["entities"].pop(0)
    document["entities"].append(
        {"objectClassName": "entity", "roles": ["reseller"], "entities": [registrar]}
    )

    assert registrar_of(server, document) == "NameCheap, Inc."


def test_not_found_is_authoritative(server: RdapServer) -> None:
    server.json("/domain/free-name.com", "error-404.json", status=404)

    error = failure_of(rdap_lookup(server.url), "free-name.com")

    assert error.kind is LookupErrorKind.NOT_FOUND
    assert "HTTP 404" in error.message
    assert "not found in the registry" in error.message
    assert error.server == server.url


def test_rate_limit_reported_to_budget(server: RdapServer) -> None:
    server.json(
        "/domain/nordwind-tools.com",
        "error-429.json",
        status=429,
        headers={"Retry-After": "120"},
    )
    budget = RecordingBudget()

    error = failure_of(rdap_lookup(server.url, budget=budget), "nordwind-tools.com")

    assert error.kind is LookupErrorKind.RATE_LIMITED
    assert "retry after 120 s" in error.message
    assert budget.rate_limited == ["127.0.0.1"]


def test_rate_limit_without_budget(server: RdapServer) -> None:
    server.json("/domain/nordwind-tools.com", "error-429.json", status=429)

    error = failure_of(rdap_lookup(server.url), "nordwind-tools.com")

    assert error.kind is LookupErrorKind.RATE_LIMITED
    assert "retry after" not in error.message


def test_retry_after_formats() -> None:
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)

    assert retry_after_seconds("  30 ", now) == 30
    assert retry_after_seconds("Fri, 04 Dec 2026 12:02:00 GMT", now) == 120
    assert retry_after_seconds("Fri, 04 Dec 2026 11:00:00 GMT", now) == 0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


@pytest.mark.parametrize("status", [400, 403, 500, 503])
def test_other_http_errors_are_network(server: RdapServer, status: int) -> None:
    server.json(
        "/domain/nordwind-tools.com",
        {"errorCode": status, "title": "Registry trouble"},
        status=status,
    )

    error = failure_of(rdap_lookup(server.url), "nordwind-tools.com")

    assert error.kind is LookupErrorKind.NETWORK
    assert f"HTTP {status}" in error.message
    assert "Registry trouble" in error.message


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_followed(server: RdapServer, status: int) -> None:
    server.redirect(
        "/domain/nordwind-tools.com",
        server.url + "registrar/domain/nordwind-tools.com",
        status=status,
    )
    server.json("/registrar/domain/nordwind-tools.com", "domain-com.json")
    budget = RecordingBudget()

    registration = rdap_lookup(server.url, budget=budget).lookup(
        DomainName.parse("nordwind-tools.com")
    )

    assert registration.expiration_date == date(2027, 3, 12)
    assert server.paths_requested() == [
        "/domain/nordwind-tools.com",
        "/registrar/domain/nordwind-tools.com",
    ]
    assert [host for host, _ in budget.slots] == ["127.0.0.1", "127.0.0.1"]


def test_relative_redirect_followed(server: RdapServer) -> None:
    server.redirect("/domain/nordwind-tools.com", "/v2/domain/nordwind-tools.com")
    server.json("/v2/domain/nordwind-tools.com", "domain-com.json")

    registration = rdap_lookup(server.url).lookup(
        DomainName.parse("nordwind-tools.com")
    )

    assert registration.registrar == "NameCheap, Inc."


def test_redirect_to_other_server(server: RdapServer) -> None:
    with RdapServer() as registrar_server:
        registrar_server.json("/domain/nordwind-tools.com", "domain-com.json")
        server.redirect(
            "/domain/nordwind-tools.com",
            registrar_server.url + "domain/nordwind-tools.com",
        )

        registration = rdap_lookup(server.url).lookup(
            DomainName.parse("nordwind-tools.com")
        )

    assert registration.expiration_date == date(2027, 3, 12)
    assert registrar_server.paths_requested() == ["/domain/nordwind-tools.com"]


def test_redirect_loop_rejected(server: RdapServer) -> None:
    server.redirect("/domain/nordwind-tools.com", "/a")
    server.redirect("/a", "/domain/nordwind-tools.com")

    error = failure_of(rdap_lookup(server.url, max_redirects=10), "nordwind-tools.com")

    assert error.kind is LookupErrorKind.NETWORK
    assert "redirect loop" in error.message
    assert server.paths_requested() == ["/domain/nordwind-tools.com", "/a"]


def chain_of_redirects(server: RdapServer, hops: int) -> None:
    path = "/domain/nordwind-tools.com"
    for hop in range(hops):
        server.redirect(path, f"/hop{hop}")
        path = f"/hop{hop}"
    server.json(path, "domain-com.json")


def test_redirects_up_to_limit_followed(server: RdapServer) -> None:
    chain_of_redirects(server, hops=3)

    registration = rdap_lookup(server.url, max_redirects=3).lookup(
        DomainName.parse("nordwind-tools.com")
    )

    assert registration.expiration_date == date(2027, 3, 12)


def test_redirects_over_limit_rejected(server: RdapServer) -> None:
    chain_of_redirects(server, hops=4)

    error = failure_of(rdap_lookup(server.url, max_redirects=3), "nordwind-tools.com")

    assert error.kind is LookupErrorKind.NETWORK
    assert "more than 3 redirects" in error.message
    assert len(server.requests) == 4


def test_redirect_without_location_rejected(server: RdapServer) -> None:
    server.route("/domain/nordwind-tools.com", Route(status=302))

    error = failure_of(rdap_lookup(server.url), "nordwind-tools.com")

    assert error.kind is LookupErrorKind.NETWORK
    assert "without a Location" in error.message


def test_redirect_to_other_scheme_rejected(server: RdapServer) -> None:
    server.redirect("/domain/nordwind-tools.com", "ftp://127.0.0.1/domain")

    error = failure_of(rdap_lookup(server.url), "nordwind-tools.com")

    assert error.kind is LookupErrorKind.NETWORK
    assert "not HTTP" in error.message


def test_deadline_covers_dripping_response(server: RdapServer) -> None:
    # Each byte arrives well within the timeout, so only a deadline for
    # the whole exchange stops this response of over 100 bytes.
    server.route(
        "/domain/nordwind-tools.com",
        Route(body=fixture_bytes("domain-com.json"), drip_interval=0.05),
    )

    error = failure_of(rdap_lookup(server.url, timeout=0.5), "nordwind-tools.com")

    assert error.kind is LookupErrorKind.TIMEOUT
    assert error.server == server.url


def test_deadline_covers_all_redirects(server: RdapServer) -> None:
    # Each hop responds within the timeout, but the third ends after it.
    path = "/domain/nordwind-tools.com"
    for hop in range(3):
        target = f"/hop{hop}"
        server.route(path, Route(status=307, headers={"Location": target}, delay=0.5))
        path = target
    server.json(path, "domain-com.json")

    error = failure_of(rdap_lookup(server.url, timeout=1.2), "nordwind-tools.com")

    assert error.kind is LookupErrorKind.TIMEOUT
    assert len(server.requests) == 3


def test_silent_server_times_out(server: RdapServer) -> None:
    server.route("/domain/nordwind-tools.com", Route(hang=True))

    error = failure_of(rdap_lookup(server.url, timeout=0.3), "nordwind-tools.com")

    assert error.kind is LookupErrorKind.TIMEOUT


def test_budget_slot_wait_within_timeout(server: RdapServer) -> None:
    server.json("/domain/nordwind-tools.com", "domain-com.json")
    budget = RecordingBudget()

    rdap_lookup(server.url, budget=budget, timeout=5).lookup(
        DomainName.parse("nordwind-tools.com")
    )

    [(host, wait_seconds)] = budget.slots
    assert host == "127.0.0.1"
    assert 0 < wait_seconds <= 5


def test_budget_refusal_sends_nothing(server: RdapServer) -> None:
    server.json("/domain/nordwind-tools.com", "domain-com.json")
    budget = RecordingBudget(refuse=True)

    error = failure_of(rdap_lookup(server.url, budget=budget), "nordwind-tools.com")

    assert error.kind is LookupErrorKind.RATE_LIMITED
    assert server.requests == []


def test_declared_size_over_cap_rejected(server: RdapServer) -> None:
    server.json("/domain/nordwind-tools.com", "domain-com.json")
    size = len(fixture_bytes("domain-com.json"))

    error = failure_of(
        rdap_lookup(server.url, max_response_bytes=size - 1), "nordwind-tools.com"
    )

    assert error.kind is LookupErrorKind.RESPONSE_TOO_LARGE
    assert f"larger than {size - 1} bytes" in error.message


def test_undeclared_size_over_cap_rejected(server: RdapServer) -> None:
    server.route(
        "/domain/nordwind-tools.com",
        Route(body=b"[" + b"0," * 200_000 + b"0]", send_content_length=False),
    )

    error = failure_of(
        rdap_lookup(server.url, max_response_bytes=100_000), "nordwind-tools.com"
    )

    assert error.kind is LookupErrorKind.RESPONSE_TOO_LARGE


def test_size_at_cap_accepted(server: RdapServer) -> None:
    server.json("/domain/nordwind-tools.com", "domain-com.json")
    size = len(fixture_bytes("domain-com.json"))

    registration = rdap_lookup(server.url, max_response_bytes=size).lookup(
        DomainName.parse("nordwind-tools.com")
    )

    assert registration.raw_size == size


@pytest.mark.parametrize(
    "body",
    [b"<html>Service Unavailable</html>", b'["domain"]', b""],
    ids=["html", "json-array", "empty"],
)
def test_unusable_body_unparsable(server: RdapServer, body: bytes) -> None:
    server.route("/domain/nordwind-tools.com", Route(body=body))

    error = failure_of(rdap_lookup(server.url), "nordwind-tools.com")

    assert error.kind is LookupErrorKind.UNPARSABLE


def test_other_object_class_unparsable(server: RdapServer) -> None:
    server.json("/domain/nordwind-tools.com", {"objectClassName": "entity"})

    error = failure_of(rdap_lookup(server.url), "nordwind-tools.com")

    assert error.kind is LookupErrorKind.UNPARSABLE
    assert "'entity'" in error.message


def test_invalid_expiration_date_unparsable(server: RdapServer) -> None:
    document = fixture_json("domain-com.json")
    document["events"][1]["eventDate"] = "12 March 2027"
    server.json("/domain/nordwind-tools.com", document)

    error = failure_of(rdap_lookup(server.url), "nordwind-tools.com")

    assert error.kind is LookupErrorKind.UNPARSABLE
    assert "12 March 2027" in error.message


def test_refused_connection_is_network() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    error = failure_of(rdap_lookup(f"http://127.0.0.1:{port}/"), "nordwind-tools.com")

    assert error.kind is LookupErrorKind.NETWORK


def test_unknown_tld_has_no_server() -> None:
    lookup = RdapRegistrationLookup(bootstrap=Bootstrap.packaged())

    error = failure_of(lookup, "example.ru")

    assert error.kind is LookupErrorKind.NO_SERVER
    assert ".ru" in error.message


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the openssl CLI."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec",
            "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[RdapServer]:
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with RdapServer(tls=context) as running:
        yield running


def trusting(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))


def test_https_lookup(tls_server: RdapServer, certificate: tuple[Path, Path]) -> None:
    tls_server.json("/domain/nordwind-tools.com", "domain-com.json")

    registration = rdap_lookup(
        tls_server.url, tls_context=trusting(certificate)
    ).lookup(DomainName.parse("nordwind-tools.com"))

    assert tls_server.url.startswith("https://")
    assert registration.expiration_date == date(2027, 3, 12)


def test_untrusted_certificate_rejected(tls_server: RdapServer) -> None:
    tls_server.json("/domain/nordwind-tools.com", "domain-com.json")

    error = failure_of(rdap_lookup(tls_server.url), "nordwind-tools.com")

    assert error.kind is LookupErrorKind.NETWORK
    assert "certificate" in error.message.lower()
    assert tls_server.requests == []


def test_https_to_http_redirect_rejected(
    tls_server: RdapServer, server: RdapServer, certificate: tuple[Path, Path]
) -> None:
    server.json("/domain/nordwind-tools.com", "domain-com.json")
    tls_server.redirect(
        "/domain/nordwind-tools.com", server.url + "domain/nordwind-tools.com"
    )

    error = failure_of(
        rdap_lookup(tls_server.url, tls_context=trusting(certificate)),
        "nordwind-tools.com",
    )

    assert error.kind is LookupErrorKind.NETWORK
    assert "plain http" in error.message
    assert server.requests == []


def test_silent_tls_handshake_times_out(certificate: tuple[Path, Path]) -> None:
    # The kernel accepts connections into the backlog, but nothing ever
    # replies to the TLS ClientHello.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        port = listener.getsockname()[1]
        lookup = rdap_lookup(
            f"https://127.0.0.1:{port}/", timeout=0.3, tls_context=trusting(certificate)
        )

        error = failure_of(lookup, "nordwind-tools.com")

    assert error.kind is LookupErrorKind.TIMEOUT


def whois_for(name: str, expires: date | None) -> FakeLookup:
    return FakeLookup(
        {
            name: Registration(
                domain=name,
                expiration_date=expires,
                registrar=None,
                source=DataSource.WHOIS,
                server="whois.example",
            )
        }
    )


def chained(server: RdapServer, whois: FakeLookup) -> ChainedRegistrationLookup:
    rdap = RdapRegistrationLookup(
        bootstrap=Bootstrap.packaged(), base_overrides={"com": server.url}
    )
    return ChainedRegistrationLookup(rdap, whois)


def test_chain_answers_from_rdap(server: RdapServer) -> None:
    server.json("/domain/nordwind-tools.com", "domain-com.json")
    whois = whois_for("nordwind-tools.com", date(2030, 1, 1))

    registration = chained(server, whois).lookup(DomainName("nordwind-tools.com"))

    assert registration.source is DataSource.RDAP
    assert registration.expiration_date == date(2027, 3, 12)
    assert whois.calls == []


def test_chain_takes_whois_date_when_rdap_has_none(server: RdapServer) -> None:
    document = fixture_json("domain-nl-no-expiration.json")
    document["ldhName"] = "zeilmakerij.com"
    server.json("/domain/zeilmakerij.com", document)
    whois = whois_for("zeilmakerij.com", date(2027, 2, 14))

    registration = chained(server, whois).lookup(DomainName("zeilmakerij.com"))

    assert registration.source is DataSource.WHOIS
    assert registration.expiration_date == date(2027, 2, 14)
    assert registration.registrar == "Hostnet B.V."


def test_chain_trusts_rdap_not_found(server: RdapServer) -> None:
    server.json("/domain/free-name.com", "error-404.json", status=404)
    whois = whois_for("free-name.com", date(2030, 1, 1))

    with pytest.raises(LookupFailed) as caught:
        chained(server, whois).lookup(DomainName("free-name.com"))

    assert caught.value.kind is LookupErrorKind.NOT_FOUND
    assert whois.calls == []


def test_chain_falls_back_on_server_error(server: RdapServer) -> None:
    server.json("/domain/nordwind-tools.com", {"errorCode": 503}, status=503)
    whois = whois_for("nordwind-tools.com", date(2027, 3, 12))

    registration = chained(server, whois).lookup(DomainName("nordwind-tools.com"))

    assert registration.source is DataSource.WHOIS
    assert server.paths_requested() == ["/domain/nordwind-tools.com"]
    assert whois.calls == ["nordwind-tools.com"]


def test_server_for_names_base_url_host() -> None:
    lookup = RdapRegistrationLookup(
        bootstrap=Bootstrap.packaged(),
        base_overrides={"org": "http://127.0.0.1:8080/rdap/"},
    )

    assert lookup.server_for(DomainName.parse("example.org")) == "127.0.0.1"
    assert lookup.server_for(DomainName.parse("example.ru")) is None
