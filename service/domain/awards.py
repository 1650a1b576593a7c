"""Award forms and levels: how far a dossier travels is the highest granting level it requests."""

from __future__ import annotations

from collections.abc import Iterable

from workflows import LEVELS

from ..errors import InvalidInput
from .campaign_config import LEVEL_LABELS


def level_rank(level: str) -> int:
    """Position of a level from the unit (0) up to the province."""
    try:
        return LEVELS.index(level)
    except ValueError:
        raise InvalidInput("Cấp '{level}' không hợp lệ.", {"level": level}) from None


def target_level(granting_levels: Iterable[str]) -> str:
    """The highest level among the award forms requested; a dossier needs at least one nominee."""
    levels = list(granting_levels)
    if not levels:
        raise InvalidInput("Hồ sơ phải có ít nhất một tập thể hoặc cá nhân được đề nghị khen thưởng.")
    top = max(levels, key=level_rank)
    if top == "unit":
        raise InvalidInput("Hình thức khen thưởng phải do cấp phường/xã trở lên tặng.")
    return top


# A level in the words a refusal names it with (the English page translates them: messages_en.WORDS).
LEVEL_WORDS = {"unit": "đơn vị", **LEVEL_LABELS}

UNREACHABLE = ("Không đề nghị được “{award}” cho {full_name}: cấp {level_words} không còn trên đường trình hồ sơ của "
               "đơn vị (đã bãi bỏ hoặc quy trình không có bước cấp này). Hãy chọn hình thức khen khác.")
UNREACHABLE_THROUGH = ("Không đề nghị được “{award}” cho {full_name}: hồ sơ phải qua cấp {level_words}, nhưng cấp này "
                       "không còn đơn vị nào đang hoạt động mà quy trình đang dùng vẫn có bước ở đó. Quản trị viên cần "
                       "triển khai phiên bản quy trình không có cấp {level_words}; hoặc chọn hình thức khen khác.")


def blocking_level(level: str, open_levels: Iterable[str], process_levels: Iterable[str]) -> str | None:
    """The level that stops a dossier of a unit on its way up to `level`, or None when it gets there.

    A dossier passes every level below its target at which the process version has a step (`process_levels`: its
    lanes' levels, role@level), each task given to the nearest unit of that level on the unit's path to the root;
    so a level with a step but no open unit there on the day (`open_levels`) stops it — the district abolished
    while the version in use still has district lanes stops a province award at the ward. The target level itself
    needs both a step and an open unit."""
    opened, steps = frozenset(open_levels), frozenset(process_levels)
    for lower in LEVELS[:level_rank(level)]:
        if lower in steps and lower not in opened:
            return lower
    return None if level in steps and level in opened else level


def reachable_levels(open_levels: Iterable[str], process_levels: Iterable[str]) -> frozenset[str]:
    """The levels a dossier of a unit can reach (blocking_level finds nothing in the way)."""
    opened, steps = frozenset(open_levels), frozenset(process_levels)
    return frozenset(level for level in LEVELS if blocking_level(level, opened, steps) is None)


def check_reachable(full_name: str, award: str, granting_level: str, open_levels: Iterable[str],
                    process_levels: Iterable[str]) -> None:  # fmt: skip
    """A nominee may only ask for an award form whose granting level its dossier can reach: otherwise no step ever
    decides it (since 1 July 2025 there is no district level, and a process without it skips the level), or the
    dossier stops below it (a level the process still has, with no unit left)."""
    blocked = blocking_level(granting_level, open_levels, process_levels)
    if blocked is None:
        return
    values = {"award": award, "full_name": full_name, "level_words": LEVEL_WORDS.get(blocked, blocked)}
    if blocked == granting_level:
        raise InvalidInput(UNREACHABLE, values, rule="unreachable_award_level", level=blocked)
    raise InvalidInput(UNREACHABLE_THROUGH, values, rule="unreachable_award_level", level=blocked)
