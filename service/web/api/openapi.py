"""GET /api/v1/openapi.json: the OpenAPI 3.1 description of every API route."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from . import bp

S = "#/components/schemas/"
ERRORS = {code: {"description": text, "content": {"application/problem+json": {"schema": {"$ref": S + "Error"}}}}
          for code, text in {"400": "Yêu cầu không hợp lệ", "401": "Chưa xác thực", "403": "Không có quyền",
                             "404": "Không tìm thấy", "409": "Xung đột (đã xử lý, hoặc người khác đã nhận)",
                             "422": "Vi phạm quy định (hạn nộp, chỉ tiêu)"}.items()}  # fmt: skip


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _op(summary: str, ok: dict[str, Any], *, status: str = "200", body: dict[str, Any] | None = None,
        errors: tuple[str, ...] = ("401", "404"), public: bool = False, params: list[str] | None = None) -> dict[str, Any]:  # fmt: skip
    op: dict[str, Any] = {"summary": summary, "responses": {status: ok, **{e: ERRORS[e] for e in errors}}}
    if body is not None:
        op["requestBody"] = {"required": True, "content": body}
    if public:
        op["security"] = []
    if params:
        op["parameters"] = [{"name": p, "in": "path", "required": True, "schema": {"type": "integer"}} for p in params]
    return op


def _ref(name: str) -> dict[str, str]:
    return {"$ref": S + name}


def _obj(required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


STR, INT, NSTR, NINT = {"type": "string"}, {"type": "integer"}, {"type": ["string", "null"]}, {"type": ["integer", "null"]}
SCHEMAS: dict[str, Any] = {
    "Error": _obj(["error"], error=_obj(["code", "message"], code=STR, message=STR, details={"type": "object"})),
    "Token": _obj(["token", "expires_at"], token=STR, token_type=STR, expires_at=STR),
    "Me": _obj(["id", "username", "roles"], id=INT, username=STR, full_name=STR,
               roles={"type": "array", "items": _obj(["role", "unit_id"], role=STR, unit_id=INT, unit_code=NSTR, unit_name=NSTR)}),
    "Campaign": _obj(["code", "title", "year"], code=STR, title=STR, year=INT, submission_deadline=NSTR,
                     issuing_unit={"type": ["object", "null"]}),
    "NomineeIn": _obj(["kind", "full_name", "award_form_code"], kind={"enum": ["collective", "individual"]}, full_name=STR,
                      award_form_code=STR, position=NSTR, summary=NSTR),
    "DossierIn": _obj(["campaign_code", "unit_id", "title", "nominees"], campaign_code=STR, unit_id=INT, title=STR,
                      nominees={"type": "array", "minItems": 1, "items": _ref("NomineeIn")}),
    "Document": _obj(["id", "kind", "filename", "sha256"], id=INT, kind=STR, nominee_id=NINT, filename=STR,
                     content_type=STR, size=INT, sha256=STR, uploaded_at=NSTR),
    "Dossier": _obj(["id", "status", "nominees", "current_tasks", "history"], id=INT, title=STR, status=STR,
                    target_level=STR, campaign=STR, unit={"type": "object"}, nominees={"type": "array"},
                    documents={"type": "array", "items": _ref("Document")},
                    missing_documents={"type": "array", "items": STR}, current_tasks={"type": "array"},
                    history={"type": "array"}),
    "Completion": _obj(["dossier_id"], task_id=INT, dossier_id=INT, decision=NSTR, status=STR, dossier_status=STR,
                       next_steps={"type": "array", "items": STR}),
    "Task": _obj(["id", "step", "dossier_id"], id=INT, step=STR, name=STR, role=STR, dossier_id=INT, dossier_title=STR,
                 campaign=STR, submitting_unit=STR, due_at=NSTR, overdue={"type": "boolean"},
                 escalated_to_me={"type": "boolean"}, claimed_by=NINT),
    "TaskDetail": _obj(["id", "step", "decisions"], id=INT, step=STR, name=STR, state=STR, role=STR, dossier_id=INT,
                       due_at=NSTR, claimed_by=NINT, decisions={"type": "array", "items": _obj(["value", "label"], value=STR, label=STR)}),
    "Claim": _obj(["id"], id=INT, claimed_by=NINT),
    "CompleteIn": _obj(["decision"], decision=STR, comment=NSTR, confirmed={"type": "array", "items": STR},
                       council=_obj(["size", "present"], size=INT, present=INT),
                       nominee_outcomes={"type": "array", "items": _obj(["nominee_id", "outcome"], nominee_id=INT,
                                         outcome={"enum": ["approve", "reject"]}, reason=NSTR, votes_for=NINT, votes_against=NINT)}),
}  # fmt: skip
JSON = "application/json"
PATHS: dict[str, Any] = {
    "/auth/token": {"post": _op("Lấy mã truy cập", _json(_ref("Token")), status="201", public=True, errors=("400", "401"),
                                body={JSON: {"schema": _obj(["username", "password"], username=STR, password=STR)}})},
    "/me": {"get": _op("Người dùng hiện tại", _json(_ref("Me")), errors=("401",))},
    "/campaigns": {"get": _op("Phong trào xem được", _json(_obj(["campaigns"], campaigns={"type": "array", "items": _ref("Campaign")})), errors=("401",))},
    "/dossiers": {"post": _op("Lập hồ sơ", _json(_ref("Dossier")), status="201", body={JSON: {"schema": _ref("DossierIn")}},
                              errors=("400", "401", "403", "404", "422"))},
    "/dossiers/{dossier_id}": {"get": _op("Hồ sơ: trạng thái, việc đang chờ, lịch sử", _json(_ref("Dossier")), params=["dossier_id"])},
    "/dossiers/{dossier_id}/documents": {"post": _op(
        "Tải tài liệu lên", _json(_ref("Document")), status="201", params=["dossier_id"], errors=("400", "401", "403", "404", "409"),
        body={"multipart/form-data": {"schema": _obj(["file", "kind"], file={"type": "string", "format": "binary"}, kind=STR, nominee_id=STR)}})},
    "/dossiers/{dossier_id}/documents/{document_id}": {"get": _op(
        "Tải tài liệu về", {"description": "Nội dung tệp", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
        params=["dossier_id", "document_id"])},
    "/dossiers/{dossier_id}/submit": {"post": _op("Nộp hồ sơ", _json(_ref("Completion")), params=["dossier_id"],
                                                  errors=("400", "401", "403", "404", "409", "422"))},
    "/tasks": {"get": {**_op("Hộp việc", _json(_obj(["count", "tasks"], count=INT, tasks={"type": "array", "items": _ref("Task")})), errors=("401",)),
                       "parameters": [{"name": n, "in": "query", "required": False, "schema": STR} for n in ("campaign", "step", "overdue")]}},
    "/tasks/{task_id}": {"get": _op("Chi tiết việc và các quyết định được phép", _json(_ref("TaskDetail")), params=["task_id"])},
    "/tasks/{task_id}/claim": {"post": _op("Nhận xử lý", _json(_ref("Claim")), params=["task_id"], errors=("401", "403", "404", "409"))},
    "/tasks/{task_id}/unclaim": {"post": _op("Trả lại cho nhóm", _json(_ref("Claim")), params=["task_id"], errors=("401", "403", "404", "409"))},
    "/tasks/{task_id}/complete": {"post": _op("Ghi nhận quyết định", _json(_ref("Completion")), params=["task_id"],
                                              body={JSON: {"schema": _ref("CompleteIn")}}, errors=("400", "401", "403", "404", "409", "422"))},
    "/openapi.json": {"get": _op("Tài liệu OpenAPI", _json({"type": "object"}), public=True, errors=())},
}  # fmt: skip


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Thi đua API", "version": "1", "description": "Hồ sơ đề nghị khen thưởng và hộp việc"},
        "servers": [{"url": "/api/v1"}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS, "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
    }


@bp.route("/openapi.json")
def openapi() -> Response:
    return jsonify(document())
