"""The Russian catalog covers every message, and the committed .mo matches it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from tracker.entrypoints.web import catalog


def test_catalogs_are_complete_and_compiled() -> None:
    assert catalog.languages() == ["ru"]

    assert catalog.problems("ru") == []


def test_check_reports_stale_mo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "translations"
    shutil.copytree(catalog.TRANSLATIONS, copy)
    monkeypatch.setattr(catalog, "TRANSLATIONS", copy)
    po = catalog.po_path("ru")
    with po.open("rb") as file:
        messages = read_po(file, locale="ru")
    messages["Log in"].string = "Вход"
    with po.open("wb") as file:
        write_po(file, messages)

    found = catalog.problems("ru")

    assert len(found) == 1
    assert "messages.mo: differs from messages.po" in found[0]


def test_check_reports_missing_and_untranslated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "translations"
    shutil.copytree(catalog.TRANSLATIONS, copy)
    monkeypatch.setattr(catalog, "TRANSLATIONS", copy)
    po = catalog.po_path("ru")
    with po.open("rb") as file:
        messages = read_po(file, locale="ru")
    messages.delete("Log out")
    messages["Log in"].string = ""
    with po.open("wb") as file:
        write_po(file, messages)

    found = catalog.problems("ru")

    assert any("no entry for 'Log out'" in line for line in found)
    assert any("untranslated 'Log in'" in line for line in found)
