"""Forms of the webhook screens; the services check the URL and the event types."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from postal_hub.forms_i18n import BaseForm
from postal_hub.web_helpers import optional_int


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EndpointForm(BaseForm):
    organization_id = SelectField(_l("Organization"), coerce=optional_int, validate_choice=False)
    url = StringField(
        _l("Receiver URL"),
        validators=[DataRequired(_l("Enter the URL of your webhook receiver.")), Length(max=2000)],
        description=_l("https://… on the internet; events are POSTed there, signed."),
    )
    description = StringField(_l("Description"), validators=[Optional(), Length(max=255)])
    event_types = MultiCheckboxField(
        _l("Events"),
        validate_choice=False,
        description=_l("None ticked: every event, including future ones."),
    )


class DisableForm(BaseForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


class ConfirmForm(BaseForm):
    """An empty form: a CSRF token for POST-only buttons."""


class ApiKeyForm(BaseForm):
    name = StringField(
        _l("Key name"),
        validators=[Length(max=120)],
        description=_l("e.g. the unit's document system"),
    )
