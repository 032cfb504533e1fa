"""Recognising WHOIS responses that carry no record: rate limits and unknown names.

Both checks run before any field is parsed. python-whois turns such responses
into an all-empty result, which must never be read as "no expiry published".
"""

from __future__ import annotations

import re

# Phrases registries use when they reject queries for a while. Each is specific
# enough not to match the terms-of-use text that many responses carry, which
# also talks about "excessive querying" and "high volume" in general.
_RATE_LIMIT_PATTERNS = [
    r"limit exceeded",
    r"rate limit reached",
    r"query rate exceeded",
    r"queries exceeded",
    r"per (?:second|minute|hour|day) exceeded",
    r"exceeded (?:the )?(?:allowed|maximum) (?:connection|query|request)",
    r"quota (?:used up|exceeded|has been exceeded)",
    r"quota for \S+ (?:has been|is) (?:exceeded|used up)",
    r"allowance for \S+ is used up",
    r"^[^\w\n]*too many (?:queries|requests|connection|lookups)",
    r"requests of this client are not permitted",
    r"access control limit reached",
    r"\b55000000002\b",
    r"please go away for \d+ seconds",
    r"^[^\w\n]*-\d+: ip address blocked",
    r"^[^\w\n]*-\d+: still in grace period, wait \d+ seconds",
    r"maximum queries per \w+ reached",
    r"^[^\w\n]*excessive querying, grace period",
    r"queries are refused for a while",
]
_RATE_LIMIT = re.compile(
    "|".join(f"(?:{p})" for p in _RATE_LIMIT_PATTERNS), re.IGNORECASE | re.MULTILINE
)
# registro.br responds "Query rate limit exceeded. Reduced information." and
# then still prints the record (or its "No match"), so that response is parsed.
_REDUCED_RESPONSE = re.compile(
    r"rate limit exceeded\.\s*reduced information", re.IGNORECASE
)

_NOT_FOUND_LINE_PATTERNS = [
    r"no match\b",
    r"no entries found",
    r"not found\b",
    r"(?:domain|object) not found",
    r"no data found",
    r"no matching (?:record|domain)",
    r"no such domain",
    r"no records? matching",
    r"no domain records were found",
    r"no object found",
    r"object does not exist",
    r"the queried object does not exist",
    r"no data was found to match",
    r"not registered\b",
    r"available$",
    r"error:\s*(?:\d+:\s*)?no entries found",
    r"nothing found",
    r"no found\b",
    r"this query returned 0 objects",
    r"no_se_encontro_el_objeto",
]
_NOT_FOUND_ANYWHERE_PATTERNS = [
    r"\bis not registered\b",
    r"\bnot registred\b",
    r"\bwas not found\b",
    r"\bdoes not exist in database\b",
    r"^[^\w\n]*(?:domain|the domain)[ \t]+\S+[ \t]+not found\b",
    r"^[^\w\n]*\"\S+\"[ \t]+not found\b",
    r"\bnot known in .* registry\b",
    r"\bcould not find the requested domain\b",
    r"\bis not available in our whois database\b",
    r"\bnincs találat\b",
    r"\bno results were found\b",
    r"\bhas not been registered\b",
    r"\bno information available about domain name\b",
    r"\bdo not have an entry in our database\b",
    r"\bno se encuentra registrado\b",
    r"^[^\w\n]*\S+: no existe\b",
    r"^[^\w\n]*\S+ is available for registration\b",
    r"^query_status:[ \t]*220\b",
    r"^\S+ no match$",
    (
        r"^[ \t]*(?:domain )?status:[ \t]*"
        r"(?:free|available|not registered|no object found)\b"
    ),
    r"^[ \t]*organisation:[ \t]*not assigned[ \t]*$",
]
_NOT_FOUND = re.compile(
    "|".join(
        [rf"^[^\w\n]*(?:{p})" for p in _NOT_FOUND_LINE_PATTERNS]
        + [f"(?:{p})" for p in _NOT_FOUND_ANYWHERE_PATTERNS]
    ),
    re.IGNORECASE | re.MULTILINE,
)
# A YAML response (smallregistry.net) that contains no document: "--- ~".
_EMPTY_YAML = re.compile(r"^--- #YAML:1\.0\s*\n--- ~\s*$", re.MULTILINE)


def rate_limit_notice(text: str) -> str | None:
    """Return the line stating that the server rejects queries for now, or None."""
    if _REDUCED_RESPONSE.search(text):
        return None
    match = _RATE_LIMIT.search(text)
    if match is None:
        return None
    return _line_at(text, match.start())


def not_found_notice(text: str) -> str | None:
    """Return the line stating that the name is not registered, or None."""
    match = _NOT_FOUND.search(text)
    if match is not None:
        return _line_at(text, match.start())
    if _EMPTY_YAML.search(text):
        return "--- ~"
    return None


def _line_at(text: str, position: int) -> str:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return text[start : end if end != -1 else len(text)].strip()
