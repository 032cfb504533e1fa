from datetime import date

from tracker.domain.model import DataSource, Registration


def registration(registrar: str | None) -> Registration:
    return Registration("example.com", date(2027, 1, 1), registrar, DataSource.WHOIS)


def test_registrar_loses_bidi_override() -> None:
    assert registration("Co \u202eevil").registrar == "Co evil"


def test_registrar_whitespace_collapsed() -> None:
    assert (
        registration("  Example\tRegistrar,\n Inc. ").registrar
        == "Example Registrar, Inc."
    )


def test_registrar_of_only_controls_is_none() -> None:
    assert registration("\u200e\x00").registrar is None


def test_registrar_cyrillic_kept() -> None:
    assert registration("ООО «Регистратор»").registrar == "ООО «Регистратор»"
