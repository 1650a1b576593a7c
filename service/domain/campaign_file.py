"""The campaign file (YAML or JSON): parsed and checked into values, every error named by its path."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workflows import LEVELS

from ..errors import InvalidInput, Listed
from .documents import KIND_LABELS
from .field_limits import LIMITS
from .text import clean_text

SUBJECT_TYPES = ("collective", "individual")
RULE_TYPES = {
    # quota rules
    "count_range": "Số lượng tối thiểu/tối đa theo hình thức và đối tượng tại một cấp",
    "percent_of_staff": "Tỷ lệ tối đa trên tổng số cán bộ của đơn vị",
    "per_unit_max": "Số lượng tối đa mỗi đơn vị được đề nghị (ngoại lệ cho đơn vị xếp hạng cao)",
    "percent_of_registered": "Tỷ lệ tối đa trên số đơn vị đăng ký thi đua (hoặc trên số người được đề nghị)",
    "forward_cap": "Số lượng tối đa được trình lên cấp trên",
    # eligibility conditions
    "registered_by": "Đã đăng ký thi đua trước hạn",
    "index_rank": "Xếp hạng chỉ số (PAR INDEX, SIPAS, DTI, DDCI)",
    "consecutive_years": "Số năm liên tục hoàn thành tốt nhiệm vụ trở lên",
    "initiative_recognised": "Có sáng kiến được công nhận",
    "checklist": "Tiêu chí do người thẩm định xác nhận",
}
BINDS_AT = ("submission", "council", "chairman")
# The keys a rule of each type may hold (what the quota and eligibility checks read), besides those of every rule.
# A key outside them is refused: nothing would read it, so the rule would silently not say what its file says.
RULE_KEYS_COMMON = ("code", "type", "description", "award_form", "subject_type", "level", "binds_at")
RULE_KEYS: dict[str, tuple[str, ...]] = {
    "count_range": ("min", "max"),
    "percent_of_staff": ("min_percent", "max_percent"),
    "per_unit_max": ("collective", "individual", "exception"),
    "percent_of_registered": ("max_percent", "of"),
    "forward_cap": ("collective", "individual"),
    "registered_by": (),
    "index_rank": ("index", "max_rank", "min_class", "checklist", "alternatives"),
    "consecutive_years": ("years", "min_rating"),
    "initiative_recognised": (),
    "checklist": (),
}
ALTERNATIVE_KEYS = ("index", "max_rank", "min_class", "checklist")  # one option of index_rank's `alternatives`
EXCEPTION_KEYS = ("index", "top_n", "collective", "individual")  # per_unit_max's `exception` for top-ranked units


@dataclass(frozen=True)
class AwardFormSpec:
    code: str
    name: str
    granting_level: str
    subject_types: tuple[str, ...] = SUBJECT_TYPES
    required_documents: tuple[str, ...] | None = None
    criteria: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleSpec:
    code: str
    type: str
    params: dict[str, Any]
    description: str


@dataclass(frozen=True)
class CampaignSpec:
    code: str
    title: str
    year: int
    issuing_unit: str
    process: str
    theme: str | None = None
    period_from: date | None = None
    period_to: date | None = None
    registration_required: bool = False
    registration_deadline: date | None = None
    deadlines: dict[str, date] = field(default_factory=dict)  # receiving level → last day for dossiers
    receipt_from: date | None = None
    receipt_to: date | None = None
    council: dict[str, int] = field(default_factory=lambda: {"quorum_percent": 50, "pass_percent": 50})
    award_forms: tuple[AwardFormSpec, ...] = ()
    rules: tuple[RuleSpec, ...] = ()
    source: str | None = None


class _Reader:
    """Collects every problem in the file rather than stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def text(self, data: dict[str, Any], key: str, path: str, required: bool = True, limit_of: str | None = None) -> str | None:
        """The key's text, stripped and NFC (a letter typed decomposed is stored composed); `limit_of` (a field of field_limits) bounds its length, as its column does."""
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(f"{path}{key}", "bắt buộc")
            return None
        if not isinstance(value, str | int):
            self.fail(f"{path}{key}", "phải là chuỗi")
            return None
        return self.bounded(str(value), f"{path}{key}", limit_of)

    def bounded(self, raw: str, at: str, limit_of: str | None) -> str:
        """`raw` cleaned (domain.text.clean_text: NFC, stripped), with a problem noted at `at` if it is longer than
        the column of `limit_of` holds (it is then kept whole: nothing is imported while a problem stands)."""
        text = clean_text(raw)
        if limit_of is not None and len(text) > LIMITS[limit_of]:
            self.fail(at, f"dài {len(text)} ký tự; tối đa {LIMITS[limit_of]} ký tự")
        return text

    def day(self, data: dict[str, Any], key: str, path: str) -> date | None:
        value = data.get(key)
        if value is None or isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{path}{key}", f"'{value}' không phải ngày dạng YYYY-MM-DD")
            return None

    def number(self, data: dict[str, Any], key: str, path: str, low: float = 0, high: float | None = None) -> Any:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value < low or (high is not None and value > high):
            bound = f"từ {low} đến {high}" if high is not None else f"≥ {low}"
            self.fail(f"{path}{key}", f"phải là số {bound}")
            return None
        return value


