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


def reachable_levels(open_levels: Iterable[str], process_levels: Iterable[str]) -> frozenset[str]:
    """The levels a dossier of a unit can reach: the unit's path to the root has an open unit there on the day
    (`open_levels`: the nearest unit at each level, as a lane's task is given to it) and the process version has a
    step there (`process_levels`: its lanes' levels, role@level)."""
    return frozenset(open_levels) & frozenset(process_levels)


def check_reachable(full_name: str, award: str, granting_level: str, reachable: frozenset[str]) -> None:
    """A nominee may only ask for an award form whose granting level its dossier can reach: otherwise no step ever
    decides it (since 1 July 2025 there is no district level, and a process without it skips the level)."""
    if granting_level not in reachable:
        raise InvalidInput(UNREACHABLE, {"award": award, "full_name": full_name,
                                         "level_words": LEVEL_WORDS.get(granting_level, granting_level)},
                           rule="unreachable_award_level", level=granting_level)  # fmt: skip
