"""Counter acceptance and tracking forms."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from itsdangerous import BadData, URLSafeTimedSerializer
from wtforms import BooleanField, Field, HiddenField, RadioField, SelectField, StringField
from wtforms.validators import Length, ValidationError

from postal_hub.contracts.forms import MultiCheckboxField
from postal_hub.core.clock import LOCAL_TZ, to_local
from postal_hub.forms_i18n import BaseForm
from postal_hub.intake.status import PAYMENT_LABELS, RESULT_DELIVERY_LABELS

COUNTER_START_SALT = "counter-start"
# A screen left open longer than a working day did not serve one citizen: the start is unknown.
MAX_COUNTER_SERVICE = timedelta(hours=8)
# 8:45, 08:45, 08h45 or 08:45:12, as queue ticket printers and clerks write it.
_CLOCK_TIME = re.compile(r"^([01]?\d|2[0-3])\s*[:hH.]\s*([0-5]\d)(?:[:.]([0-5]\d))?$")


def sign_counter_start(secret_key: str, now: datetime) -> str:
    """The moment the acceptance screen opened, signed so the browser can carry it but not change it."""
    serializer = URLSafeTimedSerializer(secret_key, salt=COUNTER_START_SALT)
    return serializer.dumps(now.astimezone(UTC).isoformat())


def read_counter_start(secret_key: str, token: str | None, now: datetime) -> datetime | None:
    """When service started; None (unknown, never an error for the clerk) for a missing, forged or
    malformed token, one from the future, or one older than a working day."""
    if not token:
        return None
    try:
        started = datetime.fromisoformat(
            URLSafeTimedSerializer(secret_key, salt=COUNTER_START_SALT).loads(token)
        )
    except (BadData, TypeError, ValueError):
        return None
    if started.tzinfo is None or not now - MAX_COUNTER_SERVICE <= started <= now:
        return None
    return started


def queue_ticket_at(text: str | None, now: datetime) -> datetime | None:
    """The ticket's time of day, taken as today in Vietnam, in UTC; None when left empty or unreadable
    (the form has already said which)."""
    match = _CLOCK_TIME.match((text or "").strip())
    if match is None:
        return None
    hour, minute, second = (int(part or 0) for part in match.groups())
    local = datetime.combine(to_local(now).date(), time(hour, minute, second), tzinfo=LOCAL_TZ)
    return local.astimezone(UTC)


class AcceptanceForm(BaseForm):
    procedure_code = HiddenField()
    submission_token = HiddenField()
    counter_start = HiddenField()  # signed: see sign_counter_start
    counter_queued_at = StringField(
        _l("Queue ticket time"),
        validators=[Length(max=20)],
        description=_l("HH:MM, as printed on the citizen's queue ticket. Leave it empty without a ticket."),
        render_kw={"autocomplete": "off", "placeholder": "08:45"},
    )
    applicant_name = StringField(_l("Full name"), validators=[Length(max=255)])
    citizen_id = StringField(
        _l("Citizen ID (CCCD)"), validators=[Length(max=20)], description=_l("12 digits, from the card")
    )
    phone = StringField(_l("Mobile phone"), validators=[Length(max=20)])
    province_code = SelectField(_l("Province"), validate_choice=False)
    commune_code = SelectField(_l("Commune"), validate_choice=False)
    street = StringField(_l("House number and street"), validators=[Length(max=255)])
    old_address = StringField(
        _l("Or the old address (before 1 July 2025)"),
        validators=[Length(max=255)],
        description=_l(
            "Ward, district, province as written on old papers, e.g. Phường Phúc Xá, Quận Ba Đình, Hà Nội"
        ),
    )
    subject_province_code = SelectField(_l("Province"), validate_choice=False)
    subject_commune_code = SelectField(
        _l("Commune"),
        validate_choice=False,
        description=_l("Only when the dossier concerns another place than the applicant's address."),
    )
    present = MultiCheckboxField(_l("Components received"), validate_choice=False)
    result_delivery = RadioField(
        _l("Return of the result"),
        default="home",
        choices=[(k.value, v) for k, v in RESULT_DELIVERY_LABELS.items()],
    )
    payment_method = SelectField(
        _l("Payment"), default="cash", choices=[(k.value, v) for k, v in PAYMENT_LABELS.items()]
    )

    def validate_counter_queued_at(self, field: Field) -> None:
        text = (field.data or "").strip()
        if text and _CLOCK_TIME.match(text) is None:
            raise ValidationError(_l("Write the queue ticket time as HH:MM, for example 08:45."))


class TrackForm(BaseForm):
    class Meta:
        csrf = False  # a public lookup by GET: nothing changes

    code = StringField(_l("Dossier code or item number"), validators=[Length(max=60)])


class ScanForm(BaseForm):
    component = SelectField(_l("Component"), validate_choice=False)
    file = FileField(_l("Scan (PDF, JPEG or PNG)"), validators=[FileRequired(_l("Choose a file."))])


class ReuseForm(BaseForm):
    component = HiddenField()
    file_id = HiddenField()
    consent = BooleanField(_l("The citizen agrees to reuse this document"))
