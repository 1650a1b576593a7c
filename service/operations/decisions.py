"""Issue an award decision: gapless number per issuing unit and year, the PDF with its list, one certificate each
(made at once, or in the background by `thidua worker`), and all certificates in one PDF."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..db import utcnow
from ..documents.pdf import date_line, font_configuration, place_name, render_parts, render_pdf, write_pages
from ..domain.actors import Actor
from ..domain.deadlines import local_date
from ..domain.field_limits import check_length, within
from ..domain.text import file_word
from ..errors import Forbidden, InvalidInput, NotFound
from ..models import (
    AwardForm, Campaign, Decision, DecisionAward, DecisionCounter, Dossier, GeneratedDocument,
    HumanTask, Nominee, NomineeDecision, OrgUnit,
)  # fmt: skip
from ..queries.campaign_config import campaign_config
from ..storage import FileStore
from .audit import record_event
from .notifications import notify_decision

ISSUERS = ("chairman", "office_clerk", "noi_vu", "ban_tdkt")


@dataclass(frozen=True)
class IssuedDecision:
    decision: Decision
    documents: list[GeneratedDocument]  # the decision's PDF, then its certificates, when made at once


def next_number(session: Session, unit_id: int, year: int) -> int:
    """Take the next sequence number of a unit's decisions in a year; the counter row is locked until commit."""
    query = select(DecisionCounter).where(DecisionCounter.issuing_unit_id == unit_id, DecisionCounter.year == year)
    counter = session.scalar(query.with_for_update())
    if counter is None:
        try:
            with session.begin_nested():
                session.add(DecisionCounter(issuing_unit_id=unit_id, year=year, last_seq=0))
        except IntegrityError:  # another signer created it at the same moment: lock theirs
            pass
        counter = session.scalar(query.with_for_update())
    assert counter is not None
    counter.last_seq += 1
    session.flush()
    return counter.last_seq


def _granted_here(session: Session, campaign: Campaign, unit: OrgUnit) -> list[tuple[Nominee, AwardForm, Dossier, OrgUnit]]:
    awarded = select(DecisionAward.nominee_id)
    return list(session.execute(
        select(Nominee, AwardForm, Dossier, OrgUnit)
        .join(NomineeDecision, NomineeDecision.nominee_id == Nominee.id)
        .join(HumanTask, NomineeDecision.human_task_id == HumanTask.id)
        .join(AwardForm, Nominee.award_form_id == AwardForm.id)
        .join(Dossier, Nominee.dossier_id == Dossier.id)
        .join(OrgUnit, Dossier.unit_id == OrgUnit.id)
        .where(NomineeDecision.result == "granted", HumanTask.org_unit_id == unit.id, Dossier.campaign_id == campaign.id,
               Nominee.id.not_in(awarded))
        .order_by(AwardForm.code, Nominee.kind, Nominee.id)
    ).all())  # fmt: skip


