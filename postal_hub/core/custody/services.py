"""Appending to an organization's custody chain, verifying it, and signing checkpoints of it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from postal_hub.core.custody import chain, signing
from postal_hub.core.custody.kinds import CustodyKind
from postal_hub.core.custody.models import CustodyCheckpoint, CustodyEntry, CustodyHead
from postal_hub.core.orgs.models import Organization

VERIFY_BATCH = 2000


@dataclass(frozen=True)
class Subject:
    """What a custody entry is about: a dossier's codes (and the manifest it travels on)."""

    dossier_id: int | None
    dossier_code: str
    item_number: str
    manifest_number: str = ""


def append(
    session: Session,
    org: Organization,
    kind: CustodyKind,
    subject: Subject,
    at: datetime,
    actor: str,
    place: str = "",
    details: dict[str, Any] | None = None,
) -> CustodyEntry:
    """Append one entry to the organization's chain.

    The head row is incremented first (UPDATE ... RETURNING): that takes its row lock (PostgreSQL) or
    the write lock (SQLite), so concurrent appends queue and each sees the previous one's hash; a
    rolled-back transaction rolls its entry and the head back together.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(CustodyHead)
        .values(organization_id=org.id, size=0, head_hash=chain.GENESIS)
        .on_conflict_do_nothing(index_elements=["organization_id"])
    )
    seq, prev_hash = session.execute(
        sa.update(CustodyHead)
        .where(CustodyHead.organization_id == org.id)
        .values(size=CustodyHead.size + 1)
        .returning(CustodyHead.size, CustodyHead.head_hash)
    ).one()
    entry = CustodyEntry(
        organization_id=org.id,
        organization_code=org.code,
        seq=int(seq),
        at=at,
        kind=kind.value,
        dossier_id=subject.dossier_id,
        dossier_code=subject.dossier_code,
        item_number=subject.item_number,
        manifest_number=subject.manifest_number,
        actor=actor[:160],
        place=place[:255],
        details=details or {},
        prev_hash=prev_hash,
        hash="",
    )
    entry.hash = chain.entry_hash(prev_hash, chain.entry_document(entry))
    session.add(entry)
    session.execute(
        sa.update(CustodyHead).where(CustodyHead.organization_id == org.id).values(head_hash=entry.hash)
    )
    session.flush()
    return entry


def append_for(
    session: Session,
    orgs: list[Organization],
    kind: CustodyKind,
    subject: Subject,
    at: datetime,
    actor: str,
    place: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """The same change in each party's own chain (the unit's and the operator's), in a fixed order so
    two transactions never wait on each other's heads."""
    for org in sorted({o.id: o for o in orgs}.values(), key=lambda o: o.id):
        append(session, org, kind, subject, at, actor, place, details)


_CHAIN_COLUMNS = (
    CustodyEntry.organization_code,
    CustodyEntry.seq,
    CustodyEntry.at,
    CustodyEntry.kind,
    CustodyEntry.dossier_code,
    CustodyEntry.item_number,
    CustodyEntry.manifest_number,
    CustodyEntry.actor,
    CustodyEntry.place,
    CustodyEntry.details,
    CustodyEntry.prev_hash,
    CustodyEntry.hash,
)


def entries(session: Session, org_id: int) -> Iterator[Any]:
    """The whole chain in order, as plain rows read in batches: a long log never sits in memory."""
    last = 0
    while True:
        batch = session.execute(
            sa.select(*_CHAIN_COLUMNS)
            .where(CustodyEntry.organization_id == org_id, CustodyEntry.seq > last)
            .order_by(CustodyEntry.seq)
            .limit(VERIFY_BATCH)
        ).all()
        if not batch:
            return
        yield from batch
        last = batch[-1].seq


@dataclass(frozen=True)
class Report:
    organization: str
    verdict: chain.Verdict
    head_size: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return self.verdict.ok and not self.problems


