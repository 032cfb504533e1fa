"""Job functions: importable by name, so RQ workers and threads run the same code."""

from __future__ import annotations

import logging

from tracker.entrypoints.runtime import current_container
from tracker.services.checks import CheckOutcome, check_domain

logger = logging.getLogger(__name__)


def check_domain_job(domain_id: int) -> CheckOutcome | None:
    """Look one domain up and store the outcome."""
    container = current_container()
    return check_domain(container.uow(), container.lookup(), container.clock(), domain_id)
