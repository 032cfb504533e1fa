"""The `DomainName` value object: what a user typed, reduced to a registrable name."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import idna
from publicsuffixlist import PublicSuffixList

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_MAX_NAME_LENGTH = 253
_MAX_LABEL_LENGTH = 63
_CODEPOINT = re.compile(r"U\+([0-9A-F]{4,6})")
# Label separators that IDNA (RFC 3490, section 3.1) treats as a full stop:
# ideographic, full-width and half-width ideographic full stops.
_DOT_LOOKALIKES = ("\u3002", "\uff0e", "\uff61")


class InvalidNameReason(enum.StrEnum):
    """The reason input is not a domain name, for callers that word it themselves."""

    EMPTY = "empty"
    NO_HOST = "no host"
    SPACES = "spaces"
    NO_DOT = "no dot"
    INVALID_CHARACTER = "invalid character"
    HYPHEN_AT_EDGE = "hyphen at start or end"
    EMPTY_LABEL = "empty label"
    LABEL_TOO_LONG = "label too long"
    NAME_TOO_LONG = "name too long"
    UNKNOWN_TLD = "unknown top-level domain"
    PUBLIC_SUFFIX = "public suffix"
    OTHER = "other"


class InvalidDomainName(ValueError):
    """Raised when input cannot be reduced to a registrable domain name.

    `reason` is an English sentence fragment and `code` the same reason as
    data. The details, in Unicode, are set when the code has them: `label`
    (the label at fault), `character` (for INVALID_CHARACTER) and `suffix`
    (the TLD for UNKNOWN_TLD, the public suffix for PUBLIC_SUFFIX).
    """

    def __init__(
        self,
        value: str,
        reason: str,
        *,
        code: InvalidNameReason = InvalidNameReason.OTHER,
        label: str | None = None,
        character: str | None = None,
        suffix: str | None = None,
    ) -> None:
        super().__init__(f"{value!r} is not a valid domain name: {reason}")
        self.value = value
        self.reason = reason
        self.code = code
        self.label = label
        self.character = character
        self.suffix = suffix


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
                raise InvalidDomainName(
                    text,
                    f"the label {label!r} is not allowed",
                    label=_unicode(label),
                )
        suffix_list = _suffix_list()
        public_suffix = suffix_list.publicsuffix(ascii_name, accept_unknown=False)
        if public_suffix is None:
            tld = _unicode(labels[-1])
            raise InvalidDomainName(
                text,
                f"'.{tld}' is not a known top-level domain",
                code=InvalidNameReason.UNKNOWN_TLD,
                suffix=tld,
            )
        registrable = suffix_list.privatesuffix(ascii_name, accept_unknown=False)
        if registrable is None:
            suffix = _unicode(public_suffix)
            raise InvalidDomainName(
                text,
                f"{suffix!r} is a public suffix; enter a name registered under it",
                code=InvalidNameReason.PUBLIC_SUFFIX,
                suffix=suffix,
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
        raise InvalidDomainName(text, "it is empty", code=InvalidNameReason.EMPTY)
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
        raise InvalidDomainName(
            text, "no host name was found in it", code=InvalidNameReason.NO_HOST
        )
    if " " in value or "\t" in value:
        raise InvalidDomainName(
            text, "it contains spaces", code=InvalidNameReason.SPACES
        )
    if "." not in value:
        raise InvalidDomainName(
            text,
            "it has no dot; add the top-level domain, e.g. .com",
            code=InvalidNameReason.NO_DOT,
        )
    return value


def _to_ascii(text: str, host: str) -> str:
    if "" in host.split("."):
        raise InvalidDomainName(
            text,
            "it has an empty label: two dots in a row, or a dot at the start",
            code=InvalidNameReason.EMPTY_LABEL,
        )
    try:
        ascii_name = idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise _idna_failure(text, host, error) from None
    if len(ascii_name) > _MAX_NAME_LENGTH:
        raise _name_too_long(text)
    return ascii_name.lower()


def _idna_failure(text: str, host: str, error: idna.IDNAError) -> InvalidDomainName:
    """Classify an idna error by its type and message, naming the label at fault.

    idna 3.x raises InvalidCodepoint(Context) for a character and plain
    IDNAError with a fixed English message for the other rules.
    """
    message = str(error)
    if message == "Domain too long":
        return _name_too_long(text)
    label = _failing_label(host)
    if label is not None and label.lower().startswith("xn--"):
        reason = f"the label {label!r} is not valid punycode"
        return InvalidDomainName(text, reason, label=label)
    if isinstance(error, idna.InvalidCodepoint | idna.InvalidCodepointContext):
        return _invalid_character(text, message, label)
    lowered = message.lower()
    if "start or end with a hyphen" in lowered:
        return InvalidDomainName(
            text,
            f"the label {label!r} starts or ends with a hyphen",
            code=InvalidNameReason.HYPHEN_AT_EDGE,
            label=label,
        )
    if "label too long" in lowered:
        return InvalidDomainName(
            text,
            f"the label {label!r} is too long: a label has at most "
            f"{_MAX_LABEL_LENGTH} characters",
            code=InvalidNameReason.LABEL_TOO_LONG,
            label=label,
        )
    return InvalidDomainName(text, message, label=label)


def _invalid_character(text: str, message: str, label: str | None) -> InvalidDomainName:
    found = _CODEPOINT.search(message)
    character = chr(int(found.group(1), 16)) if found else None
    if character is None:
        reason = f"the label {label!r} has a character that is not allowed"
    else:
        reason = (
            f"the character {character!r} (U+{ord(character):04X}) "
            f"in the label {label!r} is not allowed"
        )
    return InvalidDomainName(
        text,
        reason,
        code=InvalidNameReason.INVALID_CHARACTER,
        label=label,
        character=character,
    )


def _failing_label(host: str) -> str | None:
    """Return the first label of `host` that idna rejects on its own, or None."""
    for label in host.split("."):
        try:
            idna.encode(label, uts46=True)
        except idna.IDNAError:
            return label
    return None


def _name_too_long(text: str) -> InvalidDomainName:
    return InvalidDomainName(
        text,
        f"it is longer than {_MAX_NAME_LENGTH} characters",
        code=InvalidNameReason.NAME_TOO_LONG,
    )


def _unicode(ascii_text: str) -> str:
    """Decode punycode labels for display; return undecodable text unchanged."""
    try:
        return str(idna.decode(ascii_text))
    except (idna.IDNAError, UnicodeError):
        return ascii_text
