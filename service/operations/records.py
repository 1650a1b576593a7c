"""Enter or import (xlsx) the records that feed the rules; an import with any bad row imports nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.actors import Actor
from ..domain.eligibility import RATINGS, person_key
from ..domain.field_limits import LIMITS
from ..domain.permissions import require_can_keep_records_of
from ..errors import Forbidden, InvalidInput, Listed, Phrase
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
    errors: list[str]  # one per bad row, each a Phrase ("Dòng 3: …") with every problem of the row


def require_editor(actor: Actor) -> None:
    if not any(actor.has_role(r) for r in EDITORS):
        raise Forbidden("Chỉ Văn phòng, Phòng Nội vụ, Ban TĐKT hoặc quản trị viên mới nhập hồ sơ theo dõi.")


@dataclass(frozen=True)
class _Units:
    """Every unit by code, with its parent: read once per import (the rows name units by code)."""

    ids: dict[str, int]
    codes: dict[int, str]
    parents: dict[int, int | None]

    @classmethod
    def read(cls, session: Session) -> _Units:
        rows = session.execute(select(OrgUnit.code, OrgUnit.id, OrgUnit.parent_id)).all()
        return cls({code: uid for code, uid, _ in rows}, {uid: code for code, uid, _ in rows},
                   {uid: parent for _, uid, parent in rows})  # fmt: skip

    def path(self, unit_id: int) -> list[int]:
        path: list[int] = []
        found: int | None = unit_id
        while found is not None and len(path) < 32:
            path.append(found)
            found = self.parents.get(found)
        return path


def _require_own_units(actor: Actor, units: _Units, records: list[Any]) -> None:
    """Forbidden (nothing written) unless the actor keeps the records of every unit the rows name
    (domain.permissions.can_keep_records_of): an office of one ward, district or province does not enter, nor
    replace, another's index results, ratings or awards. Whichever page, API or command enters them."""
    for unit_id in sorted({r.org_unit_id for r in records if r.org_unit_id is not None}):
        require_can_keep_records_of(actor, units.path(unit_id), units.codes[unit_id])


def import_records(session: Session, actor: Actor, kind: str, data: bytes, now: datetime) -> ImportReport:
    """Read the first sheet (header row in Vietnamese); every row is checked, and any error imports nothing."""
    require_editor(actor)
    if kind not in RECORD_KINDS:
        raise InvalidInput("Loại dữ liệu phải là index, rating hoặc award.")
    header, rows = read_sheet(data, RECORD_KINDS[kind])
    units = _Units.read(session)
    errors: list[str] = []
    records: list[Any] = []
    for number, raw in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            raise InvalidInput("Tệp có quá {max_rows} dòng.", {"max_rows": MAX_ROWS})
        row = {h: raw[i] if i < len(raw) else None for i, h in enumerate(header)}
        if all(v in (None, "") for v in row.values()):
            continue
        try:
            records.append(_build(kind, row, units.ids))
        except RowProblems as exc:
            errors.append(Phrase("Dòng {line}: {problems}.", {"line": number, "problems": Listed(exc.problems)}))
    if errors:
        return ImportReport(0, errors)
    _require_own_units(actor, units, records)
    for record in records:
        _upsert(session, record)
    session.flush()
    record_event(session, action="records.import", object_type="records", object_id=kind, actor=actor.user_id,
                 after={"rows": len(records)}, now=now)  # fmt: skip
    return ImportReport(len(records), [])


