"""The whole web flow in headless Chromium against the real app on loopback.

The app runs in werkzeug's threaded server with CSRF on. Its lookups go to
a WHOIS server on loopback. Playwright drives Debian's Chromium at
/usr/bin/chromium, so no browser is downloaded.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from werkzeug.serving import make_server

from tests.support.whois_corpus import load_cases
from tests.support.whois_server import WhoisServer
from tracker.adapters.clock import FixedClock
from tracker.entrypoints.config import Settings
from tracker.entrypoints.container import Container, build_container
from tracker.entrypoints.web import create_app
from tracker.services import domains

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Its registry expiry is 2027-03-14: 100 days after the fixed clock.
COM_CASE = "bug-b01-com-registry-and-registrar-dates"
COM = "example-tracker.com"
SUCCESS_GREEN = "rgb(25, 135, 84)"  # Bootstrap 5.3's --bs-success

pytestmark = pytest.mark.browser


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing; install Debian's chromium package"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI must run the browser test")
    pytest.skip(message)


class GatedJobQueue:
    """Runs each job on a thread once `release()` is called.

    Holding the lookup back makes the page show "checking…" first, so the
    test can check that the row's script replaces it with the result.
    """

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.threads: list[threading.Thread] = []

    def enqueue(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        def run() -> None:
            self.gate.wait(timeout=30)
            func(*args, **kwargs)

        thread = threading.Thread(target=run, daemon=True)
        self.threads.append(thread)
        thread.start()

    def release(self) -> None:
        self.gate.set()


@pytest.fixture
def whois_server() -> Iterator[WhoisServer]:
    (case,) = [case for case in load_cases() if case.id == COM_CASE]
    with WhoisServer({case.domain: case.answer()}) as server:
        yield server


@pytest.fixture
def running_app(
    tmp_path: Path, clock: FixedClock, whois_server: WhoisServer
) -> Iterator[tuple[str, Container, GatedJobQueue]]:
    settings = Settings.from_env(
        instance_path=tmp_path / "instance",
        database_url=f"sqlite:///{tmp_path / 'tracker.db'}",
        secret_key="browser-test-secret",
        redis_url=None,
        whois_server=whois_server.address,
        # WHOIS alone: with no RDAP base set, no lookup leaves loopback.
        rdap_base=None,
        lookup_timeout=5.0,
        add_lookup_wait=0.5,
        testing=True,
    )
    container = build_container(settings)
    container.clock.override(providers.Object(clock))
    queue = GatedJobQueue()
    container.job_queue.override(providers.Object(queue))
    app = create_app(container=container)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", container, queue
    finally:
        queue.release()
        server.shutdown()
        thread.join(timeout=5)


def seed_other_domains(container: Container, email: str, clock: FixedClock) -> None:
    """Give the user one domain in each other urgency band, and one failing."""
    with container.uow() as uow:
        user = uow.users.get_by_email(email)
        assert user is not None and user.id is not None
        user_id = user.id
    for name, days in [
        ("soon-renewal.net", 21),
        ("urgent-renewal.org", 3),
        ("lapsed-project.io", -6),
    ]:
        domain_id = domains.add_domain(container.uow(), clock, user_id, name)
        domains.enter_expiry_manually(
            container.uow(),
            clock,
            user_id,
            domain_id,
            clock.today() + timedelta(days=days),
            "Example Registrar",
        )
    domains.add_domain(container.uow(), clock, user_id, "пример.рф")
    with container.uow() as uow:
        for domain in uow.domains.list_for_user(user_id):
            domain.last_checked_at = clock.now()
            if domain.name == "xn--e1afmkfd.xn--p1ai":
                domain.failing_since = clock.now() - timedelta(days=3)
                domain.last_error = "rate limited by whois.tcinet.ru"
                domain.last_error_kind = "rate limited"
        uow.commit()


def test_register_add_see_colour_and_delete(
    running_app: tuple[str, Container, GatedJobQueue], clock: FixedClock
) -> None:
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    base_url, container, queue = running_app
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(10_000)

            page.goto(base_url + "/")
            expect(page).to_have_url(base_url + "/login?next=/")
            page.get_by_role("link", name="Create an account").click()
            page.get_by_label("Email").fill("browser@example.org")
            page.get_by_label("Password", exact=True).fill("correct-horse-42")
            page.get_by_label("Repeat the password").fill("correct-horse-42")
            page.get_by_role("button", name="Create account").click()
            expect(page.get_by_role("heading", name="Your domains")).to_be_visible()

            page.get_by_label("Add a domain").fill(COM)
            page.get_by_role("button", name="Add", exact=True).click()
            row = page.locator("tr.domain-row", has_text=COM)
            expect(row).to_contain_text("checking…")

            queue.release()
            badge = row.locator(".status-badge")
            expect(badge).to_have_text("OK")
            expect(row).to_contain_text("100 days left")
            expect(row).to_contain_text("Mar 14, 2027")
            expect(row).to_have_class("domain-row urgency-ok is-new")
            colour = badge.evaluate("el => getComputedStyle(el).backgroundColor")
            assert colour == SUCCESS_GREEN

            seed_other_domains(container, "browser@example.org", clock)
            page.goto(base_url + "/")
            expect(page.locator("tr.domain-row")).to_have_count(5)
            expect(page.locator("[data-status='checking']")).to_have_count(0)
            page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

            row = page.locator("tr.domain-row", has_text=COM)
            row.get_by_role("button", name="Delete").click()
            modal = page.locator("#delete-modal")
            expect(modal).to_be_visible()
            expect(modal.locator("[data-domain-name]")).to_have_text(COM)
            # The dialog focuses its button once the fade-in has finished.
            expect(modal.get_by_role("button", name="Delete")).to_be_focused()
            page.screenshot(path=str(ARTIFACTS / "delete-modal.png"))
            modal.get_by_role("button", name="Delete").click()

            expect(page.get_by_role("alert")).to_contain_text(
                f"Stopped tracking {COM}."
            )
            expect(page.locator("tr.domain-row", has_text=COM)).to_have_count(0)
            expect(page.locator("tr.domain-row")).to_have_count(4)
        finally:
            browser.close()

    with container.uow() as uow:
        assert [d.name for d in uow.domains.list_all() if d.name == COM] == []
