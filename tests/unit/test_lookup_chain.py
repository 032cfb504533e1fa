"""ChainedRegistrationLookup: which source it asks and which error it raises."""

from __future__ import annotations

from datetime import date

import pytest

from tests.unit.fakes import FakeLookup
from tracker.adapters.lookup_chain import ChainedRegistrationLookup
from tracker.domain.model import DataSource, LookupErrorKind, Registration
from tracker.domain.names import DomainName
from tracker.services.ports import LookupFailed


class FakeRdapLookup(FakeLookup):
    """A FakeLookup that has a server only for the TLDs it is given."""

    def __init__(
        self,
        answers: dict[str, Registration | LookupFailed] | None = None,
        *,
        tlds: set[str],
    ) -> None:
        super().__init__(answers)
        self.tlds = tlds

    def supports(self, name: DomainName) -> bool:
        return name.tld in self.tlds


def rdap_answer(
    name: str, expires: date | None, registrar: str | None = None
) -> Registration:
    return Registration(
        domain=name,
        expiration_date=expires,
        registrar=registrar,
        source=DataSource.RDAP,
        server="rdap.example",
        statuses=("active",),
    )


def whois_answer(
    name: str, expires: date | None, registrar: str | None = None
) -> Registration:
    return Registration(
        domain=name,
        expiration_date=expires,
        registrar=registrar,
        source=DataSource.WHOIS,
        server="whois.example",
    )


def failure(kind: LookupErrorKind, message: str, server: str) -> LookupFailed:
    return LookupFailed(kind, message, server=server)


NAME = DomainName("openharbor.org")


def test_supported_tld_answered_by_rdap() -> None:
    rdap = FakeRdapLookup(
        {NAME.ascii: rdap_answer(NAME.ascii, date(2027, 5, 2))}, tlds={"org"}
    )
    whois = FakeLookup()

    registration = ChainedRegistrationLookup(rdap, whois).lookup(NAME)

    assert registration.source is DataSource.RDAP
    assert registration.expiration_date == date(2027, 5, 2)
    assert whois.calls == []


def test_unsupported_tld_goes_to_whois() -> None:
    name = DomainName("primer.xn--p1ai")
    rdap = FakeRdapLookup(tlds={"org"})
    whois = FakeLookup({name.ascii: whois_answer(name.ascii, date(2027, 1, 9))})

    registration = ChainedRegistrationLookup(rdap, whois).lookup(name)

    assert registration.source is DataSource.WHOIS
    assert rdap.calls == []
    assert whois.calls == [name.ascii]


def test_rdap_not_found_is_final() -> None:
    rdap = FakeRdapLookup(
        {NAME.ascii: failure(LookupErrorKind.NOT_FOUND, "no such domain", "rdap")},
        tlds={"org"},
    )
    whois = FakeLookup({NAME.ascii: whois_answer(NAME.ascii, date(2027, 5, 2))})

    with pytest.raises(LookupFailed) as caught:
        ChainedRegistrationLookup(rdap, whois).lookup(NAME)

    assert caught.value.kind is LookupErrorKind.NOT_FOUND
    assert whois.calls == []


@pytest.mark.parametrize(
    "kind",
    [
        LookupErrorKind.TIMEOUT,
        LookupErrorKind.NETWORK,
        LookupErrorKind.RATE_LIMITED,
        LookupErrorKind.UNPARSABLE,
        LookupErrorKind.RESPONSE_TOO_LARGE,
    ],
)
def test_rdap_failure_falls_back_to_whois(kind: LookupErrorKind) -> None:
    rdap = FakeRdapLookup(
        {NAME.ascii: failure(kind, "rdap broke", "rdap")}, tlds={"org"}
    )
    whois = FakeLookup({NAME.ascii: whois_answer(NAME.ascii, date(2027, 5, 2))})

    registration = ChainedRegistrationLookup(rdap, whois).lookup(NAME)

    assert registration.source is DataSource.WHOIS
    assert registration.expiration_date == date(2027, 5, 2)


