"""The composition root: concrete adapters wired into the services."""

from __future__ import annotations

from typing import Any

from dependency_injector import containers, providers
from redis import Redis

from tracker.adapters import unit_of_work
from tracker.adapters.budget import (
    LocalServerBudget,
    RedisServerBudget,
    limits_from_settings,
)
from tracker.adapters.clock import SystemClock
from tracker.adapters.jobs import InlineJobQueue
from tracker.adapters.lookup_chain import ChainedRegistrationLookup
from tracker.adapters.notify import (
    SmtpConfig,
    SmtpNotifier,
    TelegramNotifier,
    stored_setting,
)
from tracker.adapters.passwords import ScryptPasswordHasher
from tracker.adapters.rdap import (
    STORED_BOOTSTRAP_FILENAME,
    Bootstrap,
    RdapRegistrationLookup,
)
from tracker.adapters.rq_queue import RqJobQueue
from tracker.adapters.whois import WhoisRegistrationLookup
from tracker.domain.expiry import ExpiryPolicy
from tracker.services.ports import (
    JobQueue,
    RegistrationLookup,
    ServerBudget,
    UnitOfWorkFactory,
)
from tracker.services.settings import KEY_MAIL_FROM, KEY_TELEGRAM_TOKEN, tld_sources


def _redis(url: str | None) -> Redis | None:
    return Redis.from_url(url) if url else None


def _server_budget(
    settings: Any, redis: Redis | None, uow_factory: UnitOfWorkFactory
) -> ServerBudget:
    limits = limits_from_settings(uow_factory)
    if redis is None:
        return LocalServerBudget(limits)
    return RedisServerBudget(
        redis, limits, key_prefix=f"{settings.redis_prefix}:budget:"
    )


def _registration_lookup(
    settings: Any, budget: ServerBudget, uow_factory: UnitOfWorkFactory
) -> RegistrationLookup:
    """Build the RDAP-then-WHOIS chain.

    An override for one protocol (WHOIS_SERVER, or RDAP_BASE / RDAP_BASE_URLS)
    routes lookups to a test or proxy server. The other protocol then reaches
    only the servers named in its own override, so a lookup never goes to a
    registry the operator did not choose.
    """
    whois = WhoisRegistrationLookup(
        server=settings.whois_server, timeout=settings.lookup_timeout, budget=budget
    )
    rdap_overrides = dict(settings.rdap_base_urls)
    if settings.rdap_base:
        rdap_overrides["*"] = settings.rdap_base
    if settings.whois_server and not rdap_overrides:
        return whois
    bootstrap = Bootstrap.load(settings.instance_path / STORED_BOOTSTRAP_FILENAME)
    if settings.whois_server:
        bootstrap = Bootstrap(services={}, origin="none: WHOIS_SERVER is set")
    rdap = RdapRegistrationLookup(
        bootstrap=bootstrap,
        base_overrides=rdap_overrides,
        timeout=settings.lookup_timeout,
        budget=budget,
    )
    if settings.rdap_base and not settings.whois_server:
        return rdap
    # NOTE: per-TLD sources are read once per process; a change in the admin
    # settings takes effect when the web app and workers restart.
    return ChainedRegistrationLookup(rdap, whois, tld_modes=tld_sources(uow_factory))


def _job_queue(settings: Any, redis: Redis | None) -> JobQueue:
    if redis is None:
        return InlineJobQueue()
    return RqJobQueue(redis, settings.redis_prefix)


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

    # With REDIS_URL: RQ jobs and one budget shared by all processes;
    # without: in-process threads and a budget per process.
    redis = providers.Singleton(_redis, settings.provided.redis_url)
    budget = providers.Singleton(_server_budget, settings, redis, uow.provider)
    job_queue = providers.Singleton(_job_queue, settings, redis)
    lookup = providers.Singleton(_registration_lookup, settings, budget, uow.provider)

    # Reminder channels, keyed by Channel value ("email", "telegram").
    smtp_notifier = providers.Singleton(
        SmtpNotifier,
        providers.Callable(SmtpConfig.from_settings, settings.provided.smtp),
        sender=providers.Callable(stored_setting, uow.provider, KEY_MAIL_FROM),
    )
    telegram_notifier = providers.Singleton(
        TelegramNotifier,
        settings.provided.telegram_api_base,
        token=providers.Callable(stored_setting, uow.provider, KEY_TELEGRAM_TOKEN),
    )
    notifiers = providers.Dict(email=smtp_notifier, telegram=telegram_notifier)


def build_container(settings: object) -> Container:
    """Build the container; nothing connects until a provider is first called."""
    return Container(settings=settings)
