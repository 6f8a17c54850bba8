"""Staff screens at the door and for the office's pickup schedule."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from postal_hub.auth.permissions import roles_required
from postal_hub.core.clock import to_local
from postal_hub.core.errors import DomainError
from postal_hub.core.users.models import Role
from postal_hub.extensions import db
from postal_hub.intake.services import Incomplete
from postal_hub.intake.status import PAYMENT_LABELS
from postal_hub.pickup import door as door_service
from postal_hub.pickup import queries
from postal_hub.pickup.blueprint import bp
from postal_hub.pickup.forms import (
    DoorAcceptForm,
    DoorFailForm,
    ScheduleForm,
)
from postal_hub.pickup.models import Pickup
from postal_hub.pickup.schedule_admin import ScheduleInput, save_schedule
from postal_hub.pickup.status import EVENT_LABELS
from postal_hub.pickup.views_staff import (
    DISPATCHERS,
    _back_to_dispatch,
    _helpers,
)
from postal_hub.services import clock, pickup_settings
from postal_hub.web_helpers import apply_errors


def _may_act(pickup: Pickup) -> bool:
    try:
        door_service.check_at_door(current_user, pickup)
    except DomainError:
        return False
    return True


def _door_page(pickup: Pickup, accept_form: DoorAcceptForm, fail_form: DoorFailForm) -> str:
    return render_template(
        "pickup/door.html",
        pickup=pickup,
        day=to_local(pickup.slot_start).date(),
        accept_form=accept_form,
        fail_form=fail_form,
        may_act=_may_act(pickup),
        events=EVENT_LABELS,
        actors=queries.event_actors(db.session, pickup.events),
        payments=PAYMENT_LABELS,
        **_helpers(),
    )


def _after_visit(pickup_day: date, office_id: int) -> Response:
    if current_user.has_role(Role.POSTMAN):
        return redirect(url_for("pickup.my_route", date=pickup_day.isoformat()))
    if current_user.has_role(*DISPATCHERS):
        return _back_to_dispatch(office_id, pickup_day)
    return redirect(url_for("home.index"))


@bp.route("/pickups/<reference>/door", methods=["GET", "POST"])
@roles_required(Role.POSTMAN, Role.POSTAL_MANAGER, Role.SYSTEM_ADMIN)
def door(reference: str) -> str | Response | tuple[str, int]:
    pickup = queries.door_pickup(db.session, current_user, reference)
    step = request.form.get("step") if request.method == "POST" else None
    if request.method == "POST" and step not in ("accept", "fail"):
        abort(400)
    accept_form = DoorAcceptForm() if step == "accept" else DoorAcceptForm(formdata=None)
    fail_form = DoorFailForm() if step == "fail" else DoorFailForm(formdata=None)
    accept_form.present.choices = [(c.code, c.name) for c in pickup.procedure.components]
    ref, office_id, day = pickup.reference, pickup.office_id, to_local(pickup.slot_start).date()
    now = clock().now()
    if step == "accept" and accept_form.validate_on_submit():
        try:
            result = door_service.complete(
                db.session,
                pickup_settings(),
                current_user,
                pickup,
                set(accept_form.present.data or []),
                accept_form.payment_method.data or "",
                now,
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            apply_errors(accept_form, exc.fields)
            pickup = queries.door_pickup(db.session, current_user, ref)
        else:
            if isinstance(result, Incomplete):
                db.session.commit()
                return render_template(
                    "pickup/staff_missing.html", pickup=pickup, missing=result.missing, now=now, day=day
                )
            code = result.code
            db.session.commit()
            flash(
                _(
                    "Dossier %(code)s accepted at the door; the citizen was sent the tracking link.",
                    code=code,
                ),
                "success",
            )
            return redirect(url_for("intake.dossier_page", code=code))
    elif step == "fail" and fail_form.validate_on_submit():
        try:
            door_service.fail(
                db.session,
                pickup_settings(),
                current_user,
                pickup,
                fail_form.reason.data or "",
                fail_form.note.data or "",
                now,
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            apply_errors(fail_form, exc.fields)
            pickup = queries.door_pickup(db.session, current_user, ref)
        else:
            db.session.commit()
            flash(
                _(
                    "%(ref)s recorded as not picked up; the citizen was sent a link to choose a new window.",
                    ref=ref,
                ),
                "success",
            )
            return _after_visit(day, office_id)
    return _door_page(pickup, accept_form, fail_form)


# ---- The office's schedule --------------------------------------------------------------------


@bp.route("/pickups/schedule/<int:office_id>", methods=["GET", "POST"])
@roles_required(*DISPATCHERS)
def schedule(office_id: int) -> str | Response:
    office = queries.managed_office(db.session, current_user, office_id)
    current = queries.schedule_of(db.session, office)
    if current is not None:
        form = ScheduleForm(obj=current)
    else:
        form = ScheduleForm(capacity=5, service_minutes=10, active=True)
    if form.validate_on_submit():
        data = ScheduleInput(
            windows=form.windows.data or "",
            capacity=form.capacity.data,
            service_minutes=form.service_minutes.data,
            active=bool(form.active.data),
        )
        try:
            save_schedule(db.session, current_user, office, data, clock().now())
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            apply_errors(form, exc.fields)
            office = queries.managed_office(db.session, current_user, office_id)
            current = queries.schedule_of(db.session, office)
        else:
            db.session.commit()
            flash(_("The pickup schedule of %(office)s is saved.", office=office.name), "success")
            return redirect(url_for("pickup.schedule", office_id=office.id))
    return render_template(
        "pickup/schedule.html",
        office=office,
        schedule=current,
        form=form,
        updated_by=queries.user_by_id(db.session, current.updated_by_id)
        if current and current.updated_by_id
        else None,
    )
