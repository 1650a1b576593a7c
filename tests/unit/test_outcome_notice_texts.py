"""How a unit is told its dossier ended: the sentence (and e-mail subject) from its nominees' fates."""

from __future__ import annotations

from service.domain.notices import NomineeFate, notice_text, outcome_kind, outcome_notice

GK = "Giấy khen của Chủ tịch UBND phường Phú Lãm"
BK = "Bằng khen của Chủ tịch UBND thành phố Hà Nội"


def test_only_an_ended_grant_or_refusal_tells_the_unit():
    assert [outcome_kind(s) for s in ("granted", "rejected", "withdrawn", "cancelled", "in_review", "returned")] == [
        "granted", "not_granted", None, None, None, None]  # fmt: skip


def test_everyone_granted_names_each_award_and_whom_it_goes_to():
    fates = [NomineeFate("Nguyễn Văn A", True, GK, "ward"), NomineeFate("Trần Thị B", True, BK, "province"),
             NomineeFate("Lê Văn C", True, GK, "ward")]  # fmt: skip
    assert outcome_notice("granted", "Hồ sơ 2024", fates) == (
        f"Hồ sơ “Hồ sơ 2024” đã được khen thưởng: {GK} (Nguyễn Văn A, Lê Văn C); {BK} (Trần Thị B).",
        "[Thi đua] Hồ sơ được khen thưởng: Hồ sơ 2024")  # fmt: skip


def test_refused_at_one_level_for_one_reason_or_each_their_own():
    same = [NomineeFate("A", False, GK, "ward", "Thiếu minh chứng."), NomineeFate("B", False, BK, "ward", "Thiếu minh chứng.")]
    assert outcome_notice("not_granted", "T", same)[0] == "Hồ sơ “T” không được khen thưởng ở cấp phường/xã: Thiếu minh chứng."
    own = [NomineeFate("A", False, GK, "district", "Chưa tiêu biểu"), NomineeFate("B", False, BK, "district", None)]
    assert outcome_notice("not_granted", "T", own) == (
        "Hồ sơ “T” không được khen thưởng ở cấp quận/huyện: A — Chưa tiêu biểu; B.",
        "[Thi đua] Hồ sơ không được khen thưởng: T")  # fmt: skip
    levels = [NomineeFate("A", False, GK, "ward", "Không đạt tỷ lệ phiếu (1/5)"), NomineeFate("B", False, BK, "province")]
    assert outcome_notice("not_granted", "T", levels)[0] == (
        "Hồ sơ “T” không được khen thưởng: A (cấp phường/xã: Không đạt tỷ lệ phiếu (1/5)); B (cấp tỉnh/thành phố).")


def test_a_mix_is_a_grant_in_part_naming_both():
    fates = [NomineeFate("A", True, GK, "ward"), NomineeFate("B", False, BK, "district", "Đã khen năm trước")]
    assert outcome_notice("not_granted", "T", fates) == (
        f"Hồ sơ “T” được khen thưởng một phần. Được khen thưởng: {GK} (A). "
        "Không được khen thưởng: B (cấp quận/huyện: Đã khen năm trước).",
        "[Thi đua] Hồ sơ được khen thưởng một phần: T")  # fmt: skip


def test_without_fates_the_kind_alone_speaks():
    assert outcome_notice("granted", "T", []) == ("Hồ sơ “T” đã được khen thưởng.", "[Thi đua] Hồ sơ được khen thưởng: T")
    assert notice_text("not_granted", None, "T") == "Hồ sơ “T” không được khen thưởng."
