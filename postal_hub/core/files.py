"""Where uploaded files live: content-addressed by SHA-256, behind a protocol so storage can change."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol


class FileStore(Protocol):
    def put(self, data: bytes) -> str: ...
    def get(self, digest: str) -> bytes: ...


class LocalFileStore:
    """Files under one folder (instance/files by default), two-level fan-out by digest."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, digest: str) -> Path:
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise ValueError("not a SHA-256 digest")
        return self.root / digest[:2] / digest

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".part")
            temporary.write_bytes(data)
            temporary.replace(path)  # never a half-written file under the final name
        return digest

    def get(self, digest: str) -> bytes:
        return self._path(digest).read_bytes()
