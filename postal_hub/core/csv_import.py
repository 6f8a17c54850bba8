"""CSV import of post offices and procedures: every row is checked first, and a file with any bad
row imports nothing, so a half-imported catalogue can never happen."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from postal_hub.core import audit
from postal_hub.core.errors import ValidationFailed
from postal_hub.core.orgs.models import Organization, OrgKind, PostOffice
from postal_hub.core.orgs.services import (
    PostOfficeInput,
    apply_post_office,
    check_operator_access,
    clean_post_office,
)
from postal_hub.core.permissions import require_admin
from postal_hub.core.procedures.models import Procedure, ProcedureGroup
from postal_hub.core.procedures.services import (
    ComponentInput,
    ProcedureInput,
    apply_procedure,
    clean_procedure,
)
from postal_hub.core.users.models import User

OFFICE_COLUMNS = ("code", "name", "postcode", "address", "province_code", "commune_code", "opening_hours")
OFFICE_OPTIONAL = ("lat", "lon", "active", "geonameid")
PROCEDURE_COLUMNS = (
    "code",
    "name",
    "competent_level",
    "fee",
    "charge",
    "processing_days",
    "postal_allowed",
    "onsite_inspection",
    "component_code",
    "component_name",
    "component_original",
    "component_count",
)
PROCEDURE_OPTIONAL = ("unit_code", "field", "group_code")
_TRUE = {"1", "true", "yes", "y", "x", "có", "co"}
_FALSE = {"0", "false", "no", "n", "", "không", "khong"}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def count(self, existing: object, changed: bool) -> None:
        if existing is None:
            self.created += 1
        elif changed:
            self.updated += 1
        else:
            self.unchanged += 1


def _differs(record: object, values: dict[str, object]) -> bool:
    return any(getattr(record, key) != value for key, value in values.items() if key != "components")


class ImportFailed(ValidationFailed):
    """Carries every problem as (line number, message); line 1 is the header."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__(str(_l("The file has errors; nothing was imported.")))
        self.problems = problems


