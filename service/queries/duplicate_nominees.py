"""Nominees proposed twice: the same collective or person (by name, person_key) in another dossier of the same unit in
the same campaign. Two dossiers of Khu phố 1 both asking a Bằng khen for "Khu phố 1, phường Giếng Đáy" are one
proposal made twice; the dossier page and the reviewer's task page say so, naming the other dossier, so the unit
withdraws one or the reviewer returns it. A warning, not a refusal: two people of one unit may share a name."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ..models import Dossier, Nominee

# A dossier withdrawn or cancelled proposes nobody any more.
NOT_PROPOSING = ("withdrawn", "cancelled")


@dataclass(frozen=True)
class DuplicateNominee:
    """A nominee of the dossier (`name`, as written here) also proposed in another dossier of the unit."""

    nominee_id: int
    name: str
    other_dossier_id: int
    other_title: str
    other_status: str


def duplicate_nominees(session: Session, dossier: Dossier) -> list[DuplicateNominee]:
    """The dossier's nominees that another dossier of its unit in its campaign also proposes (same kind, same name
    up to case, spacing and Unicode form), in the order of the nominees and then of the other dossiers. One query:
    the unit's dossiers in the campaign by their index, their nominees by theirs."""
    mine, theirs, other = aliased(Nominee), aliased(Nominee), aliased(Dossier)
    rows = session.execute(
        select(mine.id, mine.full_name, other.id, other.title, other.status)
        .join(theirs, (theirs.person_key == mine.person_key) & (theirs.kind == mine.kind))
        .join(other, other.id == theirs.dossier_id)
        .where(mine.dossier_id == dossier.id, other.id != dossier.id, other.campaign_id == dossier.campaign_id,
               other.unit_id == dossier.unit_id, other.status.not_in(NOT_PROPOSING))
        .order_by(mine.id, other.id)
    ).all()  # fmt: skip
    seen: set[tuple[int, int]] = set()
    found = []
    for nominee_id, name, other_id, title, status in rows:
        if (nominee_id, other_id) not in seen:  # one line per pair, even if the other dossier names it twice
            seen.add((nominee_id, other_id))
            found.append(DuplicateNominee(nominee_id, name, other_id, title, str(status)))
    return found
