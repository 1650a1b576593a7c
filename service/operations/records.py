"""Enter or import (xlsx) the records that feed the rules; an import with any bad row imports nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.actors import Actor
from ..domain.eligibility import RATINGS, person_key
from ..errors import Forbidden, InvalidInput
from ..models import IndexResult, OrgUnit, PastAward, YearlyRating
from .audit import record_event
from .spreadsheets import read_sheet

MAX_ROWS = 20_000
RECORD_KINDS: dict[str, tuple[str, ...]] = {
    "index": ("Mã đơn vị", "Năm", "Chỉ số", "Điểm", "Xếp hạng", "Khối", "Xếp loại"),
    "rating": ("Họ và tên", "Mã đơn vị", "Năm", "Xếp loại"),
    "award": ("Tên tập thể/cá nhân", "Loại", "Mã đơn vị", "Hình thức khen thưởng", "Mã hình thức", "Năm",
              "Số quyết định", "Ngày quyết định"),
}  # fmt: skip
EDITORS = ("admin", "office_clerk", "noi_vu", "ban_tdkt")


@dataclass(frozen=True)
class ImportReport:
    imported: int
    errors: list[str]


def require_editor(actor: Actor) -> None:
    if not any(actor.has_role(r) for r in EDITORS):
        raise Forbidden("Chỉ Văn phòng, Phòng Nội vụ, Ban TĐKT hoặc quản trị viên mới nhập hồ sơ theo dõi.")


def import_records(session: Session, actor: Actor, kind: str, data: bytes, now: datetime) -> ImportReport:
    """Read the first sheet (header row in Vietnamese); every row is checked, and any error imports nothing."""
    require_editor(actor)
    if kind not in RECORD_KINDS:
        raise InvalidInput("Loại dữ liệu phải là index, rating hoặc award.")
    header, rows = read_sheet(data, RECORD_KINDS[kind])
    units = {u.code: u.id for u in session.scalars(select(OrgUnit))}
    errors: list[str] = []
    records: list[Any] = []
    for number, raw in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            raise InvalidInput("Tệp có quá {max_rows} dòng.", {"max_rows": MAX_ROWS})
        row = {h: raw[i] if i < len(raw) else None for i, h in enumerate(header)}
        if all(v in (None, "") for v in row.values()):
            continue
        try:
            records.append(_build(kind, row, units))
        except ValueError as exc:
            errors.append(f"Dòng {number}: {exc}")
    if errors:
        return ImportReport(0, errors)
    for record in records:
        _upsert(session, record)
    session.flush()
    record_event(session, action="records.import", object_type="records", object_id=kind, actor=actor.user_id,
                 after={"rows": len(records)}, now=now)  # fmt: skip
    return ImportReport(len(records), [])


def _text(row: dict[str, Any], key: str, required: bool = True) -> str | None:
    value = row.get(key)
    if value is None or str(value).strip() == "":
        if required:
            raise ValueError(f"thiếu “{key}”")
        return None
    return str(value).strip()


def _int(row: dict[str, Any], key: str, required: bool = True) -> int | None:
    text = _text(row, key, required)
    if text is None:
        return None
    try:
        return int(float(text))
    except ValueError:
        raise ValueError(f"“{key}” phải là số") from None


def _unit(row: dict[str, Any], units: dict[str, int], required: bool = True) -> int | None:
    code = _text(row, "Mã đơn vị", required)
    if code is None:
        return None
    if code not in units:
        raise ValueError(f"không có đơn vị mã “{code}”")
    return units[code]


def _build(kind: str, row: dict[str, Any], units: dict[str, int]) -> Any:
    if kind == "index":
        score = _text(row, "Điểm", False)
        return IndexResult(org_unit_id=_unit(row, units), year=_int(row, "Năm"), index_code=_text(row, "Chỉ số").upper(),
                           score=float(score) if score else None, rank=_int(row, "Xếp hạng", False),
                           bloc=_text(row, "Khối", False), classification=_text(row, "Xếp loại", False))  # fmt: skip
    if kind == "rating":
        rating = person_key(_text(row, "Xếp loại") or "")
        if rating not in RATINGS:
            raise ValueError(f"xếp loại phải là một trong: {'; '.join(RATINGS)}")
        name = _text(row, "Họ và tên") or ""
        return YearlyRating(person_name=name, person_key=person_key(name), org_unit_id=_unit(row, units),
                            year=_int(row, "Năm"), rating=rating)  # fmt: skip
    kinds = {"tập thể": "collective", "cá nhân": "individual"}
    kind_text = person_key(_text(row, "Loại") or "")
    if kind_text not in kinds:
        raise ValueError("“Loại” phải là tập thể hoặc cá nhân")
    decided = row.get("Ngày quyết định")
    if decided is not None and not isinstance(decided, date):
        try:
            decided = datetime.strptime(str(decided).strip(), "%d/%m/%Y").date()
        except ValueError:
            raise ValueError("“Ngày quyết định” phải có dạng ngày/tháng/năm") from None
    name = _text(row, "Tên tập thể/cá nhân") or ""
    return PastAward(recipient_name=name, recipient_key=person_key(name), recipient_kind=kinds[kind_text],
                     org_unit_id=_unit(row, units, False), award_name=_text(row, "Hình thức khen thưởng"),
                     award_form_code=_text(row, "Mã hình thức", False), year=_int(row, "Năm"),
                     decision_number=_text(row, "Số quyết định", False),
                     decision_date=decided.date() if isinstance(decided, datetime) else decided)  # fmt: skip


def _upsert(session: Session, record: Any) -> None:
    """Index results and ratings replace the same unit/person and year; awards are appended."""
    if isinstance(record, IndexResult):
        old = session.scalar(select(IndexResult).where(IndexResult.org_unit_id == record.org_unit_id,
                                                       IndexResult.year == record.year,
                                                       IndexResult.index_code == record.index_code))  # fmt: skip
    elif isinstance(record, YearlyRating):
        old = session.scalar(select(YearlyRating).where(YearlyRating.person_key == record.person_key,
                                                        YearlyRating.org_unit_id == record.org_unit_id,
                                                        YearlyRating.year == record.year))  # fmt: skip
    else:
        old = None
    if old is not None:
        session.delete(old)
        session.flush()
    session.add(record)


def add_record(session: Session, actor: Actor, kind: str, fields: dict[str, Any], now: datetime) -> None:
    """Enter one record by hand (the same columns and checks as a spreadsheet row)."""
    require_editor(actor)
    if kind not in RECORD_KINDS:
        raise InvalidInput("Loại dữ liệu phải là index, rating hoặc award.")
    units = {u.code: u.id for u in session.scalars(select(OrgUnit))}
    try:
        record = _build(kind, {h: fields.get(h) for h in RECORD_KINDS[kind]}, units)
    except ValueError as exc:
        raise InvalidInput(str(exc)[0].upper() + str(exc)[1:] + ".") from None
    _upsert(session, record)
    session.flush()
    record_event(session, action="records.add", object_type="records", object_id=kind, actor=actor.user_id,
                 after={k: str(v) for k, v in fields.items() if v not in (None, "")}, now=now)  # fmt: skip
