import pytest

from tracker.entrypoints.config import parse_host_port, parse_rdap_base_urls


def test_rdap_base_urls_parsed_per_tld() -> None:
    parsed = parse_rdap_base_urls(
        "ru=https://a.test/, .рф=http://127.0.0.1:8/x/ de=https://b/"
    )

    assert parsed == {
        "ru": "https://a.test/",
        "xn--p1ai": "http://127.0.0.1:8/x/",
        "de": "https://b/",
    }


@pytest.mark.parametrize("text", ["ru", "ru=ftp://x/", "=https://x/"])
def test_rdap_base_urls_reject_bad_pair(text: str) -> None:
    with pytest.raises(ValueError, match="RDAP_BASE_URLS entry"):
        parse_rdap_base_urls(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:4343", ("127.0.0.1", 4343)),
        ("whois.example.net", ("whois.example.net", 43)),
        ("[::1]:4343", ("::1", 4343)),
    ],
)
def test_host_port_parsed(text: str, expected: tuple[str, int]) -> None:
    assert parse_host_port(text) == expected


@pytest.mark.parametrize("text", [":43", "host:0", "host:http", "host:70000"])
def test_host_port_rejects_bad_value(text: str) -> None:
    with pytest.raises(ValueError, match=repr(text)):
        parse_host_port(text)
