"""Turning the bytes of a WHOIS response into text that parses quickly."""

from __future__ import annotations

import re

# Lines that the whois(1) command writes before a server's answer. They are
# not part of any server's response, but recordings made with that command
# keep them.
_CLIENT_BANNER = re.compile(r"^\[(?:Querying [^\]]+|Redirected to [^\]]+|[\w.-]+)\]$")
_ISO_2022_JP_ESCAPE = b"\x1b$B"


def decode_response(raw: bytes, fallback_encoding: str | None = None) -> str:
    """Decode a response as UTF-8, else the server's usual encoding, else latin-1.

    ISO-2022-JP, which JPRS uses for Japanese answers, is 7-bit and so also
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

    python-whois 0.9.6 spends 20 s to 300 s of CPU in its .jp regular
    expression on CRLF text with trailing blanks, and about 0.06 s on the same
    text cleaned this way; the other parsers also expect LF line ends.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [line.rstrip() for line in lines]
    while lines and (not lines[0] or _CLIENT_BANNER.match(lines[0])):
        lines.pop(0)
    return "\n".join(lines).strip("\n") + "\n"
