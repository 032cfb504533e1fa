"""The composition root: concrete adapters wired into the services."""

from __future__ import annotations

from dependency_injector import containers, providers

from tracker.adapters import unit_of_work
from tracker.adapters.clock import SystemClock
from tracker.adapters.jobs import InlineJobQueue
from tracker.adapters.passwords import ScryptPasswordHasher
from tracker.adapters.whois import WhoisRegistrationLookup
from tracker.domain.expiry import ExpiryPolicy


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency()

    engine = providers.Singleton(
        unit_of_work.build_engine, settings.provided.database_url
    )
    session_factory = providers.Singleton(unit_of_work.session_factory, engine)
    uow = providers.Factory(unit_of_work.SqlAlchemyUnitOfWork, session_factory)

    clock = providers.Singleton(SystemClock)
    hasher = providers.Singleton(ScryptPasswordHasher)
    policy = providers.Singleton(ExpiryPolicy)

    lookup = providers.Singleton(
        WhoisRegistrationLookup,
        server=settings.provided.whois_server,
        timeout=settings.provided.lookup_timeout,
    )
    job_queue = providers.Singleton(InlineJobQueue)


def build_container(settings: object) -> Container:
    """Build the container; nothing connects until a provider is first called."""
    return Container(settings=settings)
