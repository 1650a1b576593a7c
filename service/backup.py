"""Backup and restore of the embedded (SQLite) deployment: an online database snapshot plus the uploaded files."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from .errors import InvalidInput

MANIFEST = "manifest.json"


def _sqlite_path(url: str) -> Path:
    if not url.startswith("sqlite:///"):
        raise InvalidInput("thidua backup/restore lo cho bản SQLite; với PostgreSQL hãy dùng pg_dump/pg_restore (xem README).")
    return Path(url.removeprefix("sqlite:///"))


def backup(database_url: str, upload_dir: Path, target: Path) -> dict[str, object]:
    """Write target (.tar.gz): a consistent copy of the database taken while it runs, every file, a manifest of sha256."""
    db = _sqlite_path(database_url)
    with tempfile.TemporaryDirectory() as tmp:
        snapshot = Path(tmp) / "thidua.sqlite3"
        with sqlite3.connect(db) as source, sqlite3.connect(snapshot) as copy:
            source.backup(copy)  # SQLite's online backup: consistent even while the server writes
        files = sorted(p for p in upload_dir.rglob("*") if p.is_file() and not p.name.startswith(".")) if upload_dir.exists() else []
        manifest = {"created_at": datetime.now(UTC).isoformat(), "database_sha256": _sha256(snapshot),
                    "files": {str(p.relative_to(upload_dir)): _sha256(p) for p in files}}  # fmt: skip
        (Path(tmp) / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        target.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(target, "w:gz") as tar:
            tar.add(snapshot, arcname="thidua.sqlite3")
            tar.add(Path(tmp) / MANIFEST, arcname=MANIFEST)
            for path in files:
                tar.add(path, arcname=f"uploads/{path.relative_to(upload_dir)}")
    return manifest


def restore(source: Path, database_url: str, upload_dir: Path) -> dict[str, object]:
    """Put a backup back: check every hash first, then replace the database and add the files."""
    db = _sqlite_path(database_url)
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(source, "r:gz") as tar:
        tar.extractall(tmp, filter="data")
        root = Path(tmp)
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        if _sha256(root / "thidua.sqlite3") != manifest["database_sha256"]:
            raise InvalidInput("Bản sao lưu hỏng: cơ sở dữ liệu không khớp mã băm.")
        for name, digest in manifest["files"].items():
            if _sha256(root / "uploads" / name) != digest:
                raise InvalidInput("Bản sao lưu hỏng: tệp {name} không khớp mã băm.", {"name": name})
        db.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        shutil.copy2(root / "thidua.sqlite3", db)
        for name in manifest["files"]:
            target = upload_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / "uploads" / name, target)
    return manifest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
