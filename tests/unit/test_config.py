"""Config.from_env: environment variables win, defaults live under the instance folder, the secret is kept."""

from __future__ import annotations

import dataclasses
import stat
import threading
from pathlib import Path

import pytest

from service.config import Config


def test_defaults_live_under_the_instance_folder(tmp_path: Path):
    config = Config.from_env({}, instance_dir=tmp_path / "instance")
    assert config.database_url == f"sqlite:///{tmp_path / 'instance' / 'thidua.sqlite3'}"
    assert config.upload_dir == tmp_path / "instance" / "uploads"
    assert (config.demo_password, config.timezone, config.proxy_hops) == ("demo", "Asia/Ho_Chi_Minh", 0)


def test_generated_secret_is_stored_private_and_reused(tmp_path: Path):
    first = Config.from_env({}, instance_dir=tmp_path)
    second = Config.from_env({}, instance_dir=tmp_path)
    key_file = tmp_path / "secret_key"
    assert len(first.secret_key) == 64 and first.secret_key == second.secret_key
    assert key_file.read_text(encoding="utf-8") == first.secret_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no draft file left behind


def test_servers_starting_together_agree_on_one_secret(tmp_path: Path):
    keys: list[str] = []
    barrier = threading.Barrier(8)

    def start() -> None:
        barrier.wait()
        keys.append(Config.from_env({}, instance_dir=tmp_path).secret_key)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1 and keys[0] == (tmp_path / "secret_key").read_text("utf-8")


def test_environment_overrides_every_default(tmp_path: Path):
    env = {
        "DATABASE_URL": "postgresql+psycopg://thidua@db.example:5432/thidua",
        "THIDUA_SECRET_KEY": "khóa-bí-mật",
        "THIDUA_DEMO_PASSWORD": "mật-khẩu",
        "THIDUA_UPLOAD_DIR": str(tmp_path / "shared-uploads"),
        "THIDUA_PROXY_HOPS": "1",
        "THIDUA_SLOW_REQUEST_MS": "250",
    }
    config = Config.from_env(env, instance_dir=tmp_path / "instance")
    assert config.database_url == "postgresql+psycopg://thidua@db.example:5432/thidua"
    assert (config.secret_key, config.demo_password, config.proxy_hops) == ("khóa-bí-mật", "mật-khẩu", 1)
    assert config.upload_dir == tmp_path / "shared-uploads" and config.slow_request_ms == 250
    assert not (tmp_path / "instance").exists()  # a given secret writes no key file


def test_instance_dir_from_the_environment(tmp_path: Path):
    config = Config.from_env({"THIDUA_INSTANCE_DIR": str(tmp_path / "elsewhere")}, instance_dir=tmp_path / "ignored")
    assert config.database_url == f"sqlite:///{tmp_path / 'elsewhere' / 'thidua.sqlite3'}"
    assert (tmp_path / "elsewhere" / "secret_key").exists()


def test_empty_variables_mean_the_default(tmp_path: Path):
    env = {"DATABASE_URL": "", "THIDUA_DEMO_PASSWORD": "", "THIDUA_PROXY_HOPS": ""}
    config = Config.from_env(env, instance_dir=tmp_path)
    assert config.database_url.startswith("sqlite:///") and config.demo_password == "demo"
    assert config.proxy_hops == 0 and config.slow_request_ms == 1000


@pytest.mark.parametrize("value", ["-1", "một", "1.5", "²"])
def test_bad_proxy_hops_is_named_in_the_error(tmp_path: Path, value: str):
    with pytest.raises(ValueError, match="THIDUA_PROXY_HOPS must be a whole number"):
        Config.from_env({"THIDUA_PROXY_HOPS": value, "THIDUA_SECRET_KEY": "x"}, instance_dir=tmp_path)


def test_config_is_frozen_and_for_tests_stays_in_its_folder(tmp_path: Path):
    config = Config.for_tests("sqlite:///:memory:", tmp_path)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.secret_key = "x"  # type: ignore[misc]
    assert config.upload_dir == tmp_path / "uploads" and config.secret_key.startswith("test-")
    assert config.with_database("sqlite:///other.db").database_url == "sqlite:///other.db"
    assert list(tmp_path.iterdir()) == []
