"""What a notice says: one sentence per kind, from the task's name and the dossier's title.

Notification rows keep only the kind, the task and the dossier (migration 0015); the sentence is built
when the notice is shown or mailed, so the same words are not stored once per recipient.
"""

from __future__ import annotations

SENTENCES = {
    "task": "Việc mới: {task} — hồ sơ “{dossier}”.",
    "returned": "Hồ sơ “{dossier}” bị trả lại để bổ sung.",
    "escalation": "Quá hạn: {task} — hồ sơ “{dossier}” chưa được xử lý đúng hạn.",
    "assigned": "Bạn được giao việc: {task} — hồ sơ “{dossier}”.",
}
SUBJECTS = {
    "task": "[Thi đua] Việc mới: {task}",
    "returned": "[Thi đua] Hồ sơ bị trả lại để bổ sung: {dossier}",
    "escalation": "[Thi đua] Việc quá hạn: {task}",
    "assigned": "[Thi đua] Bạn được giao việc: {task}",
}


def notice_text(kind: str, task_name: str | None, dossier_title: str | None) -> str:
    """The sentence shown in the app (and opening the e-mail) for a notice of this kind."""
    return SENTENCES.get(kind, "{task} — {dossier}").format(task=task_name or "", dossier=dossier_title or "")


def notice_subject(kind: str, task_name: str | None, dossier_title: str | None) -> str:
    """The e-mail subject for a notice of this kind."""
    return SUBJECTS.get(kind, "[Thi đua] {task}").format(task=task_name or "", dossier=dossier_title or "")
