"""parse_whois_text over the recorded corpus, and the rules behind it."""

from __future__ import annotations

import socket
from datetime import date

import pytest

from tests.support.whois_corpus import Case, load_cases, same_registrar
from tracker.adapters.whois import parse_whois_text
from tracker.adapters.whois.dates import DateOrder, InvalidDateValue, parse_date_value
from tracker.adapters.whois.referrals import iana_referral, registrar_referral
from tracker.adapters.whois.servers import query_for, server_for
from tracker.adapters.whois.text import decode_response, normalise_text
from tracker.domain.model import LookupErrorKind, Registration
from tracker.services.ports import LookupFailed

CASES = load_cases()
ERROR_KINDS = {
    "not_found": LookupErrorKind.NOT_FOUND,
    "rate_limited": LookupErrorKind.RATE_LIMITED,
}
MIN_REGISTRAR_SHARE = 0.95


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test here that opens a connection: parsing must not."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsing tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def parse_case(case: Case) -> Registration | LookupFailed:
    text = decode_response(case.answer())
    try:
        return parse_whois_text(case.domain, text, case.server)
    except LookupFailed as error:
        return error


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_corpus_case(case: Case) -> None:
    result = parse_case(case)

    if case.kind in ERROR_KINDS:
        assert isinstance(result, LookupFailed)
        assert result.kind is ERROR_KINDS[case.kind]
        return
    assert isinstance(result, Registration), result.message
    assert result.expiration_date == case.expiration_date


def test_corpus_registrars() -> None:
    expected = [case for case in CASES if case.registrar is not None]

    wrong = []
    for case in expected:
        result = parse_case(case)
        actual = result.registrar if isinstance(result, Registration) else None
        if not same_registrar(actual, case.registrar or ""):
            wrong.append(f"{case.id}: {actual!r} != {case.registrar!r}")

    right_share = 1 - len(wrong) / len(expected)
    assert right_share >= MIN_REGISTRAR_SHARE, "\n".join(wrong)


class TestExpiryField:
    def test_registry_date_wins_over_registrar_date(self) -> None:
        text = (
            "Domain Name: EXAMPLE.COM\n"
            "Registrar Registration Expiration Date: 2027-03-13T16:00:00+0000\n"
            "Registry Expiry Date: 2027-03-14T04:00:00Z\n"
            "Registrar: Example Registrar, Inc.\n"
        )

        registration = parse_whois_text("example.com", text)

        assert registration.expiration_date == date(2027, 3, 14)

    def test_registrar_date_when_registry_gives_none(self) -> None:
        text = (
            "Domain Name: example.com\n"
            "Registrar Registration Expiration Date: 2027-03-13T16:00:00+0000\n"
            "Registrar: Example Registrar, Inc.\n"
        )

        registration = parse_whois_text("example.com", text)

        assert registration.expiration_date == date(2027, 3, 13)

    def test_disclaimer_prose_gives_no_date(self) -> None:
        text = (
            "Domain Name: EXAMPLE.TV\n"
            "Registrar: Example Registrar, Inc.\n"
            "Name Server: NS1.EXAMPLE.NET\n"
            "NOTICE: The expiration date displayed in this record is the date the\n"
            "registrar's sponsorship ends, for example on 2031-05-01 for some names.\n"
        )

        registration = parse_whois_text("example.tv", text)

        assert registration.expiration_date is None

    def test_ambiguous_date_of_unknown_registry_is_unparsable(self) -> None:
        text = "Domain Name: example.zz\nStatus: active\nExpiry Date: 09/12/2024\n"

        with pytest.raises(LookupFailed) as failure:
            parse_whois_text("example.zz", text)

        assert failure.value.kind is LookupErrorKind.UNPARSABLE

    def test_response_can_declare_day_first(self) -> None:
        text = (
            "% complete date format : DD/MM/YYYY\n"
            "domain: example.zz\nstatus: ACTIVE\nExpiry Date: 09/12/2024\n"
        )

        registration = parse_whois_text("example.zz", text)

        assert registration.expiration_date == date(2024, 12, 9)

    def test_placeholder_expiry_means_none_published(self) -> None:
        text = "domain: example.lk\nstatus: active\nExpires on......: null\n"

        registration = parse_whois_text("example.lk", text)

        assert registration.expiration_date is None

    def test_com_response_without_expiry_is_unparsable(self) -> None:
        text = "Domain Name: EXAMPLE.COM\nRegistrar: Example Registrar, Inc.\n"

        with pytest.raises(LookupFailed) as failure:
            parse_whois_text("example.com", text)

        assert failure.value.kind is LookupErrorKind.UNPARSABLE

    def test_text_without_record_is_unparsable(self) -> None:
        with pytest.raises(LookupFailed) as failure:
            parse_whois_text("example.zz", "<html><body>Service moved</body></html>\n")

        assert failure.value.kind is LookupErrorKind.UNPARSABLE

    def test_rate_limit_response_of_any_registry(self) -> None:
        text = "% Query rate exceeded for 192.0.2.1. Slow down.\n"

        with pytest.raises(LookupFailed) as failure:
            parse_whois_text("example.zz", text, "whois.nic.zz")

        assert failure.value.kind is LookupErrorKind.RATE_LIMITED
        assert failure.value.server == "whois.nic.zz"

    def test_reduced_response_after_rate_limit_is_read(self) -> None:
        text = (
            "% Query rate limit exceeded. Reduced information.\n\n"
            '% No match for domain "example.br"\n'
        )

        with pytest.raises(LookupFailed) as failure:
            parse_whois_text("example.br", text)

        assert failure.value.kind is LookupErrorKind.NOT_FOUND

    def test_unicode_name_of_rf_domain_is_found(self) -> None:
        text = (
            "domain:        XN--E1AFMKFD.XN--P1AI\n"
            "registrar:     EXAMPLE-RF\n"
            "paid-till:     2026-02-11T21:00:00Z\n"
        )

        registration = parse_whois_text("xn--e1afmkfd.xn--p1ai", text)

        assert registration.expiration_date == date(2026, 2, 11)
        assert registration.registrar == "EXAMPLE-RF"


