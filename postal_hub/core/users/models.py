"""Users with one role each, their organization, sign-in failures and API keys."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from postal_hub.core.clock import utcnow
from postal_hub.core.orgs.models import Organization, OrgKind, PostOffice
from postal_hub.db import Base, UTCDateTime, enum_check


class Role(StrEnum):
    CITIZEN = "citizen"
    POSTAL_CLERK = "postal_clerk"
    POSTMAN = "postman"
    POSTAL_MANAGER = "postal_manager"
    UNIT_OFFICER = "unit_officer"
    AGENCY_SUPERVISOR = "agency_supervisor"
    TRAINER = "trainer"
    SYSTEM_ADMIN = "system_admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.CITIZEN: _l("Citizen"),
    Role.POSTAL_CLERK: _l("Postal clerk"),
    Role.POSTMAN: _l("Postman"),
    Role.POSTAL_MANAGER: _l("Postal manager"),
    Role.UNIT_OFFICER: _l("One-stop unit officer"),
    Role.AGENCY_SUPERVISOR: _l("Agency supervisor"),
    Role.TRAINER: _l("Trainer"),
    Role.SYSTEM_ADMIN: _l("System administrator"),
}

# Which kind of organization each staff role belongs to; None means no organization.
ROLE_ORG_KINDS: dict[Role, tuple[OrgKind, ...] | None] = {
    Role.CITIZEN: None,
    Role.POSTAL_CLERK: (OrgKind.POSTAL_OPERATOR,),
    Role.POSTMAN: (OrgKind.POSTAL_OPERATOR,),
    Role.POSTAL_MANAGER: (OrgKind.POSTAL_OPERATOR,),
    Role.UNIT_OFFICER: (OrgKind.ONE_STOP_UNIT,),
    Role.AGENCY_SUPERVISOR: (OrgKind.AGENCY, OrgKind.ONE_STOP_UNIT),
    Role.TRAINER: (OrgKind.POSTAL_OPERATOR, OrgKind.ONE_STOP_UNIT, OrgKind.AGENCY),
    Role.SYSTEM_ADMIN: (OrgKind.POSTAL_OPERATOR, OrgKind.AGENCY, OrgKind.ONE_STOP_UNIT),
}

POSTAL_ROLES = (Role.POSTAL_CLERK, Role.POSTMAN, Role.POSTAL_MANAGER)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (enum_check("role", Role),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(255))
    search_key: Mapped[str] = mapped_column(sa.String(400), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(255))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(30), index=True)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    post_office_id: Mapped[int | None] = mapped_column(sa.ForeignKey("post_offices.id"), index=True)
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization | None] = relationship()
    post_office: Mapped[PostOffice | None] = relationship()

    # Flask-Login's protocol, written out so the active flag is the one that counts.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def has_role(self, *roles: Role) -> bool:
        return self.role in {r.value for r in roles}


class SignInFailure(Base):
    """One failed sign-in, kept for a while to throttle guessing per account and per address."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    username_key: Mapped[str] = mapped_column(sa.String(64), index=True)
    ip: Mapped[str] = mapped_column(sa.String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class ApiKey(Base):
    """An organization's API key. Only a SHA-256 of the key is stored; the key is shown once."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    prefix: Mapped[str] = mapped_column(sa.String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None
