"""Dossier pages: create a dossier (unit clerk) and show one with its path, tasks and history."""

from __future__ import annotations

import io

from flask import Blueprint, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import login_required
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from ..domain.permissions import can_view_dossier
from ..errors import DomainError, Forbidden, NotFound
from ..models import Dossier, GeneratedDocument, Nominee
from ..operations.audit import record_event
from ..operations.nominee_lists import import_nominees
from ..operations.official_documents import generate_proposal
from ..queries.decisions import dossier_generated
from ..queries.documents import download_name, generated_names
from ..operations.documents import download_document, receive_upload, upload_document
from ..domain.awards import LEVEL_WORDS
from ..domain.deadlines import local_date
from ..operations.dossiers import (NomineeInput, campaign_process_levels, create_dossier, dossier_process_levels,
                                   unreachable_award_levels, unreachable_award_levels_for)
from ..operations.editing import (
    add_nominee,
    can_withdraw,
    remove_nominee,
    submit_dossier,
    update_nominee_summary,
    withdraw_dossier,
)  # fmt: skip
from ..queries.dossier_view import dossier_diagram, dossier_view
from ..queries.unit_panel import (
    campaign_choices,
    catalogue_names,
    default_campaign,
    form_unit,
    name_award_codes,
    unit_panel,
)  # fmt: skip
from ..queries.org import campaigns_for_units, clerk_units, unit_path
from .context import current_actor, get_engine, get_files, get_session, transaction
from .i18n import status_label, translate
from .lanes import lane_labels
from .messages_en import refusal

bp = Blueprint("dossiers", __name__, url_prefix="/dossiers")
NOMINEE_ROWS = 4


def _page(dossier_id: int, status: int = 200, **kept: object) -> tuple[str, int]:
    """The dossier page; after a refused action, with the refusal's status and what the clerk typed (`kept`)."""
    db = get_session()
    dossier = db.get(Dossier, dossier_id)
    if dossier is None or not can_view_dossier(current_actor(), unit_path(db, dossier.unit_id)):
        raise NotFound("Không tìm thấy hồ sơ.")
    panel = unit_panel(db, current_actor(), dossier, get_engine().clock.now())
    if panel.editable:  # the add-nominee form offers no award whose granting level the dossier cannot reach
        blocked = unreachable_award_levels(db, dossier.unit_id, local_date(get_engine().clock.now()),
                                           dossier_process_levels(db, dossier_id))  # fmt: skip
        panel.award_forms = [f for f in panel.award_forms if f.code not in blocked]
    generated = dossier_generated(db, dossier_id)
    return render_template(
        "dossiers/show.html", view=dossier_view(db, get_engine(), dossier_id), panel=panel,
        generated=generated, generated_names=generated_names(db, generated), kept=kept,
        can_withdraw=can_withdraw(db, current_actor(), dossier_id), lane_labels=lane_labels(),
    ), status  # fmt: skip


def _refused(dossier_id: int, exc: DomainError, **kept: object) -> tuple[str, int]:
    """A refusal of what was typed or chosen comes back on the dossier page, at the top, with the typed text
    kept. One of who asks or of a dossier that moved on (403, 404, 409) keeps its error page."""
    if exc.status not in (400, 422):
        raise exc
    flash(refusal(exc), "error")
    return _page(dossier_id, exc.status, **kept)


@bp.route("/<int:dossier_id>")
@login_required
def show(dossier_id: int) -> tuple[str, int]:
    return _page(dossier_id)


