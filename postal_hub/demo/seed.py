"""Loading the demo data, idempotently: a second run finds everything in place and changes nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.csv_import import import_post_offices, import_procedures
from postal_hub.core.files import FileStore
from postal_hub.core.orgs.models import Organization, OrgKind, PostOffice
from postal_hub.core.orgs.services import OrganizationInput, save_organization
from postal_hub.core.places.services import sync_places
from postal_hub.core.users import api_keys
from postal_hub.core.users.models import ApiKey, Role, User
from postal_hub.core.users.services import UserInput, save_user
from postal_hub.demo.contracts import seed_contracts
from postal_hub.demo.deliveries import seed_deliveries
from postal_hub.demo.dossiers import seed_dossiers
from postal_hub.demo.history import seed_history
from postal_hub.demo.manifests import seed_manifests
from postal_hub.demo.pickups import seed_pickups, seed_schedules
from postal_hub.demo.training import seed_groups, seed_training
from postal_hub.monitoring.refresh import refresh

DATA = Path(__file__).resolve().parent / "data"
OPERATOR_CODE = "VNPOST"
DEMO_PASSWORD = "postalhub-demo"  # noqa: S105 - printed by seed-demo; demo installations only


@dataclass
class SeedReport:
    users: list[tuple[str, str, str]] = field(default_factory=list)  # (role label, username, password)
    api_keys: list[tuple[str, str, str]] = field(default_factory=list)  # (org code, org name, key)
    dossiers: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


# (username, full name, role, organization code, office code)
DEMO_USERS = [
    ("admin", "Quản trị hệ thống", Role.SYSTEM_ADMIN, None, None),
    ("clerk", "Nguyễn Thị Lan", Role.POSTAL_CLERK, OPERATOR_CODE, "100000"),
    ("postman", "Trần Văn Hùng", Role.POSTMAN, OPERATOR_CODE, "100000"),
    ("manager", "Lê Minh Tuấn", Role.POSTAL_MANAGER, OPERATOR_CODE, "100000"),
    ("officer", "Phạm Thu Hà", Role.UNIT_OFFICER, "000.00.01.H26", None),
    ("supervisor", "Đỗ Quang Vinh", Role.AGENCY_SUPERVISOR, "000.00.00.H26", None),
    ("trainer", "Vũ Thị Mai", Role.TRAINER, OPERATOR_CODE, None),
    ("citizen", "Hoàng Văn An", Role.CITIZEN, None, None),
]


def _org(session: Session, code: str) -> Organization | None:
    return session.scalar(sa.select(Organization).where(Organization.code == code))


def _ensure_org(session: Session, data: OrganizationInput) -> Organization:
    existing = _org(session, data.code)
    return existing if existing is not None else save_organization(session, None, data)


def demo_api_key_secret(secret_key: str, org_code: str) -> str:
    """Demo keys are derived from the installation's secret, so a re-run can print them again."""
    return hmac.new(secret_key.encode(), f"demo-api-key:{org_code}".encode(), hashlib.sha256).hexdigest()


def seed_demo(
    session: Session,
    secret_key: str,
    now: datetime,
    store: FileStore | None = None,
    base_url: str = "http://127.0.0.1:5000",
) -> SeedReport:
    report = SeedReport()
    sync_places(session)
    operator = _ensure_org(
        session,
        OrganizationInput(
            kind=OrgKind.POSTAL_OPERATOR,
            code=OPERATOR_CODE,
            name="Tổng công ty Bưu điện Việt Nam (VNPost)",
            tax_code="0102595740",
            province_code="01",
            commune_code="00592",
            address="Số 5 Phạm Hùng, Phường Từ Liêm, Thành phố Hà Nội",
            phone="02437689346",
            email="cskh@vnpost.vn",
        ),
    )
    for unit in json.loads((DATA / "units.json").read_text(encoding="utf-8")):
        level = unit["level"]
        agency = _ensure_org(
            session,
            OrganizationInput(
                kind=OrgKind.AGENCY,
                code=unit["agency_code"],
                name=unit["agency_name"],
                level=level,
                province_code=unit["province_code"],
                commune_code=unit["commune_code"],
                address=unit["address"],
            ),
        )
        _ensure_org(
            session,
            OrganizationInput(
                kind=OrgKind.ONE_STOP_UNIT,
                code=unit["code"],
                name=unit["name"],
                level=level,
                parent_id=agency.id,
                province_code=unit["province_code"],
                commune_code=unit["commune_code"],
                address=unit["address"],
                lat=unit["lat"],
                lon=unit["lon"],
                coordinate_source=f"geonames:{unit['geonameid']}",
            ),
        )
    offices = import_post_offices(session, None, operator, (DATA / "post_offices.csv").read_bytes())

    for username, full_name, role, org_code, office_code in DEMO_USERS:
        org = _org(session, org_code) if org_code else None
        if session.scalar(sa.select(User.id).where(User.username == username)) is None:
            office_id = (
                session.scalar(sa.select(PostOffice.id).where(PostOffice.code == office_code))
                if office_code
                else None
            )
            save_user(
                session,
                None,
                UserInput(
                    username=username,
                    full_name=full_name,
                    role=role.value,
                    organization_id=org.id if org else None,
                    post_office_id=office_id,
                    password=DEMO_PASSWORD,
                ),
            )
        report.users.append((role.label, username, DEMO_PASSWORD))

    # The groups come before the procedures: the file names each procedure's group by code.
    groups_created = seed_groups(session, now)
    procedures = import_procedures(session, None, (DATA / "procedures.csv").read_bytes())
    report.counts = {
        "offices_created": offices.created,
        "procedure_groups_created": groups_created,
        "procedures_created": procedures.created,
    }

    api_orgs = session.scalars(
        sa.select(Organization)
        .where(Organization.kind.in_([k.value for k in api_keys.API_ORG_KINDS]))
        .order_by(Organization.kind.desc(), Organization.code)
    )
    for org in api_orgs:
        secret = demo_api_key_secret(secret_key, org.code)
        prefix = hashlib.sha256(secret.encode()).hexdigest()[:8]
        plaintext = f"{api_keys.KEY_PREFIX}_{prefix}_{secret}"
        if session.scalar(sa.select(ApiKey.id).where(ApiKey.prefix == prefix)) is None:
            api_keys.create_api_key(session, org, "Demo key", now, secret=secret)
        report.api_keys.append((org.code, org.name, plaintext))
    # Before anything that accepts or digitizes a dossier: the gate lets only certified staff do it.
    training = seed_training(session, DEMO_PASSWORD, now)
    report.users += training.users
    report.counts.update(training.counts)
    seed_contracts(session, now)
    report.counts["pickup_schedules"] = seed_schedules(session)
    if store is not None:
        report.dossiers = seed_dossiers(session, now, store)
        report.dossiers += seed_manifests(session, now)
        report.counts["pickups"] = seed_pickups(session, secret_key, base_url, {}, now)
        report.counts["results"] = seed_deliveries(session, now, secret_key, store)
        # Last: the past, once, then every summary rebuilt so the dashboards open filled.
        report.counts["history"] = seed_history(session, now, store=store)
        if report.counts["history"]:
            refresh(session, now, full=True)
    session.flush()
    return report
