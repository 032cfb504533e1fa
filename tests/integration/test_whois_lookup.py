"""WhoisRegistrationLookup over real TCP against WHOIS servers on loopback."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from datetime import date

import pytest

from tests.support.whois_corpus import Case, load_cases, same_registrar
from tests.support.whois_server import Mode, WhoisServer
from tracker.adapters.whois import WhoisRegistrationLookup
from tracker.domain.model import LookupErrorKind, Registration
from tracker.domain.names import DomainName
from tracker.services.ports import LookupFailed

LOOKUP_TLDS = {"com", "net", "org", "ru", "su", "xn--p1ai", "uk", "io", "jp", "de"}
LOOKUP_CASES = [case for case in load_cases() if case.tld in LOOKUP_TLDS]
ERROR_KINDS = {
    "not_found": LookupErrorKind.NOT_FOUND,
    "rate_limited": LookupErrorKind.RATE_LIMITED,
}
# The corpus takes its .uk registrars from two projects that disagree on the
# Nominet line "Legal name t/a Trading name [Tag = TAG]". These two cases
# expect the whole line. The other .uk cases expect the trading name, which
# is what the adapter returns.
WHOLE_NOMINET_LINE_EXPECTED = {"aw-tld_uk", "pw-amazon.co.uk"}

REGISTRY_RESPONSE = b"""\
   Domain Name: EXAMPLE-TRACKER.COM
   Registrar WHOIS Server: whois.registrar.test
   Creation Date: 2003-03-14T04:00:00Z
   Registry Expiry Date: 2027-03-14T04:00:00Z
   Registrar: Example Registrar, Inc.
>>> Last update of whois database: 2025-01-20T12:00:00Z <<<
"""
THIN_REGISTRY_RESPONSE = b"""\
   Domain Name: EXAMPLE-TRACKER.COM
   Registrar WHOIS Server: whois.registrar.test
   Creation Date: 2003-03-14T04:00:00Z
