"""The campaign dashboard's quota lines in the reader's language (the rule's description stays as typed)."""

from __future__ import annotations

import re

from tests.web.conftest import Auth


def test_dashboard_quota_lines_read_in_english(client, auth: Auth):  # type: ignore[no-untyped-def]
    auth.login("hn-hd-pl.chairman")
    english = client.get("/campaigns/PL-CCHC-2024/dashboard?lang=en").get_data(as_text=True)
    line = re.search(r'data-rule="PL-TAP-THE">([^<]*)</li>', english).group(1)
    assert "collective: 0/5 (at least 3)" in line and "tập thể: 0/5" not in line
    vietnamese = client.get("/campaigns/PL-CCHC-2024/dashboard?lang=vi").get_data(as_text=True)
    assert "tập thể: 0/5 (tối thiểu 3)" in vietnamese
