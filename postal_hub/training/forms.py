"""Forms of the training screens; the services check ranges and rules and name the field at fault."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from postal_hub.forms_i18n import BaseForm
from postal_hub.web_helpers import optional_int, record_id

DAY_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def day_field(label: Any) -> DateField:
    """A date typed the Vietnamese way (dd/mm/yyyy); ISO dates are accepted too."""
    return DateField(
        label,
        format=DAY_FORMATS,
        widget=TextInput(),
        validators=[Optional()],
        invalid_value_message=_l("Enter a date (dd/mm/yyyy)."),
        render_kw={"placeholder": "dd/mm/yyyy", "autocomplete": "off", "maxlength": 10},
    )


def number_field(label: Any, description: Any = None, **render: Any) -> IntegerField:
    return IntegerField(
        label,
        validators=[Optional()],
        description=description,
        render_kw={"inputmode": "numeric", **render},
    )


class GroupForm(BaseForm):
    code = StringField(_l("Code"), description=_l("Short, letters and digits: HT, DD, LDTB…"))
    name = StringField(_l("Name"), description=_l("e.g. Hộ tịch (civil status)"))
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])


class AssignFieldForm(BaseForm):
    field = SelectField(_l("Field (lĩnh vực)"), validate_choice=False)


class CourseForm(BaseForm):
    code = StringField(_l("Code"), description=_l("e.g. DT-HT-01"))
    title = StringField(_l("Title"))
    organization_id = SelectField(_l("Run by"), coerce=optional_int, validate_choice=False)
    group_ids = MultiCheckboxField(
        _l("Procedure groups the certificate covers"), coerce=record_id, validate_choice=False
    )
    outline = TextAreaField(_l("Outline"), validators=[Length(max=10000)])
    duration_hours = number_field(_l("Duration (hours)"), _l("1 to 1000 hours"), min=1, max=1000)
    pass_mark = number_field(_l("Pass mark"), _l("A score from 0 to 100"), min=0, max=100)
    min_attendance = number_field(
        _l("Attendance rule (%)"), _l("The share of the days a trainee must attend"), min=0, max=100
    )
    validity_months = number_field(
        _l("Certificate valid for (months)"), _l("1 to 120 months"), min=1, max=120
    )


class SessionForm(BaseForm):
    starts_on = day_field(_l("First day"))
    ends_on = day_field(_l("Last day"))
    trainer_id = SelectField(_l("Trainer"), coerce=optional_int, validate_choice=False)
    place = StringField(_l("Place"), description=_l("Room and address, if held in person"))
    online_url = StringField(_l("Online link"), description=_l("https://…, if held online"))
    capacity = number_field(_l("Seats"), _l("1 to 500; beyond them, a waiting list"), min=1, max=500)
    note = TextAreaField(_l("Note for the trainees"), validators=[Length(max=2000)])


class EnrolForm(BaseForm):
    user_id = SelectField(_l("Staff member"), coerce=optional_int, validate_choice=False)


class ReasonForm(BaseForm):
    """Cancelling a session, revoking a certificate: the reason is required by the service."""

    reason = TextAreaField(_l("Reason"), validators=[Length(max=2000)])


class ConfirmForm(BaseForm):
    """The buttons that only post (withdraw, issue, complete, attendance, scores): the CSRF token."""
