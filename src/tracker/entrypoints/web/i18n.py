"""Interface languages: choosing one per request, and the navbar switcher."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, request, session
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.entrypoints.web.extensions import container
from tracker.entrypoints.web.redirects import local_target
from tracker.services import accounts

DEFAULT_LANGUAGE = "en"
# Language code -> its name in that language, as the switcher shows it.
LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский"}
_SESSION_KEY = "language"

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    """Pick the language: the user's stored choice, the guest's, or the browser's."""
    if current_user.is_authenticated and current_user.language in LANGUAGES:
        return str(current_user.language)
    chosen = session.get(_SESSION_KEY)
    if chosen in LANGUAGES:
        return str(chosen)
    best = request.accept_languages.best_match(list(LANGUAGES))
    return best or DEFAULT_LANGUAGE


def guest_language() -> str:
    """Return the language a new account starts with: the one the guest used."""
    return select_locale()


@bp.post("/language")
def switch_language() -> Response:
    """Store the chosen language for the user, or in the session for a guest."""
    language = request.form.get("language", "")
    if language in LANGUAGES:
        session[_SESSION_KEY] = language
        if current_user.is_authenticated:
            accounts.set_language(container().uow(), current_user.id, language)
            current_user.language = language
    return redirect(local_target(request.form.get("next"), "/"))


def init_templates(app: Flask) -> None:
    @app.context_processor
    def language_choices() -> dict[str, object]:
        locale = get_locale()
        current = locale.language if locale is not None else DEFAULT_LANGUAGE
        return {"languages": LANGUAGES, "current_language": current}
