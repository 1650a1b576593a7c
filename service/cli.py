"""The `thidua` command: init, demo, users, serve, bpmn validate|deploy, timers, bench."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from .config import Config
from .db import make_engine, make_session_factory, session_scope, upgrade_schema
from .domain.actors import Actor
from .errors import DomainError
from .storage import FileStore

REPO_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_BPMN = sorted((REPO_ROOT / "bpmn").glob("*.bpmn"))


def _factory(config: Config):  # type: ignore[no-untyped-def]
    return make_session_factory(make_engine(config.database_url))


@contextmanager
def _one_transaction(config: Config) -> Iterator[Session]:
    """A session in one transaction on the configured database, whose connections are closed after (a command run
    inside another process, as the tests run them, leaves no connection open behind it)."""
    engine = make_engine(config.database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


@click.group(help="Thi đua: quy trình xét duyệt hồ sơ khen thưởng (BPMN + SpiffWorkflow).")
def main() -> None:
    """Entry point of the console script."""


@main.command(help="Tạo/cập nhật lược đồ CSDL và triển khai các quy trình BPMN có sẵn (chạy lại không sao).")
def init() -> None:
    from .operations.definitions import deploy_shipped

    config = Config.from_env()
    upgrade_schema(config.database_url)
    with session_scope(_factory(config)) as session:
        for path in SHIPPED_BPMN:  # a file the installation has had already is left alone (an admin's edits stay)
            result = deploy_shipped(session, Actor(None, "thidua init"), path.read_bytes(), filename=path.name,
                                    comment="Quy trình mặc định đi kèm sản phẩm")  # fmt: skip
            active = f"; đang dùng phiên bản {result.active.version}" if result.active else ""
            if result.refusal is not None:
                click.echo(f"{path.name}: không triển khai ({result.refusal.message}){active}", err=True)
            elif result.created:
                click.echo(f"{path.name}: phiên bản {result.version.version} (đã triển khai)")
            elif result.active is not None and result.version is not None and result.active.id != result.version.id:
                click.echo(f"{path.name}: đã có (phiên bản {result.version.version}){active}, do quản trị viên sửa")
            else:
                click.echo(f"{path.name}: phiên bản {result.version.version} (không đổi)")
    click.echo(f"CSDL: {config.database_url}")


@main.command(help="Nạp dữ liệu mẫu: cây đơn vị của ba kế hoạch mẫu, người dùng theo vai trò, hồ sơ mẫu. Ngày tháng "
                   "của các kế hoạch được dời để diễn tập từ hôm nay; CSDL đã có dữ liệu mẫu thì giữ nguyên.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", default=None,
              help="Diễn tập như thể hôm nay là ngày này (mặc định: hôm nay theo giờ Việt Nam).")
@click.option("--plan-dates", is_flag=True, help="Giữ ngày tháng của kế hoạch gốc (hồ sơ mẫu lập năm 2024, 2015).")
def demo(as_of: str | None, plan_dates: bool) -> None:
    from datetime import UTC, date, datetime

    from .domain.deadlines import local_date
    from .operations.demo import demo_campaign_dates, load_demo

    config = Config.from_env()
    now = datetime.now(UTC)
    try:
        today = date.fromisoformat(as_of) if as_of else local_date(now)
    except ValueError:
        raise click.BadParameter(f"'{as_of}' không phải ngày dạng YYYY-MM-DD.", param_hint="--as-of") from None
    with session_scope(_factory(config)) as session:
        store = FileStore(config.upload_dir)
        if plan_dates:
            logins = load_demo(session, config.demo_password, store)
        else:  # a rehearsal staged now, or at 08:00 of another day given
            moment = now if today == local_date(now) else None
            logins = load_demo(session, config.demo_password, store, today, now=moment)
        dates = demo_campaign_dates(session)
    click.echo("Tài khoản mẫu (mật khẩu: biến THIDUA_DEMO_PASSWORD, mặc định 'demo'):")
    for login in logins:
        click.echo(f"  {login.username:<28} {login.role:<18} {login.unit}")
    click.echo("Phong trào mẫu (hạn đầu tiên: hạn nhận hồ sơ của cấp đầu tiên, hoặc ngày kết thúc phong trào):")
    for found in dates:
        moved = f"dời {found.shift_days} ngày so với kế hoạch gốc" if found.shift_days else "ngày của kế hoạch gốc"
        closing = f"{found.closing_day:%d/%m/%Y}" if found.closing_day else "không có hạn"
        click.echo(f"  {found.code:<14} {closing} ({moved})")
    closed = [found for found in dates if found.closing_day and found.closing_day < today]
    if closed:
        names = ", ".join(f"{found.code} ({found.closing_day:%d/%m/%Y})" for found in closed)
        click.echo(f"Lưu ý: phong trào mẫu đã quá hạn: {names}; hồ sơ nộp hay trình lên có thể bị từ chối. "
                   "Muốn dựng lại dữ liệu mẫu theo ngày hôm nay: xóa thư mục instance/ (hoặc THIDUA_INSTANCE_DIR), "
                   "hay dùng một CSDL trống cho DATABASE_URL, rồi chạy lại 'make run'.", err=True)  # fmt: skip


@main.command("reset-password", help="Đặt lại mật khẩu của một tài khoản (hỏi mật khẩu tạm hai lần, không hiện ra màn "
                                       "hình); người đó phải đặt mật khẩu mới ở lần đăng nhập sau.")
@click.argument("username")
def reset_password(username: str) -> None:
    from datetime import UTC, datetime

    from .errors import DomainError
    from .operations.users import reset_password_at_console

    password = click.prompt("Mật khẩu tạm", hide_input=True)
    repeated = click.prompt("Nhập lại", hide_input=True)
    config = Config.from_env()
    try:
        with session_scope(_factory(config)) as session:
            reset_password_at_console(session, datetime.now(UTC), username, password=password, repeated=repeated)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Đã đặt lại mật khẩu của {username}; người đó phải đặt mật khẩu mới ở lần đăng nhập sau.")


@main.command(help="Liệt kê người dùng và vai trò.")
@click.option("--json", "as_json", is_flag=True, help="In dạng JSON.")
def users(as_json: bool) -> None:
    from .models import OrgUnit, RoleAssignment, User

    with session_scope(_factory(Config.from_env())) as session:
        rows = session.execute(
            select(User.username, User.full_name, User.is_active, RoleAssignment.role, OrgUnit.code, OrgUnit.name)
            .join(RoleAssignment, RoleAssignment.user_id == User.id, isouter=True)
            .join(OrgUnit, RoleAssignment.org_unit_id == OrgUnit.id, isouter=True)
            .order_by(User.username)
        ).all()
    people: dict[str, dict[str, object]] = {}
    for username, full_name, active, role, code, name in rows:
        entry = people.setdefault(username, {"username": username, "full_name": full_name, "active": active, "roles": []})
        if role:
            entry["roles"].append({"role": role, "unit_code": code, "unit": name})  # type: ignore[union-attr]
    if as_json:
        click.echo(json.dumps(list(people.values()), ensure_ascii=False, indent=2))
        return
    for person in people.values():
        roles = ", ".join(f"{r['role']}@{r['unit_code']}" for r in person["roles"])  # type: ignore[union-attr]
        click.echo(f"{person['username']:<28} {person['full_name']}  [{roles}]")


@main.command(help="Chạy máy chủ web (một tiến trình nhiều luồng; --workers N: gunicorn với N tiến trình).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=0, show_default=True, type=click.IntRange(0, 64),
              help="Số tiến trình gunicorn; 0 = một tiến trình waitress.")
@click.option("--threads", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Với --workers: số luồng mỗi tiến trình; 1 = mỗi tiến trình xử lý lần lượt từng yêu cầu.")
def serve(host: str, port: int, workers: int, threads: int) -> None:
    click.echo(f"Thi đua đang chạy tại http://{host}:{port}/ (Ctrl+C để dừng)")
    click.echo("Đăng nhập bằng một tài khoản mẫu, ví dụ hn-hd-pl.office_clerk / demo (xem 'thidua users').")
    if workers:
        os.execvp(sys.executable, gunicorn_command(host, port, workers, threads))
    from waitress import serve as waitress_serve

    from .app_factory import build_app
    from .startup_objects import freeze_startup_objects

    # waitress accepts at most 100 connections by default; a browser keeps a couple open per official,
    # so a busy ward office would see requests hang with no error. Allow far more idle keep-alives.
    app = build_app()
    freeze_startup_objects()  # see service/startup_objects.py
    waitress_serve(app, host=host, port=port, threads=8, connection_limit=1000, ident="thidua")


def gunicorn_command(host: str, port: int, workers: int, threads: int) -> list[str]:
    """The gunicorn command line of `thidua serve --workers N --threads T`.

    gunicorn forks N processes; each builds its own app (and database pool) from the factory, and its hooks
    (service/gunicorn_config.py) freeze the start-up objects once it has. With one thread (the default) each
    process is gunicorn's sync worker: one request at a time, the connection closed after each response.
    The app is CPU-bound (Python, then a short wait for PostgreSQL), so threads in one process only queue
    for its GIL: on 2 cores, 2 workers, 8 clients completing tasks on PostgreSQL, one thread gave 276–306
    completions/s at 4.6–5.0 ms of worker CPU each, four threads 218–244/s at 5.5–5.7 ms (2026-12-06).
    For more requests at once add workers (about two per core), and keep a reverse proxy in front (it
    holds the browsers' keep-alive connections and buffers slow clients). No request time limit
    (`--timeout 0`): an audit trail export streams for as long as the trail is long. Python runs with -P: `-m`
    would otherwise put the current directory first on the import path, and started from a directory holding
    another copy of the code (an old release, a checkout) the workers would import that copy's `service`."""
    command = [sys.executable, "-P", "-m", "gunicorn", "-c", "python:service.gunicorn_config", "--workers", str(workers),
               "--threads", str(threads), "--bind", f"{host}:{port}", "--access-logfile", "-"]  # fmt: skip
    if threads == 1:
        command += ["--worker-class", "sync", "--timeout", "0"]
    return [*command, "service.app_factory:build_app()"]


@main.group(help="Kiểm tra và triển khai tệp BPMN.")
def bpmn() -> None:
    """BPMN commands."""


@bpmn.command("validate", help="Kiểm tra một tệp BPMN (cú pháp, lược đồ, quy ước của Thi đua).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def bpmn_validate(file: Path) -> None:
    from .operations.definitions import check_definition

    try:
        definition = check_definition(file.read_bytes(), file.name)
    except DomainError as exc:
        click.echo(exc.message, err=True)
        sys.exit(1)
    click.echo(f"{file.name}: hợp lệ — quy trình '{definition.process_id}', {len(definition.steps)} bước, "
               f"các cấp: {' → '.join(definition.levels)}")  # fmt: skip


@bpmn.command("deploy", help="Triển khai một tệp BPMN thành phiên bản mới đang dùng.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--comment", default=None, help="Ghi chú cho phiên bản.")
def bpmn_deploy(file: Path, comment: str | None) -> None:
    from .operations.definitions import deploy_definition

    try:
        with session_scope(_factory(Config.from_env())) as session:
            result = deploy_definition(session, Actor(None, "thidua bpmn deploy"), file.read_bytes(),
                                       filename=file.name, comment=comment)  # fmt: skip
            version, created = result.version.version, result.created
    except DomainError as exc:
        click.echo(exc.message, err=True)
        sys.exit(1)
    click.echo(f"{file.name}: phiên bản {version} {'đã triển khai' if created else 'trùng phiên bản đang dùng, không đổi'}")


@bpmn.command("migrate", help="Chuyển các hồ sơ đang chạy từ phiên bản A sang B (mặc định chỉ chạy thử).")
@click.argument("from_version", type=int)
@click.argument("to_version", type=int)
@click.option("--apply", "apply_", is_flag=True, help="Chuyển thật (không có: chỉ liệt kê hồ sơ nào chuyển được và vì sao).")
def bpmn_migrate(from_version: int, to_version: int, apply_: bool) -> None:
    from workflows import Engine

    from .operations.migrations import migrate_instances

    try:
        with session_scope(_factory(Config.from_env())) as session:
            lines = migrate_instances(session, Actor(None, "thidua bpmn migrate"), Engine(), from_version, to_version,
                                      dry_run=not apply_)  # fmt: skip
    except DomainError as exc:
        click.echo(exc.message, err=True)
        sys.exit(1)
    for line in lines:
        state = "đã chuyển" if line.moved else ("chuyển được" if line.can_migrate else "không chuyển được")
        click.echo(f"hồ sơ {line.dossier_id}: {state}" + (f" — {'; '.join(line.reasons)}" if line.reasons else ""))
    click.echo(f"{sum(l.can_migrate for l in lines)}/{len(lines)} hồ sơ chuyển được" + ("" if apply_ else " (chạy thử)"))


@main.group(help="Hẹn giờ của quy trình (báo quá hạn).")
def timers() -> None:
    """Timer commands."""


@timers.command("fire", help="Chạy các hẹn giờ đã đến hạn một lần.")
def timers_fire() -> None:
    from workflows import Engine

    from .operations.timers import fire_due_timers

    with _one_transaction(Config.from_env()) as session:
        run = fire_due_timers(session, Engine())
    click.echo(f"{run.instances} quy trình được xử lý, {run.escalations} việc được báo quá hạn")


@timers.command("remind", help="Nhắc một lần những người giữ việc sắp đến hạn gửi hồ sơ lên cấp trên "
                               "(trong số ngày THIDUA_REMINDER_DAYS, mặc định 3, hoặc --days).")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Nhắc các việc có hạn gửi lên cấp trên trong số ngày này (mặc định THIDUA_REMINDER_DAYS).")
def timers_remind(days: int | None) -> None:
    from workflows import Engine

    from .operations.reminders import send_forward_reminders

    config = Config.from_env()
    with _one_transaction(config) as session:
        run = send_forward_reminders(session, Engine().clock.now(), config.reminder_days if days is None else days)
    click.echo(f"{run.tasks} việc được nhắc hạn gửi lên cấp trên, {run.notices} thông báo")


@main.group(help="Hàng đợi việc nền (do 'thidua worker' chạy).")
def jobs() -> None:
    """Job queue commands."""


@jobs.command("status", help="Số việc nền theo trạng thái.")
def jobs_status() -> None:
    from sqlalchemy import func, select

    from .models import Job

    with session_scope(_factory(Config.from_env())) as session:
        counts = dict(session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
    for status in ("queued", "running", "done", "failed"):
        click.echo(f"{status:<8} {counts.get(status, 0)}")


@jobs.command("render-report", help="Xếp việc tạo báo cáo tổng kết (PDF) của một phong trào cho 'thidua worker'.")
@click.argument("campaign_code")
def jobs_render_report(campaign_code: str) -> None:
    from sqlalchemy import select

    from .models import Campaign
    from .operations.job_kinds import request_document

    with session_scope(_factory(Config.from_env())) as session:
        if session.scalar(select(Campaign.id).where(Campaign.code == campaign_code)) is None:
            click.echo(f"Không có phong trào '{campaign_code}'.", err=True)
            sys.exit(1)
        job_id = request_document(session, None, "report", campaign_code=campaign_code)
    click.echo(f"Đã xếp việc {job_id}: báo cáo tổng kết {campaign_code}")


@main.command(help="Đo hiệu năng: hồ sơ đi hết chuỗi tới tỉnh qua tầng dịch vụ, so với SpiffWorkflow thuần.")
@click.option("--dossiers", default=50, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--json", "as_json", is_flag=True, help="In một đối tượng JSON.")
@click.option("--database-url", default=None, help="Mặc định: một tệp SQLite tạm.")
@click.option("--audit-events", default=0, type=click.IntRange(0, 10_000_000),
              help="Thay vào đó: điền N sự kiện nhật ký rồi đo trang kiểm toán (p50/p95).")
@click.option("--province", is_flag=True, help="Quy mô tỉnh: sinh cây đơn vị, chạy hồ sơ hết chuỗi, "
              "đo hộp việc với 1 triệu dòng việc và trang nhật ký với 1 triệu sự kiện; ghi report.json + report.svg.")
@click.option("--scale", type=click.Choice(["tiny", "province"]), default="province", show_default=True,
              help="Với --province: 'tiny' để thử nhanh, 'province' = 1 tỉnh, 10 huyện, 100 xã, 2.000 đơn vị.")
@click.option("--province-dossiers", type=click.IntRange(1, 1_000_000), default=None,
              help="Với --province: số hồ sơ (mặc định theo --scale: 20.000).")
@click.option("--task-rows", type=click.IntRange(0, 100_000_000), default=None, help="Với --province: số dòng việc.")
@click.option("--province-audit-events", type=click.IntRange(0, 100_000_000), default=None,
              help="Với --province: số sự kiện nhật ký.")
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("bench-report"),
              show_default=True, help="Với --province: thư mục ghi report.json và report.svg.")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Với --province: số tiến trình chạy hồ sơ song song (mỗi tiến trình một phần hồ sơ).")
@click.option("--progress/--no-progress", default=None, help="Thanh tiến độ trên stderr (mặc định: khi là terminal).")
@click.option("--http", "over_http", is_flag=True, help="Đo một lượt duyệt qua HTTP thật tới máy chủ chạy thật "
              "(--dossiers = số lượt duyệt, --clients người dùng đồng thời, --workers tiến trình gunicorn).")
@click.option("--clients", default=1, show_default=True, type=click.IntRange(1, 256), help="Với --http.")
@click.option("--workers", default=0, show_default=True, type=click.IntRange(0, 64),
              help="Với --http: tiến trình gunicorn; 0 = một tiến trình waitress.")
def bench(dossiers: int, as_json: bool, database_url: str | None, audit_events: int, province: bool, scale: str,
          province_dossiers: int | None, task_rows: int | None, province_audit_events: int | None, report_dir: Path,
          processes: int, progress: bool | None, over_http: bool, clients: int, workers: int) -> None:  # fmt: skip
    from .benchmark import run_audit_benchmark, run_benchmark

    if over_http:
        from .bench_http import run_http_bench

        result = run_http_bench(dossiers, clients, workers, database_url, log=lambda line: click.echo(line, err=True))
        click.echo(json.dumps(result, ensure_ascii=False) if as_json else "\n".join(f"{k:<24} {v}" for k, v in result.items()))
        sys.exit(0 if result["ok"] else 1)

    if province:
        import dataclasses
        import tempfile

        from .bench_province import SCALES, run_province, terminal_progress

        chosen = SCALES[scale]
        chosen = dataclasses.replace(
            chosen, dossiers=province_dossiers or chosen.dossiers,
            task_rows=chosen.task_rows if task_rows is None else task_rows,
            audit_events=chosen.audit_events if province_audit_events is None else province_audit_events,
        )  # fmt: skip
        show = progress if progress is not None else sys.stderr.isatty()
        # the uploads (and the SQLite file when no --database-url) live only as long as the run
        with tempfile.TemporaryDirectory(prefix="thidua-bench-province-") as tmp:
            work = Path(tmp)
            url = database_url or f"sqlite:///{work / 'bench.sqlite3'}"
            try:
                data = run_province(chosen, url, report_dir, terminal_progress() if show else None,
                                    uploads=work / "uploads", command=" ".join(["thidua", *sys.argv[1:]]),
                                    processes=processes)  # fmt: skip
            except ValueError as exc:
                raise click.ClickException(str(exc)) from None
        click.echo(json.dumps(data, ensure_ascii=False) if as_json else
                   f"Báo cáo: {report_dir / 'report.json'} và {report_dir / 'report.svg'}")
        return

    if audit_events:
        result = run_audit_benchmark(audit_events, database_url)
        click.echo(json.dumps(result, ensure_ascii=False) if as_json else "\n".join(f"{k:<24} {v}" for k, v in result.items()))
        return

    def progress(done: int) -> None:
        if not as_json and (done % max(1, dossiers // 20) == 0 or done == dossiers):
            click.echo(f"\r  {done}/{dossiers} hồ sơ", nl=done == dossiers, err=True)

    report = run_benchmark(dossiers, database_url, progress)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
    else:
        for key, value in report.items():
            click.echo(f"{key:<32} {value}")


@main.command("loadtest", help="Thử tải qua HTTP thật: N cán bộ cùng lúc xử lý hộp việc; có giới hạn, tự dừng; "
                               "in p50/p95/p99 và số lỗi (mã thoát 1 nếu có lỗi hoặc việc chưa xong).")
@click.option("--users", default=100, show_default=True, type=click.IntRange(4, 2000), help="Số cán bộ đồng thời.")
@click.option("--dossiers-per-unit", default=2, show_default=True, type=click.IntRange(1, 1000))
@click.option("--duration", default=300.0, show_default=True, type=float, help="Giới hạn thời gian (giây).")
@click.option("--workers", default=0, show_default=True, type=click.IntRange(0, 64),
              help="Tiến trình gunicorn của máy chủ; 0 = một tiến trình waitress.")
@click.option("--database-url", default=None, help="CSDL trống để thử; mặc định một tệp SQLite tạm.")
def loadtest(users: int, dossiers_per_unit: int, duration: float, workers: int, database_url: str | None) -> None:
    from .loadtest import run_load

    report = run_load(users=users, dossiers_per_unit=dossiers_per_unit, duration=duration, workers=workers,
                      database_url=database_url, log=lambda line: click.echo(line, err=True))  # fmt: skip
    click.echo(json.dumps(report, ensure_ascii=False))
    sys.exit(0 if report["ok"] else 1)


@main.group(help="Nhật ký kiểm toán.")
def audit() -> None:
    """Audit commands."""


@audit.command("verify", help="Kiểm tra chuỗi mã băm của nhật ký (báo sự kiện đầu tiên bị sửa/xóa) và đối chiếu các "
                              "quyết định từng người với nhật ký; có sai lệch thì mã thoát 1.")
def audit_verify() -> None:
    from .operations.audit_verification import check_in_snapshot

    # The audit page's verification runs the same function (a worker's job): writers are not held up by the walk.
    check = check_in_snapshot(_factory(Config.from_env()))
    result, decisions = check.chain, check.decisions
    if not result.ok:
        click.echo(f"Chuỗi nhật ký bị phá vỡ tại sự kiện {result.first_broken_id}: {result.reason} "
                   f"(đã kiểm {result.checked} sự kiện trước đó).", err=True)  # fmt: skip
        sys.exit(1)
    click.echo(f"Chuỗi nhật ký nguyên vẹn: {result.checked} sự kiện.")
    assert decisions is not None
    older = (f"; {decisions.unrecorded_steps} bước xét trước khi nhật ký ghi quyết định từng người không đối chiếu được"
             if decisions.unrecorded_steps else "")
    if decisions.ok:
        click.echo(f"Quyết định từng người khớp nhật ký: {decisions.checked} quyết định{older}.")
        return
    click.echo(f"Quyết định từng người không khớp nhật ký: {decisions.disagreements} sai lệch trong "
               f"{decisions.checked} quyết định (bản ghi bị sửa {decisions.edited}, bị xóa {decisions.deleted}, "
               f"thêm {decisions.added}){older}.", err=True)  # fmt: skip
    for problem in decisions.problems:
        click.echo(f"  - {problem}", err=True)
    sys.exit(1)


@main.group(help="Phong trào thi đua (tệp YAML/JSON).")
def campaign() -> None:
    """Campaign commands."""


@campaign.command("list", help="Liệt kê các phong trào.")
def campaign_list() -> None:
    from .models import Campaign, OrgUnit

    with session_scope(_factory(Config.from_env())) as session:
        rows = session.execute(
            select(Campaign.code, Campaign.year, Campaign.title, OrgUnit.name)
            .join(OrgUnit, Campaign.issuing_unit_id == OrgUnit.id).order_by(Campaign.year, Campaign.code)
        ).all()  # fmt: skip
    for code, year, title, unit in rows:
        click.echo(f"{code:<16} {year}  {unit}: {title}")


@campaign.command("import", help="Nhập (tạo mới hoặc cập nhật) một phong trào từ tệp YAML/JSON.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def campaign_import(file: Path) -> None:
    from datetime import UTC, datetime

    from .operations.campaigns import import_campaign, read_campaign_file

    try:
        spec = read_campaign_file(file.read_text(encoding="utf-8"), file.name)
        with session_scope(_factory(Config.from_env())) as session:
            import_campaign(session, Actor(None, "thidua campaign import"), spec, datetime.now(UTC))
    except DomainError as exc:
        click.echo(exc.message, err=True)
        sys.exit(1)
    click.echo(f"{spec.code}: đã nhập ({len(spec.award_forms)} hình thức khen thưởng, {len(spec.rules)} quy định)")


@campaign.command("export", help="Xuất một phong trào ra YAML (nhập lại được).")
@click.argument("code")
def campaign_export(code: str) -> None:
    from .operations.campaigns import dump_campaign_yaml, export_campaign

    try:
        with session_scope(_factory(Config.from_env())) as session:
            data = export_campaign(session, code)
    except DomainError as exc:
        click.echo(exc.message, err=True)
        sys.exit(1)
    click.echo(dump_campaign_yaml(data), nl=False)


@main.command("backup", help="Sao lưu bản SQLite (trong lúc đang chạy) và các tệp đã tải lên vào một tệp .tar.gz.")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path) -> None:
    from .backup import backup

    config = Config.from_env()
    try:
        manifest = backup(config.database_url, config.upload_dir, target)
    except DomainError as exc:
        click.echo(exc.message, err=True)
        sys.exit(1)
    click.echo(f"Đã sao lưu vào {target}: cơ sở dữ liệu và {len(manifest['files'])} tệp.")  # type: ignore[arg-type]


@main.command("restore", help="Khôi phục từ bản sao lưu (kiểm tra mã băm trước), cập nhật lược đồ CSDL, "
                              "rồi kiểm tra chuỗi nhật ký.")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(source: Path) -> None:
    from .backup import restore
    from .operations.audit import verify_chain

    config = Config.from_env()
    try:
        manifest = restore(source, config.database_url, config.upload_dir)
    except DomainError as exc:
        click.echo(exc.message, err=True)
        sys.exit(1)
    # A backup taken before the newest migrations is brought up to date first, as `thidua init` would:
    # the service reads only the current schema (before 0018, SQLite held times as text).
    upgrade_schema(config.database_url)
    with session_scope(_factory(config)) as session:
        result = verify_chain(session)
    if not result.ok:
        click.echo(f"Đã khôi phục nhưng chuỗi nhật ký hỏng tại sự kiện {result.first_broken_id}.", err=True)
        sys.exit(1)
    click.echo(f"Đã khôi phục {len(manifest['files'])} tệp; chuỗi nhật ký nguyên vẹn ({result.checked} sự kiện).")  # type: ignore[arg-type]


@main.group(help="Kho tệp đã tải lên.")
def files() -> None:
    """File store commands."""


@files.command("gc", help="Xóa các tệp không thuộc tài liệu nào (do mất điện/treo máy giữa lúc tải lên), cũ hơn 10 phút.")
@click.option("--min-age", default=600, show_default=True, type=int, help="Chỉ xóa tệp cũ hơn số giây này.")
def files_gc(min_age: int) -> None:
    import time

    from .models import Document, GeneratedDocument
    from .storage import FileStore

    config = Config.from_env()
    with session_scope(_factory(config)) as session:
        referenced = set(session.scalars(select(Document.sha256))) | set(session.scalars(select(GeneratedDocument.sha256)))
    removed = FileStore(config.upload_dir).remove_unreferenced(referenced, time.time() - min_age)
    click.echo(f"Đã xóa {len(removed)} tệp không được dùng.")


@main.command(help="Chạy việc nền theo chu kỳ: mỗi lượt xử lý hẹn giờ đến hạn (báo quá hạn), rồi các việc trong "
                   "hàng đợi (gửi thư, thông báo, tạo văn bản PDF). Nhiều tiến trình chạy cùng lúc vẫn an toàn; "
                   "SIGTERM dừng sau khi xong việc đang làm.")
@click.option("--interval", default=30.0, show_default=True, type=float, help="Số giây giữa hai lượt.")
@click.option("--once", is_flag=True, help="Chạy một lượt (hết việc đến hạn) rồi thoát.")
@click.option("--lease", default=300.0, show_default=True, type=float,
              help="Số giây một việc được giữ; quá hạn (tiến trình chết) thì tiến trình khác nhận lại.")
def worker(interval: float, once: bool, lease: float) -> None:
    from .worker import run_worker

    run_worker(Config.from_env(), interval=interval, once=once, lease=lease, log=click.echo)
