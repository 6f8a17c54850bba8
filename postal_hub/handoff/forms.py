"""Forms of the manifest screens: the answer to one envelope, an extra envelope, a re-routing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from postal_hub.forms_i18n import BaseForm
from postal_hub.handoff.status import REJECT_REASON_LABELS
from postal_hub.web_helpers import optional_int


class NewManifestForm(BaseForm):
    """The dossier checkboxes and seal numbers are read from the request (one pair per ready dossier)."""

    note = StringField(_l("Note for the unit"), validators=[Length(max=500)])


class LineAnswerForm(BaseForm):
    decision = RadioField(
        _l("Envelope"),
        choices=[("received", _l("Received in good order")), ("rejected", _l("Refuse"))],
        default="received",
    )
    reason = SelectField(
        _l("Reason for refusing"),
        choices=[
            ("", _l("— choose if refusing —")),
            *[(k.value, v) for k, v in REJECT_REASON_LABELS.items()],
        ],
        default="",
        validate_choice=False,  # the service names a wrong reason, together with the other problems
    )
    note = StringField(_l("Note"), validators=[Length(max=500)])


class ExtraEnvelopeForm(BaseForm):
    label = StringField(
        _l("Item number or label on the envelope"),
        validators=[Length(max=60)],
        description=_l("An envelope that arrived in the bag but is not on the manifest."),
    )
    note = TextAreaField(_l("Note"), validators=[Length(max=500)])


class SendAgainForm(BaseForm):
    unit_id = SelectField(_l("Competent one-stop unit"), coerce=optional_int, validate_choice=False)
    note = StringField(
        _l("What was put right"),
        validators=[Length(max=500)],
        description=_l("e.g. re-sealed in a new envelope; the citizen brought the missing paper"),
    )
