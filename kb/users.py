"""Editor and admin accounts: create, authenticate. Passwords are stored only as salted hashes."""

import re

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from kb.errors import Conflict, FieldError, ValidationError
from kb.unit_of_work import UnitOfWork
from models import User

ROLES = ("editor", "admin")
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
