from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tracker.adapters import schema
from tracker.adapters.orm import metadata
from tracker.adapters.unit_of_work import build_engine


def test_migrations_match_tables(database_url: str) -> None:
    engine = build_engine(database_url)

    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)

    assert differences == []
    engine.dispose()


def test_upgrade_twice_is_harmless(database_url: str) -> None:
    engine = build_engine(database_url)
    before = schema.current_revision(engine)

    schema.upgrade(engine)

    assert schema.current_revision(engine) == before
    assert before is not None
    engine.dispose()
