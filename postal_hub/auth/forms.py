"""Sign-in and language forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from postal_hub.forms_i18n import BaseForm


class SignInForm(BaseForm):
    username = StringField(
        _l("Username"), validators=[DataRequired(_l("Enter your username.")), Length(max=64)]
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=200)]
    )
    next = HiddenField()


class LanguageForm(BaseForm):
    language = HiddenField(validators=[DataRequired()])
    next = HiddenField()
