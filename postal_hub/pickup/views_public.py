"""The citizen's pages: book a home pickup without an account, then look at, move or cancel it."""

from __future__ import annotations

from datetime import date, datetime

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from postal_hub.core.clock import to_local
from postal_hub.core.errors import DomainError, NotFound
from postal_hub.core.places.queries import commune_choices, province_choices
from postal_hub.core.retry import commit_with_retry
from postal_hub.core.validators import InvalidValue, mobile_phone
from postal_hub.extensions import db
from postal_hub.i18n import select_locale as current_language
from postal_hub.intake.status import RESULT_DELIVERY_LABELS
from postal_hub.pickup import manage
from postal_hub.pickup.blueprint import bp
from postal_hub.pickup.booking import BookingInput, Place, SlotFull, book, manage_token, manage_url
from postal_hub.pickup.forms_public import BookingForm, CancelForm, FindForm, RescheduleForm
from postal_hub.pickup.inputs import parse_moment
from postal_hub.pickup.models import Pickup
from postal_hub.pickup.notices import window_text
from postal_hub.pickup.offers import FreeWindow, bookable_days
from postal_hub.pickup.public_queries import bookable_procedures, pickup_for_page, procedure_with_components
from postal_hub.pickup.quotes import Quote, quote
from postal_hub.pickup.reminders import send_link_again
from postal_hub.pickup.status import (
    EVENT_LABELS,
    FAILURE_LABELS,
    PICKUP_STATUS_LABELS,
    FailureReason,
    PickupStatus,
)
from postal_hub.services import clock, pickup_limiter, pickup_settings
from postal_hub.web_helpers import apply_errors

FIELD_NAMES = {
    "applicant.name": "applicant_name",
    "applicant.phone": "phone",
    "applicant.citizen_id": "citizen_id",
}
TOKENS_KEY = "pickup_tokens"


def _float(text: str | None) -> float | None:
    try:
        value = float((text or "").strip())
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _day_choices(now: datetime) -> list[tuple[str, str]]:
    return [
        (d.isoformat(), format_date(d, "EEEE dd/MM")) for d in bookable_days(now, pickup_settings().rules)
    ]


def _window_label(w: FreeWindow) -> str:
    start, end = to_local(w.window.start), to_local(w.window.end)
    return _(
        "%(start)s–%(end)s · %(n)d places left", start=f"{start:%H:%M}", end=f"{end:%H:%M}", n=w.remaining
    )


def _prepare(form: BookingForm, now: datetime) -> None:
    procedures = bookable_procedures(db.session)
    form.procedure_code.choices = [("", _("— choose —")), *((p.code, p.name) for p in procedures)]
    form.province_code.choices = [("", _("— choose —")), *province_choices(db.session)]
    form.commune_code.choices = [
        ("", _("— choose the province first —")),
        *(commune_choices(db.session, form.province_code.data) if form.province_code.data else []),
    ]
    form.date.choices = [("", _("The first day with room")), *_day_choices(now)]


def _place(form: BookingForm) -> Place:
    return Place(
        form.province_code.data or "",
        form.commune_code.data or "",
        (form.street.data or "").strip(),
        _float(form.lat.data),
        _float(form.lon.data),
    )


def _quote(form: BookingForm, now: datetime) -> tuple[Quote | None, str]:
    """The office, fee and windows for what the form says so far; or the reason there are none."""
    if not form.procedure_code.data or not form.commune_code.data:
        if request.method == "POST":
            for name, message in (
                ("procedure_code", _("Choose the procedure.")),
                ("province_code", _("Choose the province.")),
                ("commune_code", _("Choose the commune.")),
            ):
                if not getattr(form, name).data:
                    apply_errors(form, {name: message})
            return None, _("Choose the procedure and the address first.")
        return None, ""
    try:
        day = date.fromisoformat(form.date.data) if form.date.data else None
    except ValueError:
        day = None
    try:
        answer = quote(db.session, pickup_settings(), form.procedure_code.data, _place(form), day, now)
    except DomainError as exc:
        db.session.rollback()
        apply_errors(form, exc.fields)
        return None, exc.message
    form.slot_start.choices = [
        (to_local(w.window.start).isoformat(), _window_label(w))
        for w in (answer.offer.free if answer.offer else [])
    ]
    return answer, ""


