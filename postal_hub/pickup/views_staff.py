"""Staff screens of home pickup (dispatch, route sheets, the door, schedules)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from postal_hub.auth.permissions import roles_required
from postal_hub.core.clock import to_local
from postal_hub.core.errors import DomainError
from postal_hub.core.orgs.models import PostOffice
from postal_hub.core.users.models import Role, User
from postal_hub.delivery import status as delivery_status
from postal_hub.delivery.models import Delivery
from postal_hub.delivery.status import DELIVERY_STATUS_LABELS, DeliveryStatus
from postal_hub.extensions import db
from postal_hub.pickup import queries
from postal_hub.pickup.blueprint import bp
from postal_hub.pickup.day_plan import plan_the_day
from postal_hub.pickup.dispatch import assign
from postal_hub.pickup.forms import (
    AssignForm,
    DayForm,
    PlanForm,
)
from postal_hub.pickup.models import Pickup
from postal_hub.pickup.status import FAILURE_LABELS, OPEN, PICKUP_STATUS_LABELS
from postal_hub.services import clock
from postal_hub.training import gate
from postal_hub.web_helpers import optional_int, record_id

DISPATCHERS = (Role.POSTAL_MANAGER, Role.SYSTEM_ADMIN)
ROUTE_READERS = (Role.POSTAL_MANAGER, Role.SYSTEM_ADMIN, Role.POSTMAN)
OPEN_VALUES = frozenset(s.value for s in OPEN)
# A result a manager may still put on a run or take off one; one still to be handed over on a run.
ASSIGNABLE_DELIVERIES = frozenset({DeliveryStatus.AT_OFFICE.value, DeliveryStatus.ASSIGNED.value})
ON_RUN = frozenset({DeliveryStatus.ASSIGNED.value, DeliveryStatus.OUT.value})


def _today() -> date:
    return to_local(clock().now()).date()


def _parse_day(text: str | None) -> date:
    """Today when not given; a hand-typed date that is no date is a bad request."""
    if not text:
        return _today()
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        abort(400)
    if not date(2000, 1, 1) <= day <= date(2100, 12, 31):
        abort(400)
    return day


def _record_arg(value: str | None) -> int | None:
    try:
        return optional_int(value)
    except ValueError:
        abort(404)


def _hm(moment: datetime | None) -> str:
    return to_local(moment).strftime("%H:%M") if moment else ""


def _window(pickup: Pickup) -> str:
    return f"{_hm(pickup.slot_start)}–{_hm(pickup.slot_end)}"


def _delivery_window(delivery: Delivery) -> str:
    if delivery.window_start is None or delivery.window_end is None:
        return _("any time of the day")
    return f"{_hm(delivery.window_start)}–{_hm(delivery.window_end)}"


def _door_href(code: str) -> str:
    """The postman's handover page (built beside the runs; a plain path until it is registered)."""
    try:
        return url_for("delivery.door", code=code)
    except BuildError:
        return f"/deliveries/{code}/door"


def _last_failure(delivery: Delivery) -> str:
    """Why the last door attempt failed, for the dispatch page ("" when none did)."""
    reasons = [a.reason for a in delivery.attempts_made if a.outcome == "failed" and a.reason]
    labels = {k.value: v for k, v in delivery_status.FAILURE_LABELS.items()}
    return str(labels.get(reasons[-1], "")) if reasons else ""


def _helpers() -> dict[str, object]:
    return {
        "hm": _hm,
        "window": _window,
        "statuses": PICKUP_STATUS_LABELS,
        "reasons": FAILURE_LABELS,
        "rough": queries.ROUGH_PRECISIONS,
        "open_statuses": OPEN_VALUES,
        "delivery_window": _delivery_window,
        "delivery_statuses": DELIVERY_STATUS_LABELS,
        "assignable_deliveries": ASSIGNABLE_DELIVERIES,
        "on_run": ON_RUN,
        "door_href": _door_href,
        "last_failure": _last_failure,
    }


# ---- Dispatch ---------------------------------------------------------------------------------


