"""The contracts blueprint and the form preparation its views share."""

from __future__ import annotations

from flask import Blueprint, flash
from flask_login import current_user
from flask_wtf import FlaskForm

from postal_hub.contracts.forms import ContractForm, ScopeFields
from postal_hub.contracts.queries import operator_choices, party_choices, procedure_choices
from postal_hub.contracts.status import PROCUREMENT_LABELS
from postal_hub.core.errors import DomainError
from postal_hub.core.places.queries import province_choices
from postal_hub.extensions import db
from postal_hub.web_helpers import apply_errors

bp = Blueprint("contracts", __name__)


def prepare_scope(form: ScopeFields) -> None:
    form.procedure_ids.choices = procedure_choices(db.session)
    form.province_codes.choices = province_choices(db.session)


def prepare_contract(form: ContractForm) -> None:
    prepare_scope(form)
    form.unit_id.choices = [("", "—"), *party_choices(db.session, current_user)]
    form.operator_id.choices = operator_choices(db.session)
    form.procurement_method.choices = [(m.value, label) for m, label in PROCUREMENT_LABELS.items()]


def report(exc: DomainError, form: FlaskForm | None = None) -> None:
    """Undo the attempt and show what was wrong, on the fields when they are named."""
    db.session.rollback()
    flash(exc.message, "error")
    if form is not None:
        rename = getattr(form, "error_field", None)
        apply_errors(form, {rename(k) if rename else k: v for k, v in exc.fields.items()})
