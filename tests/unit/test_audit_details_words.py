"""An audit event's recorded details for people: keys and coded values in words, and for an event that recorded
a before and an after, only what changed."""

from __future__ import annotations

import json

from service.domain.audit_labels import detail_key_label, readable_changes, readable_details


def test_only_the_changed_keys_of_a_before_and_after_are_shown_in_words():
    before = json.dumps({"status": "in_review", "title": "Hồ sơ A", "nominees": ["X", "Y"], "gone": 1})
    after = json.dumps({"status": "granted", "title": "Hồ sơ A", "nominees": ["X", "Y", "Z"]})
    assert readable_changes(before, after) == [
        ("status", "Đang xét duyệt", "Được khen thưởng"), ("nominees", "X, Y", "X, Y, Z"), ("gone", "1", "—")]


def test_a_long_campaign_file_shows_the_edited_line_whole():
    text = "Kế hoạch " + "rất dài " * 20
    changes = readable_changes(json.dumps({"file": text + "cũ"}), json.dumps({"file": text + "mới"}))
    assert changes == [("file", text + "cũ", text + "mới")]  # 170 characters: not cut at 80


def test_events_without_both_objects_keep_their_key_value_list():
    assert readable_changes(None, json.dumps({"status": "granted"})) is None
    assert readable_changes(json.dumps(["a"]), json.dumps({"a": 1})) is None
    assert readable_details(json.dumps({"decision": "return", "level": "district", "step": "x"})) == [
        ("decision", "Trả lại bổ sung"), ("level", "quận/huyện"), ("step", "x")]
    assert detail_key_label("claimed_by") == "Người nhận xử lý" and detail_key_label("something_new") == "something_new"



def test_a_before_and_after_of_different_things_are_not_a_change():
    # An upload records the dossier's status before and the document after: nothing to compare.
    assert readable_changes(json.dumps({"status": "draft"}), json.dumps({"document_id": 7})) is None
