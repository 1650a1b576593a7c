"""The English of the notices (domain.notices): their sentences, e-mail subjects and bodies, and the level words
they name. Plain data, so both the web layer (the viewer's locale) and the e-mails (the recipient's stored
locale) read it; tests/unit/test_notices_en.py keeps it in step with the Vietnamese templates."""

from __future__ import annotations

from .notices import Translate, as_is

# The level words (campaign_config.LEVEL_LABELS) in English: notices and refusals name levels with them.
LEVEL_WORDS_EN: dict[str, str] = {
    "phường/xã": "ward/commune", "quận/huyện": "district", "tỉnh/thành phố": "province/city",
}

EN: dict[str, str] = {
    # SENTENCES
    "Việc mới: {task} — hồ sơ “{dossier}”.": "New task: {task} — dossier “{dossier}”.",
    "Hồ sơ “{dossier}” bị trả lại để bổ sung.": "Dossier “{dossier}” was returned for supplement.",
    "Hồ sơ “{dossier}” bị trả lại để bổ sung; việc của bạn: {task}.":
        "Dossier “{dossier}” was returned for supplement; your task: {task}.",
    "Quá hạn: {task} — hồ sơ “{dossier}” chưa được xử lý đúng hạn.":
        "Overdue: {task} — dossier “{dossier}” was not handled in time.",
    "Bạn được giao việc: {task} — hồ sơ “{dossier}”.": "A task was assigned to you: {task} — dossier “{dossier}”.",
    "Sắp đến hạn gửi hồ sơ “{dossier}” lên cấp trên; việc của bạn: {task}.":
        "The deadline to send dossier “{dossier}” up is near; your task: {task}.",
    "Hồ sơ “{dossier}” đã được khen thưởng.": "Dossier “{dossier}” was granted.",
    "Hồ sơ “{dossier}” không được khen thưởng.": "Dossier “{dossier}” was not granted.",
    "Quy trình của hồ sơ “{dossier}” đã bị quản trị viên hủy; hồ sơ không được xét tiếp.":
        "The process of dossier “{dossier}” was cancelled by an administrator; the dossier will not be considered further.",
    # SUBJECTS
    "[Thi đua] Việc mới: {task}": "[Thi đua] New task: {task}",
    "[Thi đua] Hồ sơ bị trả lại để bổ sung: {dossier}": "[Thi đua] Dossier returned for supplement: {dossier}",
    "[Thi đua] Hồ sơ bị trả lại để bổ sung: {task} — {dossier}":
        "[Thi đua] Dossier returned for supplement: {task} — {dossier}",
    "[Thi đua] Việc quá hạn: {task}": "[Thi đua] Overdue task: {task}",
    "[Thi đua] Bạn được giao việc: {task}": "[Thi đua] A task was assigned to you: {task}",
    "[Thi đua] Sắp đến hạn gửi hồ sơ lên cấp trên: {dossier}": "[Thi đua] Deadline near to send the dossier up: {dossier}",
    # A reminder naming the level and the day (reminder_notice)
    "Hồ sơ “{dossier}” cần gửi về {level} chậm nhất ngày {deadline}; việc của bạn: {task}.":
        "Dossier “{dossier}” must reach the {level} by {deadline}; your task: {task}.",
    "[Thi đua] Hạn gửi về {level} ngày {deadline}: {dossier}": "[Thi đua] To reach the {level} by {deadline}: {dossier}",
    "[Thi đua] Hồ sơ được khen thưởng: {dossier}": "[Thi đua] Dossier granted: {dossier}",
    "[Thi đua] Hồ sơ không được khen thưởng: {dossier}": "[Thi đua] Dossier not granted: {dossier}",
    "[Thi đua] Hồ sơ bị hủy: {dossier}": "[Thi đua] Dossier cancelled: {dossier}",
    # A decision issued (operations.notifications.notify_decision): the in-app line, the e-mail's text and subject.
    "Đã có quyết định khen thưởng cho hồ sơ “{dossier}”; giấy khen, bằng khen xem ở trang hồ sơ.":
        "A commendation decision was issued for dossier “{dossier}”; its certificates are on the dossier's page.",
    "[Thi đua] Đã có quyết định khen thưởng: {dossier}": "[Thi đua] Commendation decision issued: {dossier}",
    "Đã có Quyết định số {number} của {issuer} khen thưởng hồ sơ “{dossier}”.":
        "Decision no. {number} of {issuer} grants the commendation of dossier “{dossier}”.",
    "[Thi đua] Quyết định số {number} khen thưởng hồ sơ: {dossier}": "[Thi đua] Decision no. {number} for dossier: {dossier}",
    "[Thi đua] Hồ sơ được khen thưởng một phần: {dossier}": "[Thi đua] Dossier granted in part: {dossier}",
    # A return's sentences
    "Hồ sơ “{dossier}” bị trả lại để bổ sung ở bước “{step}” ({level}).":
        "Dossier “{dossier}” was returned for supplement at the step “{step}” ({level}).",
    "Hồ sơ “{dossier}” bị trả lại để bổ sung ở bước “{step}” ({level}); việc của bạn: {task}.":
        "Dossier “{dossier}” was returned for supplement at the step “{step}” ({level}); your task: {task}.",
    "Lý do: {reason}.": "Reason: {reason}.",
    # The outcome sentences and their parts
    "Hồ sơ “{dossier}” đã được khen thưởng: {awards}.": "Dossier “{dossier}” was granted: {awards}.",
    "Hồ sơ “{dossier}” không được khen thưởng{where}{why}.": "Dossier “{dossier}” was not granted{where}{why}.",
    "Hồ sơ “{dossier}” không được khen thưởng: {refusals}.": "Dossier “{dossier}” was not granted: {refusals}.",
    " ở cấp {level}": " at {level} level",
    "cấp {level}": "{level} level",
    "Hồ sơ “{dossier}” được khen thưởng một phần. Được khen thưởng: {granted}. Không được khen thưởng: {refused}.":
        "Dossier “{dossier}” was granted in part. Granted: {granted}. Not granted: {refused}.",
    **LEVEL_WORDS_EN,
    # The e-mails
    "Kính gửi {name},\n\n{text}\n\nXem và xử lý tại: {link}\n\n— Hệ thống Thi đua (thư tự động, xin đừng trả lời)\n":
        "Dear {name},\n\n{text}\n\nSee and handle it at: {link}\n\n— Thi đua system (automatic e-mail, please do not reply)\n",
    "Kính gửi {name},\n\n{text}\n\nXem hồ sơ tại: {link}\n\n— Hệ thống Thi đua (thư tự động, xin đừng trả lời)\n":
        "Dear {name},\n\n{text}\n\nSee the dossier at: {link}\n\n— Thi đua system (automatic e-mail, please do not reply)\n",
}


