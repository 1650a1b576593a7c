"""Instance admin pages: list and filter instances, one instance with its diagram and actions, version migration."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..domain.roles import ROLE_LABELS
from ..errors import DomainError, Forbidden, InvalidInput, NotFound
from ..operations.instance_admin import cancel_instance, reassign_task, resume_instance, suspend_instance
from ..operations.migrations import MigrationLine, migrate_instances
from ..queries.instances import (
    PAGE_SIZE,
    STATUSES,
    InstanceFilter,
    instance_detail,
    list_instances,
    suspended_of_version,
    unit_choices,
)  # fmt: skip
from ..models import HumanTask, ProcessInstance
from ..queries.processes import process_versions
from .context import current_actor, get_engine, get_session, transaction
from .i18n import translate
from .lanes import lane_labels
from .messages_en import refusal

bp = Blueprint("instances", __name__, url_prefix="/instances")


# What an auditor may read: the running and finished instances, their tasks and history; no action on them.
AUDITOR_READS = frozenset({"instances.index", "instances.show"})


@bp.before_request
def only_admins() -> None:
    from flask_login import current_user

    if not current_user.is_authenticated:
        return
    actor = current_actor()
    if not actor.is_admin and not (actor.has_role("auditor") and request.endpoint in AUDITOR_READS):
        raise Forbidden("Chỉ quản trị viên mới quản lý quy trình đang chạy.")


INSTANCE_STATUS = {"running": "Đang chạy", "suspended": "Đang tạm dừng", "completed": "Đã kết thúc",
                   "cancelled": "Đã hủy", "error": "Lỗi"}  # fmt: skip


@bp.app_template_global("instance_status_label")
def instance_status_label(status: str) -> str:
    return translate(INSTANCE_STATUS.get(status, status))


def _versions() -> list[tuple[str, int, int]]:
    """(process key, version number, version id) of every deployed version, for the pickers."""
    versions = process_versions(get_session())
    return [(d.key, row.version.version, row.version.id) for d, rows in versions for row in rows]


@bp.route("/")
@login_required
def index() -> str:
    db, now = get_session(), get_engine().clock.now()
    chosen = InstanceFilter.from_args(request.args)
    before = str(request.args.get("before") or "")
    before_id = int(before) if before.isdigit() and len(before) < 12 else None
    rows = list_instances(db, now, chosen, before_id, limit=PAGE_SIZE + 1)  # one more: is there a next page?
    rows, more = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    next_before = rows[-1].instance.id if more else None
    return render_template(
        "instances/index.html", rows=rows, chosen=chosen, statuses=STATUSES, versions=_versions(),
        units=unit_choices(db), now=now, next_before=next_before,
    )  # fmt: skip


@bp.route("/<int:instance_id>")
@login_required
def show(instance_id: int) -> str:
    return _show_page(instance_id)


def _show_page(instance_id: int, refused: dict[str, object] | None = None) -> str:
    detail = instance_detail(get_session(), instance_id)
    if detail is None:
        raise NotFound("Không tìm thấy quy trình.")
    # Lanes, roles and history in words, as the dossier page shows them (the codes stay in titles and data-*).
    return render_template("instances/show.html", detail=detail, now=get_engine().clock.now(),
                           lane_labels=lane_labels(), role_labels=ROLE_LABELS, refused=refused or {})  # fmt: skip


def _refused_on_show(instance_id: int, exc: DomainError, form: str, **kept: object) -> tuple[str, int]:
    """A refused action on the instance page (nothing written: its transaction was rolled back): the page again, the
    refusal shown by the form that was sent (`form`: suspend, resume, cancel, reassign) with what was typed kept.
    A Forbidden or NotFound stays an error page: there is no form of this page to go back to."""
    if isinstance(exc, Forbidden | NotFound):
        raise exc
    refused = {"form": form, "message": refusal(exc), "reason": request.form.get("reason", ""), **kept}
    return _show_page(instance_id, refused), exc.status


def _back(instance_id: int) -> Response:
    return redirect(url_for("instances.show", instance_id=instance_id))


# Each action on a whole instance: its operation, and what the page says once it is done.
INSTANCE_ACTIONS = {
    "suspend": (suspend_instance, "Đã tạm dừng quy trình."),
    "resume": (resume_instance, "Quy trình đã chạy tiếp."),
    "cancel": (cancel_instance, "Đã hủy quy trình."),
}


def _act_on_instance(instance_id: int, form: str) -> Response | tuple[str, int]:
    """Suspend, resume or cancel (`form`) with the reason typed: done, back to the page with what was done said; or
    refused, the page again with the refusal by the form that was sent (_refused_on_show)."""
    operation, done = INSTANCE_ACTIONS[form]
    try:
        with transaction() as db:
            operation(db, current_actor(), get_engine(), instance_id, request.form.get("reason"))
    except DomainError as exc:
        return _refused_on_show(instance_id, exc, form)
    flash(translate(done), "ok")
    return _back(instance_id)


@bp.route("/<int:instance_id>/suspend", methods=["POST"])
@login_required
def suspend(instance_id: int) -> Response | tuple[str, int]:
    return _act_on_instance(instance_id, "suspend")


@bp.route("/<int:instance_id>/resume", methods=["POST"])
@login_required
def resume(instance_id: int) -> Response | tuple[str, int]:
    return _act_on_instance(instance_id, "resume")


@bp.route("/<int:instance_id>/cancel", methods=["POST"])
@login_required
def cancel(instance_id: int) -> Response | tuple[str, int]:
    return _act_on_instance(instance_id, "cancel")


@bp.route("/tasks/<int:task_id>/reassign", methods=["POST"])
@login_required
def reassign(task_id: int) -> Response | tuple[str, int]:
    chosen = request.form.get("assignee_id", "")
    try:
        if chosen not in ("group", "") and not chosen.isdigit():
            raise InvalidInput("Người được giao không hợp lệ.")
        if chosen == "":
            raise InvalidInput("Chọn người được giao, hoặc trả việc về cho cả nhóm.")
        with transaction() as db:
            task = reassign_task(db, current_actor(), get_engine(), task_id, None if chosen == "group" else int(chosen),
                                 request.form.get("comment"))  # fmt: skip
            instance_id = task.instance_id
    except DomainError as exc:
        # Shown by the task's own row on its instance's page; an unknown task has no page to go back to.
        task = get_session().get(HumanTask, task_id)
        if task is None:
            raise
        return _refused_on_show(task.instance_id, exc, "reassign", task_id=task_id, assignee=chosen,
                                comment=request.form.get("comment", ""))  # fmt: skip
    flash(translate("Đã giao lại việc."), "ok")
    return _back(instance_id)


def _version_arg(key: str) -> int | None:
    value = request.values.get(key, "")
    return int(value) if value.isdigit() and len(value) < 9 else None


def _default_versions() -> tuple[int | None, int | None]:
    """The pickers' first choice, on a first visit: from the oldest version that still has running instances (one
    that is not its process's newest, if there is such) to the newest version of the same process. With nothing
    running: the first process's oldest and newest versions."""
    versions = [(d.key, rows) for d, rows in process_versions(get_session()) if rows]  # rows: newest first
    if not versions:
        return None, None
    newest = {key: rows[0].version.id for key, rows in versions}
    running = [(row.version.id, key) for key, rows in versions for row in rows if row.running]
    movable = [(vid, key) for vid, key in running if vid != newest[key]] or running
    if not movable:
        key, rows = versions[0]
        return rows[-1].version.id, rows[0].version.id
    source, key = min(movable)  # version ids grow with each deployment: the smallest is the oldest
    return source, newest[key]


