"""The IANA RDAP bootstrap for domain names (RFC 9224) and its refresh.

The file maps TLD labels (in punycode) to the base URLs of their registries'
RDAP servers. Lookups read only a local copy: the one stored in the instance
folder by `refresh_bootstrap`, or else the copy packaged with tracker.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tracker.adapters.rdap.transport import Deadline, fetch
from tracker.domain.names import DomainName
from tracker.services.ports import LookupFailed

logger = logging.getLogger(__name__)

DEFAULT_BOOTSTRAP_URL = "https://data.iana.org/rdap/dns.json"
STORED_BOOTSTRAP_FILENAME = "rdap-dns.json"
# An estimate: the IANA file is tens of kilobytes, so this cap leaves room
# for growth and still rejects a wrong download.
MAX_BOOTSTRAP_BYTES = 5_000_000


class InvalidBootstrap(ValueError):
    """Raised when a bootstrap file is not valid RFC 9224 JSON with services."""


class BootstrapRefreshFailed(Exception):
    """Raised when a new bootstrap could not be downloaded or was invalid.

    The stored copy is left unchanged whenever this is raised.
    """


@dataclass(frozen=True)
class Bootstrap:
    """TLD labels (lower-case punycode) and their RDAP base URLs."""

    services: Mapping[str, tuple[str, ...]]
    publication: str | None = None
    version: str | None = None
    origin: str = "packaged"

    @classmethod
    def parse(cls, data: bytes | str, *, origin: str) -> Bootstrap:
        """Parse an RFC 9224 `dns.json` document, or raise `InvalidBootstrap`."""
        try:
            document = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InvalidBootstrap(f"{origin} is not valid JSON: {error}") from None
        if not isinstance(document, dict):
            raise InvalidBootstrap(f"{origin} is not a JSON object")
        services = _parse_services(document.get("services"), origin)
        return cls(
            services=services,
            publication=_optional_text(document.get("publication")),
            version=_optional_text(document.get("version")),
            origin=origin,
        )

    @classmethod
    def packaged(cls) -> Bootstrap:
        """Return the copy shipped with tracker."""
        return _packaged_bootstrap()

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None) -> Bootstrap:
        """Return the copy stored at `path` when it exists and is valid.

        Falls back to the packaged copy, with a warning when the stored file
        exists but cannot be read or parsed.
        """
        if path is None:
            return cls.packaged()
        stored = Path(path)
        try:
            data = stored.read_bytes()
        except FileNotFoundError:
            return cls.packaged()
        except OSError as error:
            logger.warning("cannot read the RDAP bootstrap %s: %s", stored, error)
            return cls.packaged()
        try:
            return cls.parse(data, origin=str(stored))
        except InvalidBootstrap as error:
            logger.warning("ignoring the stored RDAP bootstrap: %s", error)
            return cls.packaged()

    def base_url(self, name: DomainName) -> str | None:
        """Return the RDAP base URL (ending in "/") for `name`, or None.

        The longest matching label suffix wins, as RFC 9224 requires, and an
        https URL is preferred over an http one.
        """
        labels = name.ascii.split(".")
        for start in range(len(labels)):
            urls = self.services.get(".".join(labels[start:]))
            if urls:
                return _preferred(urls)
        return None

    def __len__(self) -> int:
        return len(self.services)


def refresh_bootstrap(
    dest_path: str | os.PathLike[str],
    *,
    url: str = DEFAULT_BOOTSTRAP_URL,
    timeout: float = 30.0,
) -> Bootstrap:
    """Download the bootstrap from `url`, validate it and store it at `dest_path`.

    The file is written to a temporary name in the same folder and renamed,
    so readers see the old copy or the new one, never a partial file.
    Returns the new bootstrap. Raises `BootstrapRefreshFailed`, keeping the
    old copy, when the download fails, times out after `timeout` seconds,
    does not return HTTP 200, or is not valid RFC 9224 JSON with services.
    """
    try:
        response = fetch(
            url,
            deadline=Deadline(timeout),
            accept="application/json",
            max_bytes=MAX_BOOTSTRAP_BYTES,
            max_redirects=3,
        )
    except LookupFailed as error:
        raise BootstrapRefreshFailed(f"downloading {url} failed: {error}") from None
    if response.status != 200:
        raise BootstrapRefreshFailed(
            f"downloading {url} failed: HTTP {response.status}; "
            "the stored bootstrap is unchanged"
        )
    try:
        bootstrap = Bootstrap.parse(response.body, origin=url)
    except InvalidBootstrap as error:
        raise BootstrapRefreshFailed(
            f"{error}; the stored bootstrap is unchanged"
        ) from None

    destination = Path(dest_path)
    _write_atomically(destination, response.body)
    logger.info(
        "stored the RDAP bootstrap published %s (%d TLDs) from %s at %s",
        bootstrap.publication,
        len(bootstrap),
        url,
        destination,
    )
    return Bootstrap(
        services=bootstrap.services,
        publication=bootstrap.publication,
        version=bootstrap.version,
        origin=str(destination),
    )


def _write_atomically(destination: Path, data: bytes) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(
        dir=destination.parent, prefix=destination.name + ".", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@lru_cache(maxsize=1)
def _packaged_bootstrap() -> Bootstrap:
    # NOTE: the packaged dns.json was written by hand after the IANA file of
    # mid-2024. It lists about 300 TLDs, far fewer than the real file, so the
    # others go to WHOIS until `refresh_bootstrap` stores the real file.
    data = resources.files("tracker.adapters.rdap").joinpath("dns.json").read_bytes()
    return Bootstrap.parse(data, origin="packaged")


def _parse_services(services: Any, origin: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(services, list) or not services:
        raise InvalidBootstrap(f"{origin} has no services")
    result: dict[str, tuple[str, ...]] = {}
    for index, service in enumerate(services):
        where = f"{origin}: services[{index}]"
        if not (isinstance(service, list) and len(service) >= 2):
            raise InvalidBootstrap(f"{where} is not a [labels, URLs] pair")
        labels = _string_list(service[0], f"{where} labels")
        urls = _string_list(service[1], f"{where} URLs")
        for base in urls:
            if urlsplit(base).scheme not in ("http", "https"):
                raise InvalidBootstrap(f"{where} has a non-HTTP URL {base!r}")
        for label in labels:
            result.setdefault(label.strip(".").lower(), tuple(urls))
    return result


def _string_list(value: Any, where: str) -> list[str]:
    if not (
        isinstance(value, list)
        and value
        and all(isinstance(item, str) and item for item in value)
    ):
        raise InvalidBootstrap(f"{where} is not a non-empty list of strings")
    return value


def _optional_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _preferred(urls: tuple[str, ...]) -> str:
    https = [url for url in urls if url.startswith("https://")]
    chosen = https[0] if https else urls[0]
    return chosen if chosen.endswith("/") else chosen + "/"
