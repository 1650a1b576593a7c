"""Uploaded files on disk, outside the web root, named by their sha256 (written atomically)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class FileStore:
    """A content-addressed folder: the same bytes are stored once, under <root>/<aa>/<sha256>."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError("not a sha256")
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        """Store bytes (temp file, fsync, rename) and return their sha256."""
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.path_for(sha256)
        if target.exists():
            # Stored before (the same bytes): made new again, so that the clean-up (remove_unreferenced), which
            # spares recent files, cannot take it while the row that refers to it again is being written.
            os.utime(target)
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha256

    def read(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def stored(self) -> dict[str, float]:
        """sha256 → modification time of every stored file (temp files of unfinished writes included)."""
        if not self.root.exists():
            return {}
        return {p.name: p.stat().st_mtime for p in self.root.glob("??/*") if p.is_file()}

    def remove_unreferenced(self, referenced: set[str], older_than: float) -> list[str]:
        """Delete files no row refers to (a crash between writing the file and committing its row leaves one),
        and stale temp files; files newer than `older_than` (epoch seconds) are left for in-flight uploads."""
        removed = []
        for sha256, mtime in self.stored().items():
            if not sha256.startswith(".") and mtime < older_than and sha256 not in referenced:
                self.path_for(sha256).unlink(missing_ok=True)
                removed.append(sha256)
        for temp in self.root.glob("??/.upload-*") if self.root.exists() else []:
            if temp.stat().st_mtime < older_than:
                temp.unlink(missing_ok=True)
                removed.append(temp.name)
        return removed
