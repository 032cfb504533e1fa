import pytest

from tracker.domain.names import DomainName, InvalidDomainName


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
