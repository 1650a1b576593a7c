"""Inbox pages: the list of tasks, one task with its dossier and decision form, claim and complete."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from ..domain.documents import KIND_LABELS
from ..domain.permissions import can_act_on_task
from ..domain.nominee_outcomes import CouncilCount, NomineeResult, council_count
from ..errors import DomainError, Forbidden, InvalidInput, NotFound
from ..models import HumanTask, ProcessInstance
from ..operations import tasks as task_ops
from ..operations.definitions import load_definition
from ..queries.documents import current_documents
from ..queries.dossier_view import dossier_view
from ..queries.step_names import step_name
from ..operations.assignments import BulkItem, assign_task, batch_decide, bulk_complete, colleagues
from ..operations.nominee_decisions import STEP_KINDS
from ..operations.preferences import forget_preference, load_preference, save_preference
from ..queries.batches import Batch, batch_summaries, find_batch
from ..operations.assignments import BatchRefused, batch_votes, prepare_batch
from ..queries.council_results import council_results
from ..queries.inbox import LIST_LIMIT, InboxFilter, inbox, inbox_facets, task_labels
from ..queries.eligibility import dossier_eligibility
from ..queries.quota_usage import quota_checks
from ..queries.visibility import visible_task_ids
from ..queries.task_view import (CompletionNotice, TaskFormValues, closed_task, completion_notice, naming_the_holder,
                                  returned_here, task_holder)  # fmt: skip
from ..operations.tasks import APPRAISERS
from .context import current_actor, get_engine, get_session, transaction
from .i18n import EN as UI_EN
from .i18n import choice_label, current_locale, status_label, translate
from .lanes import lane_labels
from .messages_en import refusal, refusal_in

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
NOT_FOUND_TASK = NotFound("Không tìm thấy việc cần xử lý.")


FILTER_KEY = "inbox.filter"
FILTER_FIELDS = ("campaign", "step", "unit_id", "overdue", "due_soon", "sort")
# Tasks listed on the inbox page at most (the most urgent first); the filter narrows to the rest.
PAGE_SIZE = LIST_LIMIT


def _filter_from_request(db) -> InboxFilter:  # type: ignore[no-untyped-def]
    """The filter in the query string; with none given, the one this user saved."""
    if request.args.get("filter") == "1":
        return InboxFilter.from_dict({k: request.args.get(k) for k in FILTER_FIELDS})
    return InboxFilter.from_dict(load_preference(db, current_actor().user_id, FILTER_KEY))


@bp.route("/")
@login_required
def index() -> str:
    db, actor, now = get_session(), current_actor(), get_engine().clock.now()
    chosen = _filter_from_request(db)
    # The count and the filter's choices cover every open task; the list shows the first PAGE_SIZE in the order chosen
    # (by due date unless told otherwise; units ranked as the filter names them, numbers in them by value).
    facets = inbox_facets(db, actor)
    rows = inbox(db, actor, limit=PAGE_SIZE, filters=chosen, now=now, facets=facets)
    return render_template(
        "inbox/index.html", rows=rows, now=now, chosen=chosen, total=facets.total, page_full=len(rows) == PAGE_SIZE,
        saved=request.args.get("filter") != "1" and chosen.chooses,  # the saved filter applies: the page says so
        campaigns=facets.campaigns, steps=facets.steps, units=facets.units,
        # The rows name their units as the filter does: told apart where names repeat ("Khu phố 1" of two wards).
        unit_labels=dict(facets.units), bulk=_shown(session.pop("inbox.bulk", None)),
        batches=batch_summaries(db, actor),
    )  # fmt: skip


@bp.route("/filter", methods=["POST"])
@login_required
def save_filter() -> Response:
    if request.form.get("clear"):  # "Bỏ lọc": the saved filter is forgotten, the whole inbox shown
        with transaction() as db:
            forget_preference(db, current_actor().user_id, FILTER_KEY)
        flash(translate("Đã bỏ bộ lọc đã lưu."), "ok")
        return redirect(url_for("inbox.index"))
    chosen = InboxFilter.from_dict({k: request.form.get(k) for k in FILTER_FIELDS})
    with transaction() as db:
        save_preference(db, current_actor().user_id, FILTER_KEY, chosen.as_dict())
    flash(translate("Đã lưu bộ lọc."), "ok")
    return redirect(url_for("inbox.index"))


@bp.route("/bulk", methods=["POST"])
@login_required
def bulk() -> Response:
    ids = [int(v) for v in request.form.getlist("task_id") if v.isdigit() and len(v) < 10]
    try:
        with transaction() as db:
            # A task the official may not see is "not found", as asked by its id: never tried, never named.
            seen = visible_task_ids(db, current_actor(), ids)
            mine = [i for i in ids if i in seen]
            done = {r.task_id: r for r in bulk_complete(db, current_actor(), get_engine(), mine,
                                                        "approve", request.form.get("comment"))} if mine or not ids else {}  # fmt: skip
            results = [done.get(i) or BulkItem(i, False, NOT_FOUND_TASK.message, refusal=NOT_FOUND_TASK)
                       for i in dict.fromkeys(ids)]  # fmt: skip
    except DomainError as exc:  # nothing ticked: said on the inbox, nothing written
        flash(refusal(exc), "error")
        return redirect(url_for("inbox.index"))
    session["inbox.bulk"] = _labelled(results)  # shown once on the inbox
    return redirect(url_for("inbox.index"))


def _labelled(results: list[BulkItem]) -> list[dict[str, object]]:
    """The result of a bulk or batch decision as the pages show it: each task named by its dossier (title and
    submitting unit), not by its number, and what happened to it in both languages (kept in the session until the
    inbox shows it, then read in the reader's: `_shown`). A refusal's English is its template's, filled in here."""
    seen = visible_task_ids(get_session(), current_actor(), [r.task_id for r in results])
    labels = task_labels(get_session(), [r.task_id for r in results if r.task_id in seen])  # no other unit's dossier
    return [{"task_id": r.task_id, "ok": r.ok, "dossier_id": r.dossier_id, "label": labels.get(r.task_id),
             "message": " ".join([r.message, *_vote_notes(r, str)]),
             "message_en": refusal_in(r.refusal, "en") if r.refusal is not None else
             " ".join([UI_EN.get(r.message, r.message), *_vote_notes(r, lambda text: UI_EN.get(text, text))])}
            for r in results]  # fmt: skip


def _shown(items: list[dict[str, object]] | None) -> list[dict[str, object]] | None:
    """Bulk or batch results with each message in the page's language."""
    if not items:
        return items
    english = current_locale() == "en"
    return [{**item, "message": item.get("message_en", item["message"]) if english else item["message"],
             "label": item.get("label_en", item.get("label")) if english else item.get("label")}  # a batch's: numbered
            for item in items]


@bp.route("/tasks/<int:task_id>")
@login_required
def task(task_id: int) -> str:
    return _task_page(task_id)


def _task_page(task_id: int, sent: TaskFormValues | None = None, error: str | None = None) -> str:
    """The task page; after a refused completion with the refusal at the top and the form as it was sent."""
    db, actor = get_session(), current_actor()
    row = db.get(HumanTask, task_id)
    if row is None or not (can_act_on_task(actor, row) or actor.holds(row.escalate_to_role or "", row.escalate_to_unit_id)):
        raise NotFound("Không tìm thấy việc cần xử lý.")
    instance = db.get(ProcessInstance, row.instance_id)
    assert instance is not None
    step = load_definition(db, instance.version_id).steps.get(row.bpmn_id)
    view = dossier_view(db, get_engine(), instance.dossier_id)
    name = step_name(db, instance.version_id, row.bpmn_id)
    step_kind = STEP_KINDS.get(row.role)
    # A chairman decides on the council's recommendation: its result and votes for every nominee it decided.
    decided = council_results(db, [instance.dossier_id], str(row.level)) if step_kind == "chairman" else {}
    council = list(decided.get(instance.dossier_id, {}).values())
    # A task a colleague holds: who, and no form, claim or hand-over (only the holder may; an admin elsewhere). After
    # a refused completion what was typed stays on the page, locked, for when the task is theirs again.
    holder = task_holder(db, row)
    mine = can_act_on_task(actor, row) and row.state == "ready" and instance.status == "running"
    can_act = mine and (holder is None or holder.user_id == actor.user_id)
    return render_template(
        "inbox/task.html", task=row, task_name=name, step=step, view=view, can_act=can_act,
        holder=holder if holder is not None and holder.user_id != actor.user_id else None,
        kept=mine and not can_act and sent is not None,
        now=get_engine().clock.now(), colleagues=[u for u in colleagues(db, row) if u.id != actor.user_id],
        quotas=quota_checks(db, row, view.dossier) if row.state == "ready" and view else [],
        step_kind=step_kind, council=council,
        eligibility=dossier_eligibility(db, view.dossier) if row.state == "ready" and view and row.role in APPRAISERS else [],
        travelling=[(n, f) for n, f in view.nominees if n.outcome is None] if view else [],
        documents=current_documents(db, instance.dossier_id), kind_labels=KIND_LABELS,
        closed=closed_task(view, row, step),  # after Back: who handled it and how, in place of the form
        returned=returned_here(view, row),  # the dossier came back here: why, at the top
        sent=sent or TaskFormValues(), error=error, lane_labels=lane_labels(),
    )  # fmt: skip


def _refused(task_id: int, exc: DomainError) -> str:
    """A refusal on the task page, in the reader's language; a colleague holding the task is named."""
    return refusal(naming_the_holder(get_session(), current_actor(), task_id, exc))


def _per_nominee(form) -> tuple[dict[int, NomineeResult] | None, CouncilCount | None]:  # type: ignore[no-untyped-def]
    """Per-nominee choices and council counts from the decision form (absent fields mean none given)."""

    def number(key: str) -> int | None:
        value = (form.get(key) or "").strip()
        if value and not value.isdigit():
            raise InvalidInput("Số phiếu và số thành viên phải là số nguyên không âm.")
        return int(value) if value else None

    results: dict[int, NomineeResult] = {}
    for key in form:
        if key.startswith("nominee_") and key[8:].isdigit():
            nid = int(key[8:])
            results[nid] = NomineeResult(form[key] != "reject", form.get(f"reason_{nid}") or None,
                                         number(f"votes_for_{nid}"), number(f"votes_against_{nid}"))  # fmt: skip
    return results or None, council_count(number("council_size"), number("present"))


@bp.route("/tasks/<int:task_id>/complete", methods=["POST"])
@login_required
def complete(task_id: int) -> Response | tuple[str, int]:
    decision, comment = request.form.get("decision") or None, request.form.get("comment")
    confirmed = set(request.form.getlist("confirm"))
    try:
        results, council = _per_nominee(request.form)
        # On SQLite the engine step is computed in this request's reads, outside the database's write lock.
        task_ops.prepare_completion(get_session(), current_actor(), get_engine(), task_id, decision, comment,
                                    nominee_results=results, council=council, confirmed=confirmed)  # fmt: skip
        with transaction() as db:
            result = task_ops.complete_task(db, current_actor(), get_engine(), task_id, decision, comment,
                                            nominee_results=results, council=council, confirmed=confirmed)  # fmt: skip
    except (NotFound, Forbidden):
        raise  # not this official's task (any more): there is no page of theirs to go back to
    except DomainError as exc:
        # Refused before anything was written (the transaction is rolled back): the task page again, with why and
        # with everything as it was sent. A conflict too (taken or decided by a colleague meanwhile, the process
        # suspended): the page then shows what happened instead of the form, or, if the task is still open (a
        # colleague holds it), keeps what the official typed for when it is theirs again — a bare "reload" page
        # would make them find the task and type it all again.
        sent = TaskFormValues.from_form(request.form, confirmed)
        return _task_page(task_id, sent, _refused(task_id, exc)), exc.status
    chosen_nominees = {nominee_id: r.approve for nominee_id, r in (results or {}).items()}
    notice = completion_notice(get_session(), task_id, decision, result.decision, result.dossier_status, chosen_nominees)
    # Back to the inbox, the next task a click away; the message links to the dossier just decided.
    said = Markup('{message} <a href="{link}" data-testid="decided-dossier">{words}</a>').format(
        message=_completion_message(notice), link=url_for("dossiers.show", dossier_id=result.dossier_id),
        words=translate("Xem hồ sơ"))  # fmt: skip
    flash(said, "error" if notice.chosen or notice.overruled or notice.passed_anyway else "ok")
    return redirect(url_for("inbox.index"))


def _completion_message(notice: CompletionNotice) -> str:
    """What the completion recorded, in words: an official must learn when the vote overruled their choice. The
    decisions read as the form offered them (the BPMN's labels, translated as the form shows them)."""
    recorded = choice_label(notice.recorded_label, notice.recorded)
    said = [translate("Đã ghi nhận: {decision}.").format(decision=recorded) if recorded else translate("Đã ghi nhận.")]
    chosen = choice_label(notice.chosen_label, notice.chosen)
    if notice.why == "council_vote":
        said.append(translate("Không người được đề nghị nào đạt tỷ lệ phiếu đồng ý Hội đồng yêu cầu ({percent}% số "
                              "thành viên có mặt), nên hồ sơ không được thông qua dù bạn đã chọn “{chosen}”.")
                    .format(percent=notice.pass_percent, chosen=chosen))  # fmt: skip
    elif notice.why == "nominee_votes":
        said += _vote_notes(notice, translate)
    elif notice.why:
        said.append(translate("Quyết định được ghi khác với lựa chọn “{chosen}” của bạn.").format(chosen=chosen))
    if notice.returned_to:  # a return for supplement: to whom the dossier went (step, unit, role)
        said.append(translate("Đã trả hồ sơ về {destination} để bổ sung.").format(destination="; ".join(
            translate("{role} {unit} (bước “{step}”)").format(role=translate(to.role_label), unit=to.unit_name,
                                                             step=translate(to.step_name))
            for to in notice.returned_to)))  # fmt: skip
    said.append(translate("Trạng thái hồ sơ: {status}.").format(status=status_label(notice.dossier_status)))
    return " ".join(said)


def _vote_notes(notice: CompletionNotice | BulkItem, words: Callable[[str], str]) -> list[str]:
    """Where the council's votes decided a nominee against the secretary's choice, either way, naming them (the
    votes decide: README), in the language `words` translates into: after a completion and in a batch's results."""
    said = []
    if notice.overruled:
        names = "; ".join(f"{name} ({reason})" if reason else name for name, reason in notice.overruled)
        said.append(words("Theo số phiếu, không đạt tỷ lệ phiếu đồng ý Hội đồng yêu cầu ({percent}% số thành viên "
                          "có mặt) nên không được đề nghị tiếp, dù bạn đã chọn “Đồng ý”: {names}.")
                    .format(percent=notice.pass_percent, names=names))  # fmt: skip
    if notice.passed_anyway:
        said.append(words("Theo số phiếu (đạt tỷ lệ phiếu đồng ý Hội đồng yêu cầu: {percent}% số thành viên có mặt), "
                          "{names} vẫn được thông qua dù bạn chọn “Không đồng ý”.")
                    .format(percent=notice.pass_percent, names="; ".join(notice.passed_anyway)))  # fmt: skip
    return said


@bp.route("/tasks/<int:task_id>/claim", methods=["POST"])
@login_required
def claim(task_id: int) -> Response | tuple[str, int]:
    try:
        with transaction() as db:
            task_ops.claim_task(db, current_actor(), get_engine(), task_id)
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:  # taken meanwhile, closed, suspended: the task page says so
        return _task_page(task_id, error=_refused(task_id, exc)), exc.status
    return redirect(url_for("inbox.task", task_id=task_id))


@bp.route("/tasks/<int:task_id>/assign", methods=["POST"])
@login_required
def assign(task_id: int) -> Response | tuple[str, int]:
    assignee = request.form.get("assignee_id", "")
    try:
        with transaction() as db:
            assign_task(db, current_actor(), get_engine(), task_id, int(assignee) if assignee.isdigit() else 0)
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:  # held by a colleague, not a colleague's name, closed: the task page says so
        return _task_page(task_id, error=_refused(task_id, exc)), exc.status
    flash(translate("Đã giao việc."), "ok")
    return redirect(url_for("inbox.index"))


@bp.route("/tasks/<int:task_id>/unclaim", methods=["POST"])
@login_required
def unclaim(task_id: int) -> Response | tuple[str, int]:
    try:
        with transaction() as db:
            task_ops.unclaim_task(db, current_actor(), get_engine(), task_id)
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:  # held by a colleague (handed over), closed, suspended: the task page says so
        return _task_page(task_id, error=_refused(task_id, exc)), exc.status
    return redirect(url_for("inbox.task", task_id=task_id))


def _batch_args() -> tuple[int, str, int, int | None]:
    def number(key: str) -> int | None:
        value = request.values.get(key, "")
        return int(value) if value.isdigit() else None

    campaign, unit = number("campaign_id"), number("unit_id")
    if campaign is None or unit is None or not request.values.get("step"):
        raise NotFound("Không tìm thấy đợt xét.")
    return campaign, request.values["step"], unit, number("source_id")


def _count(key: str) -> int | None:
    """A count typed into the batch form (empty: none)."""
    value = (request.form.get(key) or "").strip()
    if value and not value.isdigit():
        raise InvalidInput("Số phiếu và số thành viên phải là số nguyên không âm.")
    return int(value) if value else None


@bp.route("/batch", methods=["GET", "POST"])
@login_required
def batch() -> str | Response | tuple[str, int]:
    db, actor = get_session(), current_actor()
    found = find_batch(db, actor, *_batch_args())
    if request.method == "GET":
        if found is None:  # none of its tasks open (a batch of one is still a batch): the page links to the inbox
            raise NotFound("Không tìm thấy đợt xét (các hồ sơ có thể đã được xử lý).")
        return _batch_page(found)
    chosen = {int(t) for t in request.form.getlist("task_id") if t.isdigit()}
    task_nominees = {i.task.id: [n.id for n, _ in i.nominees] for i in (found.items if found else []) if i.task.id in chosen}
    try:
        results, council = _per_nominee(request.form)
        confirmed = set(request.form.getlist("confirm"))
        decided = (task_nominees, results or {}, council, request.form.get("comment"), confirmed)
        # A dossier returned for supplement ("Trả lại bổ sung", with its reason), and the council's counts for the
        # whole list ("Áp dụng số phiếu cho tất cả"): for each nominee whose own boxes are empty.
        returns = {t: request.form.get(f"return_reason_{t}") for t in task_nominees
                   if request.form.get(f"decision_{t}") == "return"}  # fmt: skip
        votes = batch_votes(_count("votes_for_all"), _count("votes_against_all"))
        # On SQLite: engine steps outside the write lock.
        prepare_batch(get_session(), actor, get_engine(), *decided, returns=returns, votes=votes)
        with transaction() as db:
            report = batch_decide(db, actor, get_engine(), *decided, returns=returns, votes=votes)
    except BatchRefused as exc:  # a dossier refused: none recorded (one meeting, recorded whole), each said by its row
        refused = {task_id: refusal(why) for task_id, why in exc.refusals.items()}
        left = find_batch(get_session(), actor, *_batch_args())  # as it is now (a colleague may have decided some)
        if left is None:
            flash(" ".join([refusal(exc), *refused.values()]), "error")
            return redirect(url_for("inbox.index"))
        return _batch_page(left, refusal(exc), sent=request.form, refused=refused), exc.status
    except DomainError as exc:  # the form as a whole refused (counts, nothing chosen): nothing written
        if found is None:
            flash(refusal(exc), "error")
            return redirect(url_for("inbox.index"))
        return _batch_page(found, refusal(exc), sent=request.form), exc.status
    session["inbox.bulk"] = _numbered(_labelled(report))  # shown once on the inbox
    return redirect(url_for("inbox.index"))


def _numbered(items: list[dict[str, object]]) -> list[dict[str, object]]:
    """A batch's results: each dossier by its number too ("Hồ sơ số 6 — title — unit: Thông qua"), in both
    languages (`_shown` reads the reader's)."""
    def label(words: str, item: dict[str, object]) -> str:
        return " — ".join(str(part) for part in (f"{words} {item['dossier_id']}", item.get("label")) if part)

    return [{**item, "label": label("Hồ sơ số", item), "label_en": label(UI_EN["Hồ sơ số"], item)} for item in items]


def _batch_page(found: Batch, error: str | None = None, report: list[dict[str, object]] | None = None,
                sent: object = None, refused: dict[int, str] | None = None) -> str:  # fmt: skip
    """The batch page: fresh, or after a POST with the refusal, each dossier's refusal (`refused`, by task) and the
    form as sent."""
    db = get_session()
    first = found.items[0].task
    eligibility = {i.dossier.id: dossier_eligibility(db, i.dossier) for i in found.items} if first.role in APPRAISERS else {}
    step_kind = STEP_KINDS.get(first.role)
    # At a chairman's batch, the council's result and votes beside each nominee, and those it refused under the dossier.
    dossiers = [i.dossier.id for i in found.items]
    council = council_results(db, dossiers, str(first.level)) if step_kind == "chairman" else {}
    shown = {i.task.id for i in found.items}  # a refused task no longer here (decided meanwhile) is named at the top
    return render_template("inbox/batch.html", batch=found, step_kind=step_kind, eligibility=eligibility,
                           council=council, error=error, sent=sent, report=report or [], refused=refused or {},
                           labels=task_labels(db, [t for t in refused or {} if t not in shown]),
                           now=get_engine().clock.now())  # fmt: skip
