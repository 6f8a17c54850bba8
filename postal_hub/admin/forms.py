"""Admin forms. They check shape (required, numbers); the services check the business rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from postal_hub.forms_i18n import BaseForm
from postal_hub.web_helpers import optional_int


class OrganizationForm(BaseForm):
    kind = SelectField(_l("Kind"), validators=[DataRequired(_l("Choose a kind."))])
    code = StringField(_l("Code"), description=_l("Agency identifier code (QCVN 102), e.g. 000.00.01.H26"))
    name = StringField(_l("Name"))
    level = SelectField(_l("Level"), validate_choice=False)
    parent_id = SelectField(_l("Parent agency"), coerce=optional_int, validate_choice=False)
    tax_code = StringField(_l("Tax code"))
    province_code = SelectField(_l("Province"), validate_choice=False)
    commune_code = SelectField(_l("Commune"), validate_choice=False)
    address = StringField(_l("Address"))
    phone = StringField(_l("Phone"))
    email = StringField(_l("E-mail"))
    lat = StringField(_l("Latitude"))
    lon = StringField(_l("Longitude"))


class PostOfficeForm(BaseForm):
    operator_id = SelectField(_l("Postal operator"), coerce=optional_int, validate_choice=False)
    code = StringField(_l("Office code"))
    name = StringField(_l("Name"))
    postcode = StringField(_l("Postcode"), description=_l("5 digits"))
    address = StringField(_l("Address"))
    province_code = SelectField(_l("Province"), validate_choice=False)
    commune_code = SelectField(_l("Commune"), validate_choice=False)
    opening_hours = StringField(
        _l("Opening hours"), description=_l("e.g. Mo-Fr 07:30-11:30,13:30-17:00; Sa 07:30-11:30")
    )
    lat = StringField(_l("Latitude"))
    lon = StringField(_l("Longitude"))


class ComponentForm(Form):
    code = StringField(_l("Code"))
    name = StringField(_l("Component"))
    original = SelectField(
        _l("Original or copy"), choices=[("copy", _l("Copy")), ("original", _l("Original"))]
    )
    count = IntegerField(_l("Count"), default=1, validators=[Optional(), NumberRange(min=1, max=99)])


class ProcedureForm(BaseForm):
    code = StringField(_l("National code"), description=_l("e.g. 1.001193"))
    name = StringField(_l("Name"))
    field = StringField(_l("Field"), description=_l("e.g. Hộ tịch, Đất đai"))
    group_id = SelectField(
        _l("Procedure group"),
        coerce=optional_int,
        validate_choice=False,
        description=_l("Staff need a valid certificate for this group to accept, pick up or digitize it."),
    )
    competent_level = SelectField(_l("Competent level"), validate_choice=False)
    unit_id = SelectField(_l("Competent unit"), coerce=optional_int, validate_choice=False)
    fee = StringField(_l("Fee (VND)"), default="0")
    charge = StringField(_l("Charge (VND)"), default="0")
    processing_days = IntegerField(
        _l("Processing time (days)"),
        validators=[InputRequired(_l("Enter the processing time in days.")), NumberRange(min=1, max=365)],
    )
    postal_allowed = BooleanField(_l("May be accepted through the post"), default=True)
    onsite_inspection = BooleanField(_l("Needs on-site inspection"))
    components = FieldList(FormField(ComponentForm), min_entries=1)


class UserForm(BaseForm):
    username = StringField(_l("Username"))
    full_name = StringField(_l("Full name"))
    role = SelectField(_l("Role"), validate_choice=False)
    organization_id = SelectField(_l("Organization"), coerce=optional_int, validate_choice=False)
    post_office_id = SelectField(_l("Post office"), coerce=optional_int, validate_choice=False)
    email = StringField(_l("E-mail"))
    phone = StringField(_l("Mobile phone"))
    password = PasswordField(
        _l("Password"), description=_l("At least 10 characters. Leave empty to keep it.")
    )
    active = BooleanField(_l("Active"), default=True)


class CsvImportForm(BaseForm):
    operator_id = SelectField(_l("Postal operator"), coerce=optional_int, validate_choice=False)
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(_l("Choose a CSV file.")), FileAllowed(["csv"], _l("Only .csv files."))],
    )


class ApiKeyForm(BaseForm):
    name = StringField(
        _l("Key name"),
        validators=[DataRequired(_l("Name the key.")), Length(max=120)],
        description=_l("e.g. the unit's document system"),
    )


class ConfirmForm(BaseForm):
    """An empty form: a CSRF token for POST-only buttons (deactivate, revoke, sign out)."""
