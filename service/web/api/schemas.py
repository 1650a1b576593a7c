"""Request parsing (strict: unknown fields are refused, never ignored) and response shaping for the API."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from flask import request

from ...domain.documents import MissingItem
from ...domain.dossier_status import DECISIONS_NEEDING_REASON
from ...domain.nominee_outcomes import CouncilCount, NomineeResult
from ...errors import InvalidInput
from ...models import Campaign, Document, OrgUnit, User
from ...operations.dossiers import NomineeInput
from ...operations.tasks import CompletionResult
from ...queries.dossier_view import DossierView, NomineeRefusal
from ...queries.inbox import InboxFilter, InboxRow
from ...queries.task_view import TaskView
from .errors import ApiError

Json = dict[str, Any]


# Requests ----------------------------------------------------------------------------------------------------------


def _check_fields(data: Mapping[str, Any], allowed: set[str], required: set[str], where: str = "") -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InvalidInput("Trường không được hỗ trợ{where}: {value}.",
                           {"where": where, "value": ', '.join(unknown)}, fields=unknown)
    missing = sorted(required - {k for k, v in data.items() if v is not None})
    if missing:
        raise InvalidInput("Thiếu trường bắt buộc{where}: {value}.",
                           {"where": where, "value": ', '.join(missing)}, fields=missing)


def json_object(allowed: set[str], required: set[str]) -> Json:
    """The JSON object sent as the body, with only the fields this route knows."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "Nội dung phải là JSON (Content-Type: application/json).")
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "malformed_json", "Nội dung JSON không đọc được (sai cú pháp hoặc không phải UTF-8).")
    if not isinstance(data, dict):
        raise InvalidInput("Nội dung yêu cầu phải là một đối tượng JSON.")
    _check_fields(data, allowed, required)
    return data


def string(data: Mapping[str, Any], key: str, *, required: bool = True) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise InvalidInput("Trường '{key}' phải là chuỗi{value}.",
                           {"key": key, "value": ' không rỗng' if required else ''}, field=key)
    _refuse_nul(value, key)
    return value


def _refuse_nul(value: str, key: str) -> None:
    # PostgreSQL cannot hold or even compare text with NUL; say so instead of failing in the database.
    if "\x00" in value:
        raise InvalidInput("Trường '{key}' chứa ký tự NUL (\\u0000), không được phép.", {"key": key}, field=key)


MAX_INT = 2**31 - 1  # the database's INTEGER


def integer(data: Mapping[str, Any], key: str, *, required: bool = True, minimum: int = 0) -> int | None:
    """A whole number in [minimum, 2³¹−1]; JSON's 12.0 counts as 12, as JSON Schema says."""
    value = data.get(key)
    if value is None and not required:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= MAX_INT:
        raise InvalidInput("Trường '{key}' phải là số nguyên từ {minimum} đến {max_int}.",
                           {"key": key, "minimum": minimum, "max_int": MAX_INT}, field=key)
    return value


def _digits(text: str, key: str) -> int:
    """A form or query value holding a whole number (as integer() for JSON)."""
    return integer({key: int(text) if text.isascii() and text.isdigit() else None}, key) or 0


def _items(data: Mapping[str, Any], key: str, *, min_items: int = 0) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list) or len(value) < min_items:
        raise InvalidInput("Trường '{key}' phải là danh sách có ít nhất {min_items} phần tử.",
                           {"key": key, "min_items": min_items}, field=key)
    return value


def _object(value: Any, key: str, allowed: set[str], required: set[str]) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput("'{key}' phải là một đối tượng JSON.", {"key": key}, field=key)
    _check_fields(value, allowed, required, f" trong '{key}'")
    return value


def credentials() -> tuple[str, str]:
    data = json_object({"username", "password"}, {"username", "password"})
    return string(data, "username") or "", string(data, "password") or ""


NOMINEE_FIELDS = {"kind", "full_name", "position", "award_form_code", "summary"}


def dossier_input() -> Json:
    """Keyword arguments of operations.dossiers.create_dossier."""
    fields = {"campaign_code", "unit_id", "title", "nominees"}
    data = json_object(fields, fields)
    nominees = []
    for index, raw in enumerate(_items(data, "nominees", min_items=1)):
        item = _object(raw, f"nominees[{index}]", NOMINEE_FIELDS, {"kind", "full_name", "award_form_code"})
        nominees.append(NomineeInput(
            kind=string(item, "kind") or "", full_name=string(item, "full_name") or "",
            award_form_code=string(item, "award_form_code") or "", position=string(item, "position", required=False),
            summary=string(item, "summary", required=False),
        ))  # fmt: skip
    return {"campaign_code": string(data, "campaign_code") or "", "unit_id": integer(data, "unit_id", minimum=1),
            "title": string(data, "title") or "", "nominees": nominees}  # fmt: skip


OUTCOME_FIELDS = {"nominee_id", "outcome", "reason", "votes_for", "votes_against"}


