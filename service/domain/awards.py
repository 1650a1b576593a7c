"""Award forms and levels: how far a dossier travels is the highest granting level it requests."""

from __future__ import annotations

from collections.abc import Iterable

from workflows import LEVELS

from ..errors import InvalidInput


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
