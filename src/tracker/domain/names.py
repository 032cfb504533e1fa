"""The `DomainName` value object: what a user typed, reduced to a registrable name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import idna
from publicsuffixlist import PublicSuffixList

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_MAX_NAME_LENGTH = 253
# Label separators that IDNA (RFC 3490, section 3.1) treats as a full stop:
# ideographic, full-width and half-width ideographic full stops.
_DOT_LOOKALIKES = ("\u3002", "\uff0e", "\uff61")


class InvalidDomainName(ValueError):
    """Raised when input cannot be reduced to a registrable domain name."""

    def __init__(self, value: str, reason: str) -> None:
        super().__init__(f"{value!r} is not a valid domain name: {reason}")
        self.value = value
        self.reason = reason


@lru_cache(maxsize=1)
def _suffix_list() -> PublicSuffixList:
    # The ICANN section only: private suffixes such as blogspot.com are not
    # registries, so a name under them is renewed at the parent's registrar.
    return PublicSuffixList(only_icann=True)


@dataclass(frozen=True, order=True)
class DomainName:
    """A registrable domain in lower-case ASCII (IDN labels as punycode)."""

    ascii: str

    @classmethod
    def parse(cls, text: str) -> DomainName:
        """Normalise user input to the registrable domain it belongs to.

        Accepts a URL, mixed case, surrounding spaces, a trailing dot, a
        subdomain and Unicode labels. Raises `InvalidDomainName` otherwise.
        """
        host = _host_from_input(text)
        ascii_name = _to_ascii(text, host)
        labels = ascii_name.split(".")
        for label in labels:
            if not _LABEL.match(label):
                raise InvalidDomainName(text, f"the label {label!r} is not allowed")
        suffix_list = _suffix_list()
        public_suffix = suffix_list.publicsuffix(ascii_name, accept_unknown=False)
        if public_suffix is None:
            raise InvalidDomainName(
                text, f"'.{labels[-1]}' is not a known top-level domain"
            )
        registrable = suffix_list.privatesuffix(ascii_name, accept_unknown=False)
        if registrable is None:
            raise InvalidDomainName(
                text,
                f"{public_suffix!r} is a public suffix; enter a name registered under it",
            )
        return cls(registrable)

    @property
    def unicode(self) -> str:
        """The name for display, with punycode labels decoded."""
        try:
            return str(idna.decode(self.ascii))
        except idna.IDNAError:
            return self.ascii

    @property
    def is_idn(self) -> bool:
        return any(label.startswith("xn--") for label in self.ascii.split("."))

    @property
    def tld(self) -> str:
        """The last label, in ASCII (`xn--p1ai` for .рф)."""
        return self.ascii.rsplit(".", 1)[-1]

    @property
    def public_suffix(self) -> str:
        """The registry suffix, such as `co.uk`."""
        return self.ascii.split(".", 1)[1]

    def __str__(self) -> str:
        return self.ascii


def _host_from_input(text: str) -> str:
    value = text.strip()
    if not value:
        raise InvalidDomainName(text, "it is empty")
    if "://" in value or value.startswith("//"):
        value = urlsplit(value if "://" in value else "http:" + value).hostname or ""
    else:
        value = re.split(r"[/?#]", value, maxsplit=1)[0]
        value = value.rsplit("@", 1)[-1]
        if value.count(":") == 1:
            value = value.split(":", 1)[0]
    for separator in _DOT_LOOKALIKES:
        value = value.replace(separator, ".")
    value = value.strip().rstrip(".")
    if not value:
        raise InvalidDomainName(text, "no host name was found in it")
    if " " in value or "\t" in value:
        raise InvalidDomainName(text, "it contains spaces")
    if "." not in value:
        raise InvalidDomainName(
            text, "it has no dot; add the top-level domain, e.g. .com"
        )
    return value


def _to_ascii(text: str, host: str) -> str:
    try:
        ascii_name = idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise InvalidDomainName(text, str(error)) from None
    if len(ascii_name) > _MAX_NAME_LENGTH:
        raise InvalidDomainName(
            text, f"it is longer than {_MAX_NAME_LENGTH} characters"
        )
    return ascii_name.lower()
