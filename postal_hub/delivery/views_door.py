"""The postman's and the counter's handover screens: identity check, proof, fees, failed attempts."""

from __future__ import annotations

import re
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from postal_hub.auth.permissions import roles_required
from postal_hub.core.errors import DomainError, NotFound
from postal_hub.core.users.models import Role
from postal_hub.delivery import door_queries, failures, handover
from postal_hub.delivery.blueprint import bp
from postal_hub.delivery.forms_door import DoorFailForm, HandoverForm, ReleaseForm, UnitCounterForm
from postal_hub.delivery.identity import IdentityMismatch
from postal_hub.delivery.models import Delivery
from postal_hub.delivery.proof import MAX_PROOF_BYTES, signature_from_data_url
from postal_hub.delivery.status import (
    DELIVERY_STATUS_LABELS,
    EVENT_LABELS,
    FAILURE_LABELS,
    ID_METHOD_LABELS,
    RECIPIENT_LABELS,
)
from postal_hub.delivery.unit_counter import may_hand_over_at_unit
from postal_hub.extensions import db
from postal_hub.intake.access import get_dossier
from postal_hub.intake.status import PAYMENT_LABELS, DossierStatus, ResultDelivery
from postal_hub.services import clock, file_store, notifier
from postal_hub.web_helpers import apply_errors, parse_coordinate

__all__ = ["bp"]

DOOR_ROLES = (Role.POSTMAN, Role.POSTAL_MANAGER, Role.SYSTEM_ADMIN)
COUNTER_ROLES = (Role.POSTAL_CLERK, Role.POSTAL_MANAGER, Role.SYSTEM_ADMIN)
PROOF_READERS = (Role.POSTAL_CLERK, Role.POSTAL_MANAGER, Role.SYSTEM_ADMIN, Role.UNIT_OFFICER)
_AMOUNT = re.compile(r"[0-9]{1,12}")
_PROOF_KINDS = {"signature", "photo", "authorisation"}


def _labels() -> dict[str, object]:
    return {
        "statuses": DELIVERY_STATUS_LABELS,
        "events": EVENT_LABELS,
        "reasons": {k.value: v for k, v in FAILURE_LABELS.items()},
        "recipients": {k.value: v for k, v in RECIPIENT_LABELS.items()},
        "id_methods": {k.value: v for k, v in ID_METHOD_LABELS.items()},
        "payments": {k.value: v for k, v in PAYMENT_LABELS.items()},
    }


def _read(storage: FileStorage | None) -> bytes | None:
    """The uploaded file's bytes (one more than allowed is enough to refuse it); None when none chosen."""
    if storage is None or not storage.filename:
        return None
    return storage.read(MAX_PROOF_BYTES + 1)


def _amount(form: HandoverForm) -> tuple[int | None, bool]:
    raw = re.sub(r"[\s.,]", "", form.amount_collected.data or "").removesuffix("đ").removesuffix("VND")
    if not raw:
        return None, True
    if not _AMOUNT.fullmatch(raw):
        form.amount_collected.errors = [_l("Enter the amount in đồng, digits only, e.g. 50000.")]
        return None, False
    return int(raw), True


def _handover_input(form: HandoverForm, at_door: bool) -> handover.HandoverInput | None:
    """What was typed and uploaded, or None when something could not even be read (the form says
    what): the service checks the rest."""
    amount, amount_ok = _amount(form)
    lat, lat_ok = parse_coordinate(form, "lat") if at_door else (None, True)
    lon, lon_ok = parse_coordinate(form, "lon") if at_door else (None, True)
    if not (amount_ok and lat_ok and lon_ok):
        return None
    return handover.HandoverInput(
        recipient=form.recipient.data or "",
        recipient_name=form.recipient_name.data or "",
        relation=form.relation.data or "",
        id_method=form.id_method.data or "",
        id_digits=form.id_digits.data or "",
        code=form.code.data or "",
        lat=lat,
        lon=lon,
        signature=signature_from_data_url(form.signature.data),
        photo=_read(request.files.get("photo")),
        authorisation=_read(request.files.get("authorisation")),
        amount_collected=amount,
        payment_method=form.payment_method.data or "",
    )