# The shipped chain's step names (bpmn/commendation_chain.bpmn, its user tasks) in English: a notice names its task,
# and a return the step that returned the dossier. Keyed by the BPMN's exact names; a step an admin named in a
# version of their own stays as written. The web pages read them too (web/step_words_en.py, with the chain's other
# words); tests/unit/test_step_words_en.py checks them against the BPMN.
STEP_NAMES_EN: dict[str, str] = {
    "Lập và nộp hồ sơ đề nghị khen thưởng": "Prepare and submit the commendation dossier",
    "Thẩm định hồ sơ (Văn phòng UBND phường/xã)": "Appraise the dossier (ward/commune office)",
    "Họp Hội đồng TĐKT, biểu quyết": "Emulation & Commendation Council meets and votes",
    "Chủ tịch xem xét, quyết định": "Chairman reviews and decides",
    "Thẩm định hồ sơ (Phòng Nội vụ)": "Appraise the dossier (Home Affairs Office)",
    "Thẩm định hồ sơ (Ban Thi đua – Khen thưởng tỉnh)": "Appraise the dossier (provincial Commendation Board)",
}
# The values a notice's templates fill in with a step's name: the task it opens and the step that returned it.
_STEP_FIELDS = ("task", "step")


class _English(str):
    """An English template that names the task and the step it is filled in with in English (STEP_NAMES_EN):
    domain.notices fills in the names as the BPMN gives them, after translating the template."""

    __slots__ = ()

    def format(self, *args: object, **values: object) -> str:
        named = {key: STEP_NAMES_EN.get(value, value) if key in _STEP_FIELDS and isinstance(value, str) else value
                 for key, value in values.items()}  # fmt: skip
        return str(self).format(*args, **named)


def english(text: str) -> str:
    return _English(EN.get(text, text))


def translator(locale: str | None) -> Translate:
    """The notices' translator for a locale: English for "en", the Vietnamese source otherwise."""
    return english if locale == "en" else as_is