def test_rdap_without_expiry_takes_whois_date() -> None:
    rdap = FakeRdapLookup(
        {NAME.ascii: rdap_answer(NAME.ascii, None, "Gandi SAS")}, tlds={"org"}
    )
    whois = FakeLookup({NAME.ascii: whois_answer(NAME.ascii, date(2027, 5, 2))})

    registration = ChainedRegistrationLookup(rdap, whois).lookup(NAME)

    assert registration.source is DataSource.WHOIS
    assert registration.expiration_date == date(2027, 5, 2)
    assert registration.registrar == "Gandi SAS"
    assert registration.statuses == ("active",)
    assert registration.server == "whois.example"


def test_whois_registrar_kept_over_rdap() -> None:
    rdap = FakeRdapLookup(
        {NAME.ascii: rdap_answer(NAME.ascii, None, "Gandi SAS")}, tlds={"org"}
    )
    whois = FakeLookup(
        {NAME.ascii: whois_answer(NAME.ascii, date(2027, 5, 2), "Gandi")}
    )

    registration = ChainedRegistrationLookup(rdap, whois).lookup(NAME)

    assert registration.registrar == "Gandi"


def test_neither_publishes_expiry_returns_rdap() -> None:
    rdap = FakeRdapLookup(
        {NAME.ascii: rdap_answer(NAME.ascii, None, "Gandi SAS")}, tlds={"org"}
    )
    whois = FakeLookup({NAME.ascii: whois_answer(NAME.ascii, None)})

    registration = ChainedRegistrationLookup(rdap, whois).lookup(NAME)

    assert registration.source is DataSource.RDAP
    assert registration.expiration_date is None
    assert whois.calls == [NAME.ascii]


def test_rdap_without_expiry_survives_whois_failure() -> None:
    rdap = FakeRdapLookup(
        {NAME.ascii: rdap_answer(NAME.ascii, None, "Gandi SAS")}, tlds={"org"}
    )
    whois = FakeLookup(
        {NAME.ascii: failure(LookupErrorKind.TIMEOUT, "whois timed out", "whois")}
    )

    registration = ChainedRegistrationLookup(rdap, whois).lookup(NAME)

    assert registration.source is DataSource.RDAP
    assert registration.registrar == "Gandi SAS"


def test_both_failing_raises_whois_error() -> None:
    rdap = FakeRdapLookup(
        {NAME.ascii: failure(LookupErrorKind.NETWORK, "RDAP HTTP 503", "rdap")},
        tlds={"org"},
    )
    whois = FakeLookup(
        {NAME.ascii: failure(LookupErrorKind.TIMEOUT, "WHOIS timed out", "whois")}
    )

    with pytest.raises(LookupFailed) as caught:
        ChainedRegistrationLookup(rdap, whois).lookup(NAME)

    assert caught.value.kind is LookupErrorKind.TIMEOUT
    assert caught.value.server == "whois"
    assert "WHOIS timed out" in caught.value.message
    assert "RDAP HTTP 503" in caught.value.message


def test_both_failing_without_whois_server_raises_rdap_error() -> None:
    rdap = FakeRdapLookup(
        {NAME.ascii: failure(LookupErrorKind.TIMEOUT, "RDAP timed out", "rdap")},
        tlds={"org"},
    )
    whois = FakeLookup(
        {NAME.ascii: failure(LookupErrorKind.NO_SERVER, "no WHOIS server", "whois")}
    )

    with pytest.raises(LookupFailed) as caught:
        ChainedRegistrationLookup(rdap, whois).lookup(NAME)

    assert caught.value.kind is LookupErrorKind.TIMEOUT
    assert caught.value.server == "rdap"
    assert "RDAP timed out" in caught.value.message
    assert "no WHOIS server" in caught.value.message


def test_whois_failure_for_unsupported_tld_unchanged() -> None:
    name = DomainName("primer.xn--p1ai")
    rdap = FakeRdapLookup(tlds={"org"})
    whois = FakeLookup(
        {name.ascii: failure(LookupErrorKind.RATE_LIMITED, "WHOIS limit", "whois")}
    )

    with pytest.raises(LookupFailed) as caught:
        ChainedRegistrationLookup(rdap, whois).lookup(name)

    assert caught.value.kind is LookupErrorKind.RATE_LIMITED
    assert caught.value.message == "WHOIS limit"


