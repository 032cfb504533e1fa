"""The Flask-SQLAlchemy object the admin's model views read through.

Flask-Admin 2.2.1 expects a Flask-SQLAlchemy object, and warns that passing
a bare session is deprecated and will stop working in 3.0. This one shares
the metadata of `tracker.adapters.orm`, whose classes are mapped
imperatively. It sends every query to the container's engine, so the admin
uses the same connection pool and SQLite settings (foreign keys on, WAL)
as the rest of the app.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session
from sqlalchemy import Engine

from tracker.adapters import orm


class EngineSession(Session):
    """A Flask-SQLAlchemy session that uses the engine passed as `bind`."""

    def get_bind(
        self,
        mapper: Any | None = None,
        clause: Any | None = None,
        bind: Any | None = None,
        **kwargs: Any,
    ) -> Any:
        if bind is not None:
            return bind
        assert self.bind is not None
        return self.bind


def init_database(app: Flask, engine: Engine) -> SQLAlchemy:
    """Bind a Flask-SQLAlchemy object to `app`, querying through `engine`."""
    # Flask-SQLAlchemy needs a URI and builds an engine from it. That engine
    # never connects, because EngineSession never requests it, so the URI
    # goes into app.config with its password masked.
    app.config.setdefault(
        "SQLALCHEMY_DATABASE_URI", engine.url.render_as_string(hide_password=True)
    )
    orm.start_mappers()
    db = SQLAlchemy(
        metadata=orm.metadata,
        session_options={"class_": EngineSession, "bind": engine},
    )
    db.init_app(app)
    return db