def issue_decision(
    session: Session, actor: Actor, store: FileStore, now: datetime, *, campaign_code: str, unit_id: int,
    signer_name: str, signer_title: str = "Chủ tịch", background: bool = False,
) -> IssuedDecision:  # fmt: skip
    """One decision for the nominees the unit's chairman granted in the campaign and no decision covers yet.

    The decision is numbered and written (with its list) in the caller's transaction; its PDF, one certificate per
    awardee and all of them in one file are rendered there too, or, with `background`, by a `decision_certificates`
    job that `thidua worker` runs once the caller commits (the decision's PDF first, then the certificates chunk by
    chunk: a decision of 120 awardees takes tens of seconds to render, and the caller's write transaction, on SQLite
    the database's write lock, is not held meanwhile). The units whose nominees the decision names are told
    (notifications.notify_decision)."""
    campaign = session.scalar(select(Campaign).where(Campaign.code == campaign_code))
    unit = session.get(OrgUnit, unit_id)
    if campaign is None or unit is None:
        raise NotFound("Không tìm thấy phong trào hoặc đơn vị.")
    if not any(actor.holds(role, unit.id) for role in ISSUERS) and not actor.is_admin:
        raise Forbidden("Chỉ lãnh đạo hoặc bộ phận thi đua của đơn vị mới ra quyết định khen thưởng.")
    if not signer_name.strip():
        raise InvalidInput("Cần ghi tên người ký quyết định.")
    check_length("decision.signer_name", signer_name.strip())
    rows = _granted_here(session, campaign, unit)
    if not rows:
        raise InvalidInput("Chưa có tập thể, cá nhân nào được Chủ tịch đồng ý khen mà chưa có quyết định.")
    today = local_date(now)
    seq = next_number(session, unit.id, today.year)  # written from 01 each year (Nghị định 30/2020, Phụ lục I)
    decision = Decision(
        campaign_id=campaign.id, issuing_unit_id=unit.id, level=str(unit.level), year=today.year, seq=seq,
        number=f"{seq:02d}/QĐ-UBND", decided_on=today, signer_name=signer_name.strip(), signer_title=signer_title,
        title=within("decision.title",
                     f"Về việc khen thưởng thành tích trong {campaign.title[0].lower()}{campaign.title[1:]}"),
        created_by=actor.user_id, created_at=now,
    )  # fmt: skip
    session.add(decision)
    session.flush()
    for nominee, *_ in rows:
        session.add(DecisionAward(decision_id=decision.id, nominee_id=nominee.id))
    session.flush()
    after: dict[str, object] = {"number": decision.number, "nominees": [n.id for n, *_ in rows]}
    documents: list[GeneratedDocument] = []
    if background:
        from .jobs import enqueue

        job = enqueue(session, CERTIFICATES_JOB, {"decision_id": decision.id, "user_id": actor.user_id})
        after["documents_job"] = job.id  # each document's own document.generate event follows when it is made
    else:
        plan = certificate_plan(session, decision)
        documents.append(_store(session, store, actor, now, "decision", plan.decision_filename,
                                render_pdf("decision.html", **plan.decision_context), decision_id=decision.id))  # fmt: skip

        def keep(chunk: list[tuple[PlannedCertificate, bytes]]) -> None:
            documents.extend(_store_certificate(session, store, actor, now, decision, c, data) for c, data in chunk)

        combined = render_certificates(plan, keep)
        everything = _store(session, store, actor, now, ALL_CERTIFICATES, plan.combined_filename, combined,
                            decision_id=decision.id)  # fmt: skip
        after["documents"] = [{"id": d.id, "sha256": d.sha256} for d in documents + [everything]]
    record_event(session, action="decision.issue", object_type="decision", object_id=str(decision.id), actor=actor.user_id,
                 actor_unit_id=unit.id, after=after, now=now)  # fmt: skip
    notify_decision(session, decision, sorted({dossier.id for _, _, dossier, _ in rows}), now, actor.user_id)
    return IssuedDecision(decision, documents)


# The job that makes a decision's certificates in the background (job_kinds.decision_certificates), and the kind
# of the one PDF holding all of them, in the list's order ("In tất cả giấy khen của quyết định").
CERTIFICATES_JOB = "decision_certificates"
ALL_CERTIFICATES = "certificates"
# Certificates laid out together: one WeasyPrint layout of 25 takes about as long as 8 laid out one by one (fonts
# and styles are read once); each chunk's certificates are stored and committed before the next is laid out, so
# the campaign page counts them as they are made.
CHUNK = 25


@dataclass(frozen=True)
class PlannedCertificate:
    nominee_id: int
    dossier_id: int
    filename: str
    title: str  # the PDF's title: the award's name as the campaign gives it
    fields: dict[str, str | None]  # what certificate.html prints of this awardee


@dataclass(frozen=True)
class CertificatePlan:
    """What a decision's certificates say, awardee by awardee in its list's order, and what they share."""

    decision_id: int
    common: dict[str, object]
    certificates: list[PlannedCertificate]
    combined_filename: str
    combined_title: str
    decision_filename: str
    decision_context: dict[str, object]  # what decision.html prints: the decision and its list by award


