"""The hash chain itself, as plain functions: canonical JSON, entry hashes, and verification.

Each entry's hash is SHA-256 over the previous hash and the canonical JSON of the entry, so changing,
removing or reordering any entry breaks every hash from that point on; a verifier needs nothing but
the entries (and, against truncation, a checkpoint kept elsewhere).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

GENESIS = "0" * 64


class EntryLike(Protocol):
    organization_code: str
    seq: int
    at: datetime
    kind: str
    dossier_code: str
    item_number: str
    manifest_number: str
    actor: str
    place: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8 unescaped (RFC 8785 style for the values we store)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_document(entry: EntryLike) -> dict[str, Any]:
    """What the hash covers: every field of the entry except the two hashes."""
    return {
        "organization": entry.organization_code,
        "seq": entry.seq,
        "at": entry_document_time(entry.at),
        "kind": entry.kind,
        "dossier_code": entry.dossier_code,
        "item_number": entry.item_number,
        "manifest": entry.manifest_number,
        "actor": entry.actor,
        "place": entry.place,
        "details": entry.details,
    }


def entry_document_time(moment: datetime) -> str:
    """UTC with microseconds: the same text on every engine (SQLite keeps no offset)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(prev_hash: str, document: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical_json(document))
    return digest.hexdigest()


@dataclass(frozen=True)
class Problem:
    seq: int  # the first entry that does not hold (1-based position in the chain)
    reason: str


@dataclass(frozen=True)
class Verdict:
    size: int
    head_hash: str
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(entries: Iterable[EntryLike]) -> Verdict:
    """Recompute the chain in order; report the first entry whose position, link or hash is wrong."""
    expected_prev = GENESIS
    position = 0
    for entry in entries:
        position += 1
        if entry.seq != position:
            return Verdict(
                position - 1, expected_prev, Problem(position, f"sequence {entry.seq} at {position}")
            )
        if entry.prev_hash != expected_prev:
            return Verdict(
                position - 1, expected_prev, Problem(position, "link to the previous entry broken")
            )
        try:
            recomputed = entry_hash(expected_prev, entry_document(entry))
        except (TypeError, ValueError, AttributeError) as exc:
            return Verdict(position - 1, expected_prev, Problem(position, f"unreadable entry: {exc}"))
        if entry.hash != recomputed:
            return Verdict(position - 1, expected_prev, Problem(position, "content does not match its hash"))
        expected_prev = entry.hash
    return Verdict(position, expected_prev, None)
