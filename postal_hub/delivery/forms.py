"""Forms of the unit's and the office's result screens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from postal_hub.forms_i18n import BaseForm
from postal_hub.intake.status import RESULT_DELIVERY_LABELS


class ResultReadyForm(BaseForm):
    summary = TextAreaField(
        _l("The result"),
        validators=[InputRequired(), Length(max=500)],
        description=_l('What is handed back, e.g. "Giấy chứng nhận đăng ký hộ kinh doanh số 01A8012345".'),
    )
    result_delivery = SelectField(
        _l("How the result goes back"), choices=[(k.value, v) for k, v in RESULT_DELIVERY_LABELS.items()]
    )
    amount_due = IntegerField(
        _l("Fee to collect on delivery (VND)"),
        validators=[Optional(), NumberRange(min=0, max=100_000_000)],
        default=0,
        description=_l(
            "Fees the citizen still owes the unit; the post collects them on handover. 0 if none."
        ),
    )
