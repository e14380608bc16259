"""Editor and admin accounts: create, authenticate with throttling, list, (de)activate.
Passwords are stored only as salted hashes (werkzeug's scrypt)."""

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from kb.errors import Conflict, FieldError, NotFound, ValidationError
from kb.unit_of_work import UnitOfWork
from models import User

ROLES = ("editor", "admin")
MAX_FAILED_LOGINS = 5  # wrong passwords in a row before the account is locked for a while
LOCK_DURATION = dt.timedelta(minutes=15)
MIN_PASSWORD = 10
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def find_user(uow: UnitOfWork, username: str) -> User | None:
    return uow.session.scalars(select(User).where(User.username == username)).first()


def add_user(
    uow: UnitOfWork, username: str, password: str, role: str, display_name: str = ""
) -> User:
    errors = []
    if not USERNAME.match(username):
        errors.append(FieldError("name", "2–64 Zeichen: Kleinbuchstaben, Ziffern, . _ -"))
    if role not in ROLES:
        errors.append(FieldError("role", f"muss {' oder '.join(ROLES)} sein"))
    if len(password) < MIN_PASSWORD:
        errors.append(FieldError("password", f"mindestens {MIN_PASSWORD} Zeichen"))
    if errors:
        raise ValidationError(errors)
    if find_user(uow, username) is not None:
        raise Conflict(f"Benutzer '{username}' existiert bereits")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=generate_password_hash(password),
        role=role,
    )
    uow.session.add(user)
    uow.session.flush()
    return user


def authenticate(uow: UnitOfWork, username: str, password: str) -> User | None:
    """The active user with these credentials, or None. Timing does not reveal unknown names."""
    user = find_user(uow, username)
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


_DUMMY_HASH = generate_password_hash("not a password")


@dataclass(frozen=True)
class LoginAttempt:
    user: User | None  # None: refused
    message: str = ""  # German, for the login form; never says which part was wrong


def attempt_login(
    uow: UnitOfWork, username: str, password: str, now: dt.datetime | None = None
) -> LoginAttempt:
    """Check a login and record its outcome (the caller commits either way). After
    MAX_FAILED_LOGINS wrong passwords in a row the account refuses every login, right or wrong,
    for LOCK_DURATION: guessing costs hours instead of seconds."""
    now = now or dt.datetime.now(dt.UTC)
    refused = "Benutzername oder Passwort ist falsch."
    user = find_user(uow, username.strip().lower())
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        return LoginAttempt(None, refused)
    if user.locked_until is not None and user.locked_until > now:
        until = user.locked_until.astimezone(dt.UTC).strftime("%H:%M")
        return LoginAttempt(
            None, f"Zu viele Fehlversuche: Anmeldung erst wieder ab {until} Uhr (UTC) möglich."
        )
    if not check_password_hash(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.failed_logins, user.locked_until = 0, now + LOCK_DURATION
            minutes = int(LOCK_DURATION.total_seconds() // 60)
            return LoginAttempt(
                None, f"Zu viele Fehlversuche: das Konto ist für {minutes} Minuten gesperrt."
            )
        return LoginAttempt(None, refused)
    user.failed_logins, user.locked_until = 0, None
    return LoginAttempt(user)


def get_user(uow: UnitOfWork, user_id: int) -> User | None:
    return uow.session.get(User, user_id)


def list_users(uow: UnitOfWork) -> list[User]:
    return list(uow.session.scalars(select(User).order_by(User.username)))


def set_active(uow: UnitOfWork, username: str, active: bool) -> User:
    user = find_user(uow, username)
    if user is None:
        raise NotFound(f"Kein Benutzer '{username}'")
    user.active = active
    if active:
        user.failed_logins, user.locked_until = 0, None
    return user