def certificate_plan(session: Session, decision: Decision) -> CertificatePlan:
    """The certificates of a decision, in the order of its list (by award form, kind, nominee)."""
    campaign = session.get(Campaign, decision.campaign_id)
    unit = session.get(OrgUnit, decision.issuing_unit_id)
    assert campaign is not None and unit is not None
    config = campaign_config(session, campaign)
    rows = session.execute(
        select(Nominee, AwardForm, OrgUnit)
        .join(DecisionAward, DecisionAward.nominee_id == Nominee.id)
        .join(AwardForm, Nominee.award_form_id == AwardForm.id)
        .join(Dossier, Nominee.dossier_id == Dossier.id)
        .join(OrgUnit, Dossier.unit_id == OrgUnit.id)
        .where(DecisionAward.decision_id == decision.id)
        .order_by(AwardForm.code, Nominee.kind, Nominee.id)
    ).all()  # fmt: skip
    planned = []
    titles = []
    groups: dict[str, list[dict[str, str | None]]] = {}  # one list per award form, under the campaign's name for it
    for nominee, form, owner in rows:
        award_name = config.award_name(form.code, form.name)
        groups.setdefault(award_name, []).append({"name": nominee.full_name, "position": nominee.position,
                                                  "unit": owner.name, "kind": str(nominee.kind)})  # fmt: skip
        title = _award_title(form.code, award_name)
        titles.append(title)
        planned.append(PlannedCertificate(
            nominee.id, nominee.dossier_id,
            f"{file_word(title)}-{decision.seq}-{decision.year}-{unit.code}-{nominee.id}.pdf", award_name,
            {"award_title": title, "award_name": award_name, "recipient": nominee.full_name,
             "position": nominee.position, "unit": owner.name},
        ))  # fmt: skip
    common = {"issuer_name": unit.name, "campaign_title": campaign_phrase(campaign.title),
              "signer_title": decision.signer_title, "signer_name": decision.signer_name,
              "citation": certificate_citation(campaign.title),
              "decision_lines": certificate_decision_lines(decision.number, unit.name, decision.decided_on)}  # fmt: skip
    same = len(set(titles)) == 1
    stem = f"{file_word(titles[0]) if same else 'Giay-khen-Bang-khen'}-{decision.seq}-{decision.year}-{unit.code}"
    title = f"{titles[0] if same else 'Giấy khen, Bằng khen'} — Quyết định số {decision.number}"
    return CertificatePlan(decision.id, common, planned, f"{stem}-tat-ca.pdf", title,
                           f"Quyet-dinh-{decision.seq}-{decision.year}-{unit.code}.pdf",
                           {"d": decision, "groups": list(groups.items()), "campaign_source": campaign.source,
                            "issuer_name": unit.name, "campaign_title": campaign_phrase(campaign.title)})  # fmt: skip


def render_certificates(plan: CertificatePlan, keep: Callable[[list[tuple[PlannedCertificate, bytes]]], None],
                        skip: frozenset[int] = frozenset()) -> bytes:  # fmt: skip
    """Lay out the plan's certificates CHUNK at a time, handing each chunk's single PDFs to `keep` (but those of the
    nominees in `skip`, made before); return the one PDF of all of them, written from the same layouts."""
    fonts = font_configuration()
    first, pages = None, []
    for start in range(0, len(plan.certificates), CHUNK):
        part = plan.certificates[start:start + CHUNK]
        document, parts = render_parts("certificate.html", [f"certificate-{i}" for i in range(len(part))], fonts=fonts,
                                       title=plan.combined_title, certificates=[c.fields for c in part],
                                       **plan.common)  # fmt: skip
        first = first or document
        pages += [page for one in parts for page in one]
        keep([(c, write_pages(document, one, c.title)) for c, one in zip(part, parts, strict=True)
              if c.nominee_id not in skip])  # fmt: skip
    assert first is not None
    return write_pages(first, pages, plan.combined_title)


def make_certificates(factory: sessionmaker[Session], store: FileStore, decision_id: int, actor: Actor,
                      still_ours: Callable[[Session], bool]) -> bytes | None:  # fmt: skip
    """The certificates of a decision, made outside any long transaction (a `decision_certificates` job's work):
    laid out CHUNK at a time, each chunk's single PDFs stored and committed (with their document.generate events)
    in a short transaction of their own, which `still_ours` first checks (the job is still this worker's). Those
    made by an earlier attempt are kept, not made again. Returns the PDF of all of them, for the job's own
    transaction to store; None when it is stored already."""
    with factory() as session:
        decision = session.get(Decision, decision_id)
        if decision is None:
            raise LookupError(f"no decision {decision_id}")
        if _made(session, decision_id, ALL_CERTIFICATES):
            return None
        plan = certificate_plan(session, decision)
        made = frozenset(_certificates_made(session, decision_id))
        decision_made = _made(session, decision_id, "decision")
    if not decision_made:  # the decision's own PDF first: the page offers it within seconds of the click
        data = render_pdf("decision.html", **plan.decision_context)
        with factory() as session, session.begin():
            if not still_ours(session):
                raise LookupError("the job is no longer this worker's")
            if not _made(session, decision_id, "decision"):
                _store(session, store, actor, utcnow(), "decision", plan.decision_filename, data, decision_id=decision_id)

    def keep(chunk: list[tuple[PlannedCertificate, bytes]]) -> None:
        if not chunk:
            return
        with factory() as session, session.begin():
            if not still_ours(session):
                raise LookupError("the job is no longer this worker's")
            decision = session.get(Decision, decision_id)
            assert decision is not None
            done = _certificates_made(session, decision_id)
            for certificate, data in chunk:
                if certificate.nominee_id not in done:
                    _store_certificate(session, store, actor, utcnow(), decision, certificate, data)

    return render_certificates(plan, keep, made)


