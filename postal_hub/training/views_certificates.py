"""Certificate screens: issuing on a pass, the list, one certificate, revoking, and the printable sheet."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from postal_hub.auth.permissions import roles_required
from postal_hub.core.errors import DomainError
from postal_hub.core.pagination import parse_page, record_number
from postal_hub.core.users.models import Role
from postal_hub.extensions import db
from postal_hub.intake.printables import qr_svg
from postal_hub.services import clock
from postal_hub.training import queries, queries_certificates
from postal_hub.training.access import may_revoke
from postal_hub.training.blueprint import bp
from postal_hub.training.certificates import issue, issue_all_passed, revoke
from postal_hub.training.enrolment import get_enrolment
from postal_hub.training.forms import ReasonForm
from postal_hub.training.models import Certificate
from postal_hub.training.status import EXPIRY_HORIZONS
from postal_hub.training.views_sessions import HUB, _back, _checked_form, refuse, today
from postal_hub.web_helpers import apply_errors


@bp.post("/training/sessions/<int:session_id>/enrolments/<int:enrolment_id>/issue")
@roles_required(Role.SYSTEM_ADMIN, Role.TRAINER)
def session_issue(session_id: int, enrolment_id: int) -> Response:
    record = queries.session_for_page(db.session, current_user, session_id)
    _checked_form()
    line = get_enrolment(record, enrolment_id)
    try:
        made = issue(db.session, current_user, line, clock().now())
    except DomainError as exc:
        refuse(exc)
        return _back(record, "#results")
    db.session.commit()
    flash(
        _("Certificate %(number)s issued to %(name)s.", number=made.number, name=line.user.full_name),
        "success",
    )
    return _back(record, "#results")


@bp.post("/training/sessions/<int:session_id>/issue")
@roles_required(Role.SYSTEM_ADMIN, Role.TRAINER)
def session_issue_all(session_id: int) -> Response:
    record = queries.session_for_page(db.session, current_user, session_id)
    _checked_form()
    try:
        made = issue_all_passed(db.session, current_user, record, clock().now())
    except DomainError as exc:
        refuse(exc)
        return _back(record, "#results")
    db.session.commit()
    if made:
        flash(
            ngettext(
                "%(num)d certificate issued: %(numbers)s.",
                "%(num)d certificates issued: %(numbers)s.",
                len(made),
                numbers=", ".join(c.number for c in made),
            ),
            "success",
        )
    else:
        flash(_("Nobody is waiting for a certificate: every trainee who passed has one."), "info")
    return _back(record, "#results")


@bp.get("/training/certificates")
@roles_required(*HUB)
def certificates() -> str:
    state = request.args.get("state", "")
    within = record_number(request.args.get("within"))
    filters = queries_certificates.CertificateFilters(
        state=state if state in queries_certificates.CERTIFICATE_STATES else "",
        within=within if within in EXPIRY_HORIZONS else None,
        group_id=record_number(request.args.get("group")),
        q=request.args.get("q", "")[:80],
    )
    day = today()
    page = queries_certificates.certificates_page(
        db.session,
        current_user,
        filters,
        day,
        parse_page(request.args.get("page")),
        current_app.config["PAGE_SIZE"],
    )
    args = {
        "state": filters.state,
        "within": filters.within,
        "group": filters.group_id,
        "q": filters.q,
    }
    return render_template(
        "training/certificate_list.html",
        page=page,
        filters=filters,
        args={k: v for k, v in args.items() if v},
        groups=queries.group_choices(db.session),
        horizons=EXPIRY_HORIZONS,
        today=day,
        state_of=queries_certificates.certificate_state,
        states=queries_certificates.CERTIFICATE_STATE_LABELS,
    )


def _render_certificate(certificate: Certificate, form: ReasonForm, status: int = 200) -> tuple[str, int]:
    names = queries.user_names(db.session, [certificate.issued_by_id, certificate.revoked_by_id])
    day = today()
    return (
        render_template(
            "training/certificate_page.html",
            certificate=certificate,
            state=queries_certificates.certificate_state(certificate, day),
            states=queries_certificates.CERTIFICATE_STATE_LABELS,
            issued_by=names.get(certificate.issued_by_id or 0, ""),
            revoked_by=names.get(certificate.revoked_by_id or 0, ""),
            can_revoke=may_revoke(current_user, certificate) and certificate.revoked_at is None,
            form=form,
            today=day,
            verify_url=_verify_url(certificate),
        ),
        status,
    )


def _verify_url(certificate: Certificate) -> str:
    """The public address, as on the receipts: the browsing clerk's intranet host may be unreachable."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return base + url_for("training.verify_certificate", number=certificate.number)


@bp.get("/training/certificates/<int:certificate_id>")
@roles_required(*HUB)
def certificate_page(certificate_id: int) -> tuple[str, int]:
    certificate = queries_certificates.certificate_for_page(db.session, current_user, certificate_id)
    return _render_certificate(certificate, ReasonForm())


@bp.post("/training/certificates/<int:certificate_id>/revoke")
@roles_required(Role.SYSTEM_ADMIN, Role.TRAINER)
def certificate_revoke(certificate_id: int) -> tuple[str, int] | Response:
    certificate = queries_certificates.certificate_for_page(db.session, current_user, certificate_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            revoke(db.session, current_user, certificate, form.reason.data or "", clock().now())
        except DomainError as exc:
            refuse(exc)
            apply_errors(form, exc.fields)
            fresh = queries_certificates.certificate_for_page(db.session, current_user, certificate_id)
            return _render_certificate(fresh, form, 422)
        db.session.commit()
        flash(_("Certificate %(number)s is revoked.", number=certificate.number), "success")
        return redirect(url_for("training.certificate_page", certificate_id=certificate.id))
    return _render_certificate(certificate, form, 422)


@bp.get("/training/certificates/<int:certificate_id>/print")
@roles_required(*HUB)
def certificate_print(certificate_id: int) -> str:
    certificate = queries_certificates.certificate_for_page(db.session, current_user, certificate_id)
    url = _verify_url(certificate)
    return render_template(
        "training/certificate_print.html",
        certificate=certificate,
        state=queries_certificates.certificate_state(certificate, today()),
        states=queries_certificates.CERTIFICATE_STATE_LABELS,
        qr=qr_svg(url),
        verify_url=url,
    )
