"""Nominee lists as Excel: export per campaign (level, unit) and import into a dossier, all rows or none."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.actors import Actor
from ..domain.campaign_config import LEVEL_LABELS
from ..domain.nominee_standing import nominee_state
from ..errors import DomainError, NotFound
from ..models import AwardForm, Campaign, Decision, DecisionAward, Dossier, Nominee, OrgUnit
from ..queries.campaign_config import campaign_config
from ..queries.org import unit_path
from .audit import record_event
from .dossiers import check_nominee_lengths
from .editing import add_nominee, require_editable
from .spreadsheets import read_sheet

EXPORT_HEADERS = ("STT", "Tập thể / cá nhân", "Loại", "Chức vụ", "Đơn vị", "Hình thức đề nghị", "Kết quả", "Cấp",
                  "Số quyết định", "Ngày quyết định")
IMPORT_HEADERS = ("Loại", "Họ và tên / Tập thể", "Chức vụ", "Mã hình thức", "Trích ngang")
KINDS = {"cá nhân": "individual", "tập thể": "collective"}
# A nominee's state (domain.nominee_standing.nominee_state) in the sheet's words; granted_<level> reads "Được khen".
OUTCOMES = {"granted": "Được khen", "rejected": "Không được khen", "travelling": "Đang xét", "draft": "Đang lập",
            "withdrawn": "Đơn vị đã rút", "cancelled": "Đã hủy"}


def _outcome_words(outcome: str | None, outcome_level: str | None, dossier_status: str) -> str:
    state = nominee_state(outcome, outcome_level, dossier_status)
    return OUTCOMES.get(state.split("_", 1)[0] if state.startswith("granted_") else state, state)


def _decision_cells(decision: tuple[str, date] | None) -> list[str]:
    """The decision's number and day (dd/mm/yyyy, as the decision is dated), or two empty cells."""
    if decision is None:
        return ["", ""]
    return [decision[0], decision[1].strftime("%d/%m/%Y")]


def export_nominees(session: Session, actor: Actor, campaign_code: str, now: datetime, unit_id: int | None = None,
                    level: str | None = None) -> bytes:  # fmt: skip
    """The campaign's nominees the actor may see (optionally one submitting unit, or those decided at a level)."""
    campaign = session.scalar(select(Campaign).where(Campaign.code == campaign_code))
    if campaign is None:
        raise NotFound("Không có phong trào '{campaign_code}'.", {"campaign_code": campaign_code})
    mine = {u for _, u in actor.roles}
    rows = session.execute(
        select(Nominee, AwardForm, OrgUnit, Dossier.status).join(AwardForm, Nominee.award_form_id == AwardForm.id)
        .join(Dossier, Nominee.dossier_id == Dossier.id).join(OrgUnit, Dossier.unit_id == OrgUnit.id)
        .where(Dossier.campaign_id == campaign.id).order_by(OrgUnit.name, Nominee.id)
    ).all()  # fmt: skip
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    sheet.append(list(EXPORT_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    config = campaign_config(session, campaign)
    # The decision naming each awardee (the latest, should one be named twice), for the clerk who files the list.
    decided = {nominee_id: (number, day) for nominee_id, number, day in session.execute(
        select(DecisionAward.nominee_id, Decision.number, Decision.decided_on)
        .join(Decision, DecisionAward.decision_id == Decision.id)
        .where(Decision.campaign_id == campaign.id).order_by(Decision.decided_on, Decision.id))}  # fmt: skip
    number = 0
    for nominee, form, unit, dossier_status in rows:
        visible = actor.is_admin or actor.has_role("auditor") or bool(mine & set(unit_path(session, unit.id)))
        if not visible or (unit_id and unit.id != unit_id) or (level and nominee.outcome_level != level):
            continue
        number += 1
        sheet.append([number, nominee.full_name, "Tập thể" if nominee.kind == "collective" else "Cá nhân", nominee.position or "",
                      unit.name, config.award_name(form.code, form.name),
                      _outcome_words(nominee.outcome, nominee.outcome_level, str(dossier_status)),
                      LEVEL_LABELS.get(nominee.outcome_level or "", nominee.outcome_level or ""),
                      *_decision_cells(decided.get(nominee.id))])  # fmt: skip
    for row in sheet.iter_rows(min_row=2):  # typed text stays text: openpyxl would write "=…" as a formula
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    record_event(session, action="export.nominees", object_type="campaign", object_id=campaign.code, actor=actor.user_id,
                 after={"rows": number, "unit_id": unit_id, "level": level}, now=now)  # fmt: skip
    return buffer.getvalue()


def import_nominees(session: Session, actor: Actor, now: datetime, dossier_id: int, data: bytes) -> list[str]:
    """Add every row as a nominee; if any row is bad, add none and return the errors row by row."""
    require_editable(session, actor, dossier_id)
    header, rows = read_sheet(data, IMPORT_HEADERS[:4])
    errors: list[str] = []
    savepoint = session.begin_nested()
    for number, raw in enumerate(rows, start=2):
        row = {h: (str(raw[i]).strip() if i < len(raw) and raw[i] is not None else "") for i, h in enumerate(header)}
        if not any(row.values()):
            continue
        kind = KINDS.get(row.get("Loại", "").lower())
        if kind is None:
            errors.append(f"Dòng {number}: “Loại” phải là Cá nhân hoặc Tập thể")
            continue
        try:
            with session.begin_nested():
                # what add_nominee stores, refused over its column's length (domain.field_limits)
                check_nominee_lengths(row.get("Họ và tên / Tập thể", ""), row.get("Chức vụ") or None)
                add_nominee(session, actor, now, dossier_id=dossier_id, kind=kind, full_name=row.get("Họ và tên / Tập thể", ""),
                            award_form_code=row.get("Mã hình thức", ""), position=row.get("Chức vụ") or None,
                            summary=row.get("Trích ngang") or None)  # fmt: skip
        except DomainError as exc:
            errors.append(f"Dòng {number}: {exc.message}")
    if errors:
        savepoint.rollback()
    else:
        savepoint.commit()
    return errors