def store_all_certificates(session: Session, store: FileStore, actor: Actor, decision_id: int, data: bytes) -> None:
    """Store the one PDF of a decision's certificates (the job's last write), unless it is stored already."""
    if _made(session, decision_id, ALL_CERTIFICATES):
        return
    decision = session.get(Decision, decision_id)
    assert decision is not None
    plan_name = certificate_plan(session, decision).combined_filename
    _store(session, store, actor, utcnow(), ALL_CERTIFICATES, plan_name, data, decision_id=decision_id)


def _made(session: Session, decision_id: int, kind: str) -> bool:
    """Whether the decision's document of this kind (its own PDF, or all its certificates in one) is stored."""
    return session.scalar(select(GeneratedDocument.id).where(GeneratedDocument.decision_id == decision_id,
                                                             GeneratedDocument.kind == kind).limit(1)) is not None


def _certificates_made(session: Session, decision_id: int) -> set[int]:
    return set(session.scalars(select(GeneratedDocument.nominee_id).where(
        GeneratedDocument.decision_id == decision_id, GeneratedDocument.kind == "certificate")))  # fmt: skip


def _store_certificate(session: Session, store: FileStore, actor: Actor, now: datetime, decision: Decision,
                       certificate: PlannedCertificate, data: bytes) -> GeneratedDocument:  # fmt: skip
    return _store(session, store, actor, now, "certificate", certificate.filename, data, decision_id=decision.id,
                  dossier_id=certificate.dossier_id, nominee_id=certificate.nominee_id)  # fmt: skip


def campaign_phrase(title: str) -> str:
    """A campaign's title inside a sentence: 'Phong trào thi đua “…”' → 'phong trào thi đua “…”'."""
    return title[:1].lower() + title[1:]


def certificate_citation(campaign_title: str) -> str:
    """What a certificate says the awardee did, naming the campaign: the full design and the blank print the same."""
    return f"Đã có thành tích xuất sắc trong {campaign_phrase(campaign_title)}"


def certificate_decision_lines(number: str, issuer_name: str, decided_on: date) -> tuple[str, str]:
    """The certificate's reference to its decision: its number, then the place and date line (each line kept whole)."""
    return f"Quyết định số {number}", date_line(place_name(issuer_name), decided_on)


def _award_title(code: str, name: str) -> str:
    """What a certificate is, from its award form's code and the name the campaign gives the form."""
    return "Bằng khen" if code.startswith("BK") or "Bằng khen" in name else "Giấy khen"


def _store(session: Session, store: FileStore, actor: Actor, now: datetime, kind: str, filename: str, data: bytes,
           replaces: list[int] | None = None, **links: int | None) -> GeneratedDocument:  # fmt: skip
    """Store a generated PDF and audit it; `replaces` names the documents it supersedes (kept in the event only
    when there are some, as document.upload keeps them)."""
    doc = GeneratedDocument(kind=kind, filename=filename, sha256=store.put(data), size=len(data), created_by=actor.user_id,
                            created_at=now, **links)  # fmt: skip
    session.add(doc)
    session.flush()
    after: dict[str, object] = {"kind": kind, "sha256": doc.sha256, "dossier_id": links.get("dossier_id")}
    if replaces:
        after["replaces"] = replaces
    record_event(session, action="document.generate", object_type="generated_document", object_id=str(doc.id),
                 actor=actor.user_id, after=after, now=now)  # fmt: skip
    return doc
