"""Property-based: whatever a clerk types into a new dossier, the answer is a dossier or a clear refusal."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from service.errors import DomainError
from service.models import OrgUnit
from service.operations.accounts import actor_for
from service.operations.dossiers import NomineeInput, create_dossier
from workflows import Engine, FixedClock

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
NOMINEE = st.builds(
    NomineeInput,
    kind=st.sampled_from(["individual", "collective", "", "tập thể", "x" * 40]),
    full_name=TEXT,
    award_form_code=st.sampled_from(["GK-XA", "GK-HUYEN", "BK-TINH", "", "KHÔNG-CÓ", "gk-xa"]),
    position=st.one_of(st.none(), TEXT),
    summary=st.one_of(st.none(), TEXT),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=TEXT, nominees=st.lists(NOMINEE, max_size=4), campaign=st.sampled_from(["TEST-PL-ALL", "PL-CCHC-2024", "NOPE"]))
def test_any_dossier_input_gives_a_dossier_or_a_domain_error(db_url, title, nominees, campaign):
    from service.db import make_engine, make_session_factory

    engine = make_engine(db_url)
    with make_session_factory(engine)() as session:
        session.begin()
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "HN-HD-PL-TP"))
        try:
            dossier = create_dossier(session, actor_for(session, "hn-hd-pl-tp.unit_clerk"), Engine(FixedClock()),
                                     campaign_code=campaign, unit_id=unit.id, title=title, nominees=nominees)  # fmt: skip
        except DomainError as exc:
            assert exc.message.strip()
        else:
            assert dossier.title == dossier.title.strip() and dossier.title
        finally:
            session.rollback()
    engine.dispose()
