"""Eligibility conditions checked from records where they exist; otherwise the reviewer confirms them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..errors import Listed, Phrase
from .campaign_file import RuleSpec

RATINGS = ("không hoàn thành nhiệm vụ", "hoàn thành nhiệm vụ", "hoàn thành tốt nhiệm vụ", "hoàn thành xuất sắc nhiệm vụ")
CLASSES = ("yếu", "trung bình", "khá", "tốt", "xuất sắc")
CONDITION_TYPES = ("registered_by", "index_rank", "consecutive_years", "initiative_recognised", "checklist")
# The indexes a unit is ranked by (records.IndexResult.index_code, a campaign file's `index:`): each code as
# officials write it and the index's name in words, for the details that tell of a result missing.
INDEXES = {
    "PAR_INDEX": ("PAR INDEX", Phrase("Chỉ số cải cách hành chính", {})),
    "SIPAS": ("SIPAS", Phrase("Chỉ số hài lòng về sự phục vụ hành chính", {})),
    "DTI": ("DTI", Phrase("Chỉ số chuyển đổi số", {})),
    "DDCI": ("DDCI", Phrase("Chỉ số năng lực cạnh tranh cấp sở, ngành và địa phương", {})),
}


def person_key(name: str) -> str:
    """Match names the way officials write them: NFC, case-insensitive, single spaces."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", name)).strip().casefold()


def rating_rank(rating: str) -> int:
    key = person_key(rating)
    return RATINGS.index(key) if key in RATINGS else -1


def class_rank(value: str) -> int:
    key = person_key(value).removeprefix("loại ").strip()
    return CLASSES.index(key) if key in CLASSES else -1


@dataclass(frozen=True)
class IndexFact:
    index_code: str
    rank: int | None
    classification: str | None


@dataclass(frozen=True)
class Facts:
    """What the records say about one nominee for one campaign year."""

    year: int
    kind: str
    award_form: str
    registered: bool | None = None
    indexes: Mapping[str, IndexFact] | None = None  # of the nominee's unit, for the campaign year
    ratings: Mapping[int, str] | None = None  # year → rating (individuals)
    awarded_this_year: tuple[str, ...] = ()  # award form codes already given this year


@dataclass(frozen=True)
class ConditionResult:
    """One condition for one nominee. What the code writes here (the details, the built-in condition's description)
    is a Phrase: its Vietnamese text, and the template a page in English translates (service.web.messages_en);
    a description from the campaign file is the admin's own text."""

    code: str
    description: str
    status: str  # pass | fail | unknown
    detail: str


def applies(rule: RuleSpec, kind: str, award_form: str) -> bool:
    p = rule.params
    return rule.type in CONDITION_TYPES and p.get("subject_type", kind) == kind and p.get("award_form", award_form) == award_form


def evaluate(rules: Iterable[RuleSpec], facts: Facts) -> list[ConditionResult]:
    """Each applicable condition: pass or fail from the records, unknown when they are missing."""
    out = []
    if facts.award_form in facts.awarded_this_year:
        out.append(ConditionResult("DA-KHEN", Phrase("Chưa được khen hình thức này trong năm", {}), "fail",
                                   Phrase("đã được tặng hình thức này năm {year}", {"year": facts.year})))  # fmt: skip
    for rule in rules:
        if applies(rule, facts.kind, facts.award_form):
            status, detail = _check(rule, facts)
            out.append(ConditionResult(rule.code, rule.description, status, detail))
    return out


def _check(rule: RuleSpec, facts: Facts) -> tuple[str, str]:
    p = rule.params
    if rule.type == "registered_by":
        if facts.registered is None:
            return "unknown", Phrase("chưa có dữ liệu đăng ký", {})
        if facts.registered:
            return "pass", Phrase("đã đăng ký thi đua", {})
        return "fail", Phrase("chưa đăng ký thi đua", {})
    if rule.type == "index_rank":
        options = [p, *(p.get("alternatives") or [])]
        seen = [_index_status(option, facts) for option in options]
        if any(s == "pass" for s, _ in seen):
            return "pass", _joined([d for s, d in seen if s == "pass"])
        if all(s == "fail" for s, _ in seen):
            return "fail", _joined([d for _, d in seen])
        return "unknown", _joined([d for _, d in seen])
    if rule.type == "consecutive_years":
        return _years_status(int(p.get("years", 1)), str(p.get("min_rating", RATINGS[2])), facts)
    return "unknown", Phrase("người thẩm định xác nhận", {})


def _joined(details: list[str]) -> str:
    """Several options' details as one text ("; " between them), each still translatable on its own."""
    return details[0] if len(details) == 1 else Phrase("{parts}", {"parts": Listed(details, "; ")})


def _index_status(option: Mapping[str, object], facts: Facts) -> tuple[str, str]:
    if option.get("checklist"):
        return "unknown", str(option["checklist"])
    code = str(option.get("index", ""))
    fact = (facts.indexes or {}).get(code)
    written = INDEXES[code][0] if code in INDEXES else code  # as officials write it: "PAR INDEX", not PAR_INDEX
    if fact is None:
        return "unknown", _no_result(code, facts.year)
    if option.get("max_rank") is not None:
        if fact.rank is None:
            return "unknown", Phrase("{code} năm {year} chưa có thứ hạng", {"code": written, "year": facts.year})
        ok = fact.rank <= int(str(option["max_rank"]))
        return ("pass" if ok else "fail"), Phrase("{code} xếp hạng {rank} (cần ≤ {max_rank})",
                                                  {"code": written, "rank": fact.rank, "max_rank": option["max_rank"]})
    if option.get("min_class") is not None:
        if not fact.classification:
            return "unknown", Phrase("{code} năm {year} chưa xếp loại", {"code": written, "year": facts.year})
        ok = class_rank(fact.classification) >= class_rank(str(option["min_class"]))
        return ("pass" if ok else "fail"), Phrase(
            "{code} xếp loại {classification} (cần từ {min_class})",
            {"code": written, "classification": fact.classification, "min_class": option["min_class"]})
    return "unknown", Phrase("{code}: điều kiện không rõ", {"code": written})


def _no_result(code: str, year: int) -> Phrase:
    """The detail of a result missing: "chưa có kết quả PAR INDEX (Chỉ số cải cách hành chính) năm 2024", the index
    named in words where INDEXES knows it (the name a Phrase of its own: a page in English reads it in English), else
    by its code."""
    if code in INDEXES:
        written, name = INDEXES[code]
        return Phrase("chưa có kết quả {code} ({index}) năm {year}", {"code": written, "index": name, "year": year})
    return Phrase("chưa có kết quả {code} năm {year}", {"code": code, "year": year})


def _years_status(years: int, minimum: str, facts: Facts) -> tuple[str, str]:
    wanted = range(facts.year - years + 1, facts.year + 1)
    ratings = facts.ratings or {}
    missing = [y for y in wanted if y not in ratings]
    below = [y for y in wanted if y in ratings and rating_rank(ratings[y]) < rating_rank(minimum)]
    if below:
        return "fail", Phrase("năm {years} dưới mức “{minimum}”",
                              {"years": ", ".join(map(str, below)), "minimum": minimum})
    if missing:
        return "unknown", Phrase("chưa có đánh giá năm {years}", {"years": ", ".join(map(str, missing))})
    return "pass", Phrase("{years} năm liên tục từ “{minimum}” trở lên", {"years": years, "minimum": minimum})
