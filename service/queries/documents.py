"""A dossier's current documents (replaced files stay on record but are not listed); and how the generated PDFs
of a decision are named on the pages and when downloaded: a certificate by its award and awardee, a decision by
its number."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.text import file_word
from ..models import Decision, Document, Dossier, GeneratedDocument, Nominee, OrgUnit


def current_documents(session: Session, dossier_id: int) -> list[Document]:
    """Current documents of a dossier, by kind then upload order."""
    return list(session.scalars(
        select(Document).where(Document.dossier_id == dossier_id, Document.is_current.is_(True))
        .order_by(Document.kind, Document.id)
    ))  # fmt: skip


# The award a certificate's stored file name begins with (operations.decisions writes it without diacritics).
_AWARD_WORDS = {"Bang-khen": "Bằng khen", "Giay-khen": "Giấy khen"}


@dataclass(frozen=True)
class GeneratedName:
    """A generated PDF as a page lists it: a certificate's award, awardee and unit; the number of its decision."""

    kind: str
    decision_number: str | None = None
    award: str | None = None  # a certificate's "Bằng khen" / "Giấy khen"
    awardee: str | None = None
    unit: str | None = None


def generated_names(session: Session, docs: Iterable[GeneratedDocument]) -> dict[int, GeneratedName]:
    """How each of these PDFs of a decision (a certificate, the decision itself) is named on a page, by document
    id; other documents are not in the answer (their file name names them). Two queries, none when no document is
    of a decision."""
    docs = [d for d in docs if d.decision_id is not None]
    if not docs:
        return {}
    numbers: dict[int, str] = {decision_id: number for decision_id, number in session.execute(
        select(Decision.id, Decision.number).where(Decision.id.in_({d.decision_id for d in docs}))
    )}  # fmt: skip
    nominee_ids = {d.nominee_id for d in docs if d.kind == "certificate" and d.nominee_id is not None}
    awardees = {nominee_id: (name, unit) for nominee_id, name, unit in session.execute(
        select(Nominee.id, Nominee.full_name, OrgUnit.name).join(Dossier, Nominee.dossier_id == Dossier.id)
        .join(OrgUnit, Dossier.unit_id == OrgUnit.id).where(Nominee.id.in_(nominee_ids))
    )} if nominee_ids else {}  # fmt: skip
    out = {}
    for doc in docs:
        number = numbers.get(doc.decision_id)  # type: ignore[arg-type]
        if doc.kind == "certificate" and doc.nominee_id in awardees:
            name, unit = awardees[doc.nominee_id]
            award = next((words for prefix, words in _AWARD_WORDS.items() if doc.filename.startswith(prefix + "-")),
                         "Bằng khen")  # fmt: skip
            out[doc.id] = GeneratedName(doc.kind, number, award, name, unit)
        else:
            out[doc.id] = GeneratedName(doc.kind, number)
    return out


def download_name(session: Session, doc: GeneratedDocument) -> str:
    """The file name a PDF is downloaded under: a certificate's names its awardee, not the nominee's internal id
    its stored name ends with ("Bang-khen-1-2026-QN-7.pdf" → "Bang-khen-1-2026-QN-Nguyen-Van-A.pdf"); the stored
    name, the bytes and their hash stay as they are. Any other document keeps its stored name."""
    if doc.kind != "certificate" or doc.nominee_id is None:
        return doc.filename
    name = session.scalar(select(Nominee.full_name).where(Nominee.id == doc.nominee_id))
    stem, dot, ext = doc.filename.rpartition(".")
    head, dash, last = stem.rpartition("-")
    if not name or not dash or last != str(doc.nominee_id) or not file_word(name):
        return doc.filename
    return f"{head}-{file_word(name)}{dot}{ext}"
