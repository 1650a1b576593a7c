"""GET /api/v1/openapi.json: the OpenAPI 3.1 description of every API route, built here as a dict."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from ...domain.documents import KIND_LABELS
from . import bp
from .errors import MEDIA_TYPE

Schema = dict[str, Any]
JSON = "application/json"
STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
BOOL: Schema = {"type": "boolean"}
MAX_INT = 2**31 - 1
ID: Schema = {"type": "integer", "minimum": 1, "maximum": MAX_INT}
COUNT: Schema = {"type": "integer", "minimum": 0, "maximum": MAX_INT}
DATE: Schema = {"type": ["string", "null"], "format": "date"}
TIME: Schema = {"type": "string", "format": "date-time"}
TIME_OR_NULL: Schema = {"type": ["string", "null"], "format": "date-time"}
STR_OR_NULL: Schema = {"type": ["string", "null"]}
NONBLANK: Schema = {"type": "string", "minLength": 1, "pattern": "^[\\s\\S]*\\S[\\s\\S]*$"}  # not only spaces
INT_OR_NULL: Schema = {"type": ["integer", "null"]}
LEVEL: Schema = {"type": "string", "enum": ["unit", "ward", "district", "province"]}
DOSSIER_STATUS: Schema = {"type": "string", "enum": ["draft", "in_review", "returned", "granted", "rejected",
                                                    "withdrawn", "cancelled", "error"]}  # fmt: skip
FILE_TYPES = ("application/pdf", "image/png", "image/jpeg",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(name: str) -> Schema:
    return {"oneOf": [ref(name), {"type": "null"}]}


def array(items: Schema, **extra: Any) -> Schema:
    return {"type": "array", "items": items, **extra}


def obj(required: list[str] | None = None, closed: bool = False, **props: Schema) -> Schema:
    """An object with these properties; `required` defaults to all of them; closed ones refuse other fields."""
    schema: Schema = {"type": "object", "required": list(props) if required is None else required, "properties": props}
    if closed:
        schema["additionalProperties"] = False
    return schema


UNIT = obj(id=INT, code=STR, name=STR, level=LEVEL)
USER = obj(id=INT, username=STR, full_name=STR)
SCHEMAS: dict[str, Schema] = {
    "Error": obj(error=obj(code=STR, message={**STR, "description": "Thông báo tiếng Việt"},
                           details={"type": "object", "additionalProperties": True})),
    "Credentials": obj(closed=True, username=NONBLANK, password=NONBLANK),
    "Token": obj(token=STR, token_type={"type": "string", "enum": ["Bearer"]}, expires_at=TIME),
    "OrgUnit": UNIT,
    "UserRef": USER,
    "Me": obj(id=INT, username=STR, full_name=STR, roles=array(obj(
        role=STR, unit_id=INT, unit_code=STR, unit_name=STR, unit_level=LEVEL))),
    "Campaign": obj(code=STR, title=STR, year=INT, submission_deadline=DATE, issuing_unit=ref("OrgUnit")),
    "CampaignList": obj(count=INT, campaigns=array(ref("Campaign"))),
    "NomineeIn": obj(["kind", "full_name", "award_form_code"], closed=True,
                     kind={"type": "string", "enum": ["individual", "collective"]}, full_name=NONBLANK,
                     award_form_code=NONBLANK, position=STR_OR_NULL, summary=STR_OR_NULL),
    "DossierIn": obj(closed=True, campaign_code=NONBLANK, unit_id=ID, title=NONBLANK,
                     nominees=array(ref("NomineeIn"), minItems=1)),
    "Nominee": obj(id=INT, kind=STR, full_name=STR, position=STR_OR_NULL, award_form_code=STR, award_form_name=STR,
                   summary=STR_OR_NULL, outcome=STR_OR_NULL, outcome_level=STR_OR_NULL,
                   # granted_<level>, rejected, or while undecided its dossier's standing: travelling (under review),
                   # draft, withdrawn, cancelled (domain/nominee_standing.py)
                   state={"type": "string", "pattern": "^(granted_(ward|district|province)|rejected|travelling|draft|"
                                                       "withdrawn|cancelled)$"},
                   refusal=nullable("Refusal")),
    "Refusal": obj(reason=STR_OR_NULL, step=STR, level=LEVEL, votes_for=INT_OR_NULL, votes_against=INT_OR_NULL,
                   members_present=INT_OR_NULL, decided_at=TIME_OR_NULL),
    "Document": obj(id=INT, dossier_id=INT, kind={"type": "string", "enum": list(KIND_LABELS)}, nominee_id=INT_OR_NULL,
                    filename=STR, content_type={"type": "string", "enum": list(FILE_TYPES)}, size=INT,
                    sha256={"type": "string", "pattern": "^[0-9a-f]{64}$"}, uploaded_at=TIME),
    "UploadForm": obj(["file", "kind"], closed=True, file={"type": "string", "format": "binary"},
                      kind={"type": "string", "enum": list(KIND_LABELS)},
                      nominee_id={"type": "string", "pattern": "^([0-9]{1,9})?$",
                                  "description": "để trống nếu cho cả hồ sơ"}),
    "MissingItem": obj(kind=STR, label=STR, nominee_id=INT_OR_NULL, nominee_name=STR_OR_NULL),
    "CurrentTask": obj(id=INT, step=STR, name=STR, role=STR, level=LEVEL, org_unit=ref("OrgUnit"), due_at=TIME_OR_NULL,
                       escalated_at=TIME_OR_NULL, claimed_by=nullable("UserRef")),
    "HistoryEntry": obj(task_id=INT, step=STR, name=STR, role=STR, decision=STR_OR_NULL,
                        decision_label={**STR_OR_NULL, "description": "như bước đó ghi quyết định (“Đạt”, “Thông qua”)"},
                        comment=STR_OR_NULL, by=nullable("UserRef"), at=TIME_OR_NULL),
    "Dossier": obj(id=INT, title=STR, status=DOSSIER_STATUS, target_level=LEVEL, created_at=TIME, updated_at=TIME,
                   campaign=obj(code=STR, title=STR, year=INT), unit=ref("OrgUnit"), nominees=array(ref("Nominee")),
                   documents=array(ref("Document")), missing_documents=array(ref("MissingItem")),
                   current_tasks=array(ref("CurrentTask")), history=array(ref("HistoryEntry"))),
    "Completion": obj(task_id=INT, dossier_id=INT, decision=STR_OR_NULL, next_steps=array(STR),
                      dossier_status=DOSSIER_STATUS),
    "InboxTask": obj(id=INT, step=STR, name=STR, role=STR, org_unit_id=INT, dossier_id=INT, dossier_title=STR,
                     campaign=STR, submitting_unit=obj(id=INT, name=STR), created_at=TIME, due_at=TIME_OR_NULL,
                     overdue=BOOL, escalated_at=TIME_OR_NULL, escalated_to_me=BOOL, claimed_by=nullable("UserRef"),
                     forward_by={**nullable("ForwardBy"), "description": "bước không có hẹn giờ (due_at null) mà hồ sơ "
                                 "còn đi lên: hạn của phong trào để đến cấp trên kế tiếp"}),
    "ForwardBy": obj(level=LEVEL, deadline={"type": "string", "format": "date"},
                     passed={**BOOL, "description": "hạn đã qua (giờ Việt Nam): cấp đó không nhận hồ sơ nữa"}),
    "TaskList": obj(
        count={**INT, "description": "số việc trong danh sách này (tối đa 200, những việc đến hạn sớm nhất)"},
        total={**INT, "description": "số việc đang mở trong cả hộp việc, không tính bộ lọc"},
        tasks=array(ref("InboxTask")),
    ),
    "Decision": obj(value=STR, label=STR, reason_required=BOOL),
    "EligibilityItem": obj(nominee_id=INT, nominee_name=STR, code=STR, description=STR,
                           status={"type": "string", "enum": ["pass", "fail", "unknown"]}, detail=STR,
                           confirm_key={**STR, "description": "gửi trong 'confirmed' để xác nhận điều kiện 'unknown'"}),
    "TaskDetail": obj(
        id=INT, step=STR, name=STR, state={"type": "string", "enum": ["ready", "completed", "cancelled"]}, role=STR,
        level=LEVEL, org_unit=ref("OrgUnit"), created_at=TIME, due_at=TIME_OR_NULL, overdue=BOOL,
        escalated_at=TIME_OR_NULL, escalated_to_me=BOOL, claimed_by=nullable("UserRef"), claimed_at=TIME_OR_NULL,
        can_act=BOOL, decision=STR_OR_NULL, comment=STR_OR_NULL, completed_at=TIME_OR_NULL,
        dossier=obj(id=INT, title=STR, status=DOSSIER_STATUS, campaign=STR, unit=ref("OrgUnit")),
        decisions=array(ref("Decision")), eligibility=array(ref("EligibilityItem")),
    ),
    "NomineeOutcome": obj(["nominee_id", "outcome"], closed=True, nominee_id=ID,
                          outcome={"type": "string", "enum": ["approve", "reject"]}, reason=STR_OR_NULL,
                          votes_for={**COUNT, "type": ["integer", "null"]},
                          votes_against={**COUNT, "type": ["integer", "null"]}),
    "CompleteIn": obj(
        ["decision"], closed=True,
        decision={**NONBLANK, "description": "một giá trị trong 'decisions' của việc (GET /tasks/{task_id})"},
        comment={**STR_OR_NULL, "description": "bắt buộc khi trả lại (return) hoặc không đồng ý (reject)"},
        confirmed={"type": ["array", "null"], "items": STR, "description": "các confirm_key đã xác nhận"},
        nominee_outcomes={"type": ["array", "null"], "items": ref("NomineeOutcome"),
                          "description": "kết quả từng người (Hội đồng, Chủ tịch); "
                                         "bỏ trống: mọi người theo 'decision'"},
        council={"oneOf": [obj(closed=True, size=COUNT, present=COUNT), {"type": "null"}]},
    ),
}
ERRORS = {
    "400": "Yêu cầu không hợp lệ (JSON sai, thiếu trường, trường lạ, thiếu tài liệu, quyết định không có ở bước này)",
    "401": "Thiếu mã truy cập, mã sai hoặc đã hết hạn",
    "403": "Không có quyền thực hiện thao tác này",
    "404": "Không tìm thấy (hoặc không được xem)",
    "409": "Xung đột: việc đã xử lý, người khác đã nhận, hoặc hồ sơ đã nộp",
    "413": "Dữ liệu gửi lên quá lớn",
    "415": "Kiểu nội dung không được hỗ trợ",
    "422": "Vi phạm quy định của phong trào (quá hạn nộp, vượt chỉ tiêu)",
    "429": "Đăng nhập sai quá nhiều lần (theo tên đăng nhập hoặc theo địa chỉ); hãy thử lại sau ít phút",
    "500": "Lỗi ngoài dự kiến (details.request_id)",
}


def _error(status: str) -> Schema:
    response: Schema = {"description": ERRORS[status], "content": {MEDIA_TYPE: {"schema": ref("Error")}}}
    if status == "401":
        response["headers"] = {"WWW-Authenticate": {"schema": STR, "description": "Bearer realm=\"thidua\""}}
    return response


def _ok(schema: Schema, description: str = "Thành công") -> Schema:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _op(op_id: str, summary: str, ok: Schema, errors: str, *, status: str = "200", body: Schema | None = None,
        params: Schema | None = None, public: bool = False, tag: str) -> Schema:  # fmt: skip
    """One operation: its success response, the errors it can answer with (plus 500), its input."""
    codes = errors.split() + ([] if public else ["401"]) + ["500"]
    op: Schema = {"operationId": op_id, "summary": summary, "tags": [tag],
                  "responses": {status: ok, **{c: _error(c) for c in sorted(set(codes))}}}  # fmt: skip
    if body is not None:
        op["requestBody"] = {"required": True, "content": body}
    if params is not None:
        op["parameters"] = params
    if public:
        op["security"] = []
    return op


def _path_param(name: str, description: str) -> Schema:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": ID}


DOSSIER_ID = _path_param("dossier_id", "mã hồ sơ")
TASK_ID = _path_param("task_id", "mã việc")
DOCUMENT_ID = _path_param("document_id", "mã tài liệu")
INBOX_FILTERS = [
    {"name": "campaign", "in": "query", "schema": NONBLANK, "description": "mã phong trào"},
    {"name": "step", "in": "query", "schema": NONBLANK, "description": "mã bước trong BPMN (ví dụ ward_office_review)"},
    {"name": "unit_id", "in": "query", "schema": {"type": "string", "pattern": "^[0-9]{1,9}$"},
     "description": "đơn vị nộp"},
    {"name": "overdue", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]},
     "description": "chỉ việc quá hạn: quá hạn xử lý (due_at), hoặc bước không hẹn giờ đã quá hạn gửi lên cấp trên "
                    "(forward_by.passed)"},
    {"name": "due_soon", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]},
     "description": "chỉ việc sắp đến hạn (3 ngày tới): hạn xử lý (due_at) trong 3 ngày tới, hoặc bước không hẹn giờ "
                    "có hạn gửi lên cấp trên (forward_by) từ hôm nay đến 3 ngày tới; cùng overdue=true: việc thuộc một "
                    "trong hai"},
]
PATHS: dict[str, Any] = {
    "/auth/token": {"post": _op(
        "issueToken", "Lấy mã truy cập (hiệu lực 12 giờ)", _ok(ref("Token"), "Đã cấp mã"), "400 401 415 429", status="201",
        public=True, tag="auth", body={JSON: {"schema": ref("Credentials")}},
    )},
    "/me": {"get": _op("getMe", "Người dùng của mã truy cập và các vai trò tại đơn vị", _ok(ref("Me")), "",
                       tag="auth")},
    "/campaigns": {"get": _op("listCampaigns", "Phong trào thi đua người dùng xem được", _ok(ref("CampaignList")), "",
                              tag="campaigns")},
    "/dossiers": {"post": _op(
        "createDossier", "Lập hồ sơ đề nghị khen thưởng cho một đơn vị",
        {**_ok(ref("Dossier"), "Đã lập hồ sơ"), "headers": {"Location": {"schema": STR}}}, "400 403 404 413 415",
        status="201", body={JSON: {"schema": ref("DossierIn")}}, tag="dossiers",
    )},
    "/dossiers/{dossier_id}": {"get": _op(
        "getDossier", "Hồ sơ: trạng thái, người được đề nghị, tài liệu, còn thiếu, việc đang chờ, lịch sử",
        _ok(ref("Dossier")), "404", params=[DOSSIER_ID], tag="dossiers",
    )},
    "/dossiers/{dossier_id}/documents": {"post": _op(
        "uploadDocument", "Tải tài liệu lên (PDF, DOCX, XLSX, JPEG, PNG; tối đa 20 MB)",
        _ok(ref("Document"), "Đã tải lên"), "400 403 404 409 413 415", status="201", params=[DOSSIER_ID],
        body={"multipart/form-data": {"schema": ref("UploadForm")}}, tag="dossiers",
    )},
    "/dossiers/{dossier_id}/documents/{document_id}": {"get": _op(
        "downloadDocument", "Tải tài liệu về (Content-Disposition với tên tệp UTF-8)",
        {"description": "Nội dung tệp", "headers": {"Content-Disposition": {"schema": STR}},
         "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in FILE_TYPES}},
        "404", params=[DOSSIER_ID, DOCUMENT_ID], tag="dossiers",
    )},
    "/dossiers/{dossier_id}/submit": {"post": _op(
        "submitDossier", "Nộp (hoặc nộp lại) hồ sơ; thiếu tài liệu: 400 với details.missing; quá hạn: 422",
        _ok(ref("Completion")), "400 403 404 409 422", params=[DOSSIER_ID], tag="dossiers",
    )},
    "/tasks": {"get": _op(
        "listTasks", "Hộp việc của người dùng, theo hạn xử lý", _ok(ref("TaskList")), "400", params=INBOX_FILTERS,
        tag="tasks",
    )},
    "/tasks/{task_id}": {"get": _op(
        "getTask", "Chi tiết việc và các quyết định BPMN cho phép ở bước này", _ok(ref("TaskDetail")), "404",
        params=[TASK_ID], tag="tasks",
    )},
    "/tasks/{task_id}/claim": {"post": _op(
        "claimTask", "Nhận xử lý việc", _ok(ref("TaskDetail")), "403 404 409", params=[TASK_ID], tag="tasks",
    )},
    "/tasks/{task_id}/unclaim": {"post": _op(
        "unclaimTask", "Trả việc lại cho những người cùng vai trò", _ok(ref("TaskDetail")), "403 404 409",
        params=[TASK_ID], tag="tasks",
    )},
    "/tasks/{task_id}/complete": {"post": _op(
        "completeTask", "Ghi nhận quyết định; trả lại và không đồng ý cần lý do", _ok(ref("Completion")),
        "400 403 404 409 413 415 422", params=[TASK_ID], body={JSON: {"schema": ref("CompleteIn")}}, tag="tasks",
    )},
    "/openapi.json": {"get": _op(
        "getOpenApi", "Tài liệu OpenAPI này", _ok({"type": "object"}), "", public=True, tag="meta",
    )},
}  # fmt: skip


def document() -> dict[str, Any]:
    """The OpenAPI document (the same dict every call)."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Thi đua API", "version": "1.0.0",
                 "description": "Hồ sơ đề nghị khen thưởng và hộp việc. Lỗi: {\"error\": {code, message, details}}."},
        "servers": [{"url": "/api/v1"}],
        "tags": [{"name": n} for n in ("auth", "campaigns", "dossiers", "tasks", "meta")],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "POST /api/v1/auth/token trả về mã"}},
        },
        "security": [{"bearerAuth": []}],
    }  # fmt: skip


@bp.route("/openapi.json")
def openapi() -> Response:
    return jsonify(document())
