"""Shared parts of the admin's model views: formatting, batch actions, prefetch."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from flask import flash, g, url_for
from flask_admin.model import typefmt
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Select

from tracker.adapters.repositories import is_storable_id
from tracker.entrypoints.admin.access import AdminModelView
from tracker.services.admin import AdminError

logger = logging.getLogger(__name__)


def _enum_value(view: Any, value: Enum, name: str) -> str:
    return str(value.value)


def _utc_minutes(view: Any, value: datetime, name: str) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _utc_iso(view: Any, value: datetime, name: str) -> str:
    return value.astimezone(UTC).isoformat()


def parse_ids(ids: Iterable[str]) -> list[int]:
    """Return the row ids a list form sent, dropping any that is not a number."""
    return [int(text) for text in ids if text.isdigit()]


def show_rejection(error: AdminError) -> None:
    """Flash a rejected admin request and log it."""
    logger.info("rejected an admin request: %s", error)
    flash(str(error), "error")


class TrackerModelView(AdminModelView):
    """A read-mostly list of one table, with values shown as stored."""

    column_type_formatters = {
        **typefmt.BASE_FORMATTERS,
        Enum: _enum_value,
        datetime: _utc_minutes,
    }
    column_type_formatters_detail = {
        **typefmt.DETAIL_FORMATTERS,
        Enum: _enum_value,
        datetime: _utc_minutes,
    }
    column_type_formatters_export = {
        **typefmt.EXPORT_FORMATTERS,
        Enum: _enum_value,
        datetime: _utc_iso,
    }

    def __init__(self, model: type, db: SQLAlchemy, **kwargs: Any) -> None:
        super().__init__(model, db, **kwargs)
        self.db = db

    def get_one(self, id: Any) -> Any:
        """Return the row, or None for an id that is not a storable number.

        Flask-Admin passes the id text of the URL as it is. The database
        raises on a number beyond its id column, so such an id is answered
        here as a missing row.
        """
        try:
            row_id = int(id)
        except (TypeError, ValueError):
            return None
        if not is_storable_id(row_id):
            return None
        return super().get_one(id)

    def get_list(self, *args: Any, **kwargs: Any) -> Any:
        """Load one page, then what its columns show from other tables.

        Each `prefetch` adds one query per page instead of one per row.
        Flask-Admin's dotted columns ("user.email") would join instead, but
        they read `__table__`, which imperatively mapped classes lack.
        """
        count, rows = super().get_list(*args, **kwargs)
        if kwargs.get("execute", True):
            self.prefetch(list(rows))
        return count, rows

    def filter_url(self, name: str, value: str) -> str:
        """Return the URL of this list filtered by the filter labelled `name`."""
        for index, flt in enumerate(self._filters or []):
            if flt.name == name:
                query: dict[str, Any] = {
                    f"flt0_{self.get_filter_arg(index, flt)}": value
                }
                return url_for(f"{self.endpoint}.index_view", **query)
        raise LookupError(f"{type(self).__name__} has no filter named {name!r}")

    def prefetch(self, rows: list[Any]) -> None:
        """Load related values for `rows`; store them with `remember`."""

    def remember(self, name: str, values: dict[Any, Any]) -> None:
        g.setdefault("tracker_admin_prefetch", {})[(self.endpoint, name)] = values

    def recall(self, name: str, key: Any, load_one: Callable[[], Any]) -> Any:
        """Return the prefetched value, or load it alone (the details page)."""
        cache = g.get("tracker_admin_prefetch", {}).get((self.endpoint, name))
        if cache is not None and key in cache:
            return cache[key]
        return load_one()

    def lookup(self, statement: Select[Any]) -> dict[Any, Any]:
        """Run a two-column SELECT and return it as a dict of first to second."""
        return {key: value for key, value in self.db.session.execute(statement)}

    def run_batch(
        self,
        ids: Iterable[str],
        change: Callable[[int], bool],
        done: str,
    ) -> None:
        """Apply `change` to each id and flash one summary.

        `change` returns False when the row needed no change. An AdminError
        it raises is shown to the admin, and the other rows still go ahead.
        """
        changed = 0
        unchanged = 0
        for row_id in parse_ids(ids):
            try:
                if change(row_id):
                    changed += 1
                else:
                    unchanged += 1
            except AdminError as error:
                show_rejection(error)
        if changed:
            flash(f"{changed} {done}.", "success")
        if unchanged:
            flash(f"{unchanged} needed no change.", "info")
