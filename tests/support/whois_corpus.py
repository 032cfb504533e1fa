"""The recorded WHOIS responses in `tests/data/whois-corpus` and their expected values.

`tests/data/whois-corpus/README.md` defines the fields and the rules behind
the expected values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "data" / "whois-corpus"


@dataclass(frozen=True)
class Case:
    """One recorded response and what a lookup should return for it.

    `kind` is registered, not_found, rate_limited or no_expiry_published.
    """

    id: str
    domain: str
    server: str | None
    kind: str
    expiration_date: date | None
    registrar: str | None

    @property
    def tld(self) -> str:
        return self.domain.rsplit(".", 1)[-1]

    def answer(self) -> bytes:
        """Return the response as recorded, byte for byte."""
        return (CORPUS / "cases" / f"{self.id}.txt").read_bytes()


def load_cases() -> list[Case]:
    """Return every case of the corpus, in the order of `cases.json`."""
    records = json.loads((CORPUS / "cases.json").read_text(encoding="utf-8"))
    return [
        Case(
            id=record["id"],
            domain=record["domain"],
            server=record["server"],
            kind=record["kind"],
            expiration_date=(
                date.fromisoformat(record["expiration_date"])
                if record["expiration_date"]
                else None
            ),
            registrar=record["registrar"],
        )
        for record in records
    ]


def rounds(cases: Iterable[Case]) -> list[list[Case]]:
    """Split `cases` so that no round contains two cases for the same domain.

    A WHOIS server on loopback responds by domain only, so it can store one
    response per domain at a time.
    """
    result: list[list[Case]] = []
    for case in cases:
        for round_cases in result:
            if all(other.domain != case.domain for other in round_cases):
                round_cases.append(case)
                break
        else:
            result.append([case])
    return result


def same_registrar(actual: str | None, expected: str) -> bool:
    """Compare registrar names case-insensitively with blanks collapsed."""
    if actual is None:
        return False
    return _collapse(actual) == _collapse(expected)


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()
