"""Upload, list and download a dossier's documents; uploads are allowed while the unit holds the dossier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ..domain.actors import Actor
from ..domain.documents import KIND_LABELS, check_upload, safe_filename
from ..domain.permissions import can_view_dossier
from ..errors import InvalidInput, NotFound
from ..models import Document, Dossier, Nominee
from ..queries.org import unit_path
from ..storage import FileStore
from .audit import record_event
from .editing import require_editable
from .rows import insert_object, update_row


@dataclass(frozen=True)
class Download:
    document: Document
    data: bytes


@dataclass(frozen=True)
class StoredUpload:
    """An uploaded file, checked and in the file store, waiting for the transaction that attaches it."""

    sha256: str
    size: int
    content_type: str
    extension: str


def store_upload(store: FileStore, data: bytes) -> StoredUpload:
    """Check a file and write it to the store (temp file, fsync, rename), before any transaction begins.

    Writing and syncing a scanned document takes milliseconds to seconds; inside the transaction that
    attaches it, that time would hold SQLite's write lock for the whole database (every other official's
    action waits) and a PostgreSQL transaction open. The store is addressed by content, so writing first
    is safe: if the attaching transaction is refused or fails, the file is left without a row, and the
    store's clean-up (`thidua files gc`, for files older than ten minutes) removes it later."""
    content_type, extension = check_upload(data)
    return StoredUpload(store.put(data), len(data), content_type, extension)


def receive_upload(session: Session, actor: Actor, store: FileStore, dossier_id: int, data: bytes) -> StoredUpload:
    """A web upload's first half, in the request's reads: refuse someone who may not change the dossier (no file
    is stored then), check the file and store it (store_upload); upload_document attaches it, checking again."""
    require_editable(session, actor, dossier_id)
    return store_upload(store, data)


def upload_document(
    session: Session, actor: Actor, store: FileStore, now: datetime, *, dossier_id: int, kind: str,
    filename: str | None, data: bytes | StoredUpload, nominee_id: int | None = None,
) -> Document:  # fmt: skip
    """Attach a file by sha256; a new file of the same kind (and nominee) replaces the old one.

    `data` is the file's bytes (checked and stored here, inside the transaction) or, better, what
    store_upload returned for them before the transaction began."""
    dossier = require_editable(session, actor, dossier_id)
    if kind not in KIND_LABELS:
        raise InvalidInput("Loại tài liệu '{kind}' không có.", {"kind": kind})
    if nominee_id is not None:
        nominee = session.get(Nominee, nominee_id)
        if nominee is None or nominee.dossier_id != dossier.id:
            raise InvalidInput("Người được đề nghị không thuộc hồ sơ này.")
    stored = data if isinstance(data, StoredUpload) else store_upload(store, data)
    current = _CURRENT_OF_DOSSIER if nominee_id is None else _CURRENT_OF_NOMINEE
    previous = session.scalars(current, {"dossier_id": dossier.id, "kind": kind, "nominee_id": nominee_id}).all()
    if kind != "other":
        for old in previous:
            update_row(session, old, {"is_current": False})
    document = insert_object(session, Document(
        dossier_id=dossier.id, nominee_id=nominee_id, kind=kind, filename=safe_filename(filename, stored.extension),
        content_type=stored.content_type, size=stored.size, sha256=stored.sha256, uploaded_by=actor.user_id,
        uploaded_at=now,
    ))  # fmt: skip
    record_event(
        session, action="document.upload", object_type="dossier", object_id=str(dossier.id), actor=actor.user_id,
        actor_role="unit_clerk", actor_unit_id=dossier.unit_id,
        after=_upload_record(document, [d.id for d in previous if kind != "other"]), now=now,
    )  # fmt: skip
    return document


# Built once: the current document of a kind, the dossier's own or a nominee's (an upload replaces it).
_CURRENT_OF_DOSSIER = select(Document).where(
    Document.dossier_id == bindparam("dossier_id"), Document.kind == bindparam("kind"), Document.nominee_id.is_(None),
    Document.is_current.is_(True),
)
_CURRENT_OF_NOMINEE = select(Document).where(
    Document.dossier_id == bindparam("dossier_id"), Document.kind == bindparam("kind"),
    Document.nominee_id == bindparam("nominee_id"), Document.is_current.is_(True),
)


def _upload_record(document: Document, replaces: list[int]) -> dict[str, Any]:
    """What a document.upload event keeps: a nominee only when the file is a nominee's, replaced documents only
    when there are some (events before migration 0026 have "nominee_id": null and "replaces": [] as well)."""
    record: dict[str, Any] = {"document_id": document.id, "kind": document.kind, "filename": document.filename,
                              "sha256": document.sha256, "size": document.size}  # fmt: skip
    if document.nominee_id is not None:
        record["nominee_id"] = document.nominee_id
    if replaces:
        record["replaces"] = replaces
    return record


def download_document(session: Session, actor: Actor, store: FileStore, document_id: int, now: datetime) -> Download:
    """The bytes of a document the actor may see; the download is audited."""
    document = session.get(Document, document_id)
    dossier = session.get(Dossier, document.dossier_id) if document is not None else None
    if document is None or dossier is None or not can_view_dossier(actor, unit_path(session, dossier.unit_id)):
        raise NotFound("Không tìm thấy tài liệu.")
    try:
        data = store.read(document.sha256)
    except FileNotFoundError:
        raise NotFound("Tệp của tài liệu này không còn trong kho lưu trữ; hãy báo quản trị viên.") from None
    record_event(
        session, action="document.download", object_type="dossier", object_id=str(dossier.id), actor=actor.user_id,
        after={"document_id": document.id, "sha256": document.sha256}, now=now,
    )  # fmt: skip
    return Download(document, data)
