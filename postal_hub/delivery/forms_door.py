"""Forms of the handover screens: the door, the post office's counter, the unit's counter."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from postal_hub.delivery.status import FAILURE_LABELS, ID_METHOD_LABELS, RECIPIENT_LABELS
from postal_hub.forms_i18n import BaseForm
from postal_hub.intake.status import PAYMENT_LABELS, PaymentMethod

_DIGITS = {"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]*"}


class HandoverForm(BaseForm):
    # Choices are checked by the service, which names the problem (a tampered value included).
    recipient = RadioField(
        _l("Who receives it"),
        choices=[(k.value, v) for k, v in RECIPIENT_LABELS.items()],
        default="applicant",
        validate_choice=False,
    )
    recipient_name = StringField(
        _l("Recipient's full name"),
        validators=[Length(max=255)],
        description=_l("Leave empty for the name recorded on the dossier."),
    )
    relation = StringField(
        _l("Relation to the applicant"),
        validators=[Length(max=80)],
        description=_l("For an authorised person, e.g. wife, son, neighbour."),
    )
    id_method = RadioField(
        _l("Identity check"),
        choices=[(k.value, v) for k, v in ID_METHOD_LABELS.items()],
        default="citizen_id",
        validate_choice=False,
    )
    id_digits = StringField(
        _l("Last 4 digits of the citizen ID card shown"),
        render_kw={**_DIGITS, "maxlength": 4, "class": "big-code"},
    )
    code = StringField(_l("The 6-digit code"), render_kw={**_DIGITS, "maxlength": 6, "class": "big-code"})
    signature = HiddenField()  # a data:image/png URL drawn on the screen (static/js/signature.js)
    photo = FileField(
        _l("Photo of the handover"),
        render_kw={"accept": "image/jpeg,image/png", "capture": "environment"},
        description=_l("JPEG or PNG, at most 5 MB. A signature or a photo is required."),
    )
    authorisation = FileField(
        _l("Written authorisation"),
        render_kw={"accept": "image/jpeg,image/png,application/pdf"},
        description=_l("A photo or a PDF of the signed authorisation, at most 5 MB."),
    )
    amount_collected = StringField(
        _l("Amount collected (VND)"), render_kw={"inputmode": "numeric", "autocomplete": "off"}
    )
    payment_method = SelectField(
        _l("Paid by"),
        choices=[(k.value, v) for k, v in PAYMENT_LABELS.items() if k != PaymentMethod.NONE],
        default="cash",
        validate_choice=False,
    )
    lat = HiddenField()
    lon = HiddenField()


class DoorFailForm(BaseForm):
    reason = SelectField(
        _l("Why"),
        choices=[("", _l("— choose —")), *((k.value, v) for k, v in FAILURE_LABELS.items())],
        validate_choice=False,
    )
    note = TextAreaField(_l("Note"), validators=[Length(max=500)], render_kw={"rows": 2})
    lat = HiddenField()
    lon = HiddenField()


class ReleaseForm(BaseForm):
    outcome = RadioField(
        _l("What happens now"),
        choices=[
            ("at_office", _l("Release it: it may be handed over again at the office or the door")),
            ("to_return", _l("Send it back to the unit")),
        ],
        validate_choice=False,
    )


class UnitCounterForm(BaseForm):
    recipient_name = StringField(
        _l("Recipient's full name"),
        validators=[Length(max=255)],
        description=_l("Leave empty for the applicant's name."),
    )
    id_digits = StringField(
        _l("Last 4 digits of the citizen ID card shown"),
        render_kw={**_DIGITS, "maxlength": 4, "class": "big-code"},
    )
