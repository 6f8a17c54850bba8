"""Creating and changing users: role, organization and office must agree."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from postal_hub.core import audit, validators
from postal_hub.core.errors import PermissionDenied
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.permissions import is_admin, require_user_manager
from postal_hub.core.text import fold
from postal_hub.core.users.models import POSTAL_ROLES, ROLE_ORG_KINDS, Role, User
from postal_hub.core.validation import FieldErrors

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200


@dataclass
class UserInput:
    username: str
    full_name: str
    role: str
    organization_id: int | None = None
    post_office_id: int | None = None
    email: str | None = None
    phone: str | None = None
    password: str | None = None
    active: bool = True


def hash_password(password: str, method: str = "scrypt") -> str:
    return generate_password_hash(password, method=method)


def _check_password(errors: FieldErrors, password: str | None, required: bool) -> None:
    if not password:
        if required:
            errors.add("password", _l("Set a password for the new account."))
        return
    if len(password) > MAX_PASSWORD_LENGTH:
        errors.add("password", _l("At most %(n)d characters.", n=MAX_PASSWORD_LENGTH))
    elif len(password) < MIN_PASSWORD_LENGTH:
        errors.add("password", _l("A password has at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    elif len(set(password)) < 4:
        errors.add("password", _l("This password is too easy to guess."))


def _check_actor(actor: User | None, data: UserInput, user: User | None) -> None:
    if actor is None or is_admin(actor):
        return
    require_user_manager(actor)
    # A postal manager runs their own office staff: postal roles, their own organization only.
    if data.role not in {r.value for r in POSTAL_ROLES} or data.organization_id != actor.organization_id:
        raise PermissionDenied(str(_l("You may only manage postal staff of your own organization.")))
    if user is not None and (
        user.organization_id != actor.organization_id or not user.has_role(*POSTAL_ROLES)
    ):
        raise PermissionDenied(str(_l("You may only manage postal staff of your own organization.")))


def save_user(
    session: Session,
    actor: User | None,
    data: UserInput,
    user: User | None = None,
    password_method: str = "scrypt",  # noqa: S107 - a hashing method name, not a password
) -> User:
    _check_actor(actor, data, user)
    errors = FieldErrors()
    username = (data.username or "").strip().lower()
    if not _USERNAME.match(username):
        errors.add("username", _l("3 to 64 characters: lower-case letters, digits, '.', '_' or '-'."))
    full_name = errors.require("full_name", data.full_name)
    email = errors.email("email", data.email)
    phone = errors.check("phone", validators.mobile_phone, data.phone) if data.phone else None
    try:
        role = Role(data.role)
    except ValueError:
        errors.add("role", _l("Choose a role."))
        role = None
    org = session.get(Organization, data.organization_id) if data.organization_id else None
    if role is not None:
        kinds = ROLE_ORG_KINDS[role]
        if kinds is None and org is not None:
            errors.add("organization_id", _l("A citizen account belongs to no organization."))
        elif kinds is not None and (
            (org is None and role != Role.SYSTEM_ADMIN)  # an administrator may belong to no organization
            or (org is not None and org.kind not in kinds)
        ):
            errors.add("organization_id", _l("This role needs an organization of the right kind."))
    office_id = data.post_office_id
    if office_id is not None:
        office = session.get(PostOffice, office_id)
        if role not in POSTAL_ROLES:
            errors.add("post_office_id", _l("Only postal staff work at a post office."))
        elif office is None or org is None or office.operator_id != org.id:
            errors.add("post_office_id", _l("The post office must belong to the user's organization."))
    _check_password(errors, data.password, required=user is None)
    if actor is not None and user is not None and user.id == actor.id and not data.active:
        errors.add("active", _l("You cannot deactivate your own account."))
    if username and "username" not in errors.errors:
        clash = session.scalar(sa.select(User.id).where(User.username == username))
        if clash is not None and (user is None or clash != user.id):
            errors.add("username", _l("This username is taken."))
    errors.raise_if_any()
    if user is None:
        user = User()
        session.add(user)
    user.username = username
    user.full_name = full_name
    user.search_key = fold(f"{username} {full_name}")
    user.email = email
    user.phone = phone
    user.role = role.value if role else ""
    user.organization_id = org.id if org else None
    user.post_office_id = office_id
    user.active = data.active
    if data.password:
        user.password_hash = hash_password(data.password, password_method)
    session.flush()
    audit.record(
        session,
        actor.id if actor else None,
        "user.saved",
        "user",
        user.id,
        {
            "username": username,
            "role": user.role,
            "organization_id": user.organization_id,
            "active": user.active,
            "password_changed": bool(data.password),
        },
    )
    return user
