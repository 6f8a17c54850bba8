"""The citizen's page for a result on its way: where it is, a new window, collection, rating.

Opened from the link in the text messages, without an account. As on the pickup manage page the token
is checked, kept in the citizen's session and dropped from the address bar (history, referrers).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel.dates import get_day_names
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from postal_hub.core import opening_hours
from postal_hub.core.clock import to_local
from postal_hub.core.errors import DomainError, NotFound
from postal_hub.core.retry import commit_with_retry
from postal_hub.core.text import mask_name
from postal_hub.core.validators import InvalidValue
from postal_hub.delivery import citizen, notices, ratings, windows
from postal_hub.delivery.blueprint import bp
from postal_hub.delivery.forms_public import AuthoriseForm, RatingForm, SwitchForm, WindowForm
from postal_hub.delivery.models import Delivery
from postal_hub.delivery.ratings import RatingInput
from postal_hub.delivery.status import (
    DELIVERY_STATUS_LABELS,
    EVENT_LABELS,
    FAILURE_LABELS,
    DeliveryMethod,
    DeliveryStatus,
    FailureReason,
    Outcome,
)
from postal_hub.extensions import db
from postal_hub.pickup.inputs import parse_moment
from postal_hub.pickup.offers import FreeWindow, Rules
from postal_hub.services import clock
from postal_hub.web_helpers import apply_errors

TOKENS_KEY = "delivery_tokens"
# Timeline notes the citizen may read: the window chosen, the (masked) person authorised.
SHOWN_NOTES = frozenset({"window_set", "authorised"})

Page = tuple[str, int]


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _code(code: str) -> str:
    return (code or "").strip().upper()


def _remember(code: str, token: str) -> None:
    tokens = dict(session.get(TOKENS_KEY, {}))
    tokens[code] = token
    session[TOKENS_KEY] = dict(list(tokens.items())[-10:])


def _own(code: str) -> Delivery:
    code = _code(code)
    try:
        return citizen.get_with_token(db.session, _secret(), code, session.get(TOKENS_KEY, {}).get(code))
    except NotFound:
        abort(404)


@bp.get("/results/<code>")
def result_page(code: str) -> Page | Response:
    if token := request.args.get("token"):
        code = _code(code)
        try:  # a wrong token is a 404 at once, exactly like an unknown code
            citizen.get_with_token(db.session, _secret(), code, token)
        except NotFound:
            abort(404)
        _remember(code, token)
        return redirect(url_for("delivery.result_page", code=code))
    return _page(_own(code))


def _rules() -> Rules:
    return Rules.from_config(current_app.config)


def _window_label(w: FreeWindow) -> str:
    return f"{to_local(w.window.start):%H:%M}–{to_local(w.window.end):%H:%M}"


def _free_by_day(delivery: Delivery, now: datetime) -> dict[date, list[FreeWindow]]:
    """The days ahead that have a window with room, other than the one the result already has."""
    rules = _rules()
    found = {}
    for day in windows.days_ahead(now, rules):
        free = [
            w
            for w in windows.free_windows(db.session, delivery, day, now, rules)
            if w.remaining > 0 and w.window.start != delivery.window_start
        ]
        if free:
            found[day] = free
    return found


def _prepare_windows(form: WindowForm, delivery: Delivery, now: datetime) -> None:
    by_day = _free_by_day(delivery, now)
    form.date.choices = [(d.isoformat(), format_date(d, "EEEE dd/MM")) for d in by_day]
    asked = form.date.data or request.args.get("date") or ""
    current = delivery.day.isoformat() if delivery.day else ""
    offered = [d.isoformat() for d in by_day]
    chosen = next((d for d in (asked, current) if d in offered), offered[0] if offered else "")
    form.date.data = chosen
    free = by_day.get(date.fromisoformat(chosen), []) if chosen else []
    form.slot_start.choices = [(to_local(w.window.start).isoformat(), _window_label(w)) for w in free]


def _opening_rows(text: str) -> list[tuple[str, str]]:
    """'Mo-Fr 07:30-17:00; Sa 07:30-11:30' as the reader's day names, consecutive equal days joined."""
    try:
        schedule = opening_hours.parse(text)
    except InvalidValue:
        return [("", text)] if text else []
    names = get_day_names("wide", locale=get_locale())
    rows: list[tuple[list[int], str]] = []
    for day in range(7):
        periods = schedule.get(day)
        if not periods:
            continue
        hours = ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in periods)
        if rows and rows[-1][1] == hours and rows[-1][0][-1] == day - 1:
            rows[-1][0].append(day)
        else:
            rows.append(([day], hours))
    return [(names[d[0]] if len(d) == 1 else f"{names[d[0]]} – {names[d[-1]]}", hours) for d, hours in rows]


