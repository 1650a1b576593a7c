"""Dossiers over the API: create, upload documents, download, submit, read status and history."""

from __future__ import annotations

import io

from flask import Response, g, jsonify, request, send_file
from sqlalchemy import select

from ...domain.permissions import can_view_dossier
from ...errors import NotFound
from ...models import Document, Dossier
from ...operations.documents import download_document, upload_document
from ...operations.dossiers import create_dossier
from ...operations.editing import submit_dossier
from ...queries.checklist import dossier_checklist
from ...queries.dossier_view import dossier_view
from ...queries.org import unit_path
from ..context import get_engine, get_files, get_session, transaction
from . import bp
from .schemas import body, integer, iso, nominees, text


def _visible(dossier_id: int) -> Dossier:
    db = get_session()
    dossier = db.get(Dossier, dossier_id)
    if dossier is None or not can_view_dossier(g.actor, unit_path(db, dossier.unit_id)):
        raise NotFound("Không tìm thấy hồ sơ.")  # the same answer for 'absent' and 'not yours': ids cannot be probed
    return dossier


def document_json(doc: Document) -> dict[str, object]:
    return {"id": doc.id, "kind": doc.kind, "nominee_id": doc.nominee_id, "filename": doc.filename,
            "content_type": doc.content_type, "size": doc.size, "sha256": doc.sha256, "uploaded_at": iso(doc.uploaded_at)}  # fmt: skip


def dossier_json(dossier_id: int) -> dict[str, object]:
    db = get_session()
    view = dossier_view(db, get_engine(), dossier_id)
    assert view is not None
    documents = db.scalars(select(Document).where(Document.dossier_id == dossier_id, Document.is_current.is_(True)))
    return {
        "id": view.dossier.id, "title": view.dossier.title, "status": view.dossier.status,
        "target_level": view.dossier.target_level, "campaign": view.campaign.code,
        "unit": {"id": view.unit.id, "code": view.unit.code, "name": view.unit.name},
        "nominees": [{"id": n.id, "kind": n.kind, "full_name": n.full_name, "position": n.position,
                      "award_form_code": f.code, "summary": n.summary, "outcome": n.outcome,
                      "outcome_level": n.outcome_level} for n, f in view.nominees],
        "documents": [document_json(d) for d in documents],
        "missing_documents": [str(m) for m in dossier_checklist(db, view.dossier)],
        "current_tasks": [{"id": t.id, "step": t.bpmn_id, "name": t.name, "role": t.role, "org_unit": u.name,
                           "due_at": iso(t.due_at), "claimed_by": t.claimed_by} for t, u in view.open_tasks],
        "history": [{"task_id": t.id, "step": t.bpmn_id, "name": t.name, "decision": t.decision, "comment": t.comment,
                     "by": u.full_name if u else None, "at": iso(t.completed_at)} for t, u in view.done_tasks],
    }  # fmt: skip


@bp.route("/dossiers", methods=["POST"])
def dossier_create() -> tuple[Response, int]:
    data = body()
    with transaction() as db:
        dossier = create_dossier(db, g.actor, get_engine(), campaign_code=text(data, "campaign_code") or "",
                                 unit_id=integer(data, "unit_id"), title=text(data, "title") or "",
                                 nominees=nominees(data))  # fmt: skip
        dossier_id = dossier.id
    return jsonify(dossier_json(dossier_id)), 201


@bp.route("/dossiers/<int:dossier_id>")
def dossier_show(dossier_id: int) -> Response:
    _visible(dossier_id)
    return jsonify(dossier_json(dossier_id))


@bp.route("/dossiers/<int:dossier_id>/documents", methods=["POST"])
def document_upload(dossier_id: int) -> tuple[Response, int]:
    _visible(dossier_id)
    file = request.files.get("file")
    nominee = request.form.get("nominee_id", "")
    with transaction() as db:
        doc = upload_document(db, g.actor, get_files(), get_engine().clock.now(), dossier_id=dossier_id,
                              kind=request.form.get("kind", ""), filename=file.filename if file else None,
                              data=file.read() if file else b"", nominee_id=int(nominee) if nominee.isdigit() else None)  # fmt: skip
        out = document_json(doc)
    return jsonify(out), 201


@bp.route("/dossiers/<int:dossier_id>/documents/<int:document_id>")
def document_download(dossier_id: int, document_id: int) -> Response:
    with transaction() as db:
        got = download_document(db, g.actor, get_files(), document_id, get_engine().clock.now())
        if got.document.dossier_id != dossier_id:
            raise NotFound("Không tìm thấy tài liệu.")
    return send_file(io.BytesIO(got.data), mimetype=got.document.content_type, as_attachment=True,
                     download_name=got.document.filename)  # fmt: skip


@bp.route("/dossiers/<int:dossier_id>/submit", methods=["POST"])
def dossier_submit(dossier_id: int) -> Response:
    _visible(dossier_id)
    with transaction() as db:
        result = submit_dossier(db, g.actor, get_engine(), dossier_id)
    return jsonify({"dossier_id": result.dossier_id, "status": result.dossier_status, "next_steps": list(result.next_steps)})


