"""Loading the shipped place data into the database, idempotently."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.places import data
from postal_hub.core.places.models import Commune, Province
from postal_hub.core.text import fold


def sync_places(session: Session) -> dict[str, int]:
    """Make the provinces and communes tables match the shipped data file.

    Units missing from a newer file are deactivated rather than deleted: offices and dossiers may
    still point at them.
    """
    provinces = {p.code: p for p in session.scalars(sa.select(Province))}
    communes = {c.code: c for c in session.scalars(sa.select(Commune))}
    seen: set[str] = set()
    changed = 0
    for row in data.places()["provinces"]:
        province = provinces.get(row["code"])
        if province is None:
            province = Province(code=row["code"])
            session.add(province)
            changed += 1
        values = {"name": row["name"], "division_type": row["division_type"], "search_key": fold(row["name"])}
        for key, value in values.items():
            if getattr(province, key, None) != value:
                setattr(province, key, value)
                changed += 1
        for code, name, division_type in row["communes"]:
            seen.add(code)
            commune = communes.get(code)
            if commune is None:
                commune = Commune(code=code, active=True)
                session.add(commune)
            wanted = {
                "province_code": row["code"],
                "name": name,
                "division_type": division_type,
                "search_key": fold(name),
                "active": True,
            }
            for key, value in wanted.items():
                if getattr(commune, key, None) != value:
                    setattr(commune, key, value)
                    changed += 1
    session.flush()
    for code, commune in communes.items():
        if code not in seen and commune.active:
            commune.active = False
            changed += 1
    session.flush()
    return {
        "provinces": len(data.places()["provinces"]),
        "communes": len(seen),
        "changed": changed,
    }
