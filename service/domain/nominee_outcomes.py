"""Per-nominee outcomes at a council vote or a chairman's decision, and how far the rest travel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from workflows import LEVELS

from ..errors import InvalidInput
from .awards import level_rank


@dataclass(frozen=True)
class NomineeState:
    id: int
    full_name: str
    granting_level: str  # of the award form the nominee asks for
    travelling: bool  # no final outcome yet


@dataclass(frozen=True)
class NomineeResult:
    approve: bool
    reason: str | None = None
    votes_for: int | None = None
    votes_against: int | None = None


@dataclass(frozen=True)
class CouncilCount:
    """What the council secretary records from the meeting (biên bản họp HĐTĐKT)."""

    council_size: int
    present: int


@dataclass(frozen=True)
class StepOutcome:
    results: dict[int, NomineeResult]  # for every nominee decided at this step
    granted_here: tuple[int, ...]  # nominees whose award this level grants (chairman approvals)
    target_level: str  # where the still-travelling nominees are granted; the step's own level if none go on
    decision: str = "approve"  # what the step decided for the dossier (a vote nobody passes makes it reject)
    names: Mapping[int, str] = field(default_factory=dict)  # nominee id → name as it stood when decided (for the trail)


def council_passes(votes_for: int, present: int, pass_percent: int) -> bool:
    """A nominee passes with at least pass_percent of the members present voting for."""
    return present > 0 and votes_for * 100 >= pass_percent * present


VOTES_NEED_COUNT = ("Đã ghi số phiếu thì phải ghi cả tổng số thành viên Hội đồng và số thành viên có mặt: tỷ lệ phiếu "
                    "tính trên số có mặt. Hãy ghi đủ hai số đó, hoặc xóa số phiếu nếu Hội đồng không biểu quyết theo "
                    "từng người.")


def council_count(size: int | None, present: int | None) -> CouncilCount | None:
    """The meeting's count from a form's two fields: both or neither (one without the other says nothing)."""
    if size is None and present is None:
        return None
    if size is None or present is None:
        raise InvalidInput("Ghi cả tổng số thành viên Hội đồng và số thành viên có mặt (hoặc để trống cả hai).")
    return CouncilCount(size, present)


def check_quorum(count: CouncilCount, quorum_percent: int) -> None:
    if count.council_size <= 0 or not 0 < count.present <= count.council_size:
        raise InvalidInput("Số thành viên có mặt phải từ 1 đến tổng số thành viên Hội đồng.")
    if count.present * 100 < quorum_percent * count.council_size:
        raise InvalidInput("Cuộc họp không đủ số thành viên: có mặt {present}/{council_size}, cần từ {quorum_percent}% trở lên.",
                           {"present": count.present, "council_size": count.council_size, "quorum_percent": quorum_percent})  # fmt: skip


def decide_step(
    kind: str, level: str, decision: str | None, nominees: list[NomineeState],
    given: Mapping[int, NomineeResult] | None, council: CouncilCount | None, settings: Mapping[str, int],
    comment: str | None,
) -> StepOutcome | None:  # fmt: skip
    """Apply a council (kind 'council') or chairman ('chairman') decision nominee by nominee.

    Approve: the nominees given as rejected (or failing the vote) drop out with their reason;
    at least one must remain. Reject: every travelling nominee drops out with the comment.
    Return decides nothing per nominee (None).
    """
    if decision not in ("approve", "reject") or kind not in ("council", "chairman"):
        return None
    travelling = [n for n in nominees if n.travelling]
    results: dict[int, NomineeResult] = {}
    if decision == "reject":
        results = {n.id: NomineeResult(False, comment) for n in travelling}
        return StepOutcome(results, (), level, "reject")
    if kind == "council" and council is not None:
        check_quorum(council, settings.get("quorum_percent", 50))
    if kind == "council" and council is None and any(
        r.votes_for is not None or r.votes_against is not None for r in (given or {}).values()
    ):
        # Votes without the meeting's count cannot be weighed: recorded as typed they would be kept beside an
        # approval the votes may not carry (3 for, 4 against, approved). Refused rather than silently dropped.
        raise InvalidInput(VOTES_NEED_COUNT)
    for nominee in travelling:
        result = (given or {}).get(nominee.id, NomineeResult(True))
        if kind == "council" and council is not None:
            result = _vote(nominee, result, council, settings.get("pass_percent", 50))
        if not result.approve and not (result.reason or "").strip():
            raise InvalidInput("Phải ghi lý do không đề nghị khen thưởng cho {full_name}.",
                               {"full_name": nominee.full_name})
        results[nominee.id] = result
    staying = [n for n in travelling if results[n.id].approve]
    if not staying and kind == "council" and council is not None:
        return StepOutcome(results, (), level, "reject")  # the vote decided: nobody passed
    if not staying:
        raise InvalidInput("Không còn ai được đề nghị; hãy chọn 'không đồng ý' cho cả hồ sơ.")
    granted = tuple(n.id for n in staying if kind == "chairman" and n.granting_level == level)
    onward = [n for n in staying if n.id not in granted]
    target = max((n.granting_level for n in onward), key=level_rank) if onward else level
    return StepOutcome(results, granted, target)


def _vote(nominee: NomineeState, result: NomineeResult, council: CouncilCount, pass_percent: int) -> NomineeResult:
    if result.votes_for is None:
        raise InvalidInput("Thiếu số phiếu đồng ý cho {full_name}.", {"full_name": nominee.full_name})
    against = result.votes_against or 0
    if result.votes_for < 0 or against < 0 or result.votes_for + against > council.present:
        raise InvalidInput("Số phiếu của {full_name} không hợp lệ (vượt số thành viên có mặt).",
                           {"full_name": nominee.full_name})
    passed = council_passes(result.votes_for, council.present, pass_percent)
    reason = result.reason if passed else (result.reason or f"Không đạt tỷ lệ phiếu ({result.votes_for}/{council.present})")
    return NomineeResult(passed, reason, result.votes_for, against)


# Why a nominee came out of a granted end without its award: no step on the dossier's path could grant it.
UNREACHED_REASON = ("Cấp tặng không còn trên đường trình: hình thức khen đề nghị do cấp {level_words} tặng, nhưng hồ sơ "
                    "không qua bước nào của cấp này (đã bãi bỏ hoặc quy trình không có bước cấp này).")


def end_level(end_event: str | None) -> str | None:
    """'end_granted_province' → 'province' (end events follow a naming convention: domain.dossier_status)."""
    for level in LEVELS:
        if end_event and end_event.endswith("_" + level):
            return level
    return None


def unreached_at_end(nominees: list[NomineeState], ended_at: str | None, visited: set[str]) -> list[NomineeState]:
    """The safety net of a process that ended granted: the nominees still travelling whose award's granting level
    the dossier never visited (no step of its instance at that level, nor the end's), so no one with authority
    decided them — e.g. a district Giấy khen in a dossier routed ward → province after the district was abolished.
    They must not stay "under review" beside a dossier that says granted. A travelling nominee whose level was
    visited keeps taking the dossier's outcome, as before."""
    return [n for n in nominees if n.travelling and n.granting_level != ended_at and n.granting_level not in visited]


def status_after_unreached(status: str, outcomes: list[str | None]) -> str:
    """The dossier's stored status once the unreached nominees are settled as not granted (`outcomes`: every
    nominee's, None still taking the dossier's): a granted end where no nominee is granted is not granted."""
    if status != "granted":
        return status
    return status if any(outcome in ("granted", None) for outcome in outcomes) else "rejected"