class RowProblems(ValueError):
    """Every problem of one row (record), each a Phrase the pages translate."""

    def __init__(self, problems: list[Phrase]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _column(name: str) -> Phrase:
    """A column's name as the sheet's header (and the form) has it: kept Vietnamese in every language."""
    return Phrase("{column}", {"column": name})


class _Row:
    """One row's values read with its problems gathered, so that a row reports all of them at once."""

    def __init__(self, row: dict[str, Any], units: dict[str, int]) -> None:
        self.row, self.units = row, units
        self.problems: list[Phrase] = []

    def text(self, key: str, required: bool = True, field: str | None = None) -> str | None:
        """The cell's text, trimmed; with `field` (domain.field_limits) it is stored as typed, and one longer than
        the field's column holds is a problem of the row."""
        value = self.row.get(key)
        if value is None or str(value).strip() == "":
            if required:
                self.problems.append(Phrase("thiếu “{column}”", {"column": _column(key)}))
            return None
        text = str(value).strip()
        if field is not None and len(text) > LIMITS[field]:
            self.problems.append(Phrase("“{field}” dài {length} ký tự, tối đa {limit}",
                                        {"field": _column(key), "length": len(text), "limit": LIMITS[field]}))
        return text

    def number(self, key: str, required: bool = True) -> float | None:
        text = self.text(key, required)
        if text is None:
            return None
        try:
            return float(text)
        except ValueError:
            self.problems.append(Phrase("“{column}” phải là số", {"column": _column(key)}))
            return None

    def int(self, key: str, required: bool = True) -> int | None:
        value = self.number(key, required)
        return int(value) if value is not None else None

    def unit(self, required: bool = True) -> int | None:
        code = self.text("Mã đơn vị", required)
        if code is None:
            return None
        if code not in self.units:
            self.problems.append(Phrase("không có đơn vị mã “{code}”", {"code": _column(code)}))
            return None
        return self.units[code]


def _build(kind: str, raw: dict[str, Any], units: dict[str, int]) -> Any:
    """The record of a row, or RowProblems with every problem the row has."""
    row = _Row(raw, units)
    if kind == "index":
        record: Any = IndexResult(org_unit_id=row.unit(), year=row.int("Năm"),
                                  index_code=(row.text("Chỉ số", field="index_result.index_code") or "").upper(),
                                  score=row.number("Điểm", False), rank=row.int("Xếp hạng", False),
                                  bloc=row.text("Khối", False, "index_result.bloc"),
                                  classification=row.text("Xếp loại", False, "index_result.classification"))  # fmt: skip
    elif kind == "rating":
        name = row.text("Họ và tên", field="yearly_rating.person_name") or ""
        unit_id, year = row.unit(), row.int("Năm")
        rating_text = row.text("Xếp loại")
        rating = person_key(rating_text or "")
        if rating_text is not None and rating not in RATINGS:
            row.problems.append(Phrase("xếp loại phải là một trong: {ratings}", {"ratings": _column("; ".join(RATINGS))}))
        record = YearlyRating(person_name=name, person_key=person_key(name), org_unit_id=unit_id, year=year,
                              rating=rating)  # fmt: skip
    else:
        name = row.text("Tên tập thể/cá nhân", field="past_award.recipient_name") or ""
        kinds = {"tập thể": "collective", "cá nhân": "individual"}
        kind_text = row.text("Loại")
        if kind_text is not None and person_key(kind_text) not in kinds:
            row.problems.append(Phrase("“Loại” phải là tập thể hoặc cá nhân", {}))
        # problems in the columns' order
        unit_id, award_name = row.unit(False), row.text("Hình thức khen thưởng", field="past_award.award_name")
        award_code = row.text("Mã hình thức", False, "past_award.award_form_code")
        year, number = row.int("Năm"), row.text("Số quyết định", False, "past_award.decision_number")
        decided = raw.get("Ngày quyết định")
        if isinstance(decided, str) and not decided.strip():
            decided = None
        if decided is not None and not isinstance(decided, date):
            try:
                decided = datetime.strptime(str(decided).strip(), "%d/%m/%Y").date()
            except ValueError:
                row.problems.append(Phrase("“Ngày quyết định” phải có dạng ngày/tháng/năm", {}))
                decided = None
        record = PastAward(recipient_name=name, recipient_key=person_key(name),
                           recipient_kind=kinds.get(person_key(kind_text or "")), org_unit_id=unit_id,
                           award_name=award_name, award_form_code=award_code, year=year, decision_number=number,
                           decision_date=decided.date() if isinstance(decided, datetime) else decided)  # fmt: skip
    if row.problems:
        raise RowProblems(row.problems)
    return record


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
    units = _Units.read(session)
    try:
        record = _build(kind, {h: fields.get(h) for h in RECORD_KINDS[kind]}, units.ids)
    except RowProblems as exc:
        raise InvalidInput("Chưa thêm được dòng này: {problems}.", {"problems": Listed(exc.problems)}) from None
    _require_own_units(actor, units, [record])
    _upsert(session, record)
    session.flush()
    record_event(session, action="records.add", object_type="records", object_id=kind, actor=actor.user_id,
                 after={k: str(v) for k, v in fields.items() if v not in (None, "")}, now=now)  # fmt: skip
