"""Domain lookups over RDAP, with the IANA bootstrap that locates the servers."""

from tracker.adapters.rdap.bootstrap import (
    DEFAULT_BOOTSTRAP_URL,
    STORED_BOOTSTRAP_FILENAME,
    Bootstrap,
    BootstrapRefreshFailed,
    InvalidBootstrap,
    refresh_bootstrap,
)
from tracker.adapters.rdap.lookup import RdapRegistrationLookup

__all__ = [
    "DEFAULT_BOOTSTRAP_URL",
    "STORED_BOOTSTRAP_FILENAME",
    "Bootstrap",
    "BootstrapRefreshFailed",
    "InvalidBootstrap",
    "RdapRegistrationLookup",
    "refresh_bootstrap",
]
