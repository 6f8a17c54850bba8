"""The citizen's booking and manage forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField
from wtforms.validators import Length

from postal_hub.forms_i18n import BaseForm
from postal_hub.intake.status import RESULT_DELIVERY_LABELS


class BookingForm(BaseForm):
    procedure_code = SelectField(_l("Procedure"), validate_choice=False)
    province_code = SelectField(_l("Province"), validate_choice=False)
    commune_code = SelectField(_l("Commune"), validate_choice=False)
    street = StringField(
        _l("House number and street"),
        validators=[Length(max=255)],
        description=_l("e.g. Số 12, ngõ 34 phố Huế"),
    )
    lat = HiddenField()
    lon = HiddenField()
    date = SelectField(_l("Day"), validate_choice=False)
    slot_start = RadioField(_l("Pickup window"), validate_choice=False)
    applicant_name = StringField(_l("Full name"), validators=[Length(max=255)])
    phone = StringField(
        _l("Mobile phone"), validators=[Length(max=20)], description=_l("The confirmation is sent here.")
    )
    citizen_id = StringField(
        _l("Citizen ID (CCCD)"), validators=[Length(max=20)], description=_l("12 digits, from the card")
    )
    result_delivery = RadioField(
        _l("Return of the result"),
        default="home",
        choices=[(k.value, v) for k, v in RESULT_DELIVERY_LABELS.items()],
    )
    consent = BooleanField(
        _l(
            "I agree that the post office and the competent unit process my personal data "
            "to handle this dossier (Decree 13/2023/ND-CP)."
        )
    )


class RescheduleForm(BaseForm):
    date = SelectField(_l("Day"), validate_choice=False)
    slot_start = RadioField(_l("New window"), validate_choice=False)


class CancelForm(BaseForm):
    pass


class FindForm(BaseForm):
    reference = StringField(
        _l("Booking reference"),
        validators=[Length(max=16)],
        description=_l("e.g. HPAB23CD45, from your message"),
    )
    phone = StringField(_l("The mobile phone you booked with"), validators=[Length(max=20)])