def _hand_over(delivery: Delivery, form: HandoverForm, at_door: bool) -> bool | None:
    """True: handed over and committed. False: refused (the form carries why). None: refused after a
    wrong ID or code, whose record is committed; `blocked` is then in the flash."""
    data = _handover_input(form, at_door)
    if data is None:
        flash(_("Please correct the fields marked below."), "error")
        return False
    try:
        attempt = handover.hand_over(
            db.session,
            current_user,
            delivery,
            data,
            clock().now(),
            current_app.config["SECRET_KEY"],
            file_store(),
            notifier(),
        )
    except IdentityMismatch as exc:
        db.session.commit()  # the wrong try stays on record although nothing is handed over
        flash(exc.message, "error")
        apply_errors(form, exc.fields)
        return None
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        apply_errors(form, exc.fields)
        return False
    name, code = attempt.recipient_name, delivery.dossier.code
    db.session.commit()
    flash(_("The result of %(code)s was handed to %(name)s.", code=code, name=name), "success")
    return True


def _page(template: str, delivery: Delivery, **forms: Any) -> str:
    may_release = failures.may_release(current_user, delivery) and delivery.status == "blocked"
    return render_template(
        template,
        delivery=delivery,
        dossier=delivery.dossier,
        actors=door_queries.actors_of(db.session, delivery),
        release_form=ReleaseForm(formdata=None) if may_release else None,
        may_see_proof=current_user.has_role(*PROOF_READERS),
        **forms,
        **_labels(),
    )


def _step() -> str | None:
    if request.method != "POST":
        return None
    step = request.form.get("step")
    if step not in ("deliver", "fail"):
        abort(400)
    return step


@bp.route("/deliveries/<code>/door", methods=["GET", "POST"])
@roles_required(*DOOR_ROLES)
def door(code: str) -> str | Response:
    delivery = door_queries.handover_delivery(db.session, current_user, code)
    step = _step()
    form = HandoverForm() if step == "deliver" else HandoverForm(formdata=None)
    fail_form = DoorFailForm() if step == "fail" else DoorFailForm(formdata=None)
    code = delivery.dossier.code
    if step == "deliver" and form.validate_on_submit():
        done = _hand_over(delivery, form, at_door=True)
        if done:
            return redirect(url_for("delivery.door", code=code))
        if done is None and not _still_mine(code):
            return redirect(url_for("pickup.my_route"))  # blocked: it goes back to the office
        delivery = door_queries.handover_delivery(db.session, current_user, code)
    elif step == "fail" and fail_form.validate_on_submit():
        if _fail(delivery, fail_form):
            return redirect(url_for("pickup.my_route"))
        delivery = door_queries.handover_delivery(db.session, current_user, code)
    return _page(
        "delivery/door.html",
        delivery,
        form=form,
        fail_form=fail_form,
        may_act=_may_act_at_door(delivery),
    )


def _still_mine(code: str) -> bool:
    try:
        door_queries.handover_delivery(db.session, current_user, code)
    except NotFound:
        return False
    return True


def _may_act_at_door(delivery: Delivery) -> bool:
    return (
        current_user.has_role(Role.POSTMAN)
        and delivery.postman_id == current_user.id
        and delivery.status == "out"
    )