def _form_context(form: MultiDict[str, str], error: str | None = None) -> dict[str, object]:
    """The new-dossier form: the clerk's units, each campaign with its own award forms and whether its
    deadline has passed, what is selected (the clerk's choice, else the first unit and open campaign), and
    the refusal of what was sent, award forms in it named as the chosen campaign (or else the catalogue) does."""
    db = get_session()
    units = clerk_units(db, current_actor())
    unit = form_unit(units, form.get("unit_id"))
    choices = campaign_choices(db, campaigns_for_units(db, units), unit.level if unit else "unit",
                               get_engine().clock.now())  # fmt: skip
    chosen = default_campaign(choices, form.get("campaign"))
    catalogue = catalogue_names(db)
    names = catalogue | ({f.code: f.name for f in chosen.award_forms} if chosen else {})
    # Per campaign, the award forms the selected unit's dossier could not reach (its granting level abolished on
    # the unit's path, or missing from the campaign's process): shown disabled, with the level in words.
    day = local_date(get_engine().clock.now())
    versions = {choice.campaign.code: campaign_process_levels(db, choice.campaign) for choice in choices}
    found = unreachable_award_levels_for(db, unit.id, day, versions) if unit else {}
    blocked = {code: {form: LEVEL_WORDS.get(level, level) for form, level in levels.items()}
               for code, levels in found.items()}  # fmt: skip
    return {
        "form": form, "units": units, "unit": unit, "choices": choices, "chosen": chosen, "catalogue": catalogue,
        "rows": range(NOMINEE_ROWS), "error": name_award_codes(error, names) if error else None, "blocked": blocked,
    }  # fmt: skip


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> str | Response | tuple[str, int]:
    if request.method == "GET":
        return render_template("dossiers/new.html", **_form_context(MultiDict()))
    form = request.form
    nominees = [
        NomineeInput(
            kind=form.get(f"kind_{i}", "individual"), full_name=form.get(f"name_{i}", ""),
            award_form_code=form.get(f"award_{i}", ""), position=form.get(f"position_{i}") or None,
            line=i + 1,  # the form's row, blank rows counted: "Dòng 3" is the third row on the screen
        )  # fmt: skip
        for i in range(NOMINEE_ROWS)
        if form.get(f"name_{i}", "").strip()
    ]
    try:
        unit_id = int(form.get("unit_id", "0"))
        with transaction() as db:
            dossier = create_dossier(
                db, current_actor(), get_engine(), campaign_code=form.get("campaign", ""), unit_id=unit_id,
                title=form.get("title", ""), nominees=nominees,
            )  # fmt: skip
            dossier_id = dossier.id
    except (DomainError, ValueError) as exc:
        message = refusal(exc) if isinstance(exc, DomainError) else "Đơn vị không hợp lệ."
        return render_template("dossiers/new.html", **_form_context(form, message)), 400
    return redirect(url_for("dossiers.show", dossier_id=dossier_id))


def _back(dossier_id: int) -> Response:
    return redirect(url_for("dossiers.show", dossier_id=dossier_id))


@bp.route("/<int:dossier_id>/documents", methods=["POST"])
@login_required
def upload(dossier_id: int) -> Response | tuple[str, int]:
    file = request.files.get("file")
    nominee = request.form.get("nominee_id", "")
    kind = request.form.get("kind", "")
    try:
        # The file is written and synced before the transaction (store_upload says why).
        stored = receive_upload(get_session(), current_actor(), get_files(), dossier_id, file.read() if file else b"")
        with transaction() as db:
            upload_document(
                db, current_actor(), get_files(), get_engine().clock.now(), dossier_id=dossier_id,
                kind=kind, filename=file.filename if file else None,
                data=stored, nominee_id=int(nominee) if nominee.isdigit() else None,
            )  # fmt: skip
    except DomainError as exc:
        return _refused(dossier_id, exc, upload={"kind": kind, "nominee_id": nominee})
    flash(translate("Đã tải tài liệu lên."), "ok")
    return _back(dossier_id)


@bp.route("/<int:dossier_id>/documents/<int:document_id>")
@login_required
def download(dossier_id: int, document_id: int) -> Response:
    with transaction() as db:
        got = download_document(db, current_actor(), get_files(), document_id, get_engine().clock.now())
        if got.document.dossier_id != dossier_id:
            raise NotFound("Không tìm thấy tài liệu.")  # rolls back the download's audit event, as the API does
    return send_file(io.BytesIO(got.data), mimetype=got.document.content_type, as_attachment=True,
                     download_name=got.document.filename)  # fmt: skip


@bp.route("/<int:dossier_id>/nominees", methods=["POST"])
@login_required
def add_nominee_route(dossier_id: int) -> Response | tuple[str, int]:
    form = request.form
    try:
        with transaction() as db:
            add_nominee(db, current_actor(), get_engine().clock.now(), dossier_id=dossier_id, kind=form.get("kind", ""),
                        full_name=form.get("full_name", ""), award_form_code=form.get("award_form", ""),
                        position=form.get("position") or None, summary=form.get("summary") or None)  # fmt: skip
    except DomainError as exc:
        return _refused(dossier_id, exc, nominee=form)
    return _back(dossier_id)


@bp.route("/<int:dossier_id>/nominees/<int:nominee_id>/delete", methods=["POST"])
@login_required
def remove_nominee_route(dossier_id: int, nominee_id: int) -> Response | tuple[str, int]:
    try:
        with transaction() as db:
            nominee = db.get(Nominee, nominee_id)
            if nominee is not None and nominee.dossier_id != dossier_id:
                raise NotFound("Không tìm thấy người được đề nghị.")  # not this dossier's: as if there were none
            name = nominee.full_name if nominee is not None else ""
            remove_nominee(db, current_actor(), get_engine().clock.now(), nominee_id)
    except DomainError as exc:
        return _refused(dossier_id, exc)
    flash(translate("Đã xóa {name} khỏi hồ sơ.").format(name=name), "ok")
    return _back(dossier_id)