def test_whois_mode_skips_rdap() -> None:
    rdap = FakeRdapLookup(
        {NAME.ascii: rdap_answer(NAME.ascii, date(2027, 5, 2))}, tlds={"org"}
    )
    whois = FakeLookup({NAME.ascii: whois_answer(NAME.ascii, date(2027, 5, 3))})

    registration = ChainedRegistrationLookup(
        rdap, whois, tld_modes={"org": "whois"}
    ).lookup(NAME)

    assert registration.source is DataSource.WHOIS
    assert rdap.calls == []


def test_rdap_mode_never_falls_back() -> None:
    rdap = FakeRdapLookup(
        {NAME.ascii: failure(LookupErrorKind.TIMEOUT, "RDAP timed out", "rdap")},
        tlds=set(),
    )
    whois = FakeLookup({NAME.ascii: whois_answer(NAME.ascii, date(2027, 5, 3))})
    chain = ChainedRegistrationLookup(rdap, whois, tld_modes={".ORG": "RDAP"})

    with pytest.raises(LookupFailed) as caught:
        chain.lookup(NAME)

    assert caught.value.kind is LookupErrorKind.TIMEOUT
    assert rdap.calls == [NAME.ascii]
    assert whois.calls == []


def test_rdap_mode_keeps_missing_expiry() -> None:
    rdap = FakeRdapLookup({NAME.ascii: rdap_answer(NAME.ascii, None)}, tlds={"org"})
    whois = FakeLookup({NAME.ascii: whois_answer(NAME.ascii, date(2027, 5, 3))})
    chain = ChainedRegistrationLookup(rdap, whois, tld_modes={"org": "rdap"})

    registration = chain.lookup(NAME)

    assert registration.expiration_date is None
    assert whois.calls == []


def test_unicode_tld_mode_matches_punycode() -> None:
    name = DomainName("primer.xn--p1ai")
    rdap = FakeRdapLookup(
        {name.ascii: rdap_answer(name.ascii, date(2027, 1, 9))}, tlds=set()
    )
    whois = FakeLookup()
    chain = ChainedRegistrationLookup(rdap, whois, tld_modes={"рф": "rdap"})

    registration = chain.lookup(name)

    assert registration.source is DataSource.RDAP


def test_auto_mode_is_default() -> None:
    rdap = FakeRdapLookup(
        {NAME.ascii: rdap_answer(NAME.ascii, date(2027, 5, 2))}, tlds={"org"}
    )
    chain = ChainedRegistrationLookup(rdap, FakeLookup(), tld_modes={"org": "auto"})

    assert chain.lookup(NAME).source is DataSource.RDAP


def test_unknown_mode_rejected() -> None:
    with pytest.raises(ValueError, match="'both'"):
        ChainedRegistrationLookup(
            FakeRdapLookup(tlds=set()), FakeLookup(), tld_modes={"org": "both"}
        )


class ServerNamingLookup(FakeRdapLookup):
    """A fake that names one server for every domain it supports."""

    def __init__(self, server: str, *, tlds: set[str]) -> None:
        super().__init__(tlds=tlds)
        self.server = server

    def server_for(self, name: DomainName) -> str | None:
        return self.server


@pytest.mark.parametrize(
    ("typed", "modes", "server"),
    [
        ("example.com", {}, "rdap.example"),
        ("example.ru", {}, "whois.example"),
        ("example.com", {"com": "whois"}, "whois.example"),
        ("example.ru", {"ru": "rdap"}, "rdap.example"),
    ],
)
def test_server_for_follows_source_choice(
    typed: str, modes: dict[str, str], server: str
) -> None:
    chain = ChainedRegistrationLookup(
        ServerNamingLookup("rdap.example", tlds={"com"}),
        ServerNamingLookup("whois.example", tlds=set()),
        tld_modes=modes,
    )

    assert chain.server_for(DomainName.parse(typed)) == server
