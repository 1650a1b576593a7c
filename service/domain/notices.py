"""What a notice says: one sentence per kind, from the task's name and the dossier's title.

Notification rows keep only the kind, the task and the dossier (migration 0015); the sentence is built
when the notice is shown or mailed, so the same words are not stored once per recipient.

A return for supplement is told to the holders of the task it opens (the previous step's officials, or the unit's
clerks as "returned"): the sentence names the step that returned it, its level and the reason typed
(`return_notice`), read from the returning task when the notice is shown or mailed.

The unit is told how its dossier ended (kinds `granted` and `not_granted`, no task): the sentence names each
nominee's fate as the dossier now records it (`outcome_notice`), who was granted which award and who was
turned down at which level and why; without those facts it falls back to a sentence from the kind alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from .campaign_config import LEVEL_LABELS

# A translator from a Vietnamese template to the reader's locale (notices_en.translator); as is by default.
Translate = Callable[[str], str]


def as_is(text: str) -> str:
    return text


SENTENCES = {
    "task": "Việc mới: {task} — hồ sơ “{dossier}”.",
    "returned": "Hồ sơ “{dossier}” bị trả lại để bổ sung.",
    "task_returned": "Hồ sơ “{dossier}” bị trả lại để bổ sung; việc của bạn: {task}.",
    "escalation": "Quá hạn: {task} — hồ sơ “{dossier}” chưa được xử lý đúng hạn.",
    "assigned": "Bạn được giao việc: {task} — hồ sơ “{dossier}”.",
    # A reminder before the forward-by deadline, when the day is not known (reminder_notice names it).
    "forward_reminder": "Sắp đến hạn gửi hồ sơ “{dossier}” lên cấp trên; việc của bạn: {task}.",
    "granted": "Hồ sơ “{dossier}” đã được khen thưởng.",
    "not_granted": "Hồ sơ “{dossier}” không được khen thưởng.",
    "cancelled": "Quy trình của hồ sơ “{dossier}” đã bị quản trị viên hủy; hồ sơ không được xét tiếp.",
    # operations.notifications.notify_decision: the in-app line (the e-mail names the decision's number and issuer).
    "decision_issued": "Đã có quyết định khen thưởng cho hồ sơ “{dossier}”; giấy khen, bằng khen xem ở trang hồ sơ.",
}
SUBJECTS = {
    "task": "[Thi đua] Việc mới: {task}",
    "returned": "[Thi đua] Hồ sơ bị trả lại để bổ sung: {dossier}",
    "task_returned": "[Thi đua] Hồ sơ bị trả lại để bổ sung: {task} — {dossier}",
    "escalation": "[Thi đua] Việc quá hạn: {task}",
    "assigned": "[Thi đua] Bạn được giao việc: {task}",
    "forward_reminder": "[Thi đua] Sắp đến hạn gửi hồ sơ lên cấp trên: {dossier}",
    "granted": "[Thi đua] Hồ sơ được khen thưởng: {dossier}",
    "not_granted": "[Thi đua] Hồ sơ không được khen thưởng: {dossier}",
    "cancelled": "[Thi đua] Hồ sơ bị hủy: {dossier}",
    "decision_issued": "[Thi đua] Đã có quyết định khen thưởng: {dossier}",
}
# The kinds that tell of a return for supplement: to the unit's clerks (its dossier is back with them), and to the
# holders of any other task a return opens (the previous step's officials: a task to act on, like "task").
RETURN_KINDS = ("returned", "task_returned")
# A return's sentences naming the step that returned the dossier, its level and the reason (return_notice).
_RETURNED_AT = "Hồ sơ “{dossier}” bị trả lại để bổ sung ở bước “{step}” ({level})."
_TASK_RETURNED_AT = "Hồ sơ “{dossier}” bị trả lại để bổ sung ở bước “{step}” ({level}); việc của bạn: {task}."
_REASON = "Lý do: {reason}."
# The kinds that tell a unit how its dossier's process ended, by the dossier's status at the end. A withdrawal
# (the unit's own act) tells nobody; a cancellation (an admin's) tells the unit's clerks, with the reason the admin
# typed (kind "cancelled", cancel_notice).
OUTCOME_KINDS = {"granted": "granted", "rejected": "not_granted"}
_PARTLY_SUBJECT = "[Thi đua] Hồ sơ được khen thưởng một phần: {dossier}"
# The outcome sentences, each translated whole (notices_en) before its values go in.
_GRANTED = "Hồ sơ “{dossier}” đã được khen thưởng: {awards}."
_NOT_GRANTED = "Hồ sơ “{dossier}” không được khen thưởng{where}{why}."
_NOT_GRANTED_EACH = "Hồ sơ “{dossier}” không được khen thưởng: {refusals}."
_AT_LEVEL = " ở cấp {level}"
_LEVEL = "cấp {level}"
_PARTLY = "Hồ sơ “{dossier}” được khen thưởng một phần. Được khen thưởng: {granted}. Không được khen thưởng: {refused}."
# The e-mail around the sentence: a task's (link to the task) and an ended dossier's (link to the dossier).
TASK_MAIL = ("Kính gửi {name},\n\n{text}\n\nXem và xử lý tại: {link}\n\n"
             "— Hệ thống Thi đua (thư tự động, xin đừng trả lời)\n")  # fmt: skip
DOSSIER_MAIL = ("Kính gửi {name},\n\n{text}\n\nXem hồ sơ tại: {link}\n\n"
                "— Hệ thống Thi đua (thư tự động, xin đừng trả lời)\n")  # fmt: skip


def notice_text(kind: str, task_name: str | None, dossier_title: str | None, tr: Translate = as_is) -> str:
    """The sentence shown in the app (and opening the e-mail) for a notice of this kind, in `tr`'s locale."""
    return tr(SENTENCES.get(kind, "{task} — {dossier}")).format(task=task_name or "", dossier=dossier_title or "")


