"""Splitting WHOIS text into labelled fields and picking the queried record."""

from __future__ import annotations

import re
from dataclasses import dataclass

# "Label: value", "Label....: value", "Label\t: value", "1a. Label : value".
_COLON_FIELD = re.compile(
    r"^(?P<indent>[ \t]*)(?:\d+[a-z]?\.[ \t]+)?"
    r"(?P<label>[^\W\d][^:\n]{0,70}?)[ \t.]*:[ \t]*(?P<value>.*)$"
)
# "[Label]   value" (JPRS), also behind a letter: "a. [Domain Name] X" (JPRS)
# or "d [Record Expired] X" (MYNIC).
_BRACKET_FIELD = re.compile(
    r"^(?P<indent>[ \t]*)(?:[a-z]\.?[ \t]+)?"
    r"\[(?P<label>[^\]\n]{1,40})\][ \t]*(?P<value>.*)$"
)
# "Record expires on 2019-11-09." (TWNIC, older registrar responses): a label
# without a colon, taken only when a digit follows.
_PHRASE_FIELD = re.compile(
    r"^(?P<indent>[ \t]*)(?P<label>(?:record |domain )?(?:expires|created) on)"
    r"[ \t]+(?P<value>\d.*)$",
    re.IGNORECASE,
)
_MAX_LABEL_WORDS = 8

# The line that ends the registry's part of a Verisign-style response. A
# registrar's response, appended by some clients, may follow it.
_REGISTRY_PART_END = re.compile(
    r"^>>> ?Last update of whois database", re.IGNORECASE | re.MULTILINE
)
_RECORD_START = re.compile(
    r"^[ \t]*(?:Domain Name|Server Name|domain)[ \t]*:[ \t]*(?P<name>\S+)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True)
class Field:
    """One `label: value` line; `label` is lower case with blanks collapsed."""

    label: str
    value: str
    indent: int
    line: int


def read_fields(text: str) -> list[Field]:
    """Return every labelled line of `text`, in order."""
    fields = []
    for number, line in enumerate(text.split("\n")):
        field = _read_line(line, number)
        if field is not None:
            fields.append(field)
    return fields


def normalise_label(label: str) -> str:
    """Return `label` lower case, without dots or brackets, blanks collapsed."""
    label = label.strip().strip("[].").strip()
    return re.sub(r"\s+", " ", label).lower()


def select_record(text: str, domain: str, unicode_domain: str) -> str:
    """Return the part of `text` that describes `domain` itself.

    Two layouts hold more than the queried record:

    1. Verisign's older responses end the registry's part with a
       ">>> Last update of whois database" line; a registrar's response may
       follow. The registry's part is kept when it names the domain.
    2. Those responses also list other names that merely start with the
       queried one ("GOOGLE.COM.EXAMPLE.NET"); only the block that starts
       with the queried name is kept.
    """
    end = _REGISTRY_PART_END.search(text)
    if end is not None and _names_domain(text[: end.start()], domain, unicode_domain):
        text = text[: end.start()]
    starts = list(_RECORD_START.finditer(text))
    names = {_record_name(match) for match in starts}
    if len(names) <= 1:
        return text
    own_names = (domain, unicode_domain)
    for index, match in enumerate(starts):
        if _record_name(match) in own_names:
            others = [
                m for m in starts[index + 1 :] if _record_name(m) not in own_names
            ]
            stop = others[0].start() if others else len(text)
            return text[match.start() : stop]
    return text


def _record_name(match: re.Match[str]) -> str:
    return match["name"].lower().rstrip(".")


def _names_domain(text: str, domain: str, unicode_domain: str) -> bool:
    lowered = text.lower()
    return domain in lowered or unicode_domain in lowered


def _read_line(line: str, number: int) -> Field | None:
    stripped = line.strip()
    if not stripped or stripped[0] in "%#;":
        return None
    match = (
        _BRACKET_FIELD.match(line)
        or _COLON_FIELD.match(line)
        or _PHRASE_FIELD.match(line)
    )
    if match is None:
        return None
    label = normalise_label(match["label"])
    if not label or len(label.split()) > _MAX_LABEL_WORDS or "//" in label:
        return None
    return Field(
        label=label,
        value=match["value"].strip(),
        indent=len(match["indent"].expandtabs(8)),
        line=number,
    )