def verify_org(session: Session, org: Organization, secret_key: str | None = None) -> Report:
    """Recompute the chain, then hold it against its head row and every checkpoint signed for it."""
    verdict = chain.verify(entries(session, org.id))
    head = session.get(CustodyHead, org.id)
    problems: list[str] = []
    head_size = head.size if head else 0
    if verdict.ok and head is not None and (head.size, head.head_hash) != (verdict.size, verdict.head_hash):
        problems.append(
            f"head says {head.size} entries ending {head.head_hash[:12]}, chain has {verdict.size}"
        )
    if verdict.ok:
        problems += _checkpoint_problems(session, org, secret_key)
    return Report(org.code, verdict, head_size, problems)


def _checkpoint_problems(session: Session, org: Organization, secret_key: str | None) -> list[str]:
    """Each checkpoint must still match the chain and carry a valid signature; given the deployment's
    secret, it must also be signed by this deployment's key, not by a key written into the row."""
    ours = signing.public_key_b64(signing.signing_key(secret_key)) if secret_key else None
    problems = []
    for point in session.scalars(
        sa.select(CustodyCheckpoint).where(CustodyCheckpoint.organization_id == org.id)
    ):
        at_seq = session.scalar(
            sa.select(CustodyEntry.hash).where(
                CustodyEntry.organization_id == org.id, CustodyEntry.seq == point.size
            )
        )
        if at_seq != point.head_hash:
            problems.append(f"checkpoint of {point.size} entries no longer matches entry {point.size}")
        elif ours is not None and point.public_key != ours:
            problems.append(f"checkpoint of {point.size} entries is signed by another key")
        elif not signing.check(point.public_key, checkpoint_message(org.code, point), point.signature):
            problems.append(f"checkpoint of {point.size} entries has a bad signature")
    return problems


def checkpoint_message(org_code: str, point: CustodyCheckpoint) -> bytes:
    return chain.canonical_json(checkpoint_statement(org_code, point.size, point.head_hash, point.at))


def checkpoint_statement(org_code: str, size: int, head_hash: str, at: datetime) -> dict[str, Any]:
    return {
        "organization": org_code,
        "size": size,
        "head_hash": head_hash,
        "at": chain.entry_document_time(at),
    }


def make_checkpoint(
    session: Session, org: Organization, now: datetime, secret_key: str
) -> CustodyCheckpoint | None:
    """Sign the current head; None when the chain is empty or has not grown since the last checkpoint."""
    head = session.get(CustodyHead, org.id)
    if head is None or head.size == 0:
        return None
    existing = session.scalar(
        sa.select(CustodyCheckpoint).where(
            CustodyCheckpoint.organization_id == org.id, CustodyCheckpoint.size == head.size
        )
    )
    if existing is not None:
        return None
    key = signing.signing_key(secret_key)
    point = CustodyCheckpoint(
        organization_id=org.id,
        size=head.size,
        head_hash=head.head_hash,
        at=now,
        public_key=signing.public_key_b64(key),
        signature="",
    )
    point.signature = signing.sign(key, checkpoint_message(org.code, point))
    session.add(point)
    session.flush()
    return point


def checkpoint_all(session: Session, now: datetime, secret_key: str, every: timedelta) -> int:
    """The worker's periodic round: a checkpoint for every chain that grew and whose last checkpoint
    is older than `every` (daily by default), so a unit has a signed head at least once a day."""
    last = (
        sa.select(CustodyCheckpoint.organization_id, sa.func.max(CustodyCheckpoint.at).label("at"))
        .group_by(CustodyCheckpoint.organization_id)
        .subquery()
    )
    due = (
        sa.select(Organization)
        .join(CustodyHead, CustodyHead.organization_id == Organization.id)
        .outerjoin(last, last.c.organization_id == Organization.id)
        .where(CustodyHead.size > 0, sa.or_(last.c.at.is_(None), last.c.at <= now - every))
    )
    made = 0
    for org in session.scalars(due):
        made += make_checkpoint(session, org, now, secret_key) is not None
    return made


def export_checkpoint(org_code: str, point: CustodyCheckpoint) -> dict[str, Any]:
    """The document a unit keeps: the statement, the algorithm, the public key and the signature."""
    return {
        **checkpoint_statement(org_code, point.size, point.head_hash, point.at),
        "algorithm": "Ed25519",
        "hash": "SHA-256 over previous hash, newline, canonical JSON of the entry",
        "public_key": point.public_key,
        "signature": point.signature,
    }
