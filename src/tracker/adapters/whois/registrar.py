"""Reading the sponsoring registrar's name from the fields of a WHOIS record."""

from __future__ import annotations

import re
from collections.abc import Sequence

from whois.parser import WhoisEntry  # type: ignore[import-untyped]

from tracker.adapters.whois.fields import Field
from tracker.adapters.whois.registries import RegistryRules

_REGISTRAR_LABELS = (
    "sponsoring registrar",
    "registrar name",
    "registrar-name",
    "registrar",
)
_REGISTRAR_NAME_KEYS = ("organization", "organisation", "org", "name")
# Bare header lines of a block that describes the registrar; .im calls its
# registrar the "Domain Managers".
_REGISTRAR_BLOCK_HEADERS = ("registrar", "registrar information", "domain managers")
_REGISTRAR_HANDLE = re.compile(r"\s*\(R\d+-[A-Z0-9]+\)$|\s+R\d+-[A-Z0-9]+$")
_IANA_NUMBER = re.compile(r"\s*\(\d+\)$")
_NOMINET_TAG = re.compile(r"\s*\[Tag = [^\]]*\]$")
_NOMINET_TRADING_NAME = re.compile(r"^.+? t/a (?P<trading>.+)$")
_NO_REGISTRAR = re.compile(
    r"^(?:no registrar|not applicable|n/?a|-+|none)\b", re.IGNORECASE
)


def registrar_from_fields(
    fields: Sequence[Field], record: str, rules: RegistryRules
) -> str | None:
    """Return the sponsoring registrar's name, or None when none is given.

    Labels are tried in order of how specifically they name the registrar.
    A "Registrar:" header without a value starts a block whose "Name" (or
    "Organization") or first line holds the name. A registrar given as a
    handle at the head of its own block (.sk, .ua) is replaced by the name
    that follows it.
    """
    lines = record.split("\n")
    for label in (*rules.registrar_labels, *_REGISTRAR_LABELS):
        for field in fields:
            if field.label == label:
                value = _registrar_value(field, lines, fields)
                if value:
                    return _clean_registrar(value, rules, label)
    name = _registrar_block_name(lines, fields)
    return _clean_registrar(name, rules, "registrar") if name else None


def _registrar_value(
    field: Field, lines: Sequence[str], fields: Sequence[Field]
) -> str | None:
    value = field.value
    if value.startswith("!"):
        # A YAML type tag ("registrar: !Registrar"): the name is in the block.
        value = ""
    if _NO_REGISTRAR.match(value):
        return None
    if not value:
        return _name_in_block(field, lines, fields) or _first_block_line(field, lines)
    if " " in value:
        return value
    # A handle: look for a block that starts with it and names the registrar.
    for other in fields:
        if (
            other.label == field.label
            and other.value == value
            and _starts_block(other, lines)
        ):
            name = _name_in_block(other, lines, fields)
            if name:
                return name
    return value


def _starts_block(field: Field, lines: Sequence[str]) -> bool:
    previous = lines[field.line - 1].strip() if field.line > 0 else ""
    return not previous or previous[0] in "%#;"


def _name_in_block(
    header: Field, lines: Sequence[str], fields: Sequence[Field]
) -> str | None:
    """Return the organisation or name in the lines right after `header`."""
    block = []
    for field in fields:
        if field.line <= header.line:
            continue
        if any(
            not lines[number].strip() for number in range(header.line + 1, field.line)
        ):
            break
        block.append(field)
    for key in _REGISTRAR_NAME_KEYS:
        for field in block:
            if field.label == key and field.value:
                return field.value
    return None


def _first_block_line(header: Field, lines: Sequence[str]) -> str | None:
    """Return the line after `header` when it is a bare name (Nominet, SIDN)."""
    if header.line + 1 >= len(lines):
        return None
    line = lines[header.line + 1].strip()
    if not line or ":" in line:
        return None
    return line


def _registrar_block_name(lines: Sequence[str], fields: Sequence[Field]) -> str | None:
    """Read a block whose header is a bare "Registrar" or "Domain Managers" line."""
    for number, line in enumerate(lines):
        if line.strip().lower().strip("[]") in _REGISTRAR_BLOCK_HEADERS:
            header = Field("registrar", "", len(line) - len(line.lstrip()), number)
            name = _name_in_block(header, lines, fields)
            if name:
                return name
    return None


def _clean_registrar(value: str, rules: RegistryRules, label: str) -> str | None:
    """Return the registrar's name without the registry's tags and handles.

    Nominet writes "Legal name t/a Trading name [Tag = TAG]"; the trading
    name is kept. Afilias-style registries append the registrar's handle
    ("(R22-LRCC)", " R45-ME"), and "Sponsoring Registrar" lines of that
    layout its IANA number ("(292)").
    """
    value = re.sub(r"\s+", " ", value).strip()
    if _NO_REGISTRAR.match(value):
        return None
    value = _NOMINET_TAG.sub("", value)
    trading = _NOMINET_TRADING_NAME.match(value)
    if trading:
        value = trading["trading"]
    if not rules.keeps_registrar_handle:
        value = _REGISTRAR_HANDLE.sub("", value)
    if label == "sponsoring registrar":
        value = _IANA_NUMBER.sub("", value)
    return value or None


def registrar_from_library(entry: WhoisEntry | None) -> str | None:
    """Return the first registrar python-whois found, or None."""
    if entry is None:
        return None
    value = entry.get("registrar")
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str) and value.strip() and not _NO_REGISTRAR.match(value):
        return re.sub(r"\s+", " ", value).strip()
    return None
