"""Dossiers over the API: create, upload and download documents, submit, read status, checklist and history."""

from __future__ import annotations

import io

from flask import Response, g, jsonify, send_file, url_for

from ...errors import NotFound
from ...operations.documents import download_document, receive_upload, upload_document
from ...operations.dossiers import create_dossier
from ...operations.editing import submit_dossier
from ...queries.account import users_by_id
from ...queries.checklist import dossier_checklist
from ...queries.documents import current_documents
from ...queries.dossier_view import dossier_view
from ...queries.visibility import visible_dossier
from ..context import get_engine, get_files, get_session, transaction
from . import bp
from .schemas import Json, completion_json, document_json, dossier_input, dossier_json, upload_input


def _dossier(dossier_id: int) -> Json:
    db = get_session()
    view = dossier_view(db, get_engine(), dossier_id)
    assert view is not None
    users = users_by_id(db, [t.claimed_by for t, _ in view.open_tasks])
    return dossier_json(view, current_documents(db, dossier_id), dossier_checklist(db, view.dossier), users)


@bp.route("/dossiers", methods=["POST"])
def dossier_create() -> tuple[Response, int, dict[str, str]]:
    data = dossier_input()
    with transaction() as db:
        dossier_id = create_dossier(db, g.actor, get_engine(), **data).id
    return jsonify(_dossier(dossier_id)), 201, {"Location": url_for("api.dossier_show", dossier_id=dossier_id)}


@bp.route("/dossiers/<int:dossier_id>")
def dossier_show(dossier_id: int) -> Response:
    visible_dossier(get_session(), g.actor, dossier_id)
    return jsonify(_dossier(dossier_id))


@bp.route("/dossiers/<int:dossier_id>/documents", methods=["POST"])
def document_upload(dossier_id: int) -> tuple[Response, int]:
    visible_dossier(get_session(), g.actor, dossier_id)  # 404 before 403: strangers learn nothing
    data = upload_input()
    # The file is written and synced before the transaction (operations.documents.store_upload says why).
    data["data"] = receive_upload(get_session(), g.actor, get_files(), dossier_id, data["data"])
    with transaction() as db:
        out = document_json(upload_document(db, g.actor, get_files(), get_engine().clock.now(), dossier_id=dossier_id,
                                            **data))  # fmt: skip
    return jsonify(out), 201


@bp.route("/dossiers/<int:dossier_id>/documents/<int:document_id>")
def document_download(dossier_id: int, document_id: int) -> Response:
    visible_dossier(get_session(), g.actor, dossier_id)
    with transaction() as db:
        got = download_document(db, g.actor, get_files(), document_id, get_engine().clock.now())
        if got.document.dossier_id != dossier_id:
            raise NotFound("Không tìm thấy tài liệu.")  # rolls back the download's audit event
    return send_file(io.BytesIO(got.data), mimetype=got.document.content_type, as_attachment=True,
                     download_name=got.document.filename)  # fmt: skip


@bp.route("/dossiers/<int:dossier_id>/submit", methods=["POST"])
def dossier_submit(dossier_id: int) -> Response:
    visible_dossier(get_session(), g.actor, dossier_id)
    with transaction() as db:
        result = submit_dossier(db, g.actor, get_engine(), dossier_id)
    return jsonify(completion_json(result))
