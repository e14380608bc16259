"""Editor and admin accounts: create, authenticate with throttling, sessions that can be ended,
passwords (strength rules, change, reset), roles, (de)activation.

Passwords are stored only as salted hashes (werkzeug's scrypt).

Login throttling (no hard lock): failed logins are counted per client address and per account
name (also for names that do not exist, so that the answers never tell them apart) in the table
`login_failure`, with an atomic `INSERT … ON CONFLICT DO UPDATE SET failures = failures + 1`, so
that parallel requests and several processes count every failure. Beyond a few free failures
each further attempt must wait twice as long as the one before (1, 2, 4 … seconds, at most
15 minutes). A slowed-down account still lets in its correct password from an address that has
no failures, so an anonymous visitor cannot lock an editor out. Every attempt, whatever its
outcome, runs exactly one password hash check (a dummy hash for unknown or inactive names).

Sessions: every account has a session generation; a session is valid only while it carries the
current one. Logout, deactivation, reactivation, a role change and a password change bump it,
which ends every session of the account."""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import cast

from sqlalchemy import Table, case, delete, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from kb.errors import Conflict, FieldError, NotFound, ValidationError
from kb.i18n import N_, _, translate
from kb.unit_of_work import UnitOfWork
from models import LoginFailure, User

ROLES = ("editor", "admin")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 12
MAX_PASSWORD = 1000  # one limit for setting a password and for logging in with it
MAX_DISPLAY_NAME = 100
MIN_DISTINCT_CHARACTERS = 5

# Throttling (see the module's docstring).
ADDRESS_FREE_FAILURES = 10  # failures from one address before its attempts are slowed down
ACCOUNT_FREE_FAILURES = 5  # failures on one account name before it is slowed down
MAX_DELAY = dt.timedelta(minutes=15)
FORGET_AFTER = dt.timedelta(hours=24)  # a counter without a failure for this long starts over
REFUSED = N_("Benutzername oder Passwort ist falsch.")
THROTTLED = N_(
    "Zu viele Fehlversuche. Bitte warten Sie %(seconds)s Sekunden und versuchen Sie es dann erneut."
)


# --- validation ---------------------------------------------------------------------------


def _roles_message() -> str:
    # Translators: the roles are codes (editor, admin) and stay as they are.
    return _("muss %(roles)s sein", roles=_(" oder ").join(ROLES))


@cache
def common_passwords() -> frozenset[str]:
    """The blocklist (kb/data/common_passwords.txt), normalised as by `_normalised`."""
    text = files("kb").joinpath("data/common_passwords.txt").read_text(encoding="utf-8")
    entries = [s for s in (line.strip() for line in text.splitlines()) if s and s[0] != "#"]
    return frozenset(_squeezed(e) for e in entries) | frozenset(_normalised(e) for e in entries)


def _squeezed(text: str) -> str:
    return "".join(text.casefold().split())


def _normalised(text: str) -> str:
    """Lower case, without white space and without trailing digits and punctuation:
    "Passwort 2024!" -> "passwort"."""
    return re.sub(r"[\W\d_]+$", "", _squeezed(text))


def password_problems(password: str, username: str = "", display_name: str = "") -> list[str]:
    """Why `password` is too weak (messages in the current language), or nothing. Rules: 12 to
    1000 characters, not only white space or digits, at least 5 different characters, not a
    common password (kb/data/common_passwords.txt, also with digits or punctuation appended)
    and not the user name or display name."""
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append(_("mindestens %(n)s Zeichen", n=MIN_PASSWORD))
    if len(password) > MAX_PASSWORD:
        problems.append(_("höchstens %(n)s Zeichen", n=MAX_PASSWORD))
    if not password.strip():
        problems.append(_("darf nicht nur aus Leerzeichen bestehen"))
        return problems
    if password.strip().isdigit():
        problems.append(_("darf nicht nur aus Ziffern bestehen"))
    elif len(set(password)) < MIN_DISTINCT_CHARACTERS:
        problems.append(
            _("braucht mindestens %(n)s verschiedene Zeichen", n=MIN_DISTINCT_CHARACTERS)
        )
    blocked = common_passwords()
    personal = {_normalised(n) for n in (username, display_name) if n.strip()}
    if _squeezed(password) in blocked or _normalised(password) in blocked:
        problems.append(_("ist ein häufig verwendetes Passwort"))
    elif _normalised(password) in personal or _squeezed(password) in personal:
        problems.append(_("darf nicht der Benutzername oder der Name sein"))
    return problems