def _dispatch_page(office_id: int, day: date, row_errors: dict[str, str] | None = None) -> str:
    offices = queries.managed_offices(db.session, current_user, also=office_id)
    office = queries.managed_office(db.session, current_user, office_id)
    pickups = queries.day_list(db.session, office, day)
    deliveries = queries.day_deliveries(db.session, office, day, _today())
    postmen = queries.postmen_of(db.session, office)
    # The gate refuses an uncertified postman at the door: say so here, before the route is set.
    group_of = queries.procedure_groups(db.session, {p.procedure_id for p in pickups})
    certified = {
        group_id: gate.certified_among(db.session, [u.id for u in postmen], group_id, day)
        for group_id in set(group_of.values())
    }
    uncertified = {
        p.reference: {u.id for u in postmen} - certified.get(group_of.get(p.procedure_id), set())
        for p in pickups
    }
    day_form = DayForm(formdata=None, office=str(office.id), date=day.isoformat())
    day_form.office.choices = [(str(o.id), f"{o.name} ({o.code})") for o in offices]
    plan_form = PlanForm(
        formdata=None, office=office.id, date=day.isoformat(), postman_ids=[str(u.id) for u in postmen]
    )
    plan_form.postman_ids.choices = [(str(u.id), u.full_name) for u in postmen]
    return render_template(
        "pickup/dispatch.html",
        office=office,
        day=day,
        today=_today(),
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        pickups=pickups,
        counts=queries.day_counts(pickups),
        deliveries=deliveries,
        delivery_counts=queries.delivery_counts(deliveries),
        postmen=postmen,
        stops_per_postman=Counter(
            [p.postman_id for p in pickups if p.postman_id]
            + [d.postman_id for d in deliveries if d.postman_id and d.day == day]
        ),
        schedule=queries.schedule_of(db.session, office),
        day_form=day_form,
        plan_form=plan_form,
        row_errors=row_errors or {},
        uncertified=uncertified,
        **_helpers(),
    )


@bp.get("/pickups/dispatch")
@roles_required(*DISPATCHERS)
def dispatch() -> str:
    day = _parse_day(request.args.get("date"))
    office_id = _record_arg(request.args.get("office"))
    if office_id is None:
        offices = queries.managed_offices(db.session, current_user)
        if not offices:
            return render_template("pickup/dispatch.html", office=None, day=day)
        office_id = next((o.id for o in offices if o.id == current_user.post_office_id), offices[0].id)
    return _dispatch_page(office_id, day)


def _back_to_dispatch(office_id: int, day: date, anchor: str = "") -> Response:
    return redirect(url_for("pickup.dispatch", office=office_id, date=day.isoformat()) + anchor)


@bp.post("/pickups/<reference>/assign")
@roles_required(*DISPATCHERS)
def assign_pickup(reference: str) -> str | Response:
    pickup = queries.dispatch_pickup(db.session, current_user, reference)
    office_id, ref, day = pickup.office_id, pickup.reference, to_local(pickup.slot_start).date()
    form = AssignForm()
    if not form.validate_on_submit():
        abort(400)
    refused = _("Not a postman of this office.")
    try:
        postman_id = optional_int(form.postman_id.data)
    except ValueError:
        return _dispatch_page(office_id, day, {ref: refused})
    postman: User | None = None
    if postman_id is not None:
        postman = queries.user_by_id(db.session, postman_id)
        if postman is None:
            return _dispatch_page(office_id, day, {ref: refused})
    try:
        assign(db.session, current_user, pickup, postman, clock().now())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _dispatch_page(office_id, day, {ref: exc.fields.get("postman_id", exc.message)})
    message = (
        _("%(ref)s is on %(name)s's route.", ref=ref, name=postman.full_name)
        if postman
        else _("%(ref)s is back in the office's pool.", ref=ref)
    )
    db.session.commit()
    flash(message, "success")
    return _back_to_dispatch(office_id, day, f"#pickup-{ref}")


