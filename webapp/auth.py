"""Accounts on the web: login and logout, the current user, the `editor_required` and
`admin_required` guards for every write URL, CSRF protection (Flask-WTF's CSRFProtect, not
hand-rolled), session cookies (HttpOnly, SameSite=Lax, Secure whenever the request came over
HTTPS), and the admins' page to create and deactivate editors."""

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import (
    Blueprint,
    Flask,
    Request,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect

from kb.errors import Conflict, ValidationError
from kb.users import ROLES, add_user, attempt_login, get_user, list_users, set_active
from webapp.context import uow
from webapp.params import safe_next

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()
SESSION_LIFETIME = dt.timedelta(hours=12)
# A form's CSRF token is refused once it is older than this (counted from when the page was
# shown): as long as an idle session lives, so that a note written over a working day can still
# be saved, while a token copied from an old page or tab stops working.
CSRF_TOKEN_LIFETIME = SESSION_LIFETIME
# Flask-WTF's reasons in German, for the page that gives back what was typed.
CSRF_REASONS = {
    "The CSRF token is missing.": "Dem Formular fehlt der Sicherheits-Token.",
    "The CSRF session token is missing.": "Die Sitzung ist abgelaufen oder wurde beendet.",
    "The CSRF token has expired.": "Das Formular wurde vor mehr als "
    f"{CSRF_TOKEN_LIFETIME.total_seconds() / 3600:g} Stunden geöffnet; sein Sicherheits-Token "
    "ist abgelaufen.",
    "The CSRF token is invalid.": "Der Sicherheits-Token ist ungültig.",
    "The CSRF tokens do not match.": "Der Sicherheits-Token gehört zu einer anderen Sitzung.",
}
F = TypeVar("F", bound=Callable[..., Any])


class SessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure whenever the request itself came over HTTPS (behind a
    proxy: with KB_BEHIND_PROXY=1, which trusts X-Forwarded-Proto), so one deployment serves
    both local HTTP and public HTTPS correctly."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def current_user() -> Any:
    """The logged-in, active user of this request, or None."""
    if "user" not in g:
        user_id = session.get("user_id")
        user = get_user(uow(), user_id) if isinstance(user_id, int) else None
        g.user = user if user is not None and user.active else None
    return g.user


def _guard(role: str) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                # Nothing is written: the request goes to the login and comes back after it.
                target = request.full_path if request.method == "GET" else request.path
                flash("Bitte melden Sie sich an, um Inhalte zu bearbeiten.")
                return redirect(url_for("auth.login", next=target.rstrip("?")))
            if role == "admin" and user.role != "admin":
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


editor_required = _guard("editor")
admin_required = _guard("admin")


def form_values(req: Request) -> dict[str, str]:
    """What the user typed (without secrets), to give it back when a form cannot be saved."""
    return {k: v for k, v in req.form.items() if k not in ("csrf_token", "password") and v.strip()}


def install(app: Flask) -> None:
    app.config.setdefault("SESSION_COOKIE_SECURE", False)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        WTF_CSRF_TIME_LIMIT=int(CSRF_TOKEN_LIFETIME.total_seconds()),
    )
    app.session_interface = SessionInterface()
    csrf.init_app(app)
    app.jinja_env.globals["current_user"] = current_user

    @app.errorhandler(CSRFError)
    def csrf_failed(exc: CSRFError) -> Any:
        # Nothing is saved, but nothing is lost either: the page gives back what was typed.
        return (
            render_template(
                "auth/csrf_error.html",
                reason=CSRF_REASONS.get(exc.description or "", exc.description),
                values=form_values(request),
            ),
            400,
        )


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    target = safe_next(request.values.get("next"), "/")
    if request.method == "GET":
        return render_template("auth/login.html", next=target, username="", message="")
    username = request.form.get("username", "")[:100]
    unit = uow()
    attempt = attempt_login(unit, username, request.form.get("password", "")[:1000])
    unit.commit()  # the failed-login counter, or its reset
    if attempt.user is None:
        page = render_template(
            "auth/login.html", next=target, username=username, message=attempt.message
        )
        return page, 401
    session.clear()  # a new session on login: no fixation of an old one
    session["user_id"] = attempt.user.id
    session.permanent = True
    flash(f"Angemeldet als {attempt.user.display_name or attempt.user.username}.")
    return redirect(target)


@bp.post("/logout")
def logout() -> Any:
    session.clear()
    flash("Sie sind abgemeldet.")
    return redirect("/")


@bp.get("/admin/users")
@admin_required
def users() -> str:
    return render_template("auth/users.html", users=list_users(uow()), roles=ROLES, errors=[])


@bp.post("/admin/users")
@admin_required
def create_user() -> Any:
    unit = uow()
    form = request.form
    try:
        add_user(
            unit,
            form.get("username", "").strip(),
            form.get("password", ""),
            form.get("role", "editor"),
            form.get("display_name", "").strip(),
        )
    except (ValidationError, Conflict) as exc:
        unit.rollback()
        errors = [str(e) for e in exc.errors] if isinstance(exc, ValidationError) else [str(exc)]
        page = render_template(
            "auth/users.html",
            users=list_users(unit),
            roles=ROLES,
            errors=errors,
            values=form_values(request),
        )
        return page, 400
    unit.commit()
    flash(f"Konto „{form.get('username', '').strip()}“ angelegt.")
    return redirect(url_for("auth.users"))


@bp.post("/admin/users/<username>/active")
@admin_required
def toggle_active(username: str) -> Any:
    unit = uow()
    active = request.form.get("active") == "1"
    if not active and current_user().username == username:
        flash("Das eigene Konto kann nicht deaktiviert werden.")
        return redirect(url_for("auth.users"))
    set_active(unit, username, active)
    unit.commit()
    flash(f"Konto „{username}“ {'aktiviert' if active else 'deaktiviert'}.")
    return redirect(url_for("auth.users"))