def display_name_problems(name: str) -> list[str]:
    """Why `name` cannot be shown as an author: too long, or control, format (bidi overrides,
    zero-width characters) or unassigned characters."""
    problems = []
    if len(name) > MAX_DISPLAY_NAME:
        problems.append(_("höchstens %(n)s Zeichen", n=MAX_DISPLAY_NAME))
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for c in name):
        problems.append(_("darf keine Steuer- oder Richtungszeichen enthalten"))
    return problems


def _check_password(user: User, password: str) -> list[FieldError]:
    return [
        FieldError("password", p)
        for p in password_problems(password, user.username, user.display_name)
    ]


# --- accounts -----------------------------------------------------------------------------


def find_user(uow: UnitOfWork, username: str) -> User | None:
    return uow.session.scalars(select(User).where(User.username == username)).first()


def _get(uow: UnitOfWork, username: str) -> User:
    user = find_user(uow, username)
    if user is None:
        raise NotFound(_("Kein Benutzer '%(name)s'", name=username))
    return user


def add_user(
    uow: UnitOfWork, username: str, password: str, role: str, display_name: str = ""
) -> User:
    errors = []
    display_name = display_name.strip()
    if not USERNAME.match(username):
        errors.append(FieldError("name", _("2–64 Zeichen: Kleinbuchstaben, Ziffern, . _ -")))
    if role not in ROLES:
        errors.append(FieldError("role", _roles_message()))
    errors += [FieldError("display_name", p) for p in display_name_problems(display_name)]
    errors += [
        FieldError("password", p) for p in password_problems(password, username, display_name)
    ]
    if errors:
        raise ValidationError(errors)
    if find_user(uow, username) is not None:
        raise Conflict(_("Benutzer '%(name)s' existiert bereits", name=username))
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=generate_password_hash(password),
        role=role,
        session_generation=0,
    )
    uow.session.add(user)
    uow.session.flush()
    return user


def get_user(uow: UnitOfWork, user_id: int) -> User | None:
    return uow.session.get(User, user_id)


def list_users(uow: UnitOfWork) -> list[User]:
    return list(uow.session.scalars(select(User).order_by(User.username)))


def end_sessions(uow: UnitOfWork, user: User) -> int:
    """End every session of `user` (bump its generation atomically); the new generation."""
    uow.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(session_generation=User.session_generation + 1)
    )
    uow.session.refresh(user, ["session_generation"])
    return user.session_generation


def session_user(uow: UnitOfWork, user_id: object, generation: object) -> User | None:
    """The active user a session belongs to, if the session carries the current generation."""
    if not isinstance(user_id, int) or not isinstance(generation, int):
        return None
    user = get_user(uow, user_id)
    if user is None or not user.active or user.session_generation != generation:
        return None
    return user


def set_active(uow: UnitOfWork, username: str, active: bool) -> User:
    """(De)activate an account; either way its sessions end, so that reactivating it never
    revives a session from before."""
    user = _get(uow, username)
    if user.active != active:
        user.active = active
        uow.session.flush()
        end_sessions(uow, user)
    return user


def set_role(uow: UnitOfWork, username: str, role: str) -> User:
    user = _get(uow, username)
    if role not in ROLES:
        raise ValidationError([FieldError("role", _roles_message())])
    if user.role != role:
        user.role = role
        uow.session.flush()
        end_sessions(uow, user)
    return user


def set_password(uow: UnitOfWork, username: str, password: str) -> User:
    """Set a new password (an admin's reset, `kb user passwd`); every session of the account
    ends."""
    user = _get(uow, username)
    errors = _check_password(user, password)
    if errors:
        raise ValidationError(errors)
    user.password_hash = generate_password_hash(password)
    uow.session.flush()
    end_sessions(uow, user)
    return user


def change_password(uow: UnitOfWork, user: User, current: str, new: str, repeated: str) -> int:
    """A user changes their own password: the current one must be right. Every session ends;
    returns the new session generation (the caller re-issues its own session with it)."""
    errors = []
    if len(current) > MAX_PASSWORD or not check_password_hash(user.password_hash, current):
        errors.append(FieldError("current", _("das bisherige Passwort stimmt nicht")))
    if new != repeated:
        errors.append(FieldError("repeated", _("die beiden neuen Passwörter sind verschieden")))
    errors += _check_password(user, new)
    if errors:
        raise ValidationError(errors)
    user.password_hash = generate_password_hash(new)
    uow.session.flush()
    return end_sessions(uow, user)


# --- login --------------------------------------------------------------------------------

_DUMMY_HASH = generate_password_hash("not a password")


def authenticate(uow: UnitOfWork, username: str, password: str) -> User | None:
    """The active user with these credentials, or None (without throttling; one hash check
    whatever the name)."""
    user = find_user(uow, username)
    usable = user is not None and user.active and len(password) <= MAX_PASSWORD
    ok = check_password_hash(user.password_hash if usable and user else _DUMMY_HASH, password)
    return user if usable and ok else None


