"""Who may open which admin URL: every rule under /admin, for three personas."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from werkzeug.routing import Rule

from tests.integration.admin.conftest import (
    ADMIN_EMAIL,
    Accounts,
    Browser,
    csrf_token_of,
)
from tracker.entrypoints.container import Container
from tracker.services import admin as admin_service
from tracker.services import settings

# Flask-Admin's own CSS and JavaScript; they hold no data and are served to
# anyone, like the web app's /static files.
PUBLIC_ENDPOINTS = {"admin.static"}


def admin_requests(app: Flask) -> list[tuple[str, str, str]]:
    """Return (method, URL, endpoint) for every admin rule and method."""
    requests = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            requests.append((method, build_url(rule), rule.endpoint))
    return sorted(requests)


def build_url(rule: Rule) -> str:
    values = {"export_type": "csv"} if "export_type" in rule.arguments else {}
    path = rule.build(values, append_unknown=False)
    assert path is not None
    return path[1]


def send(browser: Browser, method: str, url: str, user_id: int) -> object:
    if method == "GET":
        return browser.get(f"{url}?id={user_id}")
    # A real row id and action, so a request that got through would act.
    data = {"id": str(user_id), "rowid": str(user_id), "action": "deactivate"}
    return browser.post(url, data)


def test_every_admin_endpoint_is_covered(app: Flask) -> None:
    endpoints = {endpoint for _, _, endpoint in admin_requests(app)}

    for view in ("admin_users", "admin_domains", "admin_checks"):
        assert f"{view}.index_view" in endpoints
        assert f"{view}.action_view" in endpoints
        assert f"{view}.delete_view" in endpoints
        assert f"{view}.export" in endpoints
    assert "admin.index" in endpoints
    assert "admin_settings.thresholds" in endpoints


def test_anonymous_is_sent_to_login_everywhere(
    app: Flask, anonymous: Browser, accounts_: Accounts, container: Container
) -> None:
    for method, url, _ in admin_requests(app):
        response = send(anonymous, method, url, accounts_.user_id)

        assert response.status_code == 302, (method, url)
        location = urlsplit(response.headers["Location"])
        assert location.path == "/login", (method, url)
        assert parse_qs(location.query)["next"][0].startswith(url), (method, url)
    with container.uow() as uow:
        member = uow.users.get(accounts_.user_id)
        assert member is not None and member.is_active


def test_user_gets_403_everywhere(
    app: Flask, member: Browser, accounts_: Accounts, container: Container
) -> None:
    for method, url, _ in admin_requests(app):
        response = send(member, method, url, accounts_.admin_id)

        assert response.status_code == 403, (method, url)
    with container.uow() as uow:
        root = uow.users.get(accounts_.admin_id)
        assert root is not None and root.is_active


def test_admin_reaches_every_endpoint(
    app: Flask, admin: Browser, accounts_: Accounts
) -> None:
    for method, url, _ in admin_requests(app):
        response = send(admin, method, url, accounts_.user_id)

        # Anything but a rejection or a crash: some endpoints return 400 or
        # 404 for a request without their parameters.
        assert response.status_code not in (401, 403), (method, url)
        assert response.status_code < 500, (method, url)
        if response.status_code == 302:
            assert urlsplit(response.headers["Location"]).path != "/login"


def test_demoted_admin_loses_access_at_once(
    admin: Browser, accounts_: Accounts, container: Container
) -> None:
    assert admin.get("/admin/").status_code == 200
    admin_service.promote_user(container.uow(), None, accounts_.user_id)

    admin_service.demote_user(container.uow(), None, accounts_.admin_id)

    assert admin.get("/admin/").status_code == 403


def test_admin_post_without_csrf_token_is_rejected(
    admin: Browser, accounts_: Accounts, container: Container
) -> None:
    response = admin.client.post(
        "/admin/users/action/",
        data={"action": "deactivate", "rowid": str(accounts_.user_id)},
    )

    assert response.status_code == 400
    with container.uow() as uow:
        member = uow.users.get(accounts_.user_id)
        assert member is not None and member.is_active


def test_settings_post_without_csrf_token_is_rejected(
    admin: Browser, container: Container
) -> None:
    response = admin.client.post("/admin/settings/thresholds", data={"thresholds": "5"})

    assert response.status_code == 400
    assert settings.default_thresholds(container.uow()) != (5,)


@pytest.mark.parametrize(
    ("page_url", "post_url", "data"),
    [
        ("/admin/users/", "/admin/users/action/", {"action": "activate"}),
        ("/admin/domains/", "/admin/domains/action/", {"action": "check_now"}),
        ("/admin/settings/", "/admin/settings/thresholds", {"thresholds": "9"}),
    ],
)
def test_admin_forms_carry_working_csrf_token(
    admin: Browser,
    page_url: str,
    post_url: str,
    data: dict[str, str],
) -> None:
    token = csrf_token_of(admin.get(page_url).get_data(as_text=True))

    response = admin.client.post(post_url, data={"csrf_token": token, **data})

    assert response.status_code == 302


def test_navbar_shows_admin_link_to_admins_only(
    admin: Browser, member: Browser
) -> None:
    admin_page = admin.get("/", follow_redirects=True).get_data(as_text=True)
    member_page = member.get("/", follow_redirects=True).get_data(as_text=True)

    assert 'href="/admin/"' in admin_page
    assert 'href="/admin/"' not in member_page


@pytest.mark.parametrize("url", ["/admin/users/", "/admin/users/details/?id=1"])
def test_password_hash_is_never_shown(
    admin: Browser, accounts_: Accounts, container: Container, url: str
) -> None:
    with container.uow() as uow:
        user = uow.users.get(accounts_.admin_id)
        assert user is not None
        password_hash = user.password_hash

    page = admin.get(url).get_data(as_text=True)

    assert ADMIN_EMAIL in page
    assert password_hash not in page
    assert "password" not in page.lower()