@bp.route("/migrate", methods=["GET", "POST"])
@login_required
def migrate() -> str | tuple[str, int]:
    source, target = _version_arg("from_version"), _version_arg("to_version")
    applied = request.method == "POST"
    lines: list[MigrationLine] | None = None
    suspended: list[ProcessInstance] = []
    if not applied and "from_version" not in request.args and "to_version" not in request.args:
        source, target = _default_versions()  # a first visit: nothing previewed yet
        return _migrate_page(source, target)
    try:
        if source is not None and target is not None:
            if applied:
                with transaction() as db:
                    lines = migrate_instances(db, current_actor(), get_engine(), source, target, dry_run=False)
                moved = sum(1 for line in lines if line.moved)
                flash(translate("Đã chuyển hồ sơ sang phiên bản mới:") + f" {moved}/{len(lines)}", "ok")
            else:
                lines = migrate_instances(get_session(), current_actor(), get_engine(), source, target, dry_run=True)
            suspended = suspended_of_version(get_session(), source)
        elif applied:
            raise InvalidInput("Chọn phiên bản nguồn và phiên bản đích.")
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        # Refused (nothing moved): the form again, with why and the versions chosen.
        return _migrate_page(source, target, error=refusal(exc)), exc.status
    return _migrate_page(source, target, lines=lines, suspended=suspended, applied=applied)


def _migrate_page(source: int | None, target: int | None, lines: list[MigrationLine] | None = None,
                  suspended: list[ProcessInstance] | None = None, applied: bool = False,
                  error: str | None = None) -> str:  # fmt: skip
    """The form with `source` and `target` chosen; under it the preview or the result (`lines`), or why not
    (`error`)."""
    versions = _versions()
    names = {vid: f"{key} v{number}" for key, number, vid in versions}  # the confirmation names both versions
    return render_template("instances/migrate.html", versions=versions, names=names, source=source, target=target,
                           lines=lines, suspended=suspended or [], applied=applied, error=error)  # fmt: skip

