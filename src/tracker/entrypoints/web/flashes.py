"""Flash messages that fit in the session cookie, and reasons a name is invalid.

Flask keeps flashed messages in the signed session cookie, and browsers
drop a cookie larger than 4 KB, and with it every message. So values typed
by the user are cut short before they are echoed, and one request flashes
at most MAX_FLASHES messages.
"""

from __future__ import annotations

import unicodedata

from flask import flash
from flask_babel import LazyString, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.domain.names import InvalidDomainName, InvalidNameReason

MAX_ECHO_LENGTH = 60
MAX_FLASHES = 8
# Control, format (bidi overrides, joiners), private-use, unassigned and
# line-separator characters: shown as U+XXXX, because printed as they are
# they are invisible or reorder the text around them.
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"}
_SEVERITY = {"danger": 3, "warning": 2, "info": 1, "success": 0}


def echo(value: str, limit: int = MAX_ECHO_LENGTH) -> str:
    """Return user input fit for a message: hidden characters as U+XXXX, cut to `limit`.

    A cut value ends with "…" and has at most `limit` characters with it.
    """
    # Only the head is converted, so a pasted megabyte costs no more than a line.
    shown = "".join(_visible(character) for character in value[:limit])
    if len(value) <= limit and len(shown) <= limit:
        return shown
    return shown[: limit - 1] + "…"


def _visible(character: str) -> str:
    if unicodedata.category(character) in _HIDDEN_CATEGORIES:
        return f"U+{ord(character):04X}"
    return character


class FlashBatch:
    """Messages of one request, flashed together with at most MAX_FLASHES.

    The messages beyond the limit are replaced by one "…and N more" line,
    in the category of the most severe of them.
    """

    def __init__(self, limit: int = MAX_FLASHES) -> None:
        self.limit = limit
        self.messages: list[tuple[str, str]] = []

    def add(self, message: str, category: str) -> None:
        self.messages.append((message, category))

    def flash_all(self) -> None:
        """Flash the messages added so far and empty the batch."""
        shown = self.messages
        hidden: list[tuple[str, str]] = []
        if len(self.messages) > self.limit:
            shown = self.messages[: self.limit - 1]
            hidden = self.messages[self.limit - 1 :]
        for message, category in shown:
            flash(message, category)
        if hidden:
            categories = [category for _message, category in hidden]
            category = max(categories, key=lambda name: _SEVERITY.get(name, 0))
            flash(
                ngettext(
                    "…and %(num)d more message.",
                    "…and %(num)d more messages.",
                    len(hidden),
                ),
                category,
            )
        self.messages = []


_PLAIN_REASONS: dict[InvalidNameReason, LazyString] = {
    InvalidNameReason.EMPTY: _l("it is empty"),
    InvalidNameReason.NO_HOST: _l("no host name was found in it"),
    InvalidNameReason.SPACES: _l("it contains spaces"),
    InvalidNameReason.NO_DOT: _l(
        "it has no dot; add the top-level domain, such as .com"
    ),
    InvalidNameReason.EMPTY_LABEL: _l(
        "it has two dots in a row, or a dot at the start"
    ),
    InvalidNameReason.NAME_TOO_LONG: _l("it is longer than 253 characters"),
}


def invalid_name_text(error: InvalidDomainName) -> str:
    """Return why the name is invalid, translated, with labels and TLDs in Unicode."""
    code = error.code
    plain = _PLAIN_REASONS.get(code)
    if plain is not None:
        return str(plain)

    label = echo(error.label or "")
    suffix = echo(error.suffix or "")
    if code is InvalidNameReason.INVALID_CHARACTER:
        return _invalid_character_text(error.character, label)
    if code is InvalidNameReason.HYPHEN_AT_EDGE:
        return _("the label “%(label)s” starts or ends with a hyphen", label=label)
    if code is InvalidNameReason.LABEL_TOO_LONG:
        return _(
            "the label “%(label)s” is too long: a label has at most 63 characters",
            label=label,
        )
    if code is InvalidNameReason.UNKNOWN_TLD:
        return _("“.%(tld)s” is not a known top-level domain", tld=suffix)
    if code is InvalidNameReason.PUBLIC_SUFFIX:
        return _(
            "“%(suffix)s” is a public suffix; enter a name registered under it",
            suffix=suffix,
        )

    if label:
        return _("the label “%(label)s” breaks the rules for domain names", label=label)
    return _("it breaks the rules for domain names")


def _invalid_character_text(character: str | None, label: str) -> str:
    if character is None:
        return _(
            "the label “%(label)s” has a character that is not allowed",
            label=label,
        )
    code = f"U+{ord(character):04X}"
    if unicodedata.category(character) in _HIDDEN_CATEGORIES:
        return _(
            "the character %(code)s in “%(label)s” is not allowed in domain names",
            code=code,
            label=label,
        )
    return _(
        "the character “%(character)s” (%(code)s) in “%(label)s” is not allowed "
        "in domain names",
        character=character,
        code=code,
        label=label,
    )