def _page(
    delivery: Delivery,
    status: int = 200,
    problem: str = "",
    section: str = "",
    window_form: WindowForm | None = None,
    authorise_form: AuthoriseForm | None = None,
    rating_form: RatingForm | None = None,
) -> Page:
    now = clock().now()
    delivery = citizen.for_page(db.session, delivery.id)
    dossier = delivery.dossier
    can_move = citizen.can_move(delivery)
    window_form = WindowForm(formdata=None) if window_form is None else window_form
    if can_move:
        _prepare_windows(window_form, delivery, now)
    delivered = delivery.status == DeliveryStatus.DELIVERED.value
    rated = delivered and ratings.already_rated(db.session, dossier.id)
    can_authorise = citizen.can_authorise(delivery)
    shown = {"move": can_move, "collect": can_move, "authorise": can_authorise, "rating": delivered}
    section = section if shown.get(section) else ""  # a refusal by a form not shown: at the top
    failures = [a for a in delivery.attempts_made if a.outcome == Outcome.FAILED.value]
    last_failure = failures[-1] if failures and not delivered else None
    handed_over = next((e.at for e in reversed(delivery.events) if e.code == "delivered"), None)
    html = render_template(
        "delivery/result.html",
        delivery=delivery,
        dossier=dossier,
        applicant=mask_name(dossier.applicant_name),
        authorised=mask_name(delivery.authorised_name) if delivery.authorised_name else "",
        status_label=DELIVERY_STATUS_LABELS[DeliveryStatus(delivery.status)],
        at_office=delivery.method == DeliveryMethod.POST_OFFICE.value,
        window=notices.window_text(delivery),
        opening=_opening_rows(delivery.office.opening_hours),
        last_failure=FAILURE_LABELS.get(FailureReason(last_failure.reason))
        if last_failure and last_failure.reason
        else None,
        handed_over=handed_over or delivery.closed_at,
        events=[
            (e, EVENT_LABELS.get(e.code, e.code), e.code in SHOWN_NOTES) for e in reversed(delivery.events)
        ],
        can_move=can_move,
        can_authorise=can_authorise,
        can_rate=delivered and not rated,
        rated=rated,
        window_form=window_form,
        switch_form=SwitchForm(formdata=None),
        authorise_form=AuthoriseForm(formdata=None) if authorise_form is None else authorise_form,
        rating_form=RatingForm(formdata=None) if rating_form is None else rating_form,
        problem=problem,
        section=section,
    )
    return html, status


def _refused(
    delivery: Delivery,
    exc: DomainError,
    section: str,
    window_form: WindowForm | None = None,
    authorise_form: AuthoriseForm | None = None,
    rating_form: RatingForm | None = None,
) -> Page:
    """A refused action: the page again, with the reason by the form and the fields marked; nothing
    was saved."""
    db.session.rollback()
    for form in (window_form, authorise_form, rating_form):
        if form is not None:
            apply_errors(form, exc.fields)
    return _page(delivery, exc.status_code, exc.message, section, window_form, authorise_form, rating_form)


def _invalid(delivery: Delivery, section: str, **forms: Any) -> Page:
    return _page(delivery, 422, _("Please correct the fields marked below."), section, **forms)


def _back(delivery: Delivery) -> Response:
    """Done: the page from the top, where the flash says so (#main overrides the form's own anchor,
    which the browser would otherwise keep through the redirect)."""
    return redirect(url_for("delivery.result_page", code=delivery.dossier.code, _anchor="main"))


@bp.post("/results/<code>/window")
def choose_window(code: str) -> Page | Response:
    delivery = _own(code)
    form = WindowForm()
    if not form.validate_on_submit():
        return _invalid(delivery, "move", window_form=form)
    start = parse_moment(form.slot_start.data)
    if start is None:
        form.slot_start.errors = [_("Choose one of the times shown.")]
        return _invalid(delivery, "move", window_form=form)
    rules = _rules()
    try:
        commit_with_retry(
            db.session, lambda: windows.set_window(db.session, delivery, start, clock().now(), rules)
        )
    except DomainError as exc:
        return _refused(delivery, exc, "move", window_form=form)
    flash(_("The new time is saved. We have sent it to your phone."), "success")
    return _back(delivery)


@bp.post("/results/<code>/collect")
def collect_at_office(code: str) -> Page | Response:
    delivery = _own(code)
    if not SwitchForm().validate_on_submit():
        abort(400)
    try:
        commit_with_retry(db.session, lambda: citizen.switch_to_office(db.session, delivery, clock().now()))
    except DomainError as exc:
        return _refused(delivery, exc, "collect")
    flash(
        _(
            "The result will wait for you at the post office. The collection code is on its way to your "
            "phone."
        ),
        "success",
    )
    return _back(delivery)


@bp.post("/results/<code>/authorise")
def authorise(code: str) -> Page | Response:
    delivery = _own(code)
    form = AuthoriseForm()
    if not form.validate_on_submit():
        return _invalid(delivery, "authorise", authorise_form=form)
    try:
        commit_with_retry(
            db.session,
            lambda: citizen.authorise(
                db.session, delivery, form.name.data or "", form.citizen_id.data or "", clock().now()
            ),
        )
    except DomainError as exc:
        return _refused(delivery, exc, "authorise", authorise_form=form)
    flash(
        _("The person is recorded. They must show their citizen ID card and your written authorisation."),
        "success",
    )
    return _back(delivery)


def _answer(form: RatingForm, prefix: str) -> RatingInput:
    return RatingInput(
        getattr(form, f"{prefix}_level").data or "",
        tuple(getattr(form, f"{prefix}_reasons").data or ()),
        getattr(form, f"{prefix}_comment").data or "",
    )


@bp.post("/results/<code>/rating")
def rate(code: str) -> Page | Response:
    delivery = _own(code)
    form = RatingForm()
    if not form.validate_on_submit():
        return _invalid(delivery, "rating", rating_form=form)
    dossier = delivery.dossier
    try:
        commit_with_retry(
            db.session,
            lambda: ratings.rate(
                db.session, dossier, _answer(form, "postal"), _answer(form, "unit"), clock().now()
            ),
        )
    except DomainError as exc:
        return _refused(delivery, exc, "rating", rating_form=form)
    flash(_("Thank you. Your rating helps the post and the unit serve you better."), "success")
    return _back(delivery)
