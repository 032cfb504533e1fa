import pytest

from tracker.domain.names import DomainName, InvalidDomainName, InvalidNameReason


@pytest.mark.parametrize(
    ("typed", "ascii_name", "unicode_name"),
    [
        ("example.com", "example.com", "example.com"),
        ("  Example.COM  ", "example.com", "example.com"),
        ("https://www.Example.com/path", "example.com", "example.com"),
        ("http://user@Example.org:8080/x?y=1", "example.org", "example.org"),
        ("//cdn.example.net/lib.js", "example.net", "example.net"),
        ("example.com/path#frag", "example.com", "example.com"),
        ("example.com.", "example.com", "example.com"),
        ("shop.example.co.uk", "example.co.uk", "example.co.uk"),
        ("a.b.c.example.com.au", "example.com.au", "example.com.au"),
        ("пример.рф", "xn--e1afmkfd.xn--p1ai", "пример.рф"),
        ("ПРИМЕР.РФ", "xn--e1afmkfd.xn--p1ai", "пример.рф"),
        ("https://www.пример.рф/", "xn--e1afmkfd.xn--p1ai", "пример.рф"),
        ("xn--e1afmkfd.xn--p1ai", "xn--e1afmkfd.xn--p1ai", "пример.рф"),
        ("münchen.de", "xn--mnchen-3ya.de", "münchen.de"),
        ("example.рф", "example.xn--p1ai", "example.рф"),
        ("yandex.ru", "yandex.ru", "yandex.ru"),
    ],
)
def test_parse_normalises(typed: str, ascii_name: str, unicode_name: str) -> None:
    name = DomainName.parse(typed)

    assert name.ascii == ascii_name
    assert name.unicode == unicode_name


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("localhost", "no dot"),
        ("com", "no dot"),
        ("co.uk", "public suffix"),
        ("рф", "no dot"),
        ("exa mple.com", "spaces"),
        ("-bad.com", "hyphen"),
        ("bad_name.com", "not allowed"),
        ("example.notarealtld", "not a known top-level domain"),
        ("192.168.0.1", "not a known top-level domain"),
        ("a" * 64 + ".com", "too long"),
        ("https://", "no host"),
    ],
)
def test_parse_rejects_with_reason(typed: str, reason: str) -> None:
    with pytest.raises(InvalidDomainName) as raised:
        DomainName.parse(typed)

    message = str(raised.value).lower()
    assert reason in message
    assert repr(typed) in str(raised.value)


def test_properties_of_idn_name() -> None:
    name = DomainName.parse("пример.рф")

    assert name.is_idn
    assert name.tld == "xn--p1ai"
    assert name.public_suffix == "xn--p1ai"


def test_public_suffix_of_second_level_registry() -> None:
    assert DomainName.parse("example.co.uk").public_suffix == "co.uk"


def test_full_width_dots_are_separators() -> None:
    assert DomainName.parse("ｇｏｏｇｌｅ．ｃｏｍ").ascii == "google.com"
    assert DomainName.parse("example｡org").ascii == "example.org"


@pytest.mark.parametrize(
    ("typed", "code", "label", "character", "suffix"),
    [
        ("", InvalidNameReason.EMPTY, None, None, None),
        ("https://", InvalidNameReason.NO_HOST, None, None, None),
        ("exa mple.com", InvalidNameReason.SPACES, None, None, None),
        ("localhost", InvalidNameReason.NO_DOT, None, None, None),
        ("bad_name.com", InvalidNameReason.INVALID_CHARACTER, "bad_name", "_", None),
        (
            "shop.ex\u202eample.com",
            InvalidNameReason.INVALID_CHARACTER,
            "ex\u202eample",
            "\u202e",
            None,
        ),
        ("пр_имер.рф", InvalidNameReason.INVALID_CHARACTER, "пр_имер", "_", None),
        ("-bad.com", InvalidNameReason.HYPHEN_AT_EDGE, "-bad", None, None),
        ("www.bad-.com", InvalidNameReason.HYPHEN_AT_EDGE, "bad-", None, None),
        ("a..com", InvalidNameReason.EMPTY_LABEL, None, None, None),
        (".example.com", InvalidNameReason.EMPTY_LABEL, None, None, None),
        ("a" * 64 + ".com", InvalidNameReason.LABEL_TOO_LONG, "a" * 64, None, None),
        (".".join(["a" * 60] * 5), InvalidNameReason.NAME_TOO_LONG, None, None, None),
        ("пример.ру", InvalidNameReason.UNKNOWN_TLD, None, None, "ру"),
        (
            "example.notarealtld",
            InvalidNameReason.UNKNOWN_TLD,
            None,
            None,
            "notarealtld",
        ),
        ("co.uk", InvalidNameReason.PUBLIC_SUFFIX, None, None, "co.uk"),
        ("ab--cd.com", InvalidNameReason.OTHER, "ab--cd", None, None),
        ("xn--abc.com", InvalidNameReason.OTHER, "xn--abc", None, None),
    ],
)
def test_parse_error_carries_code_and_details(
    typed: str,
    code: InvalidNameReason,
    label: str | None,
    character: str | None,
    suffix: str | None,
) -> None:
    with pytest.raises(InvalidDomainName) as raised:
        DomainName.parse(typed)

    error = raised.value
    assert error.code is code
    assert error.label == label
    assert error.character == character
    assert error.suffix == suffix


def test_unknown_tld_message_is_in_unicode() -> None:
    with pytest.raises(InvalidDomainName) as raised:
        DomainName.parse("пример.ру")

    assert "'.ру' is not a known top-level domain" in str(raised.value)
    assert "xn--" not in str(raised.value)