def _nominee_results(data: Mapping[str, Any]) -> dict[int, NomineeResult] | None:
    if data.get("nominee_outcomes") is None:
        return None
    results: dict[int, NomineeResult] = {}
    for index, raw in enumerate(_items(data, "nominee_outcomes")):
        item = _object(raw, f"nominee_outcomes[{index}]", OUTCOME_FIELDS, {"nominee_id", "outcome"})
        if item["outcome"] not in ("approve", "reject"):
            raise InvalidInput("'outcome' phải là approve hoặc reject.", field=f"nominee_outcomes[{index}].outcome")
        nominee_id = integer(item, "nominee_id", minimum=1)
        assert nominee_id is not None
        results[nominee_id] = NomineeResult(
            item["outcome"] == "approve", string(item, "reason", required=False),
            integer(item, "votes_for", required=False), integer(item, "votes_against", required=False),
        )  # fmt: skip
    return results


def completion_input() -> Json:
    """Keyword arguments of operations.tasks.complete_task after the task id."""
    data = json_object({"decision", "comment", "confirmed", "nominee_outcomes", "council"}, {"decision"})
    council = None
    if data.get("council") is not None:
        count = _object(data["council"], "council", {"size", "present"}, {"size", "present"})
        size, present = integer(count, "size", minimum=0), integer(count, "present", minimum=0)
        council = CouncilCount(size or 0, present or 0)
    confirmed = _items(data, "confirmed") if data.get("confirmed") is not None else []
    if not all(isinstance(c, str) for c in confirmed):
        raise InvalidInput("'confirmed' phải là danh sách chuỗi \"<mã người được đề nghị>:<mã điều kiện>\".",
                           field="confirmed")
    return {"decision": string(data, "decision"), "comment": string(data, "comment", required=False),
            "nominee_results": _nominee_results(data), "council": council, "confirmed": set(confirmed)}  # fmt: skip


def upload_input() -> Json:
    """Keyword arguments of operations.documents.upload_document from a multipart form."""
    if request.mimetype != "multipart/form-data":
        raise ApiError(415, "unsupported_media_type",
                       "Tải tài liệu bằng multipart/form-data (các trường file, kind, nominee_id).")
    _check_fields(request.files, {"file"}, {"file"})
    _check_fields(request.form, {"kind", "nominee_id"}, {"kind"})
    nominee = request.form["nominee_id"].strip() if "nominee_id" in request.form else ""
    return {"kind": request.form["kind"], "filename": request.files["file"].filename,
            "data": request.files["file"].read(), "nominee_id": _digits(nominee, "nominee_id") if nominee else None}


def inbox_filter() -> InboxFilter:
    """?campaign=&step=&unit_id=&overdue=true|false&due_soon=true|false; anything else is refused."""
    args = request.args.to_dict()
    _check_fields(args, {"campaign", "step", "unit_id", "overdue", "due_soon"}, set(), " trong chuỗi truy vấn")
    empty = sorted(k for k, v in args.items() if not v.strip())
    if empty:
        raise InvalidInput("Tham số truy vấn không được để trống: {value}.", {"value": ', '.join(empty)}, fields=empty)
    for key, value in args.items():
        _refuse_nul(value, key)
    if args.get("overdue", "false") not in ("true", "false"):
        raise InvalidInput("Tham số 'overdue' phải là true hoặc false.", field="overdue")
    if args.get("due_soon", "false") not in ("true", "false"):
        raise InvalidInput("Tham số 'due_soon' phải là true hoặc false.", field="due_soon")
    if "unit_id" in args:
        _digits(args["unit_id"], "unit_id")
    return InboxFilter.from_dict({**args, "overdue": args.get("overdue") == "true",
                                  "due_soon": args.get("due_soon") == "true"})


# Responses ---------------------------------------------------------------------------------------------------------


def iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def unit_json(unit: OrgUnit) -> Json:
    return {"id": unit.id, "code": unit.code, "name": unit.name, "level": unit.level}


def user_json(user: User | None) -> Json | None:
    return {"id": user.id, "username": user.username, "full_name": user.full_name} if user is not None else None


def campaign_json(campaign: Campaign, issuer: OrgUnit) -> Json:
    return {"code": campaign.code, "title": campaign.title, "year": campaign.year,
            "submission_deadline": iso(campaign.submission_deadline), "issuing_unit": unit_json(issuer)}  # fmt: skip


def document_json(doc: Document) -> Json:
    return {"id": doc.id, "dossier_id": doc.dossier_id, "kind": doc.kind, "nominee_id": doc.nominee_id,
            "filename": doc.filename, "content_type": doc.content_type, "size": doc.size, "sha256": doc.sha256,
            "uploaded_at": iso(doc.uploaded_at)}  # fmt: skip


def missing_json(item: MissingItem) -> Json:
    return {"kind": item.kind, "label": item.label, "nominee_id": item.nominee_id, "nominee_name": item.nominee_name}