def notice_subject(kind: str, task_name: str | None, dossier_title: str | None, tr: Translate = as_is) -> str:
    """The e-mail subject for a notice of this kind, in `tr`'s locale."""
    return tr(SUBJECTS.get(kind, "[Thi đua] {task}")).format(task=task_name or "", dossier=dossier_title or "")


def cancel_notice(dossier_title: str | None, reason: str | None, tr: Translate = as_is) -> tuple[str, str]:
    """(sentence, e-mail subject) telling the unit that an admin cancelled its dossier's process, with the reason
    typed when it is known, in `tr`'s locale."""
    text = notice_text("cancelled", None, dossier_title, tr)
    why = _sentence_part(reason)
    subject = notice_subject("cancelled", None, dossier_title, tr)
    return (f"{text} {tr(_REASON).format(reason=why)}" if why else text), subject


def outcome_kind(dossier_status: str) -> str | None:
    """The notice kind of a process that ended with the dossier in this status (None: nobody is told)."""
    return OUTCOME_KINDS.get(dossier_status)


@dataclass(frozen=True)
class ReturnedBy:
    """The step whose return for supplement opened a task: its name, its level and the reason typed."""

    step: str
    level: str
    reason: str | None


def return_notice(kind: str, task_name: str | None, dossier_title: str | None, returned: ReturnedBy | None,
                  tr: Translate = as_is) -> tuple[str, str]:  # fmt: skip
    """(sentence, e-mail subject) of a return notice (RETURN_KINDS) in `tr`'s locale: which step returned the
    dossier, at which level, and why; without `returned` (not found) the kind's plain sentence."""
    subject = notice_subject(kind, task_name, dossier_title, tr)
    if returned is None:
        return notice_text(kind, task_name, dossier_title, tr), subject
    template = _TASK_RETURNED_AT if kind == "task_returned" else _RETURNED_AT
    level = tr(_LEVEL).format(level=level_label(returned.level, tr))
    text = tr(template).format(dossier=dossier_title or "", step=returned.step, level=level, task=task_name or "")
    reason = _sentence_part(returned.reason)
    return (f"{text} {tr(_REASON).format(reason=reason)}" if reason else text), subject


# A reminder of the forward-by deadline (operations.reminders): the level the dossier must reach and the day.
REMINDER_KINDS = ("forward_reminder",)
_REMINDER = "Hồ sơ “{dossier}” cần gửi về {level} chậm nhất ngày {deadline}; việc của bạn: {task}."
_REMINDER_SUBJECT = "[Thi đua] Hạn gửi về {level} ngày {deadline}: {dossier}"


