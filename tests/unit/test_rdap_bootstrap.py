"""The RDAP bootstrap: the packaged copy, the stored copy, overrides and refresh."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.support.rdap_server import RdapServer, Route
from tests.unit.fakes import FakeLookup
from tracker.adapters.lookup_chain import ChainedRegistrationLookup
from tracker.adapters.rdap import (
    Bootstrap,
    BootstrapRefreshFailed,
    InvalidBootstrap,
    RdapRegistrationLookup,
    refresh_bootstrap,
)
from tracker.domain.model import DataSource, Registration
from tracker.domain.names import DomainName

WITH_RDAP = {
    "com": "https://rdap.verisign.com/com/v1/",
    "net": "https://rdap.verisign.com/net/v1/",
    "org": "https://rdap.publicinterestregistry.org/rdap/",
    "co.uk": "https://rdap.nominet.uk/uk/",
    "fr": "https://rdap.nic.fr/",
    "nl": "https://rdap.sidn.nl/",
    "com.br": "https://rdap.registro.br/",
    "ca": "https://rdap.ca.fury.ca/rdap/",
    "info": "https://rdap.identitydigital.services/rdap/",
    "app": "https://pubapi.registry.google/rdap/",
}
# Registries with WHOIS only in the bootstrap of mid-2024.
WITHOUT_RDAP = ["ru", "xn--p1ai", "su", "de", "jp", "io", "eu", "co", "me", "us", "au"]


def bootstrap_document(services: list[Any], **fields: Any) -> dict[str, Any]:
    return {
        "description": "RDAP bootstrap file for Domain Name System registrations",
        "publication": "2026-11-30T19:00:01Z",
        "version": "1.0",
        "services": services,
        **fields,
    }


def write_json(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize(("suffix", "base_url"), WITH_RDAP.items())
def test_packaged_bootstrap_has_rdap_registries(suffix: str, base_url: str) -> None:
    name = DomainName.parse(f"example.{suffix}")

    assert Bootstrap.packaged().base_url(name) == base_url


@pytest.mark.parametrize("tld", WITHOUT_RDAP)
def test_packaged_bootstrap_lacks_whois_only_registries(tld: str) -> None:
    bootstrap = Bootstrap.packaged()

    assert tld not in bootstrap.services


def test_packaged_bootstrap_is_rfc_9224() -> None:
    bootstrap = Bootstrap.packaged()

    assert bootstrap.version == "1.0"
    assert bootstrap.publication is not None
    assert len(bootstrap) > 200
    for label, urls in bootstrap.services.items():
        assert label == label.lower(), label
        assert label.isascii(), label
        assert all(url.startswith("https://") and url.endswith("/") for url in urls), (
            label
        )


def test_load_without_path_is_packaged() -> None:
    assert Bootstrap.load(None).origin == "packaged"


def test_load_missing_file_is_packaged(tmp_path: Path) -> None:
    assert Bootstrap.load(tmp_path / "rdap-dns.json").origin == "packaged"


def test_load_stored_copy(tmp_path: Path) -> None:
    stored = write_json(
        tmp_path / "rdap-dns.json",
        bootstrap_document([[["ru"], ["https://rdap.tcinet.example/"]]]),
    )

    bootstrap = Bootstrap.load(stored)

    assert bootstrap.origin == str(stored)
    assert bootstrap.base_url(DomainName("primer.ru")) == "https://rdap.tcinet.example/"
    assert bootstrap.base_url(DomainName("example.com")) is None


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        json.dumps(bootstrap_document([])),
        json.dumps({"version": "1.0"}),
    ],
    ids=["invalid-json", "array", "empty-services", "no-services"],
)
def test_load_invalid_stored_copy_falls_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: str
) -> None:
    stored = tmp_path / "rdap-dns.json"
    stored.write_text(content)

    with caplog.at_level(logging.WARNING):
        bootstrap = Bootstrap.load(stored)

    assert bootstrap.origin == "packaged"
    assert str(stored) in caplog.text


@pytest.mark.parametrize(
    "services",
    [
        [["com"]],
        [[["com"], []]],
        [[[], ["https://rdap.example/"]]],
        [[["com"], ["ftp://rdap.example/"]]],
        [[[7], ["https://rdap.example/"]]],
    ],
    ids=["no-urls", "empty-urls", "empty-labels", "ftp-url", "number-label"],
)
def test_parse_rejects_malformed_services(services: list[Any]) -> None:
    data = json.dumps(bootstrap_document(services))

    with pytest.raises(InvalidBootstrap):
        Bootstrap.parse(data, origin="test")


def test_longest_label_match_wins() -> None:
    bootstrap = Bootstrap.parse(
        json.dumps(
            bootstrap_document(
                [
                    [["uk"], ["https://rdap.uk.example/"]],
                    [["co.uk"], ["https://rdap.co-uk.example/"]],
                ]
            )
        ),
        origin="test",
    )

    assert bootstrap.base_url(DomainName("shop.co.uk")) == "https://rdap.co-uk.example/"
    assert bootstrap.base_url(DomainName("shop.org.uk")) == "https://rdap.uk.example/"


def test_https_url_preferred_and_slash_added() -> None:
    bootstrap = Bootstrap.parse(
        json.dumps(
            bootstrap_document(
                [[["xyz"], ["http://rdap.xyz.example/", "https://rdap.xyz.example/v1"]]]
            )
        ),
        origin="test",
    )

    assert bootstrap.base_url(DomainName("shop.xyz")) == "https://rdap.xyz.example/v1/"


def test_supports_follows_bootstrap() -> None:
    lookup = RdapRegistrationLookup(bootstrap=Bootstrap.packaged())

    assert lookup.supports(DomainName("example.com"))
    assert not lookup.supports(DomainName("example.ru"))


def test_tld_override_adds_support() -> None:
    lookup = RdapRegistrationLookup(
        bootstrap=Bootstrap.packaged(),
        base_overrides={"рф": "http://127.0.0.1:8080/rdap"},
    )

    assert lookup.supports(DomainName("primer.xn--p1ai"))
    assert (
        lookup.base_url(DomainName("primer.xn--p1ai")) == "http://127.0.0.1:8080/rdap/"
    )
    assert not lookup.supports(DomainName("example.ru"))


def test_wildcard_override_covers_every_tld() -> None:
    lookup = RdapRegistrationLookup(
        bootstrap=Bootstrap.packaged(),
        base_overrides={"*": "http://127.0.0.1:8080/", "org": "http://127.0.0.1:9090/"},
    )

    assert lookup.base_url(DomainName("example.ru")) == "http://127.0.0.1:8080/"
    assert lookup.base_url(DomainName("example.com")) == "http://127.0.0.1:8080/"
    assert lookup.base_url(DomainName("example.org")) == "http://127.0.0.1:9090/"


def test_override_must_be_http_url() -> None:
    with pytest.raises(ValueError, match="rdap.example"):
        RdapRegistrationLookup(
            bootstrap=Bootstrap.packaged(), base_overrides={"com": "rdap.example/"}
        )


class RecordingRdapLookup(RdapRegistrationLookup):
    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.calls: list[str] = []

    def lookup(self, name: DomainName) -> Registration:
        self.calls.append(name.ascii)
        return super().lookup(name)


def test_tld_missing_from_bootstrap_goes_to_whois() -> None:
    name = DomainName.parse("пример.рф")
    whois_registration = Registration(
        domain=name.ascii,
        expiration_date=date(2027, 1, 9),
        registrar="RU-CENTER-RF",
        source=DataSource.WHOIS,
    )
    whois = FakeLookup({name.ascii: whois_registration})
    rdap = RecordingRdapLookup(bootstrap=Bootstrap.packaged())

    registration = ChainedRegistrationLookup(rdap, whois).lookup(name)

    assert registration == whois_registration
    assert rdap.calls == []
    assert whois.calls == [name.ascii]


@pytest.fixture
def iana() -> Iterator[RdapServer]:
    with RdapServer() as server:
        yield server


NEW_BOOTSTRAP = bootstrap_document(
    [
        [["com"], ["https://rdap.verisign.com/com/v1/"]],
        [["ru", "xn--p1ai"], ["https://rdap.tcinet.example/"]],
    ],
    publication="2026-12-01T19:00:01Z",
)


def old_copy(tmp_path: Path) -> Path:
    return write_json(
        tmp_path / "rdap-dns.json",
        bootstrap_document(
            [[["org"], ["https://rdap.publicinterestregistry.org/rdap/"]]]
        ),
    )


def test_refresh_replaces_stored_copy(iana: RdapServer, tmp_path: Path) -> None:
    stored = old_copy(tmp_path)
    iana.json("/rdap/dns.json", NEW_BOOTSTRAP)

    refreshed = refresh_bootstrap(stored, url=iana.url + "rdap/dns.json", timeout=5)

    assert refreshed.publication == "2026-12-01T19:00:01Z"
    assert json.loads(stored.read_text()) == NEW_BOOTSTRAP
    loaded = Bootstrap.load(stored)
    assert loaded.base_url(DomainName("primer.ru")) == "https://rdap.tcinet.example/"
    assert loaded.base_url(DomainName("example.org")) is None
    assert sorted(path.name for path in tmp_path.iterdir()) == ["rdap-dns.json"]


def test_refresh_creates_instance_folder(iana: RdapServer, tmp_path: Path) -> None:
    stored = tmp_path / "instance" / "rdap-dns.json"
    iana.json("/rdap/dns.json", NEW_BOOTSTRAP)

    refresh_bootstrap(stored, url=iana.url + "rdap/dns.json", timeout=5)

    assert Bootstrap.load(stored).publication == "2026-12-01T19:00:01Z"


@pytest.mark.parametrize(
    "route",
    [
        Route(body=b"<html>maintenance</html>", content_type="text/html"),
        Route(body=json.dumps(bootstrap_document([])).encode()),
        Route(body=json.dumps({"description": "no services"}).encode()),
        Route(status=500, body=b"{}"),
        Route(status=404, body=b"{}"),
    ],
    ids=["invalid-json", "empty-services", "no-services", "http-500", "http-404"],
)
def test_bad_download_keeps_old_copy(
    iana: RdapServer, tmp_path: Path, route: Route
) -> None:
    stored = old_copy(tmp_path)
    before = stored.read_bytes()
    iana.route("/rdap/dns.json", route)

    with pytest.raises(BootstrapRefreshFailed):
        refresh_bootstrap(stored, url=iana.url + "rdap/dns.json", timeout=5)

    assert stored.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["rdap-dns.json"]


def test_unreachable_server_keeps_old_copy(tmp_path: Path) -> None:
    stored = old_copy(tmp_path)
    before = stored.read_bytes()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(BootstrapRefreshFailed, match="failed"):
        refresh_bootstrap(stored, url=f"http://127.0.0.1:{port}/dns.json", timeout=5)

    assert stored.read_bytes() == before