@bp.post("/pickups/dispatch/plan")
@roles_required(*DISPATCHERS)
def plan_day() -> Response:
    form = PlanForm()
    office_id = _record_arg(form.office.data)
    if office_id is None:
        abort(404)
    office = queries.managed_office(db.session, current_user, office_id)
    day = _parse_day(form.date.data)
    if not form.validate_on_submit():
        abort(400)
    try:
        ids = list(dict.fromkeys(record_id(v) for v in form.postman_ids.data or []))
    except ValueError:
        flash(_("Choose postmen of %(office)s.", office=office.name), "error")
        return _back_to_dispatch(office.id, day)
    postmen = queries.users_by_ids(db.session, ids)
    if len(postmen) != len(ids):
        flash(_("Choose postmen of %(office)s.", office=office.name), "error")
        return _back_to_dispatch(office.id, day)
    try:
        outcome = plan_the_day(db.session, current_user, office, day, postmen, clock().now())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _back_to_dispatch(office_id, day)
    done = ngettext(
        "Day planned: %(num)d pickup on the postmen's routes, %(km)s km in all.",
        "Day planned: %(num)d pickups on the postmen's routes, %(km)s km in all.",
        outcome.pickups_planned,
        km=format_decimal(outcome.plan.total_km, format="#,##0.0"),
    )
    if outcome.deliveries_planned:
        done += " " + ngettext(
            "%(num)d result to hand over is on the routes too.",
            "%(num)d results to hand over are on the routes too.",
            outcome.deliveries_planned,
        )
    left_out = ", ".join(f"{p.reference} ({_window(p)})" for p in outcome.unserved)
    unserved = ngettext(
        "%(num)d stop could not be fitted in its window and stays unassigned: %(list)s. "
        "Assign it by hand, or ask the citizen to choose another window.",
        "%(num)d stops could not be fitted in their window and stay unassigned: %(list)s. "
        "Assign them by hand, or ask the citizens to choose another window.",
        len(outcome.unserved),
        list=left_out,
    )
    db.session.commit()
    flash(done, "success")
    if outcome.unserved:
        flash(unserved, "error")
    if outcome.unserved_deliveries:
        flash(_unserved_deliveries(outcome.unserved_deliveries), "error")
    return _back_to_dispatch(office.id, day)


def _unserved_deliveries(deliveries: list[Delivery]) -> str:
    left_out = ", ".join(
        f"{d.dossier.code} ({_delivery_window(d) if d.lat is not None else _('no map position')})"
        for d in deliveries
    )
    return ngettext(
        "%(num)d result could not be fitted on a route and stays at the office: %(list)s. "
        "Assign it by hand, or agree another window with the citizen.",
        "%(num)d results could not be fitted on a route and stay at the office: %(list)s. "
        "Assign them by hand, or agree other windows with the citizens.",
        len(deliveries),
        list=left_out,
    )


# ---- Route sheets -----------------------------------------------------------------------------


def _route_page(template: str, office: PostOffice, postman: User, day: date) -> str:
    route = queries.route_items(db.session, office, postman, day)
    pickups = [item.pickup for item in route if item.pickup is not None]
    deliveries = [item.delivery for item in route if item.delivery is not None]
    own_today = current_user.id == postman.id and day == _today()
    waiting = any(d.status == DeliveryStatus.ASSIGNED.value for d in deliveries)
    started = any(d.status != DeliveryStatus.ASSIGNED.value for d in deliveries)
    return render_template(
        template,
        office=office,
        postman=postman,
        day=day,
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        route=route,
        stops=pickups,
        deliveries=deliveries,
        to_collect=sum(
            p.fee + p.procedure.fee + p.procedure.charge for p in pickups if p.status in OPEN_VALUES
        )
        + sum(d.amount_due for d in deliveries if d.status in ON_RUN),
        may_dispatch=current_user.has_role(*DISPATCHERS),
        # The postman on his own page of today starts his run, and takes out what was added later.
        may_start=own_today and waiting and not started,
        run_started=own_today and started,
        **_helpers(),
    )


@bp.get("/pickups/route")
@roles_required(*ROUTE_READERS)
def route_sheet() -> str:
    office_id = _record_arg(request.args.get("office"))
    postman_id = _record_arg(request.args.get("postman"))
    if office_id is None or postman_id is None:
        abort(404)
    office, postman = queries.route_postman(db.session, current_user, office_id, postman_id)
    return _route_page("pickup/route_sheet.html", office, postman, _parse_day(request.args.get("date")))


@bp.get("/pickups/my-route")
@roles_required(Role.POSTMAN)
def my_route() -> str:
    day = _parse_day(request.args.get("date"))
    office = current_user.post_office
    if office is None:
        return render_template("pickup/my_route.html", office=None, day=day, stops=[])
    return _route_page("pickup/my_route.html", office, current_user, day)


# ---- At the door ------------------------------------------------------------------------------
