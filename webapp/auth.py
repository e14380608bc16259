"""Accounts on the web: login and logout, the current user, the `editor_required` and
`admin_required` guards for every write URL, CSRF protection (Flask-WTF's CSRFProtect, not
hand-rolled), session cookies (HttpOnly, SameSite=Lax, Secure whenever the request came over
HTTPS) that end on logout and expire 12 hours after login whatever happens meanwhile, the
page to change one's password, and the admins' page to create editors, change their role, reset
their password and deactivate them."""

import datetime as dt
import time
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
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf.csrf import CSRFError, CSRFProtect

from kb.editorial.users import (
    MAX_PASSWORD,
    MIN_PASSWORD,
    ROLES,
    add_user,
    attempt_login,
    change_password,
    end_sessions,
    list_users,
    session_user,
    set_active,
    set_password,
    set_role,
)
from kb.errors import Conflict, ValidationError
from webapp.context import uow
from webapp.params import safe_next

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()
# A session ends this long after the login, however busy it was (the cookie's own expiry
# would slide with every request), and at once on logout: see `current_user`.
SESSION_LIFETIME = dt.timedelta(hours=12)
# A form's CSRF token is refused once it is older than this (counted from when the page was
# shown): as long as an idle session lives, so that a note written over a working day can still
# be saved, while a token copied from an old page or tab stops working.
CSRF_TOKEN_LIFETIME = SESSION_LIFETIME
CSRF_TOKEN_HOURS = f"{CSRF_TOKEN_LIFETIME.total_seconds() / 3600:g}"
# Flask-WTF's reasons in the page's language, for the page that gives back what was typed.
CSRF_REASONS = {
    "The CSRF token is missing.": lazy_gettext("Dem Formular fehlt der Sicherheits-Token."),
    "The CSRF session token is missing.": lazy_gettext(
        "Die Sitzung ist abgelaufen oder wurde beendet."
    ),
    "The CSRF token has expired.": lazy_gettext(
        "Das Formular wurde vor mehr als %(hours)s Stunden geöffnet; sein Sicherheits-Token "
        "ist abgelaufen.",
        hours=CSRF_TOKEN_HOURS,
    ),
    "The CSRF token is invalid.": lazy_gettext("Der Sicherheits-Token ist ungültig."),
    "The CSRF tokens do not match.": lazy_gettext(
        "Der Sicherheits-Token gehört zu einer anderen Sitzung."
    ),
}
F = TypeVar("F", bound=Callable[..., Any])


class SessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure whenever the request itself came over HTTPS (behind a
    proxy: with KB_BEHIND_PROXY=1, which trusts X-Forwarded-Proto), so one deployment serves
    both local HTTP and public HTTPS correctly."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def current_user() -> Any:
    """The logged-in, active user of this request, or None. A session counts only while it
    carries the account's current session generation (kb.editorial.users: bumped on logout,
    deactivation, role and password change) and is younger than SESSION_LIFETIME, counted from
    the login: a copied cookie dies with the session it was copied from."""
    if "user" not in g:
        since = session.get("since")
        fresh = (
            isinstance(since, int) and 0 <= time.time() - since < SESSION_LIFETIME.total_seconds()
        )
        user = session_user(uow(), session.get("user_id"), session.get("gen")) if fresh else None
        g.user = user
    return g.user


def _start_session(user: Any) -> None:
    session.clear()  # a new session on login: no fixation of an old one
    session["user_id"] = user.id
    session["gen"] = user.session_generation
    session["since"] = int(time.time())
    session.permanent = True
    g.user = user


def _guard(role: str) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                # Nothing is written: the request goes to the login and comes back after it.
                # The script root keeps the page's language prefix (/en) for the way back.
                target = request.full_path if request.method == "GET" else request.path
                target = request.script_root + target
                flash(_("Bitte melden Sie sich an, um Inhalte zu bearbeiten."))
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
                reason=str(CSRF_REASONS.get(exc.description or "", exc.description)),
                values=form_values(request),
            ),
            400,
        )


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    target = safe_next(request.values.get("next"), url_for("pages.start"))
    if request.method == "GET":
        return render_template("auth/login.html", next=target, username="", message="")
    username = request.form.get("username", "")[:100]
    unit = uow()
    # The whole password goes to kb, which refuses one longer than MAX_PASSWORD (the same
    # limit as for setting it) after the same work as any wrong one.
    attempt = attempt_login(
        unit, username, request.form.get("password", ""), request.remote_addr or ""
    )
    unit.commit()  # the failed-login counters, or their reset
    if attempt.user is None:
        page = render_template(
            "auth/login.html", next=target, username=username, message=attempt.message
        )
        if attempt.retry_after:
            return page, 429, {"Retry-After": str(attempt.retry_after)}
        return page, 401
    _start_session(attempt.user)
    flash(_("Angemeldet als %(name)s.", name=attempt.user.display_name or attempt.user.username))
    return redirect(target)


