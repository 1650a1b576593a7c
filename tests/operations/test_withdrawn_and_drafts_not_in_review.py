"""A draft is not yet a proposal, and a withdrawn or cancelled dossier's nominees are no longer under review: the
dashboard, the dossier's nominees and the báo cáo tổng kết say so."""

from __future__ import annotations

from sqlalchemy import select

from service.models import Campaign, Nominee
from service.operations.accounts import actor_for
from service.operations.dossiers import NomineeInput, cancel_dossier
from service.operations.official_documents import generate_report
from service.queries.dashboard import campaign_dashboard
from service.queries.dossier_view import dossier_view
from service.storage import FileStore
from tests.conftest import FILES
from workflows import Engine, FixedClock

from .helpers import act, open_task
from .test_official_documents import text_of
from .test_quotas_enforced import lodge

CODE = "TEST-PL-ALL"


def one(factory, engine: Engine, unit: str, name: str, award: str = "GK-XA") -> int:  # type: ignore[no-untyped-def]
    return lodge(factory, engine, unit, CODE, [NomineeInput("individual", name, award)])


def campaign_of_every_kind(factory, engine: Engine) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """One dossier in each state: a draft never submitted, one withdrawn after a return, one cancelled, one in
    review and one granted by the ward."""
    ids = {"draft": one(factory, engine, "HN-HD-PL-TP", "Người Chưa Nộp"),
           "withdrawn": one(factory, engine, "HN-HD-PL-TP", "Người Đã Rút"),
           "cancelled": one(factory, engine, "HN-HD-PL-VH", "Người Bị Hủy"),
           "in_review": one(factory, engine, "HN-HD-PL-VH", "Người Đang Xét"),
           "granted": one(factory, engine, "HN-HD-PL-TC", "Người Được Khen")}  # fmt: skip
    act(factory, engine, ids["withdrawn"])  # submitted,
    act(factory, engine, ids["withdrawn"], "return", "Thiếu biên bản họp bình xét")  # returned by the ward office,
    act(factory, engine, ids["withdrawn"], "withdraw", "Không đề nghị nữa")  # and withdrawn by the unit
    act(factory, engine, ids["cancelled"])
    with factory() as session, session.begin():
        cancel_dossier(session, actor_for(session, "admin"), engine, ids["cancelled"], "Đơn vị nộp nhầm phong trào")
    act(factory, engine, ids["in_review"])
    for _ in range(4):
        act(factory, engine, ids["granted"])  # submit, office, council, the ward chairman grants
    assert open_task(factory, ids["granted"]) is None and open_task(factory, ids["withdrawn"]) is None
    return ids


def test_the_dashboard_counts_only_submitted_running_nominees_as_under_review(factory):
    engine = Engine(FixedClock())
    campaign_of_every_kind(factory, engine)
    with factory() as session:
        campaign = session.scalar(select(Campaign).where(Campaign.code == CODE))
        board = campaign_dashboard(session, campaign, engine.clock.now())
    assert dict(board.totals) == {"draft": 1, "withdrawn": 1, "cancelled": 1, "in_review": 1, "granted": 1}
    assert dict(board.nominee_totals) == {"draft": 1, "withdrawn": 1, "cancelled": 1, "travelling": 1, "granted_ward": 1}


def test_a_withdrawn_or_cancelled_dossiers_nominees_are_not_under_review(factory):
    engine = Engine(FixedClock())
    ids = campaign_of_every_kind(factory, engine)
    with factory() as session:
        states = {}
        for which, dossier_id in ids.items():
            view = dossier_view(session, engine, dossier_id)
            ((nominee, _),) = view.nominees
            states[which] = view.nominee_states[nominee.id]
        stored = dict(session.execute(select(Nominee.full_name, Nominee.outcome)).all())
    assert states == {"draft": "draft", "withdrawn": "withdrawn", "cancelled": "cancelled", "in_review": "travelling",
                      "granted": "granted_ward"}  # fmt: skip
    # A withdrawal decides nothing about the nominees: no outcome is written, the dossier's status says it.
    assert stored["Người Đã Rút"] is None and stored["Người Bị Hủy"] is None


def test_the_report_counts_submitted_dossiers_and_sets_drafts_and_withdrawals_apart(factory):
    engine = Engine(FixedClock())
    campaign_of_every_kind(factory, engine)
    with factory() as session, session.begin():
        text = text_of(generate_report(session, actor_for(session, "hn-hd-pl.chairman"), FileStore(FILES),
                                       engine.clock.now(), CODE))  # fmt: skip
    assert "Tổng số hồ sơ đề nghị khen thưởng: 2; tổng số tập thể, cá nhân được đề nghị: 2." in text
    assert "Kết quả: khen cấp phường/xã: 1; đang xét: 1." in text
    assert "Không tính: 1 hồ sơ đang lập; 1 hồ sơ đơn vị đã rút; 1 hồ sơ đã hủy." in text
    # A unit whose only dossiers are a draft and a withdrawn one proposed nothing: it has no line in the table.
    assert "Bộ phận Tư pháp - Hộ tịch" not in text and "Bộ phận Văn hóa - Thông tin" in text
