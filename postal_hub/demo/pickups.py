"""Demo home pickups: every located office picks up in three windows a day, and the Hà Nội central
office has a day of bookings for the manager to plan and the postman to visit."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from postal_hub.core.clock import LOCAL_TZ, to_local
from postal_hub.core.errors import DomainError
from postal_hub.core.geo.geocoder import GazetteerGeocoder
from postal_hub.core.orgs.models import PostOffice
from postal_hub.core.validators import InvalidValue
from postal_hub.pickup.booking import BookingInput, Place, Settings, book
from postal_hub.pickup.models import Pickup, PickupSchedule
from postal_hub.pickup.offers import Rules
from postal_hub.pickup.schedule import check_windows, is_public_holiday

WINDOWS = (
    "Mo-Fr 08:00-10:00,10:00-12:00,14:00-16:00; Sa 08:00-10:00",
    "Mo-Fr 08:00-10:00,14:00-16:00",
    "Mo-Fr 08:00-10:00",
)
PROCEDURE_CODE = "1.012783"  # decided by the Hà Nội service centre, covered by the nationwide contract
# (name, citizen ID, phone, commune, street, lat, lon, window hour)
BOOKINGS = [
    ("Trịnh Văn Bảo", "001084001122", "0912000101", "00070", "15 Hàng Bạc", 21.0343, 105.8530, 8),
    ("Lý Thị Cúc", "001186002233", "0912000202", "00070", "40 Hàng Gai", 21.0312, 105.8488, 8),
    ("Mai Đức Dũng", "001090003344", "0912000303", "00082", "8 Tràng Thi", 21.0268, 105.8457, 8),
    ("Cao Thị Én", "001192004455", "0912000404", "00004", "22 Phan Đình Phùng", 21.0398, 105.8410, 10),
    ("Hà Văn Phúc", "001080005566", "0912000505", "00004", "5 Quán Thánh", 21.0405, 105.8370, 10),
    ("Tô Thị Giang", "001188006677", "0912000606", "00082", "31 Lý Thường Kiệt", 21.0245, 105.8493, 14),
    ("Lâm Văn Hải", "001082007788", "0912000707", "00070", "12 Lò Sũ", 21.0330, 105.8555, 14),
    ("Vương Thị Kim", "001194008899", "0912000808", "00097", "9 Phúc Tân", 21.0395, 105.8565, 14),
]


def seed_schedules(session: Session) -> int:
    """The first of WINDOWS that fits each located office's opening hours; offices where none fits
    (or without a map position) offer no pickup."""
    made = 0
    offices = session.scalars(
        sa.select(PostOffice)
        .where(PostOffice.active.is_(True), PostOffice.lat.is_not(None))
        .order_by(PostOffice.id)
    )
    for office in offices:
        if session.get(PickupSchedule, office.id) is not None:
            continue
        for text in WINDOWS:
            try:
                windows = check_windows(text, office.opening_hours)
            except InvalidValue:
                continue
            session.add(PickupSchedule(office_id=office.id, windows=windows, capacity=6, service_minutes=10))
            made += 1
            break
    session.flush()
    return made


def _next_working_day(now: datetime) -> datetime:
    day = to_local(now).date() + timedelta(days=1)
    while day.weekday() >= 5 or is_public_holiday(day):
        day += timedelta(days=1)
    return datetime.combine(day, time(0, 0), LOCAL_TZ)


def seed_pickups(
    session: Session, secret_key: str, base_url: str, cache: dict[str, Any], now: datetime
) -> int:
    if session.scalar(sa.select(sa.func.count()).select_from(Pickup)):
        return 0
    settings = Settings(
        secret=secret_key,
        rules=Rules(max_distance_km=30, min_lead=timedelta(minutes=60), horizon_days=14),
        consent_version="2026-12-01",
        max_open_per_phone=3,
        change_cutoff=timedelta(hours=2),
        base_url=base_url.rstrip("/"),
        cache=cache,
        geocoder=GazetteerGeocoder(),
    )
    day = _next_working_day(now)
    made = 0
    for name, cccd, phone, commune, street, lat, lon, hour in BOOKINGS:
        data = BookingInput(
            procedure_code=PROCEDURE_CODE,
            name=name,
            phone=phone,
            citizen_id=cccd,
            place=Place("01", commune, street, lat, lon),
            slot_start=day + timedelta(hours=hour),
            result_delivery="home",
            consent=True,
        )
        try:
            with session.begin_nested():
                book(session, settings, data, now)
        except DomainError:
            continue  # e.g. the office's hours changed: the demo goes on without that booking
        made += 1
    return made