@bp.route("/pickup", methods=["GET", "POST"])
def book_page() -> str | Response | tuple[str, int]:
    now = clock().now()
    form = BookingForm()
    if request.method == "GET":
        form.procedure_code.data = request.args.get("procedure", "")
    _prepare(form, now)
    answer, problem = _quote(form, now)
    if request.method == "POST" and request.form.get("action") == "book" and form.validate_on_submit():
        result = _book(form, now)
        if isinstance(result, Response):
            return result
        answer, problem = (answer, result) if result else _quote(form, now)
    procedure = procedure_with_components(db.session, form.procedure_code.data or "")
    status = 422 if request.method == "POST" and (problem or form.errors) else 200
    return render_template(
        "pickup/book.html",
        form=form,
        procedure=procedure,
        answer=answer,
        problem=problem,
        deliveries=RESULT_DELIVERY_LABELS,
    ), status


def _book(form: BookingForm, now: datetime) -> Response | str:
    """A Response on success; else the message to show (field errors are put on the form)."""
    address = request.remote_addr or "unknown"
    limits = [("ip", address), ("phone", _phone_key(form.phone.data))]
    if pickup_limiter("attempt").hit(address) or any(
        key and pickup_limiter(kind).blocked(key) for kind, key in limits
    ):
        return _("Too many bookings from here; please try again later or call the post office.")
    data = BookingInput(
        procedure_code=form.procedure_code.data or "",
        name=form.applicant_name.data or "",
        phone=form.phone.data or "",
        citizen_id=form.citizen_id.data or "",
        place=_place(form),
        slot_start=parse_moment(form.slot_start.data),
        result_delivery=form.result_delivery.data or "",
        consent=bool(form.consent.data),
        language=current_language(),
    )
    settings = pickup_settings()
    try:
        pickup = commit_with_retry(db.session, lambda: book(db.session, settings, data, clock().now()))
    except SlotFull as exc:
        db.session.rollback()
        form.slot_start.data = None
        return exc.message
    except DomainError as exc:
        db.session.rollback()
        apply_errors(form, {FIELD_NAMES.get(k, k): v for k, v in exc.fields.items()})
        return exc.message
    for kind, key in limits:  # bookings made count, not the tries of someone correcting the form
        if key:
            pickup_limiter(kind).hit(key)
    _remember(pickup.reference, manage_token(settings, pickup))
    flash(_("Booked. We have sent the details to your phone."), "success")
    return redirect(url_for("pickup.manage_page", reference=pickup.reference))


def _phone_key(text: str | None) -> str:
    try:
        return mobile_phone(text or "")
    except InvalidValue:
        return ""


def _remember(reference: str, token: str) -> None:
    tokens = dict(session.get(TOKENS_KEY, {}))
    tokens[reference] = token
    session[TOKENS_KEY] = dict(list(tokens.items())[-10:])


def _own(reference: str) -> Pickup:
    reference = reference.strip().upper()
    token = session.get(TOKENS_KEY, {}).get(reference)
    try:
        found = manage.get_with_token(db.session, pickup_settings(), reference, token)
    except NotFound:
        abort(404)
    pickup = pickup_for_page(db.session, found.id)
    assert pickup is not None
    return pickup