def _rows(data: bytes | str, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFailed(
                [(1, str(_l("The file is not UTF-8 text; save it as 'CSV UTF-8'.")))]
            ) from None
    reader = csv.DictReader(io.StringIO(data.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFailed([(1, str(_l("Missing columns: %(cols)s", cols=", ".join(missing))))])
    reader.fieldnames = header
    rows = [
        (reader.line_num, {k: (v or "").strip() for k, v in row.items() if k is not None}) for row in reader
    ]
    if not rows:
        raise ImportFailed([(1, str(_l("The file has no data rows.")))])
    return rows


def _flag(value: str, default: bool | None = None) -> bool:
    v = value.strip().lower()
    if v == "" and default is not None:
        return default
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise ValueError(value)


def _float(value: str) -> float | None:
    return float(value.replace(",", ".")) if value.strip() else None


def _problems_from(exc: ValidationFailed, line: int, lines: list[int] | None = None) -> list[tuple[int, str]]:
    """Field errors as line problems; a component's error points at that component's own row."""
    if not exc.fields:
        return [(line, exc.message)]
    problems = []
    for name, message in exc.fields.items():
        parts = name.split("-")
        if lines and len(parts) == 3 and parts[0] == "components" and parts[1].isdigit():
            problems.append((lines[int(parts[1])], f"component_{parts[2]}: {message}"))
        else:
            problems.append((line, f"{name}: {message}"))
    return problems


def import_post_offices(
    session: Session, actor: User | None, operator: Organization, data: bytes | str
) -> ImportReport:
    """Create or update (by code) the operator's offices from a CSV file."""
    check_operator_access(actor, operator)
    problems: list[tuple[int, str]] = []
    planned: list[tuple[dict[str, object], PostOffice | None]] = []
    seen: dict[str, int] = {}
    for line, row in _rows(data, OFFICE_COLUMNS):
        code = row["code"].upper()
        if code in seen:
            problems.append(
                (line, str(_l("code: %(code)s is also on line %(line)d.", code=code, line=seen[code])))
            )
            continue
        seen[code] = line
        existing = session.scalar(sa.select(PostOffice).where(PostOffice.code == code))
        if existing is not None and existing.operator_id != operator.id:
            problems.append(
                (line, str(_l("code: %(code)s belongs to another operator's office.", code=code)))
            )
            continue
        try:
            lat, lon = _float(row.get("lat", "")), _float(row.get("lon", ""))
            active = _flag(row.get("active", ""), default=True)
        except ValueError:
            problems.append((line, str(_l("lat/lon must be numbers and active true or false."))))
            continue
        geonameid = row.get("geonameid", "")
        if geonameid and not (geonameid.isdigit() and len(geonameid) <= 12):
            problems.append((line, str(_l("geonameid: a GeoNames id is a number."))))
            continue
        office_input = PostOfficeInput(
            code=code,
            name=row["name"],
            postcode=row["postcode"],
            address=row["address"],
            province_code=row["province_code"].zfill(2),
            commune_code=row["commune_code"].zfill(5),
            opening_hours=row["opening_hours"],
            lat=lat,
            lon=lon,
            active=active,
            coordinate_source=f"geonames:{geonameid}"
            if geonameid
            else ("import" if lat is not None else None),
        )
        try:
            planned.append(
                (clean_post_office(session, office_input, existing.id if existing else None), existing)
            )
        except ValidationFailed as exc:
            problems.extend(_problems_from(exc, line))
    if problems:
        raise ImportFailed(problems)
    report = ImportReport()
    for values, existing in planned:
        changed = existing is None or _differs(existing, values)
        if changed:
            apply_post_office(session, operator, values, existing)
        report.count(existing, changed)
    if report.created or report.updated:
        audit.record(
            session,
            actor.id if actor else None,
            "post_office.imported",
            "organization",
            operator.id,
            {"created": report.created, "updated": report.updated},
        )
    return report


def import_procedures(session: Session, actor: User | None, data: bytes | str) -> ImportReport:
    """Create or update (by code) procedures; one row per component, procedure columns repeated."""
    if actor is not None:
        require_admin(actor)
    problems: list[tuple[int, str]] = []
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, row in _rows(data, PROCEDURE_COLUMNS):
        groups.setdefault(row["code"], []).append((line, row))
    head_columns = (
        "name",
        "competent_level",
        "unit_code",
        "field",
        "group_code",
        "fee",
        "charge",
        "processing_days",
        "postal_allowed",
        "onsite_inspection",
    )
    planned: list[tuple[dict[str, object], Procedure | None]] = []
    for code, rows in groups.items():
        first_line, head = rows[0]
        for line, row in rows[1:]:
            differing = [c for c in head_columns if row.get(c, "") != head.get(c, "")]
            if differing:
                problems.append(
                    (
                        line,
                        str(
                            _l(
                                "%(cols)s differ from line %(line)d of the same procedure.",
                                cols=", ".join(differing),
                                line=first_line,
                            )
                        ),
                    )
                )
        try:
            components = [
                ComponentInput(
                    code=r["component_code"],
                    name=r["component_name"],
                    original=r["component_original"].lower() in {"original", "bản chính", "ban chinh"},
                    count=int(r["component_count"] or "1"),
                )
                for _line, r in rows
            ]
            days = int(head["processing_days"]) if head["processing_days"] else None
            postal_allowed = _flag(head["postal_allowed"], default=True)
            onsite = _flag(head["onsite_inspection"], default=False)
        except ValueError:
            problems.append(
                (first_line, str(_l("Counts and days must be whole numbers; flags true or false.")))
            )
            continue
        unit_id = None
        if head.get("unit_code"):
            unit_id = session.scalar(
                sa.select(Organization.id).where(
                    Organization.code == head["unit_code"].upper(), Organization.kind == OrgKind.ONE_STOP_UNIT
                )
            )
            if unit_id is None:
                problems.append(
                    (
                        first_line,
                        str(_l("unit_code: no one-stop unit has the code %(code)s.", code=head["unit_code"])),
                    )
                )
                continue
        existing = session.scalar(sa.select(Procedure).where(Procedure.code == code.strip()))
        # No group_code in the file keeps the group an administrator gave the procedure on screen.
        group_id = existing.group_id if existing else None
        if head.get("group_code"):
            group_id = session.scalar(
                sa.select(ProcedureGroup.id).where(ProcedureGroup.code == head["group_code"].strip().upper())
            )
            if group_id is None:
                problems.append(
                    (
                        first_line,
                        str(
                            _l(
                                "group_code: no procedure group has the code %(code)s.",
                                code=head["group_code"],
                            )
                        ),
                    )
                )
                continue
        proc_input = ProcedureInput(
            code=code,
            name=head["name"],
            competent_level=head["competent_level"].lower(),
            processing_days=days,
            fee=head["fee"] or "0",
            charge=head["charge"] or "0",
            field=head.get("field", ""),
            unit_id=unit_id,
            group_id=group_id,
            postal_allowed=postal_allowed,
            onsite_inspection=onsite,
            components=components,
        )
        try:
            planned.append(
                (clean_procedure(session, proc_input, existing.id if existing else None), existing)
            )
        except ValidationFailed as exc:
            problems.extend(_problems_from(exc, first_line, [line for line, _row in rows]))
    if problems:
        raise ImportFailed(sorted(problems))
    report = ImportReport()
    for values, existing in planned:
        changed = existing is None or _differs(existing, values) or _components_differ(existing, values)
        if changed:
            apply_procedure(session, values, existing)
        report.count(existing, changed)
    if report.created or report.updated:
        audit.record(
            session,
            actor.id if actor else None,
            "procedure.imported",
            "procedure",
            "*",
            {"created": report.created, "updated": report.updated},
        )
    return report


def _components_differ(procedure: Procedure, values: dict[str, object]) -> bool:
    current = [
        {"code": c.code, "name": c.name, "original": c.original, "count": c.count}
        for c in procedure.components
    ]
    return current != values["components"]
