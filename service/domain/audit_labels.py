"""What each audit action (and object type) is called in the UI: the codes ("task.complete") are for auditors and exports,
the people following a dossier read a Vietnamese label (a source string of the i18n layer, translated by `_`).

One entry per action of service/models/audit_codes.py; an action missing here reads as its code.
"""

from __future__ import annotations

import json
from typing import Any

AUDIT_ACTION_LABELS: dict[str, str] = {
    # signing in and out
    "auth.login": "Đăng nhập",
    "auth.login_failed": "Đăng nhập không thành công",
    "auth.login_throttled": "Tạm khóa đăng nhập",
    "auth.logout": "Đăng xuất",
    # accounts and roles
    "user.create": "Tạo tài khoản",
    "user.activate": "Mở khóa tài khoản",
    "user.deactivate": "Khóa tài khoản",
    "role.grant": "Giao vai trò",
    "role.revoke": "Thu hồi vai trò",
    "role.end": "Kết thúc vai trò",
    # the organisation tree
    "org.create": "Tạo đơn vị",
    "org.rename": "Đổi tên đơn vị",
    "org.move": "Chuyển đơn vị",
    "org.merge": "Sáp nhập đơn vị",
    "org.abolish_level": "Bãi bỏ cấp hành chính",
    # campaigns and processes
    "campaign.import": "Nhập phong trào thi đua",
    "campaign.edit": "Sửa phong trào thi đua",
    "campaign.register": "Đăng ký tham gia phong trào thi đua",
    "bpmn.deploy": "Triển khai quy trình",
    # dossiers and their documents
    "dossier.create": "Lập hồ sơ",
    "dossier.edit": "Sửa hồ sơ",
    "dossier.submit": "Nộp hồ sơ",
    "dossier.status": "Đổi trạng thái hồ sơ",
    "document.upload": "Tải tài liệu lên",
    "document.download": "Tải tài liệu về",
    "document.generate": "Tạo văn bản",
    # tasks
    "task.claim": "Nhận xử lý",
    "task.unclaim": "Trả lại cho nhóm",
    "task.assign": "Giao việc",
    "task.reassign": "Giao lại việc",
    "task.complete": "Xử lý xong một bước",
    "task.escalate": "Báo quá hạn lên cấp trên",
    "task.remind": "Nhắc hạn gửi hồ sơ lên cấp trên",
    "eligibility.confirm": "Xác nhận điều kiện khen thưởng",
    # process instances
    "instance.end": "Kết thúc quy trình",
    "instance.cancel": "Hủy quy trình",
    "instance.suspend": "Tạm dừng quy trình",
    "instance.resume": "Cho quy trình chạy tiếp",
    "instance.migrate": "Chuyển phiên bản quy trình",
    # decisions, records, exports
    "decision.issue": "Ban hành quyết định khen thưởng",
    "certificate_layout.edit": "Sửa bố cục phôi giấy khen",
    "records.import": "Nhập hồ sơ theo dõi",
    "records.add": "Thêm hồ sơ theo dõi",
    "export.nominees": "Xuất danh sách người được đề nghị",
    "audit.export": "Xuất nhật ký kiểm toán",
    "audit.verify_request": "Yêu cầu kiểm tra toàn vẹn nhật ký",
    "audit.verify": "Kết quả kiểm tra toàn vẹn nhật ký",
    # passwords
    "user.password_change": "Đổi mật khẩu",
    "user.password_reset": "Đặt lại mật khẩu",
}


# What each audit event's object type (service/models/audit_codes.py OBJECT_TYPES) is called in the UI.
AUDIT_OBJECT_TYPE_LABELS: dict[str, str] = {
    "user": "Tài khoản người dùng",
    "org_unit": "Đơn vị",
    "org_level": "Cấp hành chính",
    "campaign": "Phong trào",
    "process_version": "Phiên bản quy trình",
    "dossier": "Hồ sơ",
    "generated_document": "Văn bản được tạo",
    "human_task": "Việc cần xử lý",
    "process_instance": "Quy trình của hồ sơ",
    "decision": "Quyết định",
    "records": "Hồ sơ theo dõi",
    "audit": "Nhật ký kiểm toán",
}


def audit_object_type_label(object_type: str) -> str:
    """The object type's Vietnamese label, or its code when it has none."""
    return AUDIT_OBJECT_TYPE_LABELS.get(object_type, object_type)


def audit_action_label(action: str) -> str:
    """The action's Vietnamese label, or its code when it has none (a newer action is still shown as something)."""
    return AUDIT_ACTION_LABELS.get(action, action)


DETAIL_VALUE_MAX = 80  # characters of one value shown in the events table; the full JSON stays one click away
CHANGED_VALUE_MAX = 240  # a changed value is shown longer: the change is what the auditor looks for