@bp.route("/<int:dossier_id>/nominees/<int:nominee_id>/summary", methods=["POST"])
@login_required
def summary_route(dossier_id: int, nominee_id: int) -> Response | tuple[str, int]:
    typed = request.form.get("summary", "")
    try:
        with transaction() as db:
            nominee = db.get(Nominee, nominee_id)
            if nominee is not None and nominee.dossier_id != dossier_id:
                raise NotFound("Không tìm thấy người được đề nghị.")
            update_nominee_summary(db, current_actor(), get_engine().clock.now(), nominee_id, typed)
    except DomainError as exc:
        return _refused(dossier_id, exc, summaries={nominee_id: typed})
    flash(translate("Đã lưu trích ngang."), "ok")
    return _back(dossier_id)


@bp.route("/<int:dossier_id>/submit", methods=["POST"])
@login_required
def submit(dossier_id: int) -> Response | tuple[str, int]:
    try:
        with transaction() as db:
            submit_dossier(db, current_actor(), get_engine(), dossier_id)
    except DomainError as exc:
        return _refused(dossier_id, exc)
    flash(translate("Đã nộp hồ sơ."), "ok")
    return _back(dossier_id)


@bp.route("/<int:dossier_id>/withdraw", methods=["POST"])
@login_required
def withdraw(dossier_id: int) -> Response | tuple[str, int]:
    reason = request.form.get("reason", "")
    try:
        with transaction() as db:
            result = withdraw_dossier(db, current_actor(), get_engine(), dossier_id, reason)
    except (NotFound, Forbidden):
        raise  # not this clerk's dossier: no page of theirs to go back to
    except DomainError as exc:
        # Refused, nothing written: the dossier page again with why and the reason as typed (a colleague holding
        # the task, the process suspended or moved on meanwhile), as the task page does.
        flash(refusal(exc), "error")
        return _page(dossier_id, exc.status, withdraw={"reason": reason})
    flash(translate("Đã rút hồ sơ. Trạng thái hồ sơ: {status}.").format(status=status_label(result.dossier_status)), "ok")
    return _back(dossier_id)


@bp.route("/<int:dossier_id>/diagram.json")
@login_required
def diagram(dossier_id: int) -> Response:
    db = get_session()
    dossier = db.get(Dossier, dossier_id)
    if dossier is None or not can_view_dossier(current_actor(), unit_path(db, dossier.unit_id)):
        raise NotFound("Không tìm thấy hồ sơ.")
    data = dossier_diagram(db, get_engine(), dossier_id)
    if data is None:
        raise NotFound("Hồ sơ chưa có quy trình.")
    return jsonify(data)


@bp.route("/<int:dossier_id>/proposal", methods=["POST"])
@login_required
def proposal(dossier_id: int) -> Response:
    with transaction() as db:
        doc = generate_proposal(db, current_actor(), get_files(), get_engine().clock.now(), dossier_id)
        doc_id = doc.id
    return redirect(url_for("dossiers.generated", dossier_id=dossier_id, document_id=doc_id, print=1))


@bp.route("/<int:dossier_id>/generated/<int:document_id>")
@login_required
def generated(dossier_id: int, document_id: int) -> Response:
    db = get_session()
    dossier = db.get(Dossier, dossier_id)
    doc = db.get(GeneratedDocument, document_id)
    # A draft since replaced stays on record and downloadable, as a replaced upload does.
    listed = {d.id for d in dossier_generated(db, dossier_id, superseded=True)} if dossier is not None else set()
    if dossier is None or doc is None or doc.id not in listed or not can_view_dossier(current_actor(), unit_path(db, dossier.unit_id)):
        raise NotFound("Không tìm thấy văn bản.")
    with transaction() as tx:
        record_event(tx, action="document.download", object_type="generated_document", object_id=str(doc.id),
                     actor=current_actor().user_id, after={"sha256": doc.sha256, "dossier_id": dossier_id})  # fmt: skip
    return send_file(io.BytesIO(get_files().read(doc.sha256)), mimetype="application/pdf",
                     as_attachment=request.args.get("print") != "1", download_name=download_name(db, doc))  # fmt: skip


@bp.route("/<int:dossier_id>/nominees.xlsx", methods=["POST"])
@login_required
def import_nominee_list(dossier_id: int) -> str | Response | tuple[str, int]:
    file = request.files.get("file")
    with transaction() as db:
        errors = import_nominees(db, current_actor(), get_engine().clock.now(), dossier_id, file.read() if file else b"")
    if errors:
        return render_template("records/import_errors.html", errors=errors), 400
    flash(translate("Đã nhập danh sách."), "ok")
    return _back(dossier_id)