def parse_campaign(data: Any) -> CampaignSpec:
    """Check a decoded campaign file; raise InvalidInput listing every problem with its path."""
    reader = _Reader()
    if not isinstance(data, dict):
        raise InvalidInput("Tệp phong trào phải là một đối tượng (YAML/JSON) ở cấp ngoài cùng.")
    year = reader.number(data, "year", "", 1945, 2100)
    deadlines: dict[str, date] = {}
    for level, value in (data.get("deadlines") or {}).items():
        if level not in LEVELS[1:]:
            reader.fail(f"deadlines.{level}", f"cấp không hợp lệ (chọn: {', '.join(LEVELS[1:])})")
        parsed = reader.day({"d": value}, "d", f"deadlines.{level}.")
        if parsed:
            deadlines[level] = parsed
    window = data.get("receipt_window") or {}
    period = data.get("period") or {}
    spec = CampaignSpec(
        code=reader.text(data, "code", "", limit_of="campaign.code") or "",
        title=reader.text(data, "title", "", limit_of="campaign.title") or "",
        year=int(year or 0),
        issuing_unit=reader.text(data, "issuing_unit", "") or "",
        process=reader.text(data, "process", "", required=False, limit_of="campaign.process_key") or "commendation_chain",
        theme=reader.text(data, "theme", "", required=False, limit_of="campaign.theme"),
        period_from=reader.day(period, "from", "period."),
        period_to=reader.day(period, "to", "period."),
        registration_required=bool(data.get("registration_required", False)),
        registration_deadline=reader.day(data, "registration_deadline", ""),
        deadlines=deadlines,
        receipt_from=reader.day(window, "from", "receipt_window."),
        receipt_to=reader.day(window, "to", "receipt_window."),
        council=_council(reader, data.get("council") or {}),
        award_forms=tuple(_award_form(reader, item, f"award_forms[{i}].") for i, item in enumerate(data.get("award_forms") or [])),
        rules=tuple(_rule(reader, item, f"rules[{i}].", i) for i, item in enumerate(data.get("rules") or [])),
        source=reader.text(data, "source", "", required=False, limit_of="campaign.source"),
    )
    if not spec.award_forms:
        reader.fail("award_forms", "phong trào cần ít nhất một hình thức khen thưởng")
    if spec.receipt_from and spec.receipt_to and spec.receipt_from > spec.receipt_to:
        reader.fail("receipt_window", "ngày bắt đầu sau ngày kết thúc")
    codes = [f.code for f in spec.award_forms]
    for i, rule in enumerate(spec.rules):
        form = rule.params.get("award_form")
        if form and form not in codes:
            reader.fail(f"rules[{i}].award_form", f"'{form}' không có trong award_forms")
    if reader.problems:
        raise InvalidInput("Tệp phong trào có lỗi:\n{problems}",
                           {"problems": Listed((f"- {p}" for p in reader.problems), "\n")},
                           problems=reader.problems)  # fmt: skip
    return spec


def _council(reader: _Reader, data: dict[str, Any]) -> dict[str, int]:
    quorum = reader.number(data, "quorum_percent", "council.", 1, 100)
    passing = reader.number(data, "pass_percent", "council.", 1, 100)
    return {"quorum_percent": int(quorum or 50), "pass_percent": int(passing or 50)}


