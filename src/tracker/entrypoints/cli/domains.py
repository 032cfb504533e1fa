"""`tracker domains ...`: list, add, import and remove a user's domains."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, TextIO

import click

from tracker.domain.expiry import ImplausibleExpiry, check_plausible_expiry
from tracker.domain.model import Domain, User
from tracker.domain.names import DomainName, InvalidDomainName
from tracker.entrypoints.cli.base import main, migrated_container
from tracker.services.domains import (
    DuplicateDomain,
    add_domain,
    delete_domain,
    enter_expiry_manually,
)

LIST_COLUMNS = (
    "user",
    "domain",
    "unicode_name",
    "expiration_date",
    "days_left",
    "registrar",
    "source",
    "last_checked_at",
    "next_check_at",
    "last_error",
    "failing_since",
    "renewed_at",
)
# A first CSV line whose first cell is one of these is a header row.
HEADER_WORDS = {
    "domain",
    "domains",
    "domain name",
    "domain_name",
    "name",
    "hostname",
    "fqdn",
    "site",
    "website",
    "url",
}


@main.group()
def domains() -> None:
    """List, add, import and remove tracked domains."""


@domains.command("list")
@click.option("--user", "email", metavar="EMAIL", help="Only this user's domains.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per line.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV with a header row.")
@click.pass_context
def list_domains(
    ctx: click.Context, email: str | None, as_json: bool, as_csv: bool
) -> None:
    """Print tracked domains, soonest expiry first, with their check state.

    Without --json or --csv, prints one tab-separated line per domain:
    user, domain, expiry date, days left, registrar and the last error.
    """
    if as_json and as_csv:
        raise click.UsageError("give --json or --csv, not both")
    container = migrated_container(ctx)
    today = container.clock().today()
    with container.uow() as uow:
        users = _users(uow, email)
        rows = [
            _row(user, domain, today)
            for user in users
            for domain in uow.domains.list_for_user(user.id)
        ]
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
    elif as_csv:
        click.echo(_csv_text(rows), nl=False)
    else:
        for row in rows:
            click.echo(_plain_line(row))


def _users(uow: Any, email: str | None) -> list[User]:
    if email is None:
        return list(uow.users.list())
    user = uow.users.get_by_email(email.strip().lower())
    if user is None:
        raise click.ClickException(_no_user(email))
    return [user]


def _row(user: User, domain: Domain, today: date) -> dict[str, Any]:
    return {
        "user": user.email,
        "domain": domain.name,
        "unicode_name": domain.unicode_name,
        "expiration_date": _iso(domain.expiration_date),
        "days_left": domain.days_left(today),
        "registrar": domain.registrar,
        "source": domain.source.value if domain.source else None,
        "last_checked_at": _iso(domain.last_checked_at),
        "next_check_at": _iso(domain.next_check_at),
        "last_error": domain.last_error,
        "failing_since": _iso(domain.failing_since),
        "renewed_at": _iso(domain.renewed_at),
    }


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _csv_text(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=LIST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _plain_line(row: dict[str, Any]) -> str:
    days = "" if row["days_left"] is None else f"{row['days_left']} days"
    cells = [
        row["user"],
        row["unicode_name"],
        row["expiration_date"] or "unknown",
        days,
        row["registrar"] or "",
        row["last_error"] or "",
    ]
    return "\t".join(cells)


@domains.command("add")
@click.argument("email")
@click.argument("names", nargs=-1, required=True, metavar="DOMAIN...")
@click.pass_context
def add(ctx: click.Context, email: str, names: tuple[str, ...]) -> None:
    """Track each DOMAIN for the user EMAIL.

    The next check pass looks the new domains up (or run: tracker check
    DOMAIN). A domain the user already tracks is reported and skipped. Exits
    with status 1 when any DOMAIN is invalid; the valid ones are added.
    """
    container = migrated_container(ctx)
    user_id = _user_id(container, email)
    invalid = 0
    for text in names:
        try:
            add_domain(container.uow(), container.clock(), user_id, text)
        except InvalidDomainName as error:
            invalid += 1
            click.echo(f"error: {error}", err=True)
        except DuplicateDomain as error:
            click.echo(f"skipped: {error}")
        else:
            click.echo(f"added {DomainName.parse(text).unicode}")
    ctx.exit(1 if invalid else 0)


@domains.command("remove")
@click.argument("email")
@click.argument("names", nargs=-1, required=True, metavar="DOMAIN...")
@click.pass_context
def remove(ctx: click.Context, email: str, names: tuple[str, ...]) -> None:
    """Stop tracking each DOMAIN for the user EMAIL, with its history.

    Exits with status 1 when any DOMAIN is invalid or not tracked by the
    user; the others are removed.
    """
    container = migrated_container(ctx)
    user_id = _user_id(container, email)
    errors = 0
    for text in names:
        try:
            name = DomainName.parse(text)
        except InvalidDomainName as error:
            errors += 1
            click.echo(f"error: {error}", err=True)
            continue
        with container.uow() as uow:
            domain = uow.domains.get_by_name(user_id, name.ascii)
        if domain is None or domain.id is None:
            errors += 1
            click.echo(f"error: {email} does not track {name.unicode}", err=True)
            continue
        removed = delete_domain(container.uow(), user_id, domain.id)
        click.echo(f"removed {removed}")
    ctx.exit(1 if errors else 0)


@dataclass(frozen=True)
class ImportRow:
    """One data line of an import file."""

    line: int
    name: str
    expiration_date: date | None
    registrar: str | None


class MalformedLine(ValueError):
    """Raised for an import line that cannot be read; the message gives the reason."""


@domains.command("import")
@click.argument("email")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@click.pass_context
def import_domains(ctx: click.Context, email: str, file: TextIO) -> None:
    """Track the domains listed in a CSV FILE for the user EMAIL.

    The first column contains the domain, an optional second column an expiry
    date (YYYY-MM-DD), used until a lookup returns one, and a third the
    registrar, stored with that date. A first line such as "domain,expires,registrar" is a header.
    The separator is the comma, semicolon or tab that occurs most in the
    first line; blank lines and lines starting with # are ignored. A malformed line is reported with its line
    number and the valid lines are still imported; the exit status is then 1.
    """
    container = migrated_container(ctx)
    user_id = _user_id(container, email)
    counts = {"added": 0, "skipped": 0, "malformed": 0}
    for row in _import_rows(file, counts):
        counts[_import_one(container, user_id, row, file.name)] += 1
    click.echo(
        f"imported {counts['added']}, already tracked {counts['skipped']}, "
        f"malformed {counts['malformed']}"
    )
    ctx.exit(1 if counts["malformed"] else 0)


def _import_rows(file: TextIO, counts: dict[str, int]) -> Iterator[ImportRow]:
    """Yield the readable rows of the file; report each malformed one on stderr."""
    try:
        text = file.read()
    except UnicodeDecodeError as error:
        raise click.ClickException(
            f"{file.name} is not UTF-8 text ({error.reason} at byte {error.start}); "
            "save it as UTF-8 CSV"
        ) from None
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    for row in reader:
        try:
            parsed = _parse_row(reader.line_num, row)
        except MalformedLine as error:
            counts["malformed"] += 1
            click.echo(f"{file.name}:{reader.line_num}: {error}", err=True)
            continue
        if parsed is not None:
            yield parsed


def _delimiter(text: str) -> str:
    """Return the comma, semicolon or tab that occurs most in the first data line."""
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return max(",;\t", key=line.count)
    return ","


def _parse_row(line: int, cells: list[str]) -> ImportRow | None:
    """Return the row, None for a blank, comment or header line; raise MalformedLine."""
    cells = [cell.strip() for cell in cells]
    if not any(cells) or cells[0].startswith("#"):
        return None
    if line == 1 and cells[0].lower() in HEADER_WORDS:
        return None
    if not cells[0]:
        raise MalformedLine("the first column, the domain, is empty")
    if len(cells) > 3:
        raise MalformedLine(
            f"{len(cells)} columns; expected at most 3: domain, expiry date, registrar"
        )
    expiry_text = cells[1] if len(cells) > 1 else ""
    try:
        expiry = date.fromisoformat(expiry_text) if expiry_text else None
    except ValueError:
        raise MalformedLine(
            f"invalid expiry date {expiry_text!r}; write it as YYYY-MM-DD"
        ) from None
    if expiry is not None:
        try:
            check_plausible_expiry(expiry)
        except ImplausibleExpiry as error:
            raise MalformedLine(f"{error}; check the year") from None
    registrar = cells[2] if len(cells) > 2 and cells[2] else None
    return ImportRow(line, cells[0], expiry, registrar)


def _import_one(container: Any, user_id: int, row: ImportRow, file_name: str) -> str:
    """Add one row and return "added", "skipped" or "malformed"."""
    where = f"{file_name}:{row.line}"
    try:
        domain_id = add_domain(container.uow(), container.clock(), user_id, row.name)
    except InvalidDomainName as error:
        click.echo(f"{where}: {error}", err=True)
        return "malformed"
    except DuplicateDomain as error:
        click.echo(f"{where}: skipped: {error}")
        return "skipped"
    if row.expiration_date is not None:
        enter_expiry_manually(
            container.uow(),
            container.clock(),
            user_id,
            domain_id,
            row.expiration_date,
            row.registrar,
        )
    return "added"


def _user_id(container: Any, email: str) -> int:
    with container.uow() as uow:
        user = uow.users.get_by_email(email.strip().lower())
    if user is None or user.id is None:
        raise click.ClickException(_no_user(email))
    return int(user.id)


def _no_user(email: str) -> str:
    return f"no account has the email address {email.strip().lower()}"
