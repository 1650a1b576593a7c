"""Quota arithmetic: how many nominees a rule allows, and whether a decision stays within it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from ..errors import Listed, Phrase
from .campaign_file import RuleSpec

SUBJECT_LABELS = {"collective": "tập thể", "individual": "cá nhân"}
QUOTA_TYPES = ("count_range", "percent_of_staff", "per_unit_max", "forward_cap", "percent_of_registered")


def allowed_by_percent(percent: float | int, base: int) -> int:
    """Whole nominees within `percent` of `base`, rounded down: 30 % of 7 staff allows 2, 50 % allows 3."""
    if base <= 0 or percent <= 0:
        return 0
    return int(Fraction(str(percent)) * base / 100)


@dataclass(frozen=True)
class Nominated:
    """One nominee as the rules see it."""

    kind: str  # collective | individual
    award_form: str


@dataclass(frozen=True)
class Tally:
    """Nominees counted for a rule (what is already decided, or what this decision adds)."""

    items: tuple[Nominated, ...] = ()

    def count(self, kind: str | None = None, award_form: str | None = None) -> int:
        return sum(1 for n in self.items if (kind is None or n.kind == kind) and (award_form is None or n.award_form == award_form))

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.items + other.items)


@dataclass(frozen=True)
class RuleContext:
    staff_count: int = 0
    registered_units: int = 0
    nominees_proposed: int = 0  # nominees proposed in the campaign below this unit (percent of nominees)
    unit_index_ranks: dict[str, int] = field(default_factory=dict)  # the submitting unit's ranks this year


@dataclass(frozen=True)
class RuleCheck:
    """used/allowed for one rule at one decision; `ok` is False when the decision would exceed it."""

    code: str
    description: str
    lines: tuple[tuple[str, int, int | None, int | None], ...] = field(default_factory=tuple)  # label, used, max, min
    ok: bool = True

    @property
    def message(self) -> str:
        """"PL-TAP-THE — <the rule's description>: tập thể: 1/5 (tối thiểu 3)": a Phrase, which a page in English
        translates (the subject types, "at least"), the rule's code and description staying as the campaign file
        gives them."""
        parts = [Phrase("{label}: {used}/{high}{minimum}",
                        {"label": label, "used": used, "high": high if high is not None else "∞",
                         "minimum": Phrase(" (tối thiểu {low})", {"low": low}) if low else ""})
                 for label, used, high, low in self.lines]  # fmt: skip
        return Phrase("{code} — {description}: {lines}",
                      {"code": self.code, "description": self.description, "lines": Listed(parts, "; ")})


def _exception_applies(rule: RuleSpec, context: RuleContext) -> bool:
    """per_unit_max's exception for units ranked top-N in a named index (e.g. PAR INDEX)."""
    exception = rule.params.get("exception") or {}
    rank = context.unit_index_ranks.get(str(exception.get("index", "")))
    return rank is not None and exception.get("top_n") is not None and rank <= int(exception["top_n"])


def _kinds(rule: RuleSpec, context: RuleContext) -> Iterable[tuple[str, int | None, int | None]]:
    """(subject type, max, min) pairs a rule limits."""
    params = rule.params
    if rule.type == "per_unit_max" and _exception_applies(rule, context):
        params = {**params, **{k: v for k, v in params["exception"].items() if k in ("collective", "individual")}}
    if rule.type in ("per_unit_max", "forward_cap"):
        for kind in ("collective", "individual"):
            if params.get(kind) is not None:
                yield kind, int(params[kind]), None
        return
    kind = params.get("subject_type")
    yield kind, params.get("max"), params.get("min")


def check_rule(rule: RuleSpec, decided: Tally, adding: Tally, context: RuleContext) -> RuleCheck | None:
    """Check one quota rule; None for rule types that are not quotas (eligibility, checklist)."""
    if rule.type not in QUOTA_TYPES:
        return None
    form = rule.params.get("award_form")
    lines = []
    ok = True
    for kind, high, low in _kinds(rule, context):
        if rule.type == "percent_of_staff":
            high = allowed_by_percent(rule.params.get("max_percent", 100), context.staff_count)
            low = allowed_by_percent(rule.params.get("min_percent", 0), context.staff_count) or None
        elif rule.type == "percent_of_registered":
            base = context.nominees_proposed if rule.params.get("of") == "nominees" else context.registered_units
            high = allowed_by_percent(rule.params.get("max_percent", 100), base)
        used = (decided + adding).count(kind, form)
        label = SUBJECT_LABELS.get(kind or "", "người được đề nghị")
        lines.append((label, used, high, low))
        if high is not None and adding.count(kind, form) and used > high:
            ok = False
    return RuleCheck(rule.code, rule.description, tuple(lines), ok)
