"""Staff forms of home pickup: assigning, planning the day, the door, the office's schedule."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from postal_hub.contracts.forms import MultiCheckboxField
from postal_hub.forms_i18n import BaseForm
from postal_hub.intake.status import PAYMENT_LABELS
from postal_hub.pickup.status import FAILURE_LABELS, FailureReason


class DayForm(BaseForm):
    """The office and day the dispatch page shows: a GET that changes nothing."""

    class Meta:
        csrf = False

    office = SelectField(_l("Post office"), validate_choice=False)
    date = StringField(_l("Day"), render_kw={"type": "date"})


class AssignForm(BaseForm):
    # The service decides who may take a pickup: a tampered id gets its message, not WTForms'.
    postman_id = SelectField(_l("Postman"), validate_choice=False)


class PlanForm(BaseForm):
    office = HiddenField()
    date = HiddenField()
    postman_ids = MultiCheckboxField(_l("Postmen going out"), validate_choice=False)


class DoorAcceptForm(BaseForm):
    present = MultiCheckboxField(_l("Components handed over"), validate_choice=False)
    payment_method = SelectField(
        _l("Payment"), default="cash", choices=[(k.value, v) for k, v in PAYMENT_LABELS.items()]
    )


class DoorFailForm(BaseForm):
    # An incomplete dossier is found by ticking the checklist, never chosen as a reason.
    reason = SelectField(
        _l("Why"),
        choices=[(k.value, v) for k, v in FAILURE_LABELS.items() if k != FailureReason.INCOMPLETE],
    )
    note = TextAreaField(_l("Note"), validators=[Length(max=500)], render_kw={"rows": 2})


class ScheduleForm(BaseForm):
    windows = StringField(
        _l("Pickup windows"),
        validators=[Length(max=255)],
        description=_l("Days and times, e.g. Mo-Fr 08:00-10:00,14:00-16:00; Sa 08:00-10:00"),
    )
    capacity = IntegerField(
        _l("Bookings per window"), validators=[InputRequired(), NumberRange(min=1, max=500)]
    )
    service_minutes = IntegerField(
        _l("Minutes at each door"),
        validators=[InputRequired(), NumberRange(min=1, max=120)],
        description=_l("Used to plan the postmen's rounds."),
    )
    active = BooleanField(_l("Offer home pickup from this office"))
