"""A campaign's settings as plain values: offered award forms, documents, deadlines, rules, council."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from ..errors import DeadlinePassed, InvalidInput
from .campaign_file import RuleSpec
from .deadlines import local_date
from .documents import DEFAULT_REQUIRED

SUBJECT_LABELS = {"collective": "tập thể", "individual": "cá nhân"}


@dataclass(frozen=True)
class OfferedForm:
    code: str
    name: str
    granting_level: str
    subject_types: tuple[str, ...]
    required_documents: tuple[str, ...] | None


@dataclass(frozen=True)
class NamedAward:
    """A nominee's award form as a dossier of its campaign shows it: the catalogue row's id, code and level under
    the name `CampaignConfig.award_name` gives it (what pages read where they once read the catalogue row)."""

    id: int
    code: str
    name: str
    granting_level: str


@dataclass(frozen=True)
class CampaignConfig:
    code: str
    offered: dict[str, OfferedForm] = field(default_factory=dict)
    rules: tuple[RuleSpec, ...] = ()
    deadlines: dict[str, date] = field(default_factory=dict)
    receipt_from: date | None = None
    receipt_to: date | None = None
    registration_required: bool = False
    registration_deadline: date | None = None
    council: dict[str, int] = field(default_factory=lambda: {"quorum_percent": 50, "pass_percent": 50})
    legacy_required: tuple[str, ...] | None = None  # the campaign-wide list of schema 0002, if set

    def check_nominee(self, line: int, kind: str, award_code: str) -> None:
        """A nominee must ask for a form the campaign offers, for a subject type that form is given to."""
        if not self.offered:
            return
        form = self.offered.get(award_code)
        if form is None:
            names = "; ".join(f.name for f in self.offered.values())
            raise InvalidInput("Dòng {line}: phong trào {code} không có hình thức '{award_code}' (có: {names}).",
                               {"line": line, "code": self.code, "award_code": award_code, "names": names})
        if kind not in form.subject_types:
            raise InvalidInput("Dòng {line}: {name} không xét cho {kind}.",
                               {"line": line, "name": form.name, "kind": SUBJECT_LABELS.get(kind, kind)})

    def award_name(self, award_code: str, catalogue_name: str) -> str:
        """The one name of an award form for a dossier of this campaign, on its pages, documents and exports: the
        campaign's own (as its plan words it), or the catalogue's for a code the campaign does not offer."""
        form = self.offered.get(award_code)
        return form.name if form is not None and form.name else catalogue_name

    def required_for(self, award_code: str) -> tuple[str, ...]:
        """Document kinds a nominee asking for this form needs (per-dossier kinds included)."""
        form = self.offered.get(award_code)
        if form is not None and form.required_documents is not None:
            return form.required_documents
        return self.legacy_required or DEFAULT_REQUIRED

    def check_arrival(self, level: str, now: datetime) -> None:
        """A dossier reaching `level` must arrive by that level's deadline (and inside the receipt window)."""
        deadline = self.deadlines.get(level)
        today = local_date(now)
        if deadline is not None and today > deadline:
            raise DeadlinePassed(
                "Hạn nhận hồ sơ ở cấp {level} của phong trào {code} là ngày {deadline:%d/%m/%Y}; hôm nay {today:%d/%m/%Y} đã quá hạn, hồ sơ nộp muộn không được xét.", {"level": LEVEL_LABELS.get(level, level), "code": self.code, "deadline": deadline, "today": today},
                deadline=deadline.isoformat(), level=level,
            )  # fmt: skip
        if self.receipt_from and today < self.receipt_from or self.receipt_to and today > self.receipt_to:
            start = f"{self.receipt_from:%d/%m/%Y}" if self.receipt_from else "…"
            end = f"{self.receipt_to:%d/%m/%Y}" if self.receipt_to else "…"
            raise DeadlinePassed("Phong trào {code} chỉ nhận hồ sơ từ {start} đến {end}.",
                                 {"code": self.code, "start": start, "end": end}, window=[start, end])


LEVEL_LABELS = {"ward": "phường/xã", "district": "quận/huyện", "province": "tỉnh/thành phố"}