def _award_form(reader: _Reader, data: Any, path: str) -> AwardFormSpec:
    if not isinstance(data, dict):
        reader.fail(path.rstrip("."), "phải là một đối tượng")
        return AwardFormSpec("", "", "ward")
    level = reader.text(data, "granting_level", path) or "ward"
    if level not in LEVELS[1:]:
        reader.fail(f"{path}granting_level", f"cấp không hợp lệ (chọn: {', '.join(LEVELS[1:])})")
    subjects = tuple(data.get("subject_types") or SUBJECT_TYPES)
    for subject in subjects:
        if subject not in SUBJECT_TYPES:
            reader.fail(f"{path}subject_types", f"'{subject}' không phải collective hoặc individual")
    documents = data.get("required_documents")
    for kind in documents or []:
        if kind not in KIND_LABELS:
            reader.fail(f"{path}required_documents", f"loại tài liệu '{kind}' không có ({', '.join(KIND_LABELS)})")
    criteria = data.get("criteria") or {}
    if not isinstance(criteria, dict) or any(k not in SUBJECT_TYPES or not isinstance(v, list) for k, v in criteria.items()):
        reader.fail(f"{path}criteria", "phải là {collective: [...], individual: [...]}")
        criteria = {}
    return AwardFormSpec(
        code=reader.text(data, "code", path, limit_of="award_form.code") or "",
        name=reader.text(data, "name", path, limit_of="campaign_award_form.name") or "", granting_level=level,
        subject_types=subjects, required_documents=tuple(documents) if documents is not None else None,
        criteria={k: [str(x) for x in v] for k, v in criteria.items()},
    )  # fmt: skip


def _rule(reader: _Reader, data: Any, path: str, index: int) -> RuleSpec:
    if not isinstance(data, dict) or data.get("type") not in RULE_TYPES:
        reader.fail(f"{path}type", f"phải là một trong: {', '.join(RULE_TYPES)}")
        return RuleSpec(f"R{index + 1}", "checklist", {}, "")
    kind = data["type"]
    _only_keys(reader, data, path, RULE_KEYS_COMMON + RULE_KEYS[kind], f"quy tắc loại {kind}")
    params = {k: v for k, v in data.items() if k not in ("type", "code", "description")}
    for key in ("min", "max", "collective", "individual", "years", "max_rank"):
        reader.number(params, key, path)
    for key in ("min_percent", "max_percent"):
        reader.number(params, key, path, 0, 100)
    if "level" in params and params["level"] not in LEVELS[1:]:
        reader.fail(f"{path}level", f"cấp không hợp lệ (chọn: {', '.join(LEVELS[1:])})")
    if "subject_type" in params and params["subject_type"] not in SUBJECT_TYPES:
        reader.fail(f"{path}subject_type", "phải là collective hoặc individual")
    if params.get("binds_at", "chairman") not in BINDS_AT:
        reader.fail(f"{path}binds_at", f"phải là một trong: {', '.join(BINDS_AT)}")
    if "alternatives" in params:
        _alternatives(reader, params["alternatives"], f"{path}alternatives")
    if "exception" in params:
        _exception(reader, params["exception"], f"{path}exception")
    description = reader.bounded(str(data.get("description") or RULE_TYPES[kind]), f"{path}description",
                                 "campaign_rule.description")  # fmt: skip
    code = reader.bounded(str(data.get("code") or f"R{index + 1}"), f"{path}code", "campaign_rule.code")
    return RuleSpec(code, kind, params, description)


def _only_keys(reader: _Reader, data: dict[str, Any], path: str, allowed: tuple[str, ...], where: str) -> None:
    """Name each key of `data` that `allowed` does not hold, with its place in the file."""
    for key in data:
        if key not in allowed:
            reader.fail(f"{path}{key}", f"khóa '{key}' không dùng được trong {where} (chỉ dùng: {', '.join(allowed)})")


OPTION_SHAPES = "{index, max_rank} hoặc {index, min_class} hoặc {index, checklist}"


def _alternatives(reader: _Reader, options: Any, path: str) -> None:
    """index_rank's other ways to meet it: a list of {index, max_rank | min_class} or {index, checklist}."""
    if not isinstance(options, list):
        reader.fail(path, f"phải là một danh sách, mỗi mục là {OPTION_SHAPES}")
        return
    for i, option in enumerate(options):
        where = f"{path}[{i}]"
        if not isinstance(option, dict):
            reader.fail(where, f"phải là một đối tượng {OPTION_SHAPES}")
            continue
        if "type" in option or "code" in option:
            reader.fail(where, "trông như một quy tắc (có code hoặc type) bị thụt lề vào alternatives của quy tắc "
                               "trước; mỗi quy tắc phải là một mục ngay dưới rules:")  # fmt: skip
        _only_keys(reader, option, f"{where}.", ALTERNATIVE_KEYS, "một phương án của alternatives")
        reader.number(option, "max_rank", f"{where}.")


def _exception(reader: _Reader, exception: Any, path: str) -> None:
    """per_unit_max's higher limits for units ranked in the top N of an index."""
    if not isinstance(exception, dict):
        reader.fail(path, "phải là một đối tượng {index, top_n, collective, individual}")
        return
    _only_keys(reader, exception, f"{path}.", EXCEPTION_KEYS, "exception")
    for key in ("top_n", "collective", "individual"):
        reader.number(exception, key, f"{path}.")