def refusal_json(refusal: NomineeRefusal | None) -> Json | None:
    if refusal is None:
        return None
    return {"reason": refusal.reason, "step": refusal.step, "level": refusal.level, "votes_for": refusal.votes_for,
            "votes_against": refusal.votes_against, "members_present": refusal.members_present,
            "decided_at": iso(refusal.decided_at)}  # fmt: skip


def dossier_json(
    view: DossierView, documents: list[Document], missing: list[MissingItem], users: dict[int, User]
) -> Json:
    d = view.dossier
    return {
        "id": d.id, "title": d.title, "status": d.status, "target_level": d.target_level,
        "created_at": iso(d.created_at), "updated_at": iso(d.updated_at),
        "campaign": {"code": view.campaign.code, "title": view.campaign.title, "year": view.campaign.year},
        "unit": unit_json(view.unit),
        "nominees": [{"id": n.id, "kind": n.kind, "full_name": n.full_name, "position": n.position,
                      "award_form_code": f.code, "award_form_name": f.name, "summary": n.summary,
                      "outcome": n.outcome, "outcome_level": n.outcome_level, "state": view.nominee_states.get(n.id),
                      "refusal": refusal_json(view.refusals.get(n.id))} for n, f in view.nominees],
        "documents": [document_json(doc) for doc in documents],
        "missing_documents": [missing_json(m) for m in missing],
        "current_tasks": [{"id": t.id, "step": t.bpmn_id, "name": view.step_names[t.bpmn_id], "role": t.role,
                           "level": t.level, "org_unit": unit_json(u), "due_at": iso(t.due_at),
                           "escalated_at": iso(t.escalated_at), "claimed_by": user_json(users.get(t.claimed_by or 0))}
                          for t, u in view.open_tasks],
        "history": [{"task_id": t.id, "step": t.bpmn_id, "name": view.step_names[t.bpmn_id], "role": t.role,
                     "decision": t.decision, "decision_label": view.decision_labels.get((t.bpmn_id, t.decision or "")),
                     "comment": t.comment, "by": user_json(u), "at": iso(t.completed_at)}
                    for t, u in view.done_tasks],
    }  # fmt: skip


def inbox_row_json(row: InboxRow, now: datetime, users: dict[int, User]) -> Json:
    return {
        "id": row.task_id, "step": row.step, "name": row.step_name, "role": row.role, "org_unit_id": row.org_unit_id,
        "dossier_id": row.dossier_id, "dossier_title": row.dossier_title, "campaign": row.campaign_code,
        "submitting_unit": {"id": row.submitting_unit_id, "name": row.submitting_unit},
        "created_at": iso(row.created_at), "due_at": iso(row.due_at), "overdue": row.is_overdue(now),
        "escalated_at": iso(row.escalated_at), "escalated_to_me": row.escalated_to_me,
        "claimed_by": user_json(users.get(row.claimed_by or 0)),
        # Where the dossier still goes up: the campaign's deadline for reaching the next level.
        "forward_by": None if row.forward_by is None else {
            "level": row.forward_by.level, "deadline": row.forward_by.deadline.isoformat(),
            "passed": row.forward_by.passed(now)},
    }  # fmt: skip


def task_json(view: TaskView, now: datetime) -> Json:
    t, d = view.task, view.dossier
    return {
        "id": t.id, "step": t.bpmn_id, "name": view.name, "state": t.state, "role": t.role, "level": t.level,
        "org_unit": unit_json(view.org_unit), "created_at": iso(t.created_at), "due_at": iso(t.due_at),
        "overdue": t.due_at is not None and t.due_at <= now and t.state == "ready",
        "escalated_at": iso(t.escalated_at), "escalated_to_me": view.escalated_to_me,
        "claimed_by": user_json(view.claimed_by), "claimed_at": iso(t.claimed_at), "can_act": view.can_act,
        "decision": t.decision, "comment": t.comment, "completed_at": iso(t.completed_at),
        "dossier": {"id": d.id, "title": d.title, "status": d.status, "campaign": view.campaign.code,
                    "unit": unit_json(view.submitting_unit)},
        "decisions": [{"value": c.value, "label": c.label, "reason_required": c.value in DECISIONS_NEEDING_REASON}
                      for c in (view.step.decisions if view.step else ())],
        "eligibility": [{"nominee_id": n.id, "nominee_name": n.full_name, "code": r.code, "description": r.description,
                         "status": r.status, "detail": r.detail, "confirm_key": f"{n.id}:{r.code}"}
                        for n, results in view.eligibility for r in results],
    }  # fmt: skip


def completion_json(result: CompletionResult) -> Json:
    return {"task_id": result.task_id, "dossier_id": result.dossier_id, "decision": result.decision,
            "next_steps": list(result.next_steps), "dossier_status": result.dossier_status}  # fmt: skip
