"""Turning the bytes of a WHOIS response into text that parses quickly."""

from __future__ import annotations

import re

# Lines that the whois(1) command writes before a server's response. They are
# not part of any server's response, but recordings made with that command
# keep them.
_CLIENT_BANNER = re.compile(r"^\[(?:Querying [^\]]+|Redirected to [^\]]+|[\w.-]+)\]$")
_ISO_2022_JP_ESCAPE = b"\x1b$B"


def decode_response(raw: bytes, fallback_encoding: str | None = None) -> str:
    """Decode a response as UTF-8, else the server's usual encoding, else latin-1.

    ISO-2022-JP, which JPRS uses for Japanese responses, is 7-bit and so also
    valid UTF-8; its escape sequence is checked first. latin-1 maps every
    byte, so this never raises.
    """
    if _ISO_2022_JP_ESCAPE in raw:
        try:
            return raw.decode("iso-2022-jp")
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if fallback_encoding:
        try:
            return raw.decode(fallback_encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    return raw.decode("latin-1")


def normalise_text(text: str) -> str:
    """Return `text` with LF line ends, no trailing blanks and no client banner.

    The .jp expression of python-whois 0.9.6 backtracks for minutes on CRLF
    text with trailing blanks: over 2 min on the JPRS response of the case
    bug-b09 in tests/data/whois-corpus, and under 0.1 s once cleaned.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [line.rstrip() for line in lines]
    while lines and (not lines[0] or _CLIENT_BANNER.match(lines[0])):
        lines.pop(0)
    return "\n".join(lines).strip("\n") + "\n"
