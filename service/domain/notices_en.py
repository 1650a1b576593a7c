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
    "[Thi đua] Hồ sơ được khen thưởng: {dossier}": "[Thi đua] Dossier granted: {dossier}",
    "[Thi đua] Hồ sơ không được khen thưởng: {dossier}": "[Thi đua] Dossier not granted: {dossier}",
    "[Thi đua] Hồ sơ bị hủy: {dossier}": "[Thi đua] Dossier cancelled: {dossier}",
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


def english(text: str) -> str:
    return EN.get(text, text)


def translator(locale: str | None) -> Translate:
    """The notices' translator for a locale: English for "en", the Vietnamese source otherwise."""
    return english if locale == "en" else as_is