class TestDateValue:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("2019-12-04 00:00:00+02", date(2019, 12, 3)),
            ("2028-09-13T00:00:00-0700", date(2028, 9, 13)),
            ("2018-09-30T21:00:00Z", date(2018, 9, 30)),
            ("Tue Apr 25 23:59:59 GMT 2028", date(2028, 4, 25)),
            ("2019-Aug-22.", date(2019, 8, 22)),
            ("2021. 10. 15.", date(2021, 10, 15)),
            ("20180912", date(2018, 9, 12)),
            ("15-abr-2011", date(2011, 4, 15)),
            ("28th April 2014", date(2014, 4, 28)),
            ("2019-11-09 (YYYY-MM-DD)", date(2019, 11, 9)),
            ("4.7.2021 10:15:55", date(2021, 7, 4)),
        ],
    )
    def test_value_is_read_as_utc_date(self, value: str, expected: date) -> None:
        assert parse_date_value(value, None) == expected

    def test_zone_abbreviation_shifts_date(self) -> None:
        value = "30/06/2014 00:00:00 EEST"

        assert parse_date_value(value, DateOrder.DAY_FIRST) == date(2014, 6, 29)

    def test_order_decides_numeric_dates(self) -> None:
        assert parse_date_value("03/02/2012", DateOrder.MONTH_FIRST) == date(2012, 3, 2)
        assert parse_date_value("03/02/2012", DateOrder.DAY_FIRST) == date(2012, 2, 3)

    @pytest.mark.parametrize(
        "value",
        ["13/02/2012", "before Aug-1996", "Aug-1996", "2020-01-01 00:00 XYZ", "null"],
    )
    def test_unsafe_value_is_rejected(self, value: str) -> None:
        with pytest.raises(InvalidDateValue):
            parse_date_value(value, None)


class TestText:
    def test_crlf_and_trailing_blanks_are_removed(self) -> None:
        text = "[Domain Name]   EXAMPLE.JP  \r\n[Email]   \r\n"

        assert normalise_text(text) == "[Domain Name]   EXAMPLE.JP\n[Email]\n"

    def test_client_banner_is_removed(self) -> None:
        text = "[Querying whois.nic.fr]\n[whois.nic.fr]\n%% AFNIC\n"

        assert normalise_text(text) == "%% AFNIC\n"

    def test_invalid_utf8_falls_back_to_latin1(self) -> None:
        assert decode_response("Société".encode("latin-1")) == "Société"

    def test_server_encoding_is_used_before_latin1(self) -> None:
        raw = "Kőbánya".encode("iso-8859-2")

        assert decode_response(raw, "iso-8859-2") == "Kőbánya"


class TestServers:
    @pytest.mark.parametrize(
        ("tld", "server"),
        [
            ("com", "whois.verisign-grs.com"),
            ("xn--p1ai", "whois.tcinet.ru"),
            ("de", "whois.denic.de"),
            ("jp", "whois.jprs.jp"),
            ("zz", None),
        ],
    )
    def test_server_for_tld(self, tld: str, server: str | None) -> None:
        assert server_for(tld) == server

    def test_denic_and_jprs_get_their_flags(self) -> None:
        assert query_for("whois.denic.de", "example.de") == "-T dn,ace example.de"
        assert query_for("whois.jprs.jp", "example.jp") == "example.jp/e"
        assert query_for("whois.nic.uk", "example.co.uk") == "example.co.uk"


class TestReferrals:
    def test_referral_of_queried_record_only(self) -> None:
        text = (
            "   Server Name: EXAMPLE.COM.LOOKALIKE.NET\n"
            "   Whois Server: whois.lookalike.test\n\n"
            "   Domain Name: EXAMPLE.COM\n"
            "   Whois Server: whois.registrar.test\n"
            "   Expiration Date: 14-sep-2030\n"
        )

        assert registrar_referral(text, "example.com") == "whois.registrar.test"

    @pytest.mark.parametrize(
        "value",
        ["127.0.0.1", "whois://whois.registrar.test:4321", "http://www.registrar.test"],
    )
    def test_unsafe_referral_is_ignored(self, value: str) -> None:
        text = f"Domain Name: EXAMPLE.COM\nRegistrar WHOIS Server: {value}\n"

        assert registrar_referral(text, "example.com") is None

    def test_iana_refer_line(self) -> None:
        text = "% IANA WHOIS server\n\nrefer:        whois.nic.zz\n\ndomain:       ZZ\n"

        assert iana_referral(text) == "whois.nic.zz"


def test_record_for_other_domain_rejected() -> None:
    text = (
        "Domain Name: SOMETHINGELSE.COM\n"
        "Registrar: Example Registrar, Inc.\n"
        "Registry Expiry Date: 2030-01-01T00:00:00Z\n"
    )

    with pytest.raises(LookupFailed) as raised:
        parse_whois_text("other.com", text, "whois.example")

    assert raised.value.kind is LookupErrorKind.UNPARSABLE
    assert "somethingelse.com" in raised.value.message