>>> Last update of whois database: 2025-01-20T12:00:00Z <<<
"""
REGISTRAR_RESPONSE = b"""\
Domain Name: example-tracker.com
Registrar Registration Expiration Date: 2027-03-13T16:00:00+0000
Registrar: Example Registrar, Inc.
"""


@pytest.fixture(scope="module")
def corpus_server() -> Iterator[WhoisServer]:
    with WhoisServer() as server:
        yield server


def lookup_case(server: WhoisServer, case: Case) -> Registration | LookupFailed:
    """Serve `case` alone and return its registration or the `LookupFailed`."""
    server.set_responses({case.domain: case.answer()})
    lookup = WhoisRegistrationLookup(server=server.address, timeout=5.0)
    try:
        return lookup.lookup(DomainName(case.domain))
    except LookupFailed as error:
        return error


@pytest.mark.parametrize("case", LOOKUP_CASES, ids=lambda case: case.id)
def test_corpus_case_over_tcp(corpus_server: WhoisServer, case: Case) -> None:
    result = lookup_case(corpus_server, case)

    if case.kind in ERROR_KINDS:
        assert isinstance(result, LookupFailed)
        assert result.kind is ERROR_KINDS[case.kind]
        return
    assert isinstance(result, Registration), result.message
    assert result.expiration_date == case.expiration_date
    if case.registrar is not None and case.id not in WHOLE_NOMINET_LINE_EXPECTED:
        assert same_registrar(result.registrar, case.registrar), result.registrar


def test_whole_nominet_line_cases_get_trading_name(corpus_server: WhoisServer) -> None:
    cases = [case for case in LOOKUP_CASES if case.id in WHOLE_NOMINET_LINE_EXPECTED]

    registrars = {
        case.id: getattr(lookup_case(corpus_server, case), "registrar", None)
        for case in cases
    }

    assert registrars["aw-tld_uk"] == "MarkMonitor Inc."
    assert registrars["pw-amazon.co.uk"] == "Amazon.com, Inc."


def test_override_server_gets_registry_query_format(whois_server: WhoisServer) -> None:
    lookup = WhoisRegistrationLookup(server=whois_server.address, timeout=5.0)

    for name in ("example.de", "example.jp", "example.com", "example.org"):
        with pytest.raises(LookupFailed):
            lookup.lookup(DomainName(name))

    assert whois_server.queries == [
        "-T dn,ace example.de",
        "example.jp/e",
        "domain example.com",
        "example.org",
    ]


def test_override_does_not_follow_referral(whois_server: WhoisServer) -> None:
    whois_server.set_responses({"example-tracker.com": THIN_REGISTRY_RESPONSE})
    lookup = WhoisRegistrationLookup(server=whois_server.address, timeout=5.0)

    with pytest.raises(LookupFailed) as failure:
        lookup.lookup(DomainName("example-tracker.com"))

    assert failure.value.kind is LookupErrorKind.UNPARSABLE
    assert len(whois_server.queries) == 1


class TestReferrals:
    @pytest.fixture
    def registrar_server(self) -> Iterator[WhoisServer]:
        with WhoisServer() as server:
            yield server

    def lookup_via(
        self, registry: WhoisServer, registrar: tuple[str, int]
    ) -> WhoisRegistrationLookup:
        return WhoisRegistrationLookup(
            timeout=5.0,
            host_addresses={
                "whois.verisign-grs.com": registry.address,
                "whois.registrar.test": registrar,
            },
        )

    def test_registry_date_wins(
        self, whois_server: WhoisServer, registrar_server: WhoisServer
    ) -> None:
        whois_server.set_responses({"example-tracker.com": REGISTRY_RESPONSE})
        registrar_server.set_responses({"example-tracker.com": REGISTRAR_RESPONSE})
        lookup = self.lookup_via(whois_server, registrar_server.address)

        registration = lookup.lookup(DomainName("example-tracker.com"))

        assert registration.expiration_date == date(2027, 3, 14)
        assert registration.server == "whois.verisign-grs.com"
        assert registrar_server.queries == []

    def test_thin_registry_response_is_completed_by_registrar(
        self, whois_server: WhoisServer, registrar_server: WhoisServer
    ) -> None:
        whois_server.set_responses({"example-tracker.com": THIN_REGISTRY_RESPONSE})
        registrar_server.set_responses({"example-tracker.com": REGISTRAR_RESPONSE})
        lookup = self.lookup_via(whois_server, registrar_server.address)

        registration = lookup.lookup(DomainName("example-tracker.com"))

        assert registration.expiration_date == date(2027, 3, 13)
        assert registration.registrar == "Example Registrar, Inc."
        assert registrar_server.queries == ["example-tracker.com"]

    def test_failed_referral_keeps_registry_response(
        self, whois_server: WhoisServer
    ) -> None:
        response = REGISTRY_RESPONSE.replace(
            b"   Registrar: Example Registrar, Inc.\n", b""
        )
        whois_server.set_responses({"example-tracker.com": response})
        lookup = self.lookup_via(whois_server, closed_port_address())

        registration = lookup.lookup(DomainName("example-tracker.com"))

        assert registration.expiration_date == date(2027, 3, 14)
        assert registration.registrar is None

    def test_max_referrals_zero_asks_registry_only(
        self, whois_server: WhoisServer, registrar_server: WhoisServer
    ) -> None:
        whois_server.set_responses({"example-tracker.com": THIN_REGISTRY_RESPONSE})
        registrar_server.set_responses({"example-tracker.com": REGISTRAR_RESPONSE})
        lookup = WhoisRegistrationLookup(
            timeout=5.0,
            max_referrals=0,
            host_addresses={
                "whois.verisign-grs.com": whois_server.address,
                "whois.registrar.test": registrar_server.address,
            },
        )

        with pytest.raises(LookupFailed) as failure:
            lookup.lookup(DomainName("example-tracker.com"))

        assert failure.value.kind is LookupErrorKind.UNPARSABLE
        assert registrar_server.queries == []

    def test_iana_names_server_of_unlisted_tld(
        self, whois_server: WhoisServer, registrar_server: WhoisServer
    ) -> None:
        whois_server.set_responses(
            {"example.zz": b"domain:       ZZ\n\nrefer:        whois.nic.zz\n"}
        )
        registrar_server.set_responses(
            {"example.zz": b"Domain Name: example.zz\nExpiry Date: 2030-01-31\n"}
        )
        lookup = WhoisRegistrationLookup(
            timeout=5.0,
            host_addresses={
                "whois.iana.org": whois_server.address,
                "whois.nic.zz": registrar_server.address,
            },
        )

        registration = lookup.lookup(DomainName("example.zz"))

        assert registration.expiration_date == date(2030, 1, 31)
        assert registration.server == "whois.nic.zz"

    def test_unconfigured_host_is_never_contacted(self) -> None:
        lookup = WhoisRegistrationLookup(timeout=5.0, host_addresses={})

        with pytest.raises(LookupFailed) as failure:
            lookup.lookup(DomainName("example.com"))

        assert failure.value.kind is LookupErrorKind.NETWORK


class RecordingBudget:
    def __init__(self) -> None:
        self.slots: list[tuple[str, float]] = []
        self.rate_limited: list[str] = []

    def slot(self, server: str, wait_seconds: float) -> AbstractContextManager[None]:
        self.slots.append((server, wait_seconds))
        return nullcontext()

    def report_rate_limited(self, server: str) -> None:
        self.rate_limited.append(server)


def test_budget_hears_of_rate_limit(whois_server: WhoisServer) -> None:
    whois_server.set_responses(
        {"example.org": b"WHOIS LIMIT EXCEEDED - SEE WWW.PIR.ORG/WHOIS FOR DETAILS\r\n"}
    )
    budget = RecordingBudget()
    lookup = WhoisRegistrationLookup(
        server=whois_server.address, timeout=5.0, budget=budget
    )
    label = f"{whois_server.address[0]}:{whois_server.address[1]}"

    with pytest.raises(LookupFailed) as failure:
        lookup.lookup(DomainName("example.org"))

    assert failure.value.kind is LookupErrorKind.RATE_LIMITED
    assert budget.slots == [(label, 5.0)]
    assert budget.rate_limited == [label]


@pytest.mark.parametrize("mode", [Mode.SILENT, Mode.DRIP])
def test_slow_server_times_out(whois_server: WhoisServer, mode: Mode) -> None:
    whois_server.mode = mode
    whois_server.set_responses(
        {"example.com": b"Registry Expiry Date: 2030-01-01\n" * 4}
    )
    timeout = 1.5
    lookup = WhoisRegistrationLookup(server=whois_server.address, timeout=timeout)
    started = time.monotonic()

    with pytest.raises(LookupFailed) as failure:
        lookup.lookup(DomainName("example.com"))

    assert failure.value.kind is LookupErrorKind.TIMEOUT
    assert time.monotonic() - started < timeout + 2


def test_oversized_response_is_rejected(whois_server: WhoisServer) -> None:
    whois_server.set_responses({"example.com": b"% padding line\n" * 10_000})
    lookup = WhoisRegistrationLookup(
        server=whois_server.address, timeout=5.0, max_response_bytes=50_000
    )

    with pytest.raises(LookupFailed) as failure:
        lookup.lookup(DomainName("example.com"))

    assert failure.value.kind is LookupErrorKind.RESPONSE_TOO_LARGE


def test_refused_connection_is_network_error() -> None:
    lookup = WhoisRegistrationLookup(server=closed_port_address(), timeout=5.0)

    with pytest.raises(LookupFailed) as failure:
        lookup.lookup(DomainName("example.com"))

    assert failure.value.kind is LookupErrorKind.NETWORK


def test_latin1_response_is_decoded(whois_server: WhoisServer) -> None:
    response = "Domain Name: example.com\nRegistrar: Société Exemple\n"
    response += "Registry Expiry Date: 2030-01-31T00:00:00Z\n"
    whois_server.set_responses({"example.com": response.encode("latin-1")})
    lookup = WhoisRegistrationLookup(server=whois_server.address, timeout=5.0)

    registration = lookup.lookup(DomainName("example.com"))

    assert registration.registrar == "Société Exemple"


def closed_port_address() -> tuple[str, int]:
    """Return a loopback address where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return "127.0.0.1", probe.getsockname()[1]


def test_server_for_names_budget_key() -> None:
    routed = WhoisRegistrationLookup(server=("127.0.0.1", 4343))
    direct = WhoisRegistrationLookup()

    assert routed.server_for(DomainName.parse("example.ru")) == "127.0.0.1:4343"
    assert direct.server_for(DomainName.parse("example.ru")) == "whois.tcinet.ru"
