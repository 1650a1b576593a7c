"""`thidua reset-password USERNAME` resets a password from the server's console (an only admin who forgot theirs
has no other way back): the user must choose a new one at the next sign-in; audited with no actor."""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import create_engine, text

from service.cli import main


def test_the_console_resets_a_password_and_the_user_must_change_it(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'reset.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("THIDUA_INSTANCE_DIR", str(tmp_path))
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    assert runner.invoke(main, ["demo", "--plan-dates"]).exit_code == 0
    engine = create_engine(url)
    with engine.connect() as conn:
        before = conn.execute(text("SELECT password_hash FROM user_account WHERE username = 'admin'")).scalar()
    mismatch = runner.invoke(main, ["reset-password", "admin"], input="tam-thoi-2026\nkhac-han-2026\n")
    assert mismatch.exit_code == 1 and "Error" in mismatch.output
    unknown = runner.invoke(main, ["reset-password", "khong-co-ai"], input="tam-thoi-2026\ntam-thoi-2026\n")
    assert unknown.exit_code == 1 and "khong-co-ai" in unknown.output
    done = runner.invoke(main, ["reset-password", "ADMIN"], input="tam-thoi-2026\ntam-thoi-2026\n")
    assert done.exit_code == 0, done.output
    assert "tam-thoi-2026" not in done.output  # typed without being shown
    with engine.connect() as conn:
        row = conn.execute(text("SELECT password_hash, must_change_password FROM user_account "
                                "WHERE username = 'admin'")).one()  # fmt: skip
        after = conn.execute(text("SELECT actor_id, after_json FROM audit_event ORDER BY id DESC LIMIT 1")).one()
    assert row[0] != before and bool(row[1])
    assert after[0] is None and json.loads(after[1])["channel"] == "cli" and "tam-thoi" not in after[1]
    engine.dispose()