def _fail(delivery: Delivery, form: DoorFailForm) -> bool:
    lat, lat_ok = parse_coordinate(form, "lat")
    lon, lon_ok = parse_coordinate(form, "lon")
    if not (lat_ok and lon_ok):
        flash(_("Please correct the fields marked below."), "error")
        return False
    code = delivery.dossier.code
    try:
        attempt = failures.fail_attempt(
            db.session,
            current_user,
            delivery,
            form.reason.data or "",
            form.note.data or "",
            lat,
            lon,
            clock().now(),
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        apply_errors(form, exc.fields)
        return False
    back = delivery.status == "to_return"
    number = attempt.number
    db.session.commit()
    if back:
        flash(_("%(code)s recorded as not delivered; it goes back to the unit.", code=code), "success")
    else:
        flash(
            _(
                "%(code)s recorded as not delivered (attempt %(n)d); the citizen was sent a link to "
                "choose a new time. Bring the result back to the office.",
                code=code,
                n=number,
            ),
            "success",
        )
    return True


@bp.route("/deliveries/<code>/collect", methods=["GET", "POST"])
@roles_required(*COUNTER_ROLES)
def collect(code: str) -> str | Response:
    delivery = door_queries.handover_delivery(db.session, current_user, code)
    posted = request.method == "POST"
    form = HandoverForm() if posted else HandoverForm(formdata=None)
    code = delivery.dossier.code
    if posted and form.validate_on_submit():
        if _hand_over(delivery, form, at_door=False):
            return redirect(url_for("delivery.collect", code=code))
        delivery = door_queries.handover_delivery(db.session, current_user, code)
    may_act = delivery.status == "at_office" and handover.may_hand_over_at_counter(current_user, delivery)
    return _page("delivery/counter.html", delivery, form=form, may_act=may_act)


@bp.post("/deliveries/<code>/release")
@roles_required(Role.POSTAL_MANAGER, Role.SYSTEM_ADMIN)
def release(code: str) -> Response:
    delivery = door_queries.handover_delivery(db.session, current_user, code)
    form = ReleaseForm()
    code = delivery.dossier.code
    back = redirect(url_for("delivery.collect", code=code))
    if not form.validate_on_submit():
        abort(400)
    if form.outcome.data not in ("at_office", "to_return"):
        flash(_("Choose whether to release the result or send it back to the unit."), "error")
        return back
    to_return = form.outcome.data == "to_return"
    try:
        failures.release_block(db.session, current_user, delivery, clock().now(), to_return)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return back
    db.session.commit()
    if to_return:
        flash(_("%(code)s goes back to the unit: put it on a return manifest.", code=code), "success")
    else:
        flash(_("%(code)s is released and may be handed over again.", code=code), "success")
    return back


@bp.get("/deliveries/<code>/proof/<int:number>/<kind>")
@roles_required(*PROOF_READERS)
def proof_file(code: str, number: int, kind: str) -> Response:
    """A signature, photo or authorisation of one attempt, for the staff who answer for it."""
    delivery = door_queries.handover_delivery(db.session, current_user, code)
    attempt = door_queries.attempt_of(delivery, number)
    digest = getattr(attempt, f"{kind}_sha256", None) if attempt and kind in _PROOF_KINDS else None
    if not digest:
        abort(404)
    try:
        data = file_store().get(digest)
    except (OSError, KeyError, ValueError):
        abort(404)
    mimetype = "application/pdf" if data.startswith(b"%PDF-") else "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        mimetype = "image/jpeg"
    response = current_app.response_class(data, mimetype=mimetype)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---- The unit's own counter -------------------------------------------------------------------


@bp.route("/deliveries/<code>/unit-counter", methods=["GET", "POST"])
@roles_required(Role.UNIT_OFFICER)
def unit_counter(code: str) -> str | Response:
    dossier = get_dossier(db.session, current_user, code)
    form = UnitCounterForm()
    code = dossier.code
    if form.validate_on_submit():
        try:
            handover.hand_over_at_unit(
                db.session,
                current_user,
                dossier,
                form.recipient_name.data or "",
                form.id_digits.data or "",
                clock().now(),
            )
        except IdentityMismatch as exc:
            db.session.commit()  # the wrong try stays in the audit log
            flash(exc.message, "error")
            apply_errors(form, exc.fields)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            apply_errors(form, exc.fields)
        else:
            db.session.commit()
            flash(_("The result of %(code)s is handed over.", code=code), "success")
            return redirect(url_for("intake.dossier_page", code=code))
        dossier = get_dossier(db.session, current_user, code)
    waiting = (
        (
            dossier.status == DossierStatus.RESULT_READY.value
            and dossier.result_delivery == ResultDelivery.COUNTER.value
        )
        or dossier.status == DossierStatus.RETURNED.value
    ) and may_hand_over_at_unit(db.session, current_user, dossier)
    return render_template("delivery/unit_counter.html", dossier=dossier, form=form, waiting=waiting)