@bp.post("/logout")
def logout() -> Any:
    """Ends every session of the account, on every device (its session generation is bumped):
    a cookie copied before does not work afterwards."""
    user = current_user()
    if user is not None:
        unit = uow()
        end_sessions(unit, user)
        unit.commit()
    session.clear()
    flash(_("Sie sind abgemeldet (auf allen Geräten)."))
    return redirect(url_for("pages.start"))


@bp.route("/account/password", methods=["GET", "POST"])
@editor_required
def own_password() -> Any:
    user = current_user()
    if request.method == "GET":
        return render_template("auth/password.html", errors=[], min_password=MIN_PASSWORD)
    unit = uow()
    form = request.form
    try:
        change_password(
            unit, user, form.get("current", ""), form.get("new", ""), form.get("repeated", "")
        )
    except ValidationError as exc:
        unit.rollback()
        errors = [str(e) for e in exc.errors]
        page = render_template("auth/password.html", errors=errors, min_password=MIN_PASSWORD)
        return page, 400
    unit.commit()
    _start_session(user)  # this session goes on under the new generation; all others end
    flash(_("Passwort geändert. Alle anderen Sitzungen dieses Kontos sind beendet."))
    return redirect(url_for("pages.start"))


@bp.get("/admin/users")
@admin_required
def users() -> str:
    return _users_page([])


def _users_page(errors: list[str], **extra: Any) -> str:
    return render_template(
        "auth/users.html",
        users=list_users(uow()),
        roles=ROLES,
        errors=errors,
        min_password=MIN_PASSWORD,
        max_password=MAX_PASSWORD,
        **extra,
    )


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
        return _users_page(errors, values=form_values(request)), 400
    unit.commit()
    flash(_("Konto „%(name)s“ angelegt.", name=form.get("username", "").strip()))
    return redirect(url_for("auth.users"))


@bp.post("/admin/users/<username>/active")
@admin_required
def toggle_active(username: str) -> Any:
    unit = uow()
    active = request.form.get("active") == "1"
    if not active and current_user().username == username:
        flash(_("Das eigene Konto kann nicht deaktiviert werden."))
        return redirect(url_for("auth.users"))
    set_active(unit, username, active)
    unit.commit()
    flash(
        _("Konto „%(name)s“ aktiviert.", name=username)
        if active
        else _("Konto „%(name)s“ deaktiviert.", name=username)
    )
    return redirect(url_for("auth.users"))


@bp.post("/admin/users/<username>/role")
@admin_required
def change_role(username: str) -> Any:
    unit = uow()
    role = request.form.get("role", "")
    if current_user().username == username:
        flash(_("Die eigene Rolle kann nicht geändert werden."))
        return redirect(url_for("auth.users"))
    try:
        set_role(unit, username, role)
    except ValidationError as exc:
        unit.rollback()
        return _users_page([str(e) for e in exc.errors]), 400
    unit.commit()
    flash(_("Rolle von „%(name)s“ geändert; seine Sitzungen sind beendet.", name=username))
    return redirect(url_for("auth.users"))


@bp.post("/admin/users/<username>/password")
@admin_required
def reset_password(username: str) -> Any:
    """An admin sets a new password (to pass on to its owner); every session of the account
    ends. An admin's own session survives a reset of its own password."""
    unit = uow()
    try:
        user = set_password(unit, username, request.form.get("password", ""))
    except ValidationError as exc:
        unit.rollback()
        return _users_page([f"{username}: {e}" for e in exc.errors]), 400
    unit.commit()
    if user.id == current_user().id:
        _start_session(user)
    flash(_("Neues Passwort für „%(name)s“ gesetzt; seine Sitzungen sind beendet.", name=username))
    return redirect(url_for("auth.users"))
