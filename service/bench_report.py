"""The benchmark chart: an SVG drawn by hand (no plotting library), readable offline in any browser.

Left: task completions per second over the run (one point per 1,000 dossiers) with the process memory.
Right: latency percentiles (p50/p95/p99) of one completion, the inbox, the whole inbox page and the
auditor's page, on a logarithmic scale, with the 50 ms targets drawn as a line.
"""

from __future__ import annotations

import math
from html import escape
from pathlib import Path
from typing import Any

W, H = 980, 420
PANEL_W, PANEL_H = 400, 300
COLOURS = {"p50_ms": "#4c78a8", "p95_ms": "#f58518", "p99_ms": "#e45756"}


def _text(x: float, y: float, content: str, size: int = 12, anchor: str = "start", weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'font-family="sans-serif">{escape(content)}</text>')


def _throughput_panel(windows: list[dict[str, Any]], x0: float, y0: float) -> list[str]:
    out = [f'<g id="throughput"><rect x="{x0}" y="{y0}" width="{PANEL_W}" height="{PANEL_H}" fill="none" stroke="#999"/>',
           _text(x0, y0 - 10, "Lượt duyệt/giây theo số hồ sơ đã chạy (và bộ nhớ MiB)", 13, weight="bold")]
    if windows:
        xs = [w["dossiers"] for w in windows]
        ys = [w["completions_per_s"] for w in windows]
        mem = [w["rss_mib"] for w in windows]
        x_max, y_max, m_max = max(xs) or 1, (max(ys) or 1) * 1.15, (max(mem) or 1) * 1.15

        def px(v: float) -> float:
            return x0 + PANEL_W * (v / x_max)

        def py(v: float, top: float) -> float:
            return y0 + PANEL_H - PANEL_H * (v / top)

        line = " ".join(f"{px(x):.1f},{py(y, y_max):.1f}" for x, y in zip(xs, ys))
        out.append(f'<polyline class="series" data-series="completions_per_s" points="{line}" fill="none" stroke="#4c78a8" stroke-width="2"/>')
        line = " ".join(f"{px(x):.1f},{py(m, m_max):.1f}" for x, m in zip(xs, mem))
        out.append(f'<polyline class="series" data-series="rss_mib" points="{line}" fill="none" stroke="#54a24b" stroke-dasharray="4 3"/>')
        for x, y in zip(xs, ys):
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y, y_max):.1f}" r="2.5" fill="#4c78a8"/>')
        out.append(_text(x0 - 4, y0 + 10, f"{y_max:.0f}/s", 10, "end"))
        out.append(_text(x0 + PANEL_W + 4, y0 + 10, f"{m_max:.0f} MiB", 10))
        out.append(_text(x0 + PANEL_W, y0 + PANEL_H + 16, f"{x_max} hồ sơ", 10, "end"))
    out.append("</g>")
    return out


def _latency_panel(groups: list[tuple[str, dict[str, float]]], x0: float, y0: float) -> list[str]:
    out = [f'<g id="latency"><rect x="{x0}" y="{y0}" width="{PANEL_W}" height="{PANEL_H}" fill="none" stroke="#999"/>',
           _text(x0, y0 - 10, "Độ trễ p50 / p95 / p99 (ms, thang log)", 13, weight="bold")]
    values = [v for _, g in groups for k, v in g.items() if k in COLOURS and v > 0]
    top = 10 ** math.ceil(math.log10(max(values + [100.0])))
    bottom = 0.1

    def py(v: float) -> float:
        v = max(v, bottom)
        return y0 + PANEL_H - PANEL_H * (math.log10(v / bottom) / math.log10(top / bottom))

    for tick in [t for t in (0.1, 1, 10, 100, 1000, 10000) if t <= top]:
        out.append(f'<line x1="{x0}" x2="{x0 + PANEL_W}" y1="{py(tick):.1f}" y2="{py(tick):.1f}" stroke="#eee"/>')
        out.append(_text(x0 - 4, py(tick) + 4, f"{tick:g}", 10, "end"))
    target = py(50)
    out.append(f'<line class="target" x1="{x0}" x2="{x0 + PANEL_W}" y1="{target:.1f}" y2="{target:.1f}" stroke="#e45756" stroke-dasharray="6 4"/>')
    out.append(_text(x0 + PANEL_W - 2, target - 4, "mục tiêu 50 ms", 10, "end"))
    slot = PANEL_W / max(1, len(groups))
    for index, (label, values_ms) in enumerate(groups):
        for offset, key in enumerate(COLOURS):
            value = values_ms.get(key, 0.0)
            x = x0 + slot * index + slot * 0.15 + offset * slot * 0.23
            y = py(value)
            out.append(f'<rect class="bar" data-group="{escape(label)}" data-key="{key}" data-value="{value}" '
                       f'x="{x:.1f}" y="{y:.1f}" width="{slot * 0.2:.1f}" height="{y0 + PANEL_H - y:.1f}" fill="{COLOURS[key]}"/>')
        out.append(_text(x0 + slot * (index + 0.5), y0 + PANEL_H + 16, label, 10, "middle"))
    for offset, key in enumerate(COLOURS):
        out.append(f'<rect x="{x0 + offset * 60}" y="{y0 + PANEL_H + 28}" width="10" height="10" fill="{COLOURS[key]}"/>')
        out.append(_text(x0 + offset * 60 + 14, y0 + PANEL_H + 37, key.replace("_ms", ""), 10))
    out.append("</g>")
    return out


def write_svg(report: dict[str, Any], path: Path) -> None:
    phases = report.get("phases", {})
    dossiers = phases.get("dossiers", {})
    groups: list[tuple[str, dict[str, float]]] = []
    if dossiers.get("task_completions"):
        groups.append(("duyệt 1 việc", {k.removeprefix("completion_"): v for k, v in dossiers.items()
                                        if k in ("completion_p50_ms", "completion_p95_ms", "completion_p99_ms")}))
    if "inbox" in phases:
        groups.append(("hộp việc", phases["inbox"]["inbox"]))
        groups.append(("trang hộp việc", phases["inbox"]["inbox_page"]))
        if "inbox_by_unit" in phases["inbox"]:  # reports written before it was measured have none
            groups.append(("theo đơn vị", phases["inbox"]["inbox_by_unit"]))
    if "audit" in phases:
        groups.append(("trang nhật ký", phases["audit"]["audit_page"]))
    title = (f"thidua bench --province — {report.get('database', '')}, {dossiers.get('dossiers', 0)} hồ sơ, "
             f"{dossiers.get('task_completions', 0)} lượt duyệt")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}">',
             '<rect width="100%" height="100%" fill="white"/>', _text(20, 24, title, 15, weight="bold")]
    parts += _throughput_panel(dossiers.get("windows", []), 60, 70)
    parts += _latency_panel(groups, 540, 70)
    parts.append("</svg>")
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(parts) + "\n", encoding="utf-8")
    tmp.replace(path)