def reminder_notice(task_name: str | None, dossier_title: str | None, level: str | None, deadline: date | None,
                    tr: Translate = as_is) -> tuple[str, str]:  # fmt: skip
    """(sentence, e-mail subject) of a reminder that the dossier must reach `level` by `deadline` (the day it was sent
    for), in `tr`'s locale; without them (not found) the kind's plain sentence."""
    if level is None or deadline is None:
        return (notice_text(REMINDER_KINDS[0], task_name, dossier_title, tr),
                notice_subject(REMINDER_KINDS[0], task_name, dossier_title, tr))  # fmt: skip
    values = {"dossier": dossier_title or "", "task": task_name or "", "deadline": f"{deadline:%d/%m/%Y}",
              "level": tr(_LEVEL).format(level=level_label(level, tr))}  # fmt: skip
    return tr(_REMINDER).format(**values), tr(_REMINDER_SUBJECT).format(**values)


@dataclass(frozen=True)
class NomineeFate:
    """How one nominee of an ended dossier came out: granted `award`, or turned down at `level` for `reason`."""

    name: str
    granted: bool
    award: str
    level: str | None = None
    reason: str | None = None


def level_label(level: str | None, tr: Translate = as_is) -> str:
    return tr(LEVEL_LABELS[level]) if level in LEVEL_LABELS else level or ""


def outcome_notice(kind: str, dossier_title: str | None, fates: list[NomineeFate],
                   tr: Translate = as_is) -> tuple[str, str]:  # fmt: skip
    """(sentence, e-mail subject) telling the unit how its dossier ended, nominee by nominee, in `tr`'s locale.

    All granted: the awards with whom each goes to. All turned down: the level and the reason (one reason for
    all, or each nominee's own). A mix: the dossier is granted in part, and both lists are named."""
    title = dossier_title or ""
    granted = [f for f in fates if f.granted]
    refused = [f for f in fates if not f.granted]
    if not fates:
        return notice_text(kind, None, title, tr), notice_subject(kind, None, title, tr)
    if granted and not refused:
        return (tr(_GRANTED).format(dossier=title, awards=_awards(granted)),
                tr(SUBJECTS["granted"]).format(dossier=title))  # fmt: skip
    if refused and not granted:
        levels = {f.level for f in refused}
        if len(levels) == 1:
            where = tr(_AT_LEVEL).format(level=level_label(refused[0].level, tr)) if refused[0].level else ""
            reasons = {f.reason for f in refused}
            if len(reasons) == 1:
                why = f": {_sentence_part(refused[0].reason)}" if refused[0].reason else ""
            else:
                why = ": " + "; ".join(_name_reason(f) for f in refused)
            text = tr(_NOT_GRANTED).format(dossier=title, where=where, why=why)
        else:
            text = tr(_NOT_GRANTED_EACH).format(dossier=title, refusals=_refusals(refused, tr))
        return text, tr(SUBJECTS["not_granted"]).format(dossier=title)
    text = tr(_PARTLY).format(dossier=title, granted=_awards(granted), refused=_refusals(refused, tr))
    return text, tr(_PARTLY_SUBJECT).format(dossier=title)


def _awards(granted: list[NomineeFate]) -> str:
    """'Giấy khen của Chủ tịch UBND phường (Nguyễn Văn A, Trần Thị B); Bằng khen … (…)': each award once, in the
    order first named."""
    by_award: dict[str, list[str]] = {}
    for fate in granted:
        by_award.setdefault(fate.award, []).append(fate.name)
    return "; ".join(f"{award} ({', '.join(names)})" for award, names in by_award.items())


def _refusals(refused: list[NomineeFate], tr: Translate = as_is) -> str:
    """'Nguyễn Văn A (cấp phường/xã: lý do); Trần Thị B (cấp quận/huyện)'."""
    parts = []
    for fate in refused:
        detail = [tr(_LEVEL).format(level=level_label(fate.level, tr))] if fate.level else []
        if fate.reason:
            detail = [": ".join(detail + [_sentence_part(fate.reason)])] if detail else [_sentence_part(fate.reason)]
        parts.append(f"{fate.name} ({detail[0]})" if detail else fate.name)
    return "; ".join(parts)


def _name_reason(fate: NomineeFate) -> str:
    return f"{fate.name} — {_sentence_part(fate.reason)}" if fate.reason else fate.name


def _sentence_part(text: str | None) -> str:
    """A reason as typed, inside a sentence: no closing full stop of its own (the sentence adds one)."""
    return (text or "").strip().rstrip(".").strip()
