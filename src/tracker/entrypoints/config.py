"""Settings read from the environment, with defaults that run on one machine."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import idna


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


class ConfigError(ValueError):
    """Raised for an environment variable with an invalid value; names the fix."""


def _env_seconds(name: str, default: float) -> float:
    text = _env(name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.1 <= value <= 3600:
        raise ConfigError(
            f"{name}={text!r} is invalid; set a number of seconds from 0.1 to 3600"
        )
    return value


def _env_count(name: str) -> int:
    text = _env(name, "0") or "0"
    if not text.isdigit() or int(text) > 10:
        raise ConfigError(
            f"{name}={text!r} is invalid; set a whole number from 0 to 10"
        )
    return int(text)


def _env_port(name: str) -> int | None:
    text = _env(name)
    if text is None:
        return None
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ConfigError(f"{name}={text!r} is invalid; set a TCP port from 1 to 65535")
    return int(text)


def _env_url(name: str, default: str | None = None) -> str | None:
    text = _env(name, default)
    if text is not None and not text.startswith(("http://", "https://")):
        raise ConfigError(f"{name}={text!r} is invalid; set an http:// or https:// URL")
    return text


def parse_host_port(value: str, *, default_port: int = 43) -> tuple[str, int]:
    """Parse "host:port" (or "host", or "[::1]:4343"); raise ValueError if invalid."""
    text = value.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest.removeprefix(":")
    elif text.count(":") == 1:
        host, port_text = text.split(":")
        if not port_text:
            raise ValueError(f"{value!r} has an empty port; use HOST:PORT or just HOST")
    else:
        host, port_text = text, ""
    if not host:
        raise ValueError(f"{value!r} has no host; use HOST:PORT, e.g. 127.0.0.1:4343")
    if not port_text:
        return host, default_port
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"{value!r} has an invalid port; use HOST:PORT with 1-65535")
    return host, int(port_text)


def parse_rdap_base_urls(value: str) -> dict[str, str]:
    """Parse "TLD=URL" pairs separated by commas or spaces into a TLD → URL map.

    Raises ValueError naming the pair that is not of that form.
    """
    result: dict[str, str] = {}
    for pair in value.replace(",", " ").split():
        tld, separator, url = pair.partition("=")
        tld = tld.strip().lower().lstrip(".")
        if not separator or not tld or not url.startswith(("http://", "https://")):
            raise ValueError(
                f"RDAP_BASE_URLS entry {pair!r} is invalid; "
                "use TLD=URL, e.g. ru=https://rdap.example.net/"
            )
        try:
            result[idna.encode(tld, uts46=True).decode("ascii")] = url
        except idna.IDNAError:
            raise ValueError(
                f"RDAP_BASE_URLS entry {pair!r} has an invalid TLD"
            ) from None
    return result


@dataclass(frozen=True)
class Settings:
    """Process settings; admin-editable ones live in the database instead."""

    instance_path: Path
    database_url: str
    secret_key: str
    redis_url: str | None = None
    # The RQ queue name, and the prefix of the budget and schedule-lock keys.
    redis_prefix: str = "tracker"
    whois_server: tuple[str, int] | None = None
    rdap_base: str | None = None
    rdap_base_urls: dict[str, str] = field(default_factory=dict)
    lookup_timeout: float = 15.0
    add_lookup_wait: float = 4.0
    base_url: str = "http://127.0.0.1:5000"
    run_scheduler: bool = True
    trusted_proxies: int = 0
    smtp: dict[str, Any] = field(default_factory=dict)
    telegram_api_base: str = "https://api.telegram.org"
    testing: bool = False

    @classmethod
    def from_env(cls, instance_path: Path | None = None, **overrides: Any) -> Settings:
        instance = Path(
            overrides.pop("instance_path", None)
            or instance_path
            or _env("TRACKER_INSTANCE")
            or default_instance_path()
        )
        whois_server = _env("WHOIS_SERVER")
        try:
            whois_address = parse_host_port(whois_server) if whois_server else None
            rdap_base_urls = parse_rdap_base_urls(_env("RDAP_BASE_URLS") or "")
        except ValueError as error:
            raise ConfigError(str(error)) from None
        settings = cls(
            instance_path=instance,
            database_url=_env("DATABASE_URL") or f"sqlite:///{instance / 'tracker.db'}",
            secret_key=_env("SECRET_KEY") or "",
            redis_url=_env("REDIS_URL"),
            redis_prefix=_env("REDIS_PREFIX", "tracker") or "tracker",
            whois_server=whois_address,
            rdap_base=_env_url("RDAP_BASE"),
            rdap_base_urls=rdap_base_urls,
            lookup_timeout=_env_seconds("LOOKUP_TIMEOUT", 15.0),
            add_lookup_wait=_env_seconds("ADD_LOOKUP_WAIT", 4.0),
            base_url=(_env_url("BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
            run_scheduler=_env("RUN_SCHEDULER", "1") not in ("0", "false", "no"),
            trusted_proxies=_env_count("TRUSTED_PROXIES"),
            smtp={
                "host": _env("SMTP_HOST"),
                "port": _env_port("SMTP_PORT"),
                "username": _env("SMTP_USERNAME"),
                "password": _env("SMTP_PASSWORD"),
                "security": (_env("SMTP_SECURITY", "starttls") or "starttls").lower(),
                "mail_from": _env("MAIL_FROM"),
            },
            telegram_api_base=_env_url("TELEGRAM_API_BASE", "https://api.telegram.org")
            or "https://api.telegram.org",
        )
        settings = replace(settings, **overrides)
        if not settings.secret_key:
            settings = replace(
                settings, secret_key=_stored_secret_key(settings.instance_path)
            )
        return settings


def default_instance_path() -> Path:
    """Return the checkout's `instance/` folder, or `./instance` for an installed copy.

    Run from a source checkout (an editable install, as scripts/setup makes),
    the web app and every `tracker` command share one database wherever
    they are started from.
    """
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "pyproject.toml").is_file() and (
        checkout / "src" / "tracker"
    ).is_dir():
        return checkout / "instance"
    return Path.cwd() / "instance"


def _stored_secret_key(instance: Path) -> str:
    """Return the key kept in the instance folder, creating it on first use."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
