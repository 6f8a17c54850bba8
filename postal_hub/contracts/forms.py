"""Contract, amendment, assessment, status, document and statement forms."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from postal_hub.contracts.inputs import ScopeInput, TermInput
from postal_hub.contracts.status import TaskType
from postal_hub.forms_i18n import BaseForm
from postal_hub.web_helpers import optional_int, record_id

DOCUMENT_TYPES = ["pdf", "png", "jpg", "jpeg", "docx", "xlsx", "odt"]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ScopeFields(BaseForm):
    """Scope, procedures, area, SLA and prices: what a contract sets and an amendment changes.

    One include/SLA/price triple per task type is added below the class.
    """

    working_hours = RadioField(
        _l("SLA counted in"),
        choices=[
            ("1", _l("working hours (08:00-12:00, 13:00-17:00, working days)")),
            ("0", _l("calendar hours")),
        ],
        default="1",
    )
    all_procedures = RadioField(
        _l("Procedures covered"),
        choices=[("1", _l("all of the unit's procedures")), ("0", _l("only those chosen below"))],
        default="1",
    )
    procedure_ids = MultiCheckboxField(_l("Procedures"), coerce=record_id, validate_choice=False)
    nationwide = RadioField(
        _l("Service area"),
        choices=[("1", _l("the whole country")), ("0", _l("only the provinces chosen below"))],
        default="1",
    )
    province_codes = MultiCheckboxField(_l("Provinces"), validate_choice=False)
    page_price = StringField(_l("Price per digitized page (VND)"), default="0")
    penalty_per_breach = StringField(_l("Penalty per SLA breach (VND)"), default="0")
    pickup_bands = StringField(
        _l("Home pickup by distance (km:surcharge)"),
        default="",
        validators=[Length(max=255)],
        description=_l(
            "Optional, e.g. 5:0; 10:10000; 30:25000 — up to 5 km the home-pickup price, up to 10 km "
            "10,000 VND more…; nothing is picked up beyond the last band. Empty: one price."
        ),
    )
    # The service checks the ranges (1-10, 1-90) and names the field.
    delivery_attempts = IntegerField(
        _l("Delivery attempts before the result is returned"),
        default=3,
        validators=[Optional()],
        render_kw={"min": 1, "max": 10},
        description=_l("From 1 to 10: failed door attempts after which the result goes back to the unit."),
    )
    collection_hold_days = IntegerField(
        _l("Days a result waits at the post office"),
        default=15,
        validators=[Optional()],
        render_kw={"min": 1, "max": 90},
        description=_l("From 1 to 90: after this, a result not collected is returned to the unit."),
    )

    def scope_input(self) -> ScopeInput:
        terms = []
        for task_type in TaskType:
            if getattr(self, f"{task_type.value}_on").data:
                terms.append(
                    TermInput(
                        task_type.value,
                        getattr(self, f"{task_type.value}_sla").data,
                        getattr(self, f"{task_type.value}_price").data or "",
                    )
                )
        return ScopeInput(
            terms=terms,
            working_hours=self.working_hours.data == "1",
            all_procedures=self.all_procedures.data == "1",
            procedure_ids=list(self.procedure_ids.data or []),
            nationwide=self.nationwide.data == "1",
            province_codes=list(self.province_codes.data or []),
            page_price=self.page_price.data or "",
            penalty_per_breach=self.penalty_per_breach.data or "",
            pickup_bands=self.pickup_bands.data or "",
            delivery_attempts=self.delivery_attempts.data,
            collection_hold_days=self.collection_hold_days.data,
        )

    @staticmethod
    def error_field(name: str) -> str:
        """The services name a term's problems terms-<type>-sla_hours / -unit_price; find the field."""
        parts = name.split("-")
        if len(parts) == 3 and parts[0] == "terms":
            return f"{parts[1]}_{'sla' if parts[2] == 'sla_hours' else 'price'}"
        return name

    def term_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "type": t.value,
                "on": getattr(self, f"{t.value}_on"),
                "sla": getattr(self, f"{t.value}_sla"),
                "price": getattr(self, f"{t.value}_price"),
            }
            for t in TaskType
        ]

    def fill_from(self, version: Any) -> None:
        self.working_hours.data = "1" if version.working_hours else "0"
        self.all_procedures.data = "1" if version.all_procedures else "0"
        self.procedure_ids.data = [p.id for p in version.procedures]
        self.nationwide.data = "1" if version.nationwide else "0"
        self.province_codes.data = [p.code for p in version.provinces]
        self.page_price.data = str(version.page_price)
        self.penalty_per_breach.data = str(version.penalty_per_breach)
        self.pickup_bands.data = version.pickup_bands or ""
        self.delivery_attempts.data = version.delivery_attempts
        self.collection_hold_days.data = version.collection_hold_days
        for term in version.terms:
            getattr(self, f"{term.task_type}_on").data = True
            getattr(self, f"{term.task_type}_sla").data = term.sla_hours
            getattr(self, f"{term.task_type}_price").data = str(term.unit_price)