@dataclass(frozen=True)
class LoginAttempt:
    user: User | None  # None: refused
    message: str = (
        ""  # in the current language, for the login form; never says which part was wrong
    )
    retry_after: int = 0  # > 0: throttled, try again in this many seconds (HTTP 429)


def _delay(failures: int, free: int) -> dt.timedelta:
    if failures < free:
        return dt.timedelta(0)
    return min(dt.timedelta(seconds=2 ** min(failures - free, 30)), MAX_DELAY)


def _counter(uow: UnitOfWork, key: str, now: dt.datetime) -> tuple[int, dt.datetime | None]:
    row = uow.session.execute(
        select(LoginFailure.failures, LoginFailure.last_failure_at).where(LoginFailure.key == key)
    ).first()
    if row is None or row.last_failure_at < now - FORGET_AFTER:
        return 0, None
    return row.failures, row.last_failure_at


def failure_count(uow: UnitOfWork, key: str) -> int:
    """The recorded failures of a key ("addr:…", "user:…"), e.g. for tests and the admin page."""
    return uow.session.scalar(select(LoginFailure.failures).where(LoginFailure.key == key)) or 0


def _count_failure(uow: UnitOfWork, key: str, now: dt.datetime) -> None:
    """failures += 1 in one statement (an upsert on SQLite and PostgreSQL), so that parallel
    logins in any number of processes each count."""
    table = cast(Table, LoginFailure.__table__)
    stale = table.c.last_failure_at < now - FORGET_AFTER
    dialect = uow.session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]
        stmt = insert(table).values(key=key, failures=1, last_failure_at=now)
        uow.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "failures": case((stale, 1), else_=table.c.failures + 1),
                    "last_failure_at": now,
                },
            )
        )
        return
    # Other backends: an atomic UPDATE, and an INSERT when there was no row yet.
    changed = uow.session.execute(
        update(table)
        .where(table.c.key == key)
        .values(failures=case((stale, 1), else_=table.c.failures + 1), last_failure_at=now)
    )
    if getattr(changed, "rowcount", 1) == 0:
        try:
            with uow.session.begin_nested():
                uow.session.execute(table.insert().values(key=key, failures=1, last_failure_at=now))
        except IntegrityError:
            _count_failure(uow, key, now)


def attempt_login(
    uow: UnitOfWork,
    username: str,
    password: str,
    address: str = "",
    now: dt.datetime | None = None,
) -> LoginAttempt:
    """Check a login from the client `address` and record its outcome (the caller commits
    either way). Unknown, inactive and wrong give the same answer after the same work; a
    throttled attempt gets THROTTLED with the seconds to wait (see the module's docstring)."""
    now = now or dt.datetime.now(dt.UTC)
    name = username.strip().lower()[:100]
    address_key, account_key = f"addr:{address or '-'}"[:200], f"user:{name}"[:200]
    address_failures, address_last = _counter(uow, address_key, now)
    account_failures, account_last = _counter(uow, account_key, now)
    waits = [dt.timedelta(0)]
    if address_last is not None:
        waits.append(address_last + _delay(address_failures, ADDRESS_FREE_FAILURES) - now)
    address_wait = max(waits)
    account_wait = dt.timedelta(0)
    if account_last is not None:
        account_wait = account_last + _delay(account_failures, ACCOUNT_FREE_FAILURES) - now

    user = find_user(uow, name)
    usable = user is not None and user.active and len(password) <= MAX_PASSWORD
    stored = user.password_hash if usable and user is not None else _DUMMY_HASH
    correct = check_password_hash(stored, password[:MAX_PASSWORD]) and usable

    wait = dt.timedelta(0)
    if address_wait > dt.timedelta(0):
        wait = address_wait
    elif account_wait > dt.timedelta(0) and not (correct and address_failures == 0):
        # A slowed-down account still admits its right password from an address that has not
        # failed: failures elsewhere can delay guessing, never lock its owner out.
        wait = account_wait
    if correct and wait == dt.timedelta(0):
        assert user is not None
        uow.session.execute(
            delete(LoginFailure).where(LoginFailure.key.in_([address_key, account_key]))
        )
        return LoginAttempt(user)
    if not correct:
        _count_failure(uow, address_key, now)
        _count_failure(uow, account_key, now)
        if wait == dt.timedelta(0):
            return LoginAttempt(None, translate(REFUSED))
    seconds = max(1, int(-(-wait.total_seconds() // 1)))
    return LoginAttempt(None, _(THROTTLED, seconds=seconds), seconds)
