"""A withdrawal needs a reason, as a return and a rejection do: one domain rule for the task page, the dossier page
and the API (complete_task calls it)."""

from __future__ import annotations

import pytest

from service.domain.dossier_status import DECISIONS_NEEDING_REASON, require_reason
from service.errors import InvalidInput


@pytest.mark.parametrize("blank", [None, "", "  \n\t "])
def test_a_withdrawal_without_a_reason_is_refused(blank: str | None) -> None:
    with pytest.raises(InvalidInput) as refused:
        require_reason("withdraw", blank)
    assert refused.value.message == "Phải ghi rõ lý do khi rút hồ sơ."


def test_a_withdrawal_with_a_reason_keeps_it_cleaned_and_the_api_says_it_is_required() -> None:
    assert require_reason("withdraw", "  Không đề nghị nữa ") == "Không đề nghị nữa"
    assert "withdraw" in DECISIONS_NEEDING_REASON
    assert require_reason("submit", "") is None
