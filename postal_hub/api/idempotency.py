"""Idempotency-Key on API writes: a repeat gets the first answer, a different body a 422, an overlap a 409.

The key is reserved in its own short transaction before the work starts, so a concurrent repeat
finds it and is told to wait (409) instead of doing the work twice. Answers below 500 are kept and
replayed; a crash or a 5xx frees the key so the client can try again. The view's work and the answer
kept for its key are committed together, so a process killed at any point leaves both or neither.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import g, jsonify, make_response, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from postal_hub.api.common import error
from postal_hub.api.idempotency_models import IdempotencyRecord
from postal_hub.core.errors import DomainError
from postal_hub.extensions import db
from postal_hub.services import clock

F = TypeVar("F", bound=Callable[..., Any])
HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# A reservation older than this belongs to a request that died; the key may be used again.
ABANDONED_AFTER = timedelta(minutes=2)


def fingerprint() -> str:
    """Method, path and body; a JSON body is compared by meaning, not by spacing or key order."""
    raw = request.get_data(cache=True)
    try:
        body = json.dumps(json.loads(raw or b"null"), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        body = raw
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    response = make_response(record.response_body, record.status_code)
    response.mimetype = "application/json"
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _answer_existing(record: IdempotencyRecord, wanted: str) -> Response | tuple[Response, int] | None:
    if record.request_hash != wanted:
        return error(422, "idempotency_key_reused", "This Idempotency-Key was used with a different request.")
    if record.status_code is None:
        if clock().now() - record.created_at < ABANDONED_AFTER:
            return error(
                409, "idempotency_in_progress", "A request with this Idempotency-Key is still running."
            )
        return None  # abandoned: take it over
    return _replay(record)


def _reserve(org_id: int, key: str, wanted: str) -> tuple[int | None, Response | tuple[Response, int] | None]:
    """Returns (reservation id, None) to go ahead, or (None, the answer to give instead)."""
    session = db.session
    found = session.scalar(
        sa.select(IdempotencyRecord).where(
            IdempotencyRecord.organization_id == org_id, IdempotencyRecord.key == key
        )
    )
    if found is not None:
        answer = _answer_existing(found, wanted)
        if answer is not None:
            return None, answer
        found.created_at = clock().now()
        session.commit()
        return found.id, None
    record = IdempotencyRecord(organization_id=org_id, key=key, request_hash=wanted, created_at=clock().now())
    session.add(record)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()  # the same key arrived at the same moment
        return None, error(
            409, "idempotency_in_progress", "A request with this Idempotency-Key is still running."
        )
    return record.id, None


def idempotent(view: F | None = None, *, redact: tuple[str, ...] = ()) -> Any:
    """Wrap an API write (after key_required, which sets g.api_org). Top-level fields named in
    `redact` (a secret shown once) are stored, and so replayed, as null."""

    def decorate(func: F) -> F:
        @wraps(func)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            key = request.headers.get(HEADER, "").strip()
            if not key:
                return func(*args, **kwargs)
            if len(key) > MAX_KEY_LENGTH:
                return error(
                    400, "malformed", "The Idempotency-Key is too long.", {HEADER: "At most 255 characters."}
                )
            reservation, answer = _reserve(g.api_org.id, key, fingerprint())
            if answer is not None:
                return answer
            try:
                with _commits_deferred(db.session):
                    response = _run(func, args, kwargs)
                if response.status_code >= 500:
                    db.session.rollback()
                    _release(reservation)
                    return response
                record = db.session.get(IdempotencyRecord, reservation)
                if record is not None:
                    record.status_code = response.status_code
                    record.response_body = _stored_body(response, redact)
                    record.completed_at = clock().now()
                # One commit: the work and the answer kept for its key, or neither (a process killed
                # in between must not leave the work done and the key free to do it again).
                db.session.commit()
            except BaseException:
                db.session.rollback()
                _release(reservation)
                raise
            return response

        return wrapped  # type: ignore[return-value]

    return decorate(view) if view is not None else decorate


@contextmanager
def _commits_deferred(session: Session) -> Iterator[None]:
    """While the view runs, its commits only flush; the wrapper then commits the work together with
    the answer kept for the key. A rollback in the view still undoes the view's work only (the
    reservation was committed on its own before)."""
    session.__dict__["commit"] = session.flush
    try:
        yield
    finally:
        session.__dict__.pop("commit", None)


def _run(func: Callable[..., Any], args: Any, kwargs: Any) -> Response:
    """The view's answer; a domain error becomes its JSON answer here, so it can be kept and replayed."""
    try:
        return make_response(func(*args, **kwargs))
    except DomainError as exc:
        db.session.rollback()
        body = {"error": {"code": exc.code, "message": exc.message, "fields": exc.fields}}
        return make_response(jsonify(body), exc.status_code)


def _stored_body(response: Response, redact: tuple[str, ...]) -> str:
    text = response.get_data(as_text=True)
    if not redact or not text:
        return text
    try:
        body = json.loads(text)
    except ValueError:
        return text
    if isinstance(body, dict):
        body.update({name: None for name in redact if name in body})
    return json.dumps(body, ensure_ascii=False)


def _release(reservation: int | None) -> None:
    db.session.execute(sa.delete(IdempotencyRecord).where(IdempotencyRecord.id == reservation))
    db.session.commit()