# The keys events record, in words (source strings of the i18n layer); a key not here is shown as recorded.
DETAIL_KEY_LABELS: dict[str, str] = {
    "status": "Trạng thái", "decision": "Quyết định", "step": "Bước", "comment": "Ghi chú", "reason": "Lý do",
    "claimed_by": "Người nhận xử lý", "assignee": "Người được giao", "dossier_id": "Hồ sơ", "unit_id": "Đơn vị",
    "unit": "Đơn vị", "parent_id": "Đơn vị cấp trên", "role": "Vai trò", "level": "Cấp", "name": "Tên",
    "full_name": "Họ tên", "username": "Tên đăng nhập", "version": "Phiên bản", "title": "Tiêu đề", "kind": "Loại",
    "effective": "Hiệu lực từ", "valid_to": "Hiệu lực đến", "rows": "Số dòng", "summary": "Tóm tắt",
    "award": "Hình thức khen", "nominee": "Người được đề nghị", "document_id": "Tài liệu",
    "nominees": "Người được đề nghị", "nominee_id": "Người được đề nghị", "council": "Hội đồng",
    "filename": "Tên tệp", "size": "Cỡ tệp (byte)", "user_id": "Tài khoản", "units": "Đơn vị",
    "children_moved": "Đơn vị con chuyển sang", "routed_dossiers": "Hồ sơ còn đi qua cấp này",
    "released_tasks": "Việc trả lại cho nhóm", "roles_ended": "Vai trò chấm dứt", "into_name": "Sáp nhập vào",
    "after_reset": "Sau khi được đặt lại", "api_tokens_revoked": "Mã truy cập API bị thu hồi",
    "must_change_password": "Phải đổi mật khẩu",
    "deadline": "Hạn gửi về", "notified": "Người được nhắc",
}
# Coded values of those keys, in words: a dossier's or a process's status, a decision, a level.
DETAIL_VALUE_WORDS: dict[str, dict[str, str]] = {
    "status": {"draft": "Đang lập", "in_review": "Đang xét duyệt", "returned": "Trả lại bổ sung",
               "granted": "Được khen thưởng", "rejected": "Không được khen thưởng", "withdrawn": "Đơn vị đã rút",
               "cancelled": "Đã hủy", "running": "Đang chạy", "suspended": "Tạm dừng", "completed": "Đã kết thúc"},
    "decision": {"approve": "Đồng ý", "return": "Trả lại bổ sung", "reject": "Không đồng ý", "submit": "Nộp hồ sơ",
                 "withdraw": "Rút hồ sơ"},
    "level": {"unit": "đơn vị", "ward": "phường/xã", "district": "quận/huyện", "province": "tỉnh/thành phố"},
}


def detail_key_label(key: str) -> str:
    """A recorded key in words (to translate with `_`), or the key itself when it has none."""
    return DETAIL_KEY_LABELS.get(key, key)


def detail_value_words(key: str, value: str) -> str:
    """A recorded value in words where its key's values are codes (a status, a decision, a level)."""
    return DETAIL_VALUE_WORDS.get(key, {}).get(value, value)


def readable_changes(before: str | None, after: str | None) -> list[tuple[str, str, str]] | None:
    """For an event that recorded both a before and an after object: each key whose value changed, as (key, value
    before, value after), in the after's order then the keys it dropped; keys that stayed the same are left out (a
    campaign's whole file recorded twice shows only what was edited). None when the event did not record both, or
    they share no key."""
    try:
        old, new = json.loads(before or "null"), json.loads(after or "null")
    except ValueError:
        return None
    if not isinstance(old, dict) or not isinstance(new, dict) or not old.keys() & new.keys():
        return None  # not two states of the same thing (an upload's "before" is the dossier's status): as recorded
    keys = [*new, *(key for key in old if key not in new)]
    return [(str(key), _shown(key, old.get(key)), _shown(key, new.get(key)))
            for key in keys if old.get(key) != new.get(key)]  # fmt: skip


def _shown(key: str, value: Any) -> str:
    text = detail_value_words(key, value) if isinstance(value, str) else _plain(value)
    return text if len(text) <= CHANGED_VALUE_MAX else text[: CHANGED_VALUE_MAX - 1] + "…"


def readable_details(stored: str | None) -> list[tuple[str, str]]:
    """An event's before/after JSON as short `key: value` pairs for people to read (no braces or quotes): a list
    is its items joined by commas, a nested object its `key=value` pairs, a long value cut with "…". Text that is
    no JSON object is one pair with an empty key."""
    if not stored:
        return []
    try:
        data = json.loads(stored)
    except ValueError:
        return [("", _cut(stored))]
    if not isinstance(data, dict):
        return [("", _cut(_plain(data)))]
    return [(str(key), _cut(detail_value_words(key, value) if isinstance(value, str) else _plain(value)))
            for key, value in data.items()]  # fmt: skip


def _plain(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value) if value else "—"
    if isinstance(value, dict):
        return ", ".join(f"{key}={_plain(item)}" for key, item in value.items()) if value else "—"
    return str(value)


def _cut(text: str) -> str:
    return text if len(text) <= DETAIL_VALUE_MAX else text[: DETAIL_VALUE_MAX - 1] + "…"
