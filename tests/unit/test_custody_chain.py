"""The custody hash chain: any change to any entry is found, at the first entry that no longer holds."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from postal_hub.core.custody import chain, signing

FIELDS = ("organization_code", "seq", "at", "kind", "dossier_code", "item_number", "manifest_number",
          "actor", "place", "details", "prev_hash", "hash")  # fmt: skip


@dataclass(frozen=True)
class Entry:
    organization_code: str
    seq: int
    at: datetime
    kind: str
    dossier_code: str
    item_number: str
    manifest_number: str
    actor: str
    place: str
    details: dict[str, Any] = field(default_factory=dict)
    prev_hash: str = ""
    hash: str = ""


def build(n: int) -> list[Entry]:
    entries: list[Entry] = []
    prev = chain.GENESIS
    start = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    for i in range(1, n + 1):
        entry = Entry(
            "000.00.01.H26",
            i,
            start + timedelta(minutes=i),
            random.choice(["sealed", "dispatched", "received"]),
            f"000.00.01.H26-261120-{i:04d}",
            f"RR{i:08d}5VN",
            "BK-100000-261120-001",
            "clerk1 (Nguyễn Văn A)",
            "Bưu cục Hà Nội",
            {"seal": f"S-{i}"},
            prev,
        )
        entry = replace(entry, hash=chain.entry_hash(prev, chain.entry_document(entry)))
        entries.append(entry)
        prev = entry.hash
    return entries


def tamper(entry: Entry, rng: random.Random) -> Entry:
    name = rng.choice(FIELDS)
    value = getattr(entry, name)
    if isinstance(value, bool) or name == "seq":
        return replace(entry, seq=entry.seq + rng.choice([-1, 1, 7]))
    if isinstance(value, datetime):
        return replace(entry, at=value + timedelta(microseconds=rng.randint(1, 10**9)))
    if isinstance(value, dict):
        return replace(entry, details={**value, "seal": value.get("seal", "") + "x"})
    text = str(value)
    position = rng.randrange(len(text)) if text else 0
    changed = text[:position] + rng.choice("0123456789abcdefĐ") + text[position + 1 :]
    if changed == text:
        changed = text + "!"
    return replace(entry, **{name: changed})


def test_an_untouched_chain_verifies_and_reports_its_head() -> None:
    entries = build(30)
    verdict = chain.verify(entries)
    assert verdict.ok and verdict.size == 30 and verdict.head_hash == entries[-1].hash


def test_a_thousand_random_tamperings_are_all_found_at_the_first_bad_entry() -> None:
    rng = random.Random(20261202)
    entries = build(60)
    for _ in range(1000):
        index = rng.randrange(len(entries))
        damaged = list(entries)
        damaged[index] = tamper(entries[index], rng)
        problem = chain.verify(damaged).problem
        assert problem is not None and problem.seq == index + 1


def test_a_removed_entry_is_found_where_the_gap_is() -> None:
    entries = build(10)
    problem = chain.verify(entries[:4] + entries[5:]).problem
    assert problem is not None and problem.seq == 5


def test_two_swapped_entries_are_found_at_the_first_of_them() -> None:
    entries = build(10)
    entries[2], entries[3] = entries[3], entries[2]
    problem = chain.verify(entries).problem
    assert problem is not None and problem.seq == 3


def test_canonical_json_ignores_key_order_and_keeps_vietnamese_unescaped() -> None:
    assert chain.canonical_json({"b": 1, "a": "Đã nhận"}) == '{"a":"Đã nhận","b":1}'.encode()


def test_a_checkpoint_signature_checks_with_the_published_key_only() -> None:
    key = signing.signing_key("deployment secret")
    signature = signing.sign(key, b"statement")
    other = signing.public_key_b64(signing.signing_key("another secret"))
    assert signing.check(signing.public_key_b64(key), b"statement", signature)
    assert not signing.check(signing.public_key_b64(key), b"statement!", signature)
    assert not signing.check(other, b"statement", signature)
