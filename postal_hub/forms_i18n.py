"""WTForms' own messages in our catalog: upstream ships no Vietnamese, so every form uses this base.

The strings below are WTForms' messages that our fields can produce; listing them with _l lets
`make extract-messages` put them in messages.po, where they are translated like the rest of the UI.
"""

from __future__ import annotations

from typing import Any

from flask_babel import get_domain
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Invalid input."),
    _l("Not a valid integer value."),
    _l("Not a valid date value."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("File does not have an approved extension: %(extensions)s"),
    _l("This field cannot be edited."),
)


class CatalogTranslations:
    """Looks WTForms' messages up in the app's catalog for the request's language; WTForms itself
    fills in the placeholders afterwards, so nothing is formatted here."""

    def gettext(self, string: str) -> str:
        return str(get_domain().get_translations().ugettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(get_domain().get_translations().ungettext(singular, plural, n))


class BaseForm(FlaskForm):
    class Meta:
        def get_translations(self, form: Any) -> CatalogTranslations:
            return CatalogTranslations()
