"""The citizen's forms on the page of their result: a new window, collection, authorisation, rating."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from postal_hub.delivery.ratings import MAX_COMMENT, REASONS
from postal_hub.delivery.status import RATING_LEVEL_LABELS, RATING_REASON_LABELS, RatingSubject
from postal_hub.forms_i18n import BaseForm


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WindowForm(BaseForm):
    date = SelectField(_l("Day"), validate_choice=False)
    slot_start = RadioField(_l("New time"), validate_choice=False)


class SwitchForm(BaseForm):
    pass


class AuthoriseForm(BaseForm):
    name = StringField(_l("Full name of the person"), validators=[Length(max=255)])
    citizen_id = StringField(
        _l("Their citizen ID (CCCD)"),
        validators=[Length(max=20)],
        description=_l("12 digits, from their card"),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


def _levels() -> list[tuple[str, object]]:
    return [(level.value, label) for level, label in RATING_LEVEL_LABELS.items()]


def _reasons(subject: RatingSubject) -> list[tuple[str, object]]:
    return [(reason.value, RATING_REASON_LABELS[reason]) for reason in REASONS[subject]]


class RatingForm(BaseForm):
    """Field names `<subject>_level`, `_reasons`, `_comment`: the names ratings.rate reports errors on."""

    postal_level = RadioField(_l("The postal service"), choices=_levels(), validate_choice=False)
    postal_reasons = MultiCheckboxField(
        _l("If not satisfied, why?"), choices=_reasons(RatingSubject.POSTAL), validate_choice=False
    )
    postal_comment = TextAreaField(
        _l("Anything to add (optional)"), validators=[Length(max=MAX_COMMENT)], render_kw={"rows": 3}
    )
    unit_level = RadioField(_l("The one-stop unit's handling"), choices=_levels(), validate_choice=False)
    unit_reasons = MultiCheckboxField(
        _l("If not satisfied, why?"), choices=_reasons(RatingSubject.UNIT), validate_choice=False
    )
    unit_comment = TextAreaField(
        _l("Anything to add (optional)"), validators=[Length(max=MAX_COMMENT)], render_kw={"rows": 3}
    )
