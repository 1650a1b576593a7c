"""Certificates printed onto the pre-printed blank (phôi): positions set by an admin, only the text is printed."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..documents.pdf import render_pdf
from ..domain.actors import Actor
from ..errors import Forbidden, InvalidInput, NotFound
from ..models import Campaign, CertificateLayout, Decision, DecisionAward, Dossier, GeneratedDocument, Nominee, OrgUnit
from .audit import record_event
from .decisions import certificate_citation, certificate_decision_lines

FIELDS = {
    "recipient": "Người/tập thể được khen", "position_unit": "Chức vụ, đơn vị", "citation": "Thành tích",
    "decision": "Số, ngày quyết định", "signer": "Người ký",
}  # fmt: skip
DEFAULT_LAYOUT: dict[str, Any] = {
    "width": 297, "height": 210,
    "fields": {
        "recipient": {"x": 48, "y": 88, "width": 200, "size": 24, "bold": True},
        "position_unit": {"x": 48, "y": 102, "width": 200, "size": 14},
        "citation": {"x": 58, "y": 115, "width": 180, "size": 14},
        "decision": {"x": 25, "y": 160, "width": 110, "size": 12},
        "signer": {"x": 175, "y": 178, "width": 90, "size": 14, "bold": True},
    },
}  # fmt: skip


def layout_for(session: Session, unit_id: int) -> dict[str, Any]:
    row = session.scalar(select(CertificateLayout).where(CertificateLayout.issuing_unit_id == unit_id))
    if row is None:
        return DEFAULT_LAYOUT
    return {"width": row.page_width_mm, "height": row.page_height_mm, "fields": json.loads(row.fields_json)}


def check_layout(data: dict[str, Any]) -> dict[str, Any]:
    """Every field placed inside a page of a sensible size; numbers only."""
    try:
        width, height = float(data["width"]), float(data["height"])
        fields = {name: {"x": float(f["x"]), "y": float(f["y"]), "width": float(f["width"]), "size": float(f["size"]),
                         "bold": bool(f.get("bold"))} for name, f in data["fields"].items()}  # fmt: skip
    except (KeyError, TypeError, ValueError):
        raise InvalidInput("Bố cục phôi cần khổ giấy và vị trí (x, y, độ rộng, cỡ chữ) là số cho từng trường.") from None
    if not (50 <= width <= 500 and 50 <= height <= 500):
        raise InvalidInput("Khổ phôi phải từ 50 đến 500 mm mỗi chiều.")
    unknown = set(fields) - set(FIELDS)
    if unknown or set(FIELDS) - set(fields):
        raise InvalidInput("Các trường của phôi phải đúng là: {value}.", {"value": ', '.join(FIELDS)})
    for name, f in fields.items():
        if f["x"] < 0 or f["y"] < 0 or f["x"] + f["width"] > width or f["y"] > height or not 6 <= f["size"] <= 72:
            raise InvalidInput("Trường “{field}” nằm ngoài khổ phôi hoặc cỡ chữ không hợp lệ.", {"field": FIELDS[name]})
    return {"width": width, "height": height, "fields": fields}


def save_layout(session: Session, actor: Actor, unit_id: int, data: dict[str, Any], now: datetime) -> None:
    if not actor.is_admin:
        raise Forbidden("Chỉ quản trị viên mới đặt bố cục phôi.")
    layout = check_layout(data)
    row = session.scalar(select(CertificateLayout).where(CertificateLayout.issuing_unit_id == unit_id))
    before = layout_for(session, unit_id)
    if row is None:
        row = CertificateLayout(issuing_unit_id=unit_id, page_width_mm=0, page_height_mm=0, fields_json="{}")
        session.add(row)
    row.page_width_mm, row.page_height_mm = layout["width"], layout["height"]
    row.fields_json, row.updated_by, row.updated_at = json.dumps(layout["fields"]), actor.user_id, now
    session.flush()
    record_event(session, action="certificate_layout.edit", object_type="org_unit", object_id=str(unit_id),
                 actor=actor.user_id, before=before, after=layout, now=now)  # fmt: skip


# Fields whose lines are printed whole, never wrapped: the decision's number, and its place and date line.
WHOLE_LINES = frozenset({"decision"})


def render_blank(layout: dict[str, Any], values: dict[str, str], preview: bool = False) -> bytes:
    """A field's value is its text; a value of several lines ("\n") prints them one under another."""
    return render_pdf("blank.html", width=layout["width"], height=layout["height"], fields=layout["fields"], values=values,
                      labels=FIELDS, preview=preview, whole_lines=WHOLE_LINES)  # fmt: skip


SAMPLE = {"recipient": "Nguyễn Thị Hương", "position_unit": "Công chức Tư pháp - Hộ tịch, Phường Phú Lãm",
          "citation": certificate_citation("Phong trào thi đua “Đẩy mạnh cải cách hành chính, chuyển đổi số” "
                                           "phường Phú Lãm năm 2024"),
          "decision": "\n".join(certificate_decision_lines("15/QĐ-UBND", "Phường Phú Lãm", date(2024, 12, 20))),
          "signer": "Nguyễn Văn Thành"}  # fmt: skip


def blank_for_certificate(session: Session, document_id: int) -> bytes:
    """The text of a stored certificate, placed for its issuing unit's blank."""
    doc = session.get(GeneratedDocument, document_id)
    if doc is None or doc.kind != "certificate" or doc.decision_id is None or doc.nominee_id is None:
        raise NotFound("Không tìm thấy giấy khen/bằng khen.")
    decision, nominee = session.get(Decision, doc.decision_id), session.get(Nominee, doc.nominee_id)
    assert decision is not None and nominee is not None
    dossier = session.get(Dossier, nominee.dossier_id)
    unit = session.get(OrgUnit, dossier.unit_id) if dossier else None
    issuer = session.get(OrgUnit, decision.issuing_unit_id)
    campaign = session.get(Campaign, decision.campaign_id)
    assert session.scalar(select(DecisionAward.id).where(DecisionAward.nominee_id == nominee.id)) is not None
    # The certificate's own words (operations/decisions.py), as its full design prints them.
    values = {
        "recipient": nominee.full_name,
        "position_unit": ", ".join(x for x in (nominee.position, unit.name if unit else None) if x),
        "citation": certificate_citation(campaign.title) if campaign else "",
        "decision": "\n".join(certificate_decision_lines(decision.number, issuer.name if issuer else "",
                                                         decision.decided_on)),
        "signer": decision.signer_name,
    }
    return render_blank(layout_for(session, decision.issuing_unit_id), values)
