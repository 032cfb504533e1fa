"""`tracker lookup`: look domains up without storing anything."""

from __future__ import annotations

import json

import click

from tracker.adapters import schema
from tracker.domain.names import DomainName, InvalidDomainName
from tracker.entrypoints.cli.base import build, main
from tracker.entrypoints.config import parse_host_port
from tracker.services.ports import LookupFailed


@main.command()
@click.argument("domains", nargs=-1, required=True)
@click.option(
    "--whois-server",
    metavar="HOST:PORT",
    help="Send every WHOIS query to this server instead of the registry's.",
)
@click.option(
    "--rdap-base",
    metavar="URL",
    help="Send every RDAP query to this base URL instead of the bootstrap's.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per line.")
@click.pass_context
def lookup(
    ctx: click.Context,
    domains: tuple[str, ...],
    whois_server: str | None,
    rdap_base: str | None,
    as_json: bool,
) -> None:
    """Look DOMAINS up over RDAP and WHOIS and print expiry and registrar.

    Exits with status 1 when any lookup failed.
    """
    overrides: dict[str, object] = {}
    if whois_server:
        try:
            overrides["whois_server"] = parse_host_port(whois_server)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--whois-server") from None
    if rdap_base:
        if not rdap_base.startswith(("http://", "https://")):
            raise click.BadParameter(
                f"{rdap_base!r} is not an http:// or https:// URL",
                param_hint="--rdap-base",
            )
        overrides["rdap_base"] = rdap_base
    container = build(ctx, **overrides)
    # The admin's per-server limits and per-TLD sources live in the database,
    # so make sure its tables exist before the first lookup reads them.
    schema.upgrade(container.engine())
    registration_lookup = container.lookup()
    failed = False
    for text in domains:
        result = _lookup_one(registration_lookup, text)
        failed = failed or result["error"] is not None
        click.echo(json.dumps(result, ensure_ascii=False) if as_json else _line(result))
    ctx.exit(1 if failed else 0)


def _lookup_one(registration_lookup: object, text: str) -> dict[str, object]:
    result: dict[str, object] = {
        "domain": text,
        "expiration_date": None,
        "registrar": None,
        "source": None,
        "error": None,
    }
    try:
        name = DomainName.parse(text)
    except InvalidDomainName as error:
        result["error"] = str(error)
        return result
    result["domain"] = name.ascii
    try:
        registration = registration_lookup.lookup(name)  # type: ignore[attr-defined]
    except LookupFailed as error:
        result["error"] = error.kind.value
        result["message"] = error.message
        return result
    result["source"] = registration.source.value
    result["registrar"] = registration.registrar
    if registration.expiration_date is None:
        result["error"] = "no expiry published"
    else:
        result["expiration_date"] = registration.expiration_date.isoformat()
    return result


def _line(result: dict[str, object]) -> str:
    name = DomainName(str(result["domain"])).unicode
    result = {**result, "domain": name}
    if result["error"]:
        detail = result.get("message") or result["error"]
        return f"{result['domain']}: {detail}"
    return (
        f"{result['domain']}: expires {result['expiration_date']}, "
        f"registrar {result['registrar'] or 'unknown'} ({result['source']})"
    )
