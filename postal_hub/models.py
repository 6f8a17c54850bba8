"""Imports every model so SQLAlchemy's metadata (Alembic, tests) knows the whole schema."""

from postal_hub.core.audit import AuditEntry
from postal_hub.core.orgs.models import Organization, PostOffice
from postal_hub.core.places.models import Commune, Province
from postal_hub.core.procedures.models import Procedure, ProcedureComponent
from postal_hub.core.users.models import ApiKey, SignInFailure, User
from postal_hub.db import Base

__all__ = [
    "ApiKey",
    "AuditEntry",
    "Base",
    "Commune",
    "Organization",
    "PostOffice",
    "Procedure",
    "ProcedureComponent",
    "Province",
    "SignInFailure",
    "User",
]
