"""The form of the gate's switch (the reason is checked by the service, which owns the rule)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, TextAreaField

from postal_hub.forms_i18n import BaseForm


class GateForm(BaseForm):
    target = HiddenField()
    reason = TextAreaField(
        _l("Reason for switching"),
        description=_l("Required. Kept in the audit log with your name and the time."),
        render_kw={"maxlength": 2000, "rows": 3},
    )
