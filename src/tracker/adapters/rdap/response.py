"""Reading an RDAP domain object (RFC 9083) into a `Registration`."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from tracker.domain.model import DataSource, LookupErrorKind, Registration
from tracker.domain.names import DomainName
from tracker.services.ports import LookupFailed

# Registrar entities sit at the top level or, in some responses, inside
# another entity. This cap bounds the search in a hostile or broken document.
_MAX_ENTITIES_SEARCHED = 200


def parse_registration(
    body: bytes, *, name: DomainName, server: str, base_url: str
) -> Registration:
    """Build the registration of `name` from an RDAP domain response body.

    `expiration_date` is the UTC date of the earliest "expiration" event of
    the domain itself (events of entities, such as a registrar's
    accreditation, are ignored), or None when there is none. Raises
    `LookupFailed` with kind UNPARSABLE when the body is not a JSON domain
    object or every expiration date in it is invalid.
    """
    document = _decode(body, base_url)
    return Registration(
        domain=name.ascii,
        expiration_date=_expiration_date(document, base_url),
        registrar=registrar_name(document),
        source=DataSource.RDAP,
        server=server,
        statuses=_statuses(document),
        raw_size=len(body),
    )


def error_summary(body: bytes) -> str | None:
    """Return the title and description of an RFC 9083 error body, or None."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(document, dict):
        return None
    parts = [document.get("title")] + _list(document.get("description"))
    text = " ".join(part.strip() for part in parts if isinstance(part, str))
    return text[:300] or None


def registrar_name(document: dict[str, Any]) -> str | None:
    """Return the registrar's jCard "fn", else its public ID or handle, or None."""
    registrar = _find_registrar(document)
    if registrar is None:
        return None
    full_name = _vcard_text(registrar.get("vcardArray"), "fn")
    if full_name:
        return full_name
    for public_id in _list(registrar.get("publicIds")):
        if isinstance(public_id, dict) and public_id.get("identifier"):
            kind = public_id.get("type")
            identifier = str(public_id["identifier"])
            return f"{kind} {identifier}" if kind else identifier
    handle = registrar.get("handle")
    return handle if isinstance(handle, str) and handle else None


def _decode(body: bytes, base_url: str) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LookupFailed(
            LookupErrorKind.UNPARSABLE,
            f"RDAP server {base_url} returned invalid JSON: {error}",
            server=base_url,
        ) from None
    if not isinstance(document, dict):
        raise _unparsable(base_url, "the response is not a JSON object")
    object_class = document.get("objectClassName")
    if object_class is not None and object_class != "domain":
        raise _unparsable(base_url, f"the response is a {object_class!r} object")
    return document


def _expiration_date(document: dict[str, Any], base_url: str) -> date | None:
    stamps = [
        event.get("eventDate")
        for event in _list(document.get("events"))
        if isinstance(event, dict) and event.get("eventAction") == "expiration"
    ]
    if not stamps:
        return None
    dates = [parsed for stamp in stamps if (parsed := _utc_date(stamp)) is not None]
    if not dates:
        raise _unparsable(base_url, f"invalid expiration eventDate {stamps[0]!r}")
    # Few registries list several expiration events. Taking the earliest one
    # makes reminders come early rather than late.
    return min(dates)


def _utc_date(stamp: Any) -> date | None:
    if not isinstance(stamp, str):
        return None
    try:
        instant = datetime.fromisoformat(stamp.strip().upper())
    except ValueError:
        return None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC).date()


def _statuses(document: dict[str, Any]) -> tuple[str, ...]:
    return tuple(
        status for status in _list(document.get("status")) if isinstance(status, str)
    )


def _find_registrar(document: dict[str, Any]) -> dict[str, Any] | None:
    for entity in _entities_breadth_first(document):
        roles = _list(entity.get("roles"))
        if any(isinstance(role, str) and role.lower() == "registrar" for role in roles):
            return entity
    return None


def _entities_breadth_first(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    queue = deque(_list(document.get("entities")))
    searched = 0
    while queue and searched < _MAX_ENTITIES_SEARCHED:
        entity = queue.popleft()
        searched += 1
        if isinstance(entity, dict):
            yield entity
            queue.extend(_list(entity.get("entities")))


def _vcard_text(vcard_array: Any, property_name: str) -> str | None:
    """Return the first text value of a jCard property (RFC 7095), or None."""
    vcard = _list(vcard_array)
    if len(vcard) < 2:
        return None
    for item in _list(vcard[1]):
        if not (isinstance(item, list) and len(item) >= 4):
            continue
        if not (isinstance(item[0], str) and item[0].lower() == property_name):
            continue
        value = item[3]
        if isinstance(value, list):
            value = " ".join(part for part in value if isinstance(part, str))
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _unparsable(base_url: str, reason: str) -> LookupFailed:
    return LookupFailed(
        LookupErrorKind.UNPARSABLE,
        f"RDAP server {base_url} returned an unusable response: {reason}",
        server=base_url,
    )