@bp.get("/pickup/manage/<reference>")
def manage_page(reference: str) -> str | Response:
    if token := request.args.get("token"):
        # Keep the token out of the address bar, history and referrers once it has been used.
        _remember(reference.strip().upper(), token)
        return redirect(url_for("pickup.manage_page", reference=reference.strip().upper()))
    pickup = _own(reference)
    now = clock().now()
    settings = pickup_settings()
    form = RescheduleForm(formdata=None)
    form.date.choices = _day_choices(now)
    chosen = request.args.get("date") or to_local(max(pickup.slot_start, now)).date().isoformat()
    form.date.data = chosen
    windows = _windows_for(pickup, chosen, now) if manage.can_change(pickup, settings, now) else []
    # "Moving" to the window the pickup already has would change nothing (and say it moved).
    windows = [
        w for w in windows if w.window.start != pickup.slot_start or pickup.status == PickupStatus.FAILED
    ]
    form.slot_start.choices = [(to_local(w.window.start).isoformat(), _window_label(w)) for w in windows]
    return render_template(
        "pickup/manage.html",
        pickup=pickup,
        window=window_text(pickup),
        manage_link=manage_url(settings, pickup),
        can_change=manage.can_change(pickup, settings, now),
        change_until=pickup.slot_start - settings.change_cutoff,
        form=form,
        cancel_form=CancelForm(),
        statuses=PICKUP_STATUS_LABELS,
        events=EVENT_LABELS,
        deliveries=RESULT_DELIVERY_LABELS,
        failure=FAILURE_LABELS.get(FailureReason(pickup.failure_reason)) if pickup.failure_reason else None,
    )


def _windows_for(pickup: Pickup, day_text: str, now: datetime) -> list[FreeWindow]:
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        return []
    place = Place(pickup.province_code, pickup.commune_code, pickup.street, pickup.lat, pickup.lon)
    try:
        answer = quote(db.session, pickup_settings(), pickup.procedure.code, place, day, now)
    except DomainError:
        db.session.rollback()
        return []
    return answer.offer.free if answer.offer else []


@bp.post("/pickup/manage/<reference>/reschedule")
def reschedule(reference: str) -> Response:
    pickup = _own(reference)
    form = RescheduleForm()
    form.date.choices = _day_choices(clock().now())
    if form.validate_on_submit():
        settings = pickup_settings()
        new_start = parse_moment(form.slot_start.data)
        try:
            commit_with_retry(
                db.session,
                lambda: manage.reschedule(
                    db.session, settings, pickup, new_start, clock().now(), current_language()
                ),
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.fields.get("slot_start") or exc.message, "error")
        else:
            flash(_("Your pickup has been moved. We have sent the new details to your phone."), "success")
    return redirect(url_for("pickup.manage_page", reference=pickup.reference, date=form.date.data or None))


@bp.post("/pickup/manage/<reference>/cancel")
def cancel(reference: str) -> Response:
    pickup = _own(reference)
    if CancelForm().validate_on_submit():
        settings = pickup_settings()
        try:
            commit_with_retry(
                db.session,
                lambda: manage.cancel(db.session, settings, pickup, clock().now(), current_language()),
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            flash(_("Your pickup is cancelled."), "success")
    return redirect(url_for("pickup.manage_page", reference=pickup.reference))


@bp.route("/pickup/find", methods=["GET", "POST"])
def find_page() -> str | Response:
    """A lost link is sent again, only to the phone of the booking; the answer is the same either way."""
    form = FindForm()
    if form.validate_on_submit():
        if pickup_limiter("ip").hit(f"find:{request.remote_addr or 'unknown'}"):
            flash(_("Too many requests from here; please try again later or call the post office."), "error")
            return redirect(url_for("pickup.find_page"))
        send_link_again(
            db.session,
            pickup_settings(),
            form.reference.data or "",
            form.phone.data or "",
            clock().now(),
            current_language(),
        )
        db.session.commit()
        flash(
            _("If this reference and phone number belong to a booking, the link is on its way to that phone"),
            "success",
        )
        return redirect(url_for("pickup.find_page"))
    return render_template("pickup/find.html", form=form)