for _task_type in TaskType:
    setattr(ScopeFields, f"{_task_type.value}_on", BooleanField(_l("Included")))
    setattr(
        ScopeFields,
        f"{_task_type.value}_sla",
        IntegerField(_l("SLA (hours)"), validators=[Optional()]),  # the service checks the range
    )
    setattr(ScopeFields, f"{_task_type.value}_price", StringField(_l("Unit price (VND)")))


class ContractForm(ScopeFields):
    number = StringField(_l("Contract number"), description=_l("e.g. 15/2026/HĐ-BĐHN"))
    unit_id = SelectField(_l("One-stop unit or agency"), coerce=optional_int, validate_choice=False)
    operator_id = SelectField(_l("Postal operator"), coerce=optional_int, validate_choice=False)
    procurement_method = SelectField(_l("Contractor selection"), validate_choice=False)
    award_decision = StringField(
        _l("Award decision"), description=_l("e.g. Quyết định 120/QĐ-UBND ngày 02/01/2026")
    )
    signed_on = DateField(_l("Signed on"), validators=[Optional()])
    valid_from = DateField(_l("Valid from"), validators=[Optional()])
    valid_to = DateField(_l("Valid until"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Length(max=5000)])


class AmendmentForm(ScopeFields):
    amendment_number = StringField(_l("Amendment number"), description=_l("e.g. PL-01/2026"))
    effective_on = DateField(_l("In force from"), validators=[Optional()])
    note = TextAreaField(_l("What changes and why"), validators=[Length(max=5000)])


class AssessmentForm(BaseForm):
    assessed_on = DateField(_l("Assessed on"), validators=[Optional()])
    unit_facilities = TextAreaField(
        _l("The unit's facilities"), description=_l("Counters, scanners, storage, network, document system")
    )
    unit_staff = IntegerField(_l("The unit's one-stop staff"), validators=[Optional()])
    operator_offices = IntegerField(_l("Operator offices in the service area"), validators=[Optional()])
    operator_staff = IntegerField(_l("Operator staff in the service area"), validators=[Optional()])
    trained_staff = IntegerField(_l("Of whom trained in dossier acceptance"), validators=[Optional()])
    conclusion = TextAreaField(_l("Conclusion"))
    signed_by = StringField(_l("Signed by"), description=_l("Name and title of the person who signed"))


class StatusForm(BaseForm):
    target = HiddenField()
    reason = TextAreaField(_l("Reason"), validators=[Length(max=2000)])


class DocumentForm(BaseForm):
    file = FileField(
        _l("Document"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(DOCUMENT_TYPES, _l("Allowed: PDF, images, Word, Excel, ODT.")),
        ],
    )


class PrepareStatementForm(BaseForm):
    month = StringField(
        _l("Month"),
        validators=[InputRequired(_l("Choose a month."))],
        description=_l("The month to bill (yyyy-mm)"),
    )


class StatementActionForm(BaseForm):
    action = HiddenField()
    comment = TextAreaField(_l("Comment"), validators=[Length(max=5000)])
