import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.rdap_server import RdapServer
from tests.support.whois_corpus import load_cases
from tests.support.whois_server import WhoisServer
from tracker.entrypoints.cli import main


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("TRACKER_INSTANCE", str(tmp_path / "instance"))
    for name in ("DATABASE_URL", "REDIS_URL", "WHOIS_SERVER", "RDAP_BASE"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


def corpus_answer(case_id: str) -> tuple[str, bytes]:
    case = next(c for c in load_cases() if c.id == case_id)
    return case.domain, case.answer()


def json_lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_lookup_json_over_whois(runner: CliRunner) -> None:
    ru_domain, ru_answer = corpus_answer("pw-yandex.ru")
    nf_domain, nf_answer = corpus_answer("nf-com-no-match")
    with WhoisServer({ru_domain: ru_answer, nf_domain: nf_answer}) as server:
        host, port = server.address
        result = runner.invoke(
            main,
            [
                "lookup",
                "--whois-server",
                f"{host}:{port}",
                "--json",
                ru_domain,
                nf_domain,
            ],
        )

    found, missing = json_lines(result.output)
    assert result.exit_code == 1
    assert found == {
        "domain": "yandex.ru",
        "expiration_date": "2018-09-30",
        "registrar": "RU-CENTER-RU",
        "source": "whois",
        "error": None,
    }
    assert missing["expiration_date"] is None
    assert missing["error"] == "not found"


def test_lookup_json_over_rdap(runner: CliRunner) -> None:
    with RdapServer() as server:
        server.json("/domain/nordwind-tools.com", "domain-com.json")
        result = runner.invoke(
            main, ["lookup", "--rdap-base", server.url, "--json", "nordwind-tools.com"]
        )

    (answer,) = json_lines(result.output)
    assert result.exit_code == 0, result.output
    assert answer["source"] == "rdap"
    assert answer["expiration_date"] == "2027-03-12"
    assert answer["error"] is None


def test_lookup_rejects_invalid_name(runner: CliRunner) -> None:
    result = runner.invoke(
        main, ["lookup", "--whois-server", "127.0.0.1:9", "--json", "not a domain"]
    )

    (answer,) = json_lines(result.output)
    assert result.exit_code == 1
    assert "'not a domain' is not a valid domain name" in str(answer["error"])


def test_lookup_rejects_bad_server_address(runner: CliRunner) -> None:
    result = runner.invoke(main, ["lookup", "--whois-server", "host:port", "x.com"])

    assert result.exit_code == 2
    assert "invalid port" in result.output


def test_refresh_bootstrap_stores_copy(runner: CliRunner, tmp_path: Path) -> None:
    document = json.loads(fixture_bytes_of_packaged())
    document["publication"] = "2026-12-01T00:00:00Z"
    with RdapServer() as server:
        server.json("/dns.json", document, headers={})
        result = runner.invoke(
            main, ["rdap", "refresh-bootstrap", "--url", server.url + "dns.json"]
        )

    stored = tmp_path / "instance" / "rdap-dns.json"
    assert result.exit_code == 0, result.output
    assert json.loads(stored.read_text())["publication"] == "2026-12-01T00:00:00Z"
    assert "published 2026-12-01" in result.output


def test_refresh_bootstrap_keeps_copy_on_bad_download(
    runner: CliRunner, tmp_path: Path
) -> None:
    stored = tmp_path / "instance" / "rdap-dns.json"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(fixture_bytes_of_packaged())
    with RdapServer() as server:
        server.json("/dns.json", {"services": "not a list"})
        result = runner.invoke(
            main, ["rdap", "refresh-bootstrap", "--url", server.url + "dns.json"]
        )

    assert result.exit_code == 1
    assert "previous copy is kept" in result.output
    assert stored.read_bytes() == fixture_bytes_of_packaged()


def fixture_bytes_of_packaged() -> bytes:
    import tracker.adapters.rdap as rdap_package

    return (Path(rdap_package.__file__).parent / "dns.json").read_bytes()


def test_rdap_base_urls_route_one_tld(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    with RdapServer() as rdap, WhoisServer() as whois:
        rdap.json("/domain/nordwind-tools.com", "domain-com.json")
        monkeypatch.setenv("RDAP_BASE_URLS", f"com={rdap.url}")
        host, port = whois.address
        result = runner.invoke(
            main,
            [
                "lookup",
                "--whois-server",
                f"{host}:{port}",
                "--json",
                "nordwind-tools.com",
            ],
        )

    (answer,) = json_lines(result.output)
    assert answer["source"] == "rdap"
    assert answer["expiration_date"] == "2027-03-12"
    assert whois.queries == []
