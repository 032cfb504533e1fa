"""Checks for `next` targets, so a link cannot send a user to another site."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def is_local_path(target: str | None) -> bool:
    """True for a path on this site such as "/domains/3?x=1".

    Rejects absolute URLs, scheme-relative "//host" and every form a browser
    may turn into one: a backslash ("/\\host"), control characters and
    whitespace (browsers drop tabs and line breaks from URLs).
    """
    if not target or not target.startswith("/"):
        return False
    if target.startswith("//") or "\\" in target:
        return False
    if any(ord(char) < 0x21 or ord(char) == 0x7F for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def local_target(target: str | None, default: str) -> str:
    """Return `target` when it is a local path, else `default`."""
    return target if target is not None and is_local_path(target) else default


def current_path() -> str:
    """Return the path and query of the current request, for a later `next`."""
    path = request.full_path
    return path.removesuffix("?")
