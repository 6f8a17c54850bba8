"""Who may manage what, and the one scoping helper per kind of record (house rule 4).

Unknown and not-yours must look the same to the caller, so the getters raise NotFound for both.
"""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from postal_hub.core.errors import PermissionDenied
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.users.models import POSTAL_ROLES, Role, User

S = TypeVar("S", bound=sa.Select[Any])


def is_admin(actor: User) -> bool:
    return actor.has_role(Role.SYSTEM_ADMIN)


def require_admin(actor: User) -> None:
    if not is_admin(actor):
        raise PermissionDenied(str(_l("Only a system administrator may do this.")))


def can_manage_offices(actor: User) -> bool:
    return is_admin(actor) or actor.has_role(Role.POSTAL_MANAGER)


def can_manage_users(actor: User) -> bool:
    return is_admin(actor) or actor.has_role(Role.POSTAL_MANAGER)


def require_office_manager(actor: User) -> None:
    if not can_manage_offices(actor):
        raise PermissionDenied(str(_l("Only a system administrator or a postal manager may manage offices.")))


def require_user_manager(actor: User) -> None:
    if not can_manage_users(actor):
        raise PermissionDenied(str(_l("Only a system administrator or a postal manager may manage users.")))


def scope_offices(actor: User, stmt: S) -> S:
    """Administrators see every office; a postal manager sees their own operator's offices."""
    if is_admin(actor):
        return stmt
    if actor.has_role(Role.POSTAL_MANAGER) and actor.organization_id is not None:
        return stmt.where(PostOffice.operator_id == actor.organization_id)
    return stmt.where(sa.false())


def scope_users(actor: User, stmt: S) -> S:
    """Administrators see every user; a postal manager sees the postal staff of their organization."""
    if is_admin(actor):
        return stmt
    if actor.has_role(Role.POSTAL_MANAGER) and actor.organization_id is not None:
        return stmt.where(
            User.organization_id == actor.organization_id,
            User.role.in_([r.value for r in POSTAL_ROLES]),
        )
    return stmt.where(sa.false())


def scope_organizations(actor: User, stmt: S) -> S:
    if is_admin(actor):
        return stmt
    if actor.organization_id is not None:
        return stmt.where(Organization.id == actor.organization_id)
    return stmt.where(sa.false())
