"""Counter acceptance and tracking forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField
from wtforms.validators import Length

from postal_hub.contracts.forms import MultiCheckboxField
from postal_hub.forms_i18n import BaseForm
from postal_hub.intake.status import PAYMENT_LABELS, RESULT_DELIVERY_LABELS


class AcceptanceForm(BaseForm):
    procedure_code = HiddenField()
    submission_token = HiddenField()
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
