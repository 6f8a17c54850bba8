"""Jinja filters and globals: dates in Vietnam time, money the Vietnamese way, role navigation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from postal_hub.contracts.status import (
    PROCUREMENT_LABELS,
    STATEMENT_STATUS_LABELS,
    TASK_STATUS_LABELS,
    TASK_TYPE_LABELS,
    ProcurementMethod,
    StatementStatus,
    TaskStatus,
    TaskType,
)
from postal_hub.core.clock import to_local
from postal_hub.core.users.models import ROLE_LABELS, Role
from postal_hub.core.validators import format_phone


def format_vnd(amount: int | None) -> str:
    """1234567 -> '1.234.567 ₫' (dot thousands, as written in Vietnam)."""
    if amount is None:
        return ""
    return f"{amount:,}".replace(",", ".") + " ₫"


def format_datetime(moment: datetime | None, with_time: bool = True) -> str:
    if moment is None:
        return ""
    local = to_local(moment)
    return local.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")


# (endpoint, label, roles allowed); the menu shows a user only what their role may open.
NAV_ITEMS: list[tuple[str, Any, tuple[Role, ...]]] = [
    ("home.index", _l("Home"), tuple(Role)),
    ("intake.desk", _l("Counter"), (Role.POSTAL_CLERK, Role.POSTAL_MANAGER, Role.SYSTEM_ADMIN)),
    ("intake.catalogue", _l("Procedure catalogue"), tuple(Role)),
    ("intake.track_form", _l("Track a dossier"), tuple(Role)),
    (
        "handoff.manifests",
        _l("Manifests"),
        (
            Role.SYSTEM_ADMIN,
            Role.POSTAL_CLERK,
            Role.POSTAL_MANAGER,
            Role.POSTMAN,
            Role.UNIT_OFFICER,
            Role.AGENCY_SUPERVISOR,
        ),
    ),
    (
        "training.index",
        _l("Training"),
        (Role.SYSTEM_ADMIN, Role.TRAINER, Role.POSTAL_MANAGER, Role.POSTAL_CLERK, Role.POSTMAN),
    ),
    (
        "contracts.contracts",
        _l("Contracts"),
        (Role.SYSTEM_ADMIN, Role.AGENCY_SUPERVISOR, Role.UNIT_OFFICER, Role.POSTAL_MANAGER),
    ),
    (
        "contracts.tasks",
        _l("Tasks"),
        (
            Role.SYSTEM_ADMIN,
            Role.AGENCY_SUPERVISOR,
            Role.UNIT_OFFICER,
            Role.POSTAL_MANAGER,
            Role.POSTAL_CLERK,
            Role.POSTMAN,
        ),
    ),
    (
        "delivery.deliveries",
        _l("Results"),
        (
            Role.SYSTEM_ADMIN,
            Role.AGENCY_SUPERVISOR,
            Role.UNIT_OFFICER,
            Role.POSTAL_MANAGER,
            Role.POSTAL_CLERK,
        ),
    ),
    (
        "monitoring.dashboard",
        _l("Monitoring"),
        (Role.SYSTEM_ADMIN, Role.AGENCY_SUPERVISOR, Role.UNIT_OFFICER, Role.POSTAL_MANAGER),
    ),
    (
        "delivery.ratings_page",
        _l("Ratings"),
        (Role.SYSTEM_ADMIN, Role.AGENCY_SUPERVISOR, Role.UNIT_OFFICER, Role.POSTAL_MANAGER),
    ),
    (
        "delivery_remittance.remittance_page",
        _l("Remittance"),
        (Role.SYSTEM_ADMIN, Role.AGENCY_SUPERVISOR, Role.UNIT_OFFICER, Role.POSTAL_MANAGER),
    ),
    ("pickup.book_page", _l("Home pickup"), (Role.CITIZEN,)),
    ("pickup.dispatch", _l("Pickups"), (Role.SYSTEM_ADMIN, Role.POSTAL_MANAGER)),
    ("pickup.my_route", _l("My route"), (Role.POSTMAN,)),
    (
        "webhooks.endpoints",
        _l("API and webhooks"),
        (Role.SYSTEM_ADMIN, Role.UNIT_OFFICER, Role.POSTAL_MANAGER),
    ),
    ("admin.organizations", _l("Organizations"), (Role.SYSTEM_ADMIN,)),
    ("admin.units", _l("One-stop units"), (Role.SYSTEM_ADMIN,)),
    ("admin.offices", _l("Post offices"), (Role.SYSTEM_ADMIN, Role.POSTAL_MANAGER)),
    ("admin.procedures", _l("Procedures"), (Role.SYSTEM_ADMIN,)),
    ("admin.users", _l("Users"), (Role.SYSTEM_ADMIN, Role.POSTAL_MANAGER)),
]


PUBLIC_NAV = ("intake.catalogue", "pickup.book_page", "intake.track_form")


def navigation() -> list[dict[str, Any]]:
    if not current_user.is_authenticated:
        public = [(e, label) for e, label, _roles in NAV_ITEMS if e in PUBLIC_NAV]
        return [_nav_item(e, label) for e, label in public]
    return [
        _nav_item(endpoint, label) for endpoint, label, roles in NAV_ITEMS if current_user.has_role(*roles)
    ]


def _nav_item(endpoint: str, label: Any) -> dict[str, Any]:
    # "admin.offices" is also active on "admin.office_edit" and the like.
    active = (request.endpoint or "").startswith(endpoint.rstrip("s"))
    return {"url": url_for(endpoint), "label": label, "active": active}


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["vnd"] = format_vnd
    app.jinja_env.filters["dt"] = format_datetime
    app.jinja_env.filters["date"] = lambda m: format_datetime(m, with_time=False)
    app.jinja_env.filters["phone"] = lambda p: format_phone(p) if p else ""
    app.jinja_env.filters["role_label"] = lambda r: str(ROLE_LABELS.get(Role(r), r)) if r else ""
    app.jinja_env.filters["month_value"] = lambda m: to_local(m).strftime("%Y-%m") if m else ""
    app.jinja_env.globals["navigation"] = navigation
    app.jinja_env.globals["task_label"] = lambda v: str(TASK_TYPE_LABELS[TaskType(v)])
    app.jinja_env.globals["task_status_label"] = lambda v: str(TASK_STATUS_LABELS[TaskStatus(v)])
    app.jinja_env.globals["statement_status_label"] = lambda v: str(
        STATEMENT_STATUS_LABELS[StatementStatus(v)]
    )
    app.jinja_env.globals["procurement_label"] = lambda v: str(PROCUREMENT_LABELS[ProcurementMethod(v)])
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "vi")
