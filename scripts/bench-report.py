#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the BENCH lines of a `make bench` console log into a table, a JSON
file and an SVG chart (standard library only). See Documentation/bench.rst.

  bench-report.py CONSOLE_LOG --clock TEXT --out PREFIX

writes PREFIX.txt, PREFIX.json and PREFIX.svg and prints the table.
"""

import argparse
import json
import statistics
from xml.sax.saxutils import escape


def parse(path):
    runs, missing, order = {}, {}, []
    with open(path, errors="replace") as f:
        for line in f:
            # The console may put terminal noise before the first line.
            if "BENCH " not in line:
                continue
            line = line[line.index("BENCH "):]
            fields = line.strip().split(None, 5)
            if len(fields) < 5 or fields[0] != "BENCH":
                continue
            w = fields[1]
            if w not in order:
                order.append(w)
            if fields[4] == "n/a":
                missing[w] = line.strip().split(None, 5)[5] if len(fields) > 5 else "not available"
                continue
            rest = line.split()
            side, rnd, value = rest[2], int(rest[3]), int(rest[4])
            counters = rest[5:8] + [""] * (3 - len(rest[5:8]))

            def num(s):
                try:
                    return float(s)
                except ValueError:
                    return None

            runs.setdefault(w, {}).setdefault(side, []).append({
                "round": rnd,
                "ns_per_op": value,
                "task_clock_ms": num(counters[0]),
                "context_switches": num(counters[1]),
                "page_faults": num(counters[2]),
            })
    return order, runs, missing


def summary(samples):
    values = [s["ns_per_op"] for s in samples]
    med = statistics.median(values)
    spread = (max(values) - min(values)) / med * 100 if med else 0.0

    def med_of(key):
        xs = [s[key] for s in samples if s[key] is not None]
        return statistics.median(xs) if xs else None

    return {
        "median_ns_per_op": med,
        "spread_pct": spread,
        "task_clock_ms": med_of("task_clock_ms"),
        "context_switches": med_of("context_switches"),
        "page_faults": med_of("page_faults"),
    }


def fmt(x, digits=0):
    return "-" if x is None else f"{x:,.{digits}f}"


def svg(rows, clock, path):
    bar_h, gap, left, width = 22, 8, 170, 520
    top = 60
    height = top + len(rows) * (bar_h + gap) + 50
    ratios = [r["ratio"] for r in rows if r["ratio"] is not None]
    scale_max = max([2.0] + [x * 1.1 for x in ratios])
    x_of = lambda v: left + v / scale_max * width  # noqa: E731
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 90}" height="{height}" '
        'font-family="sans-serif" font-size="12">',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="10" y="20" font-size="15" font-weight="bold">ripc / native time per operation '
        '(lower is better; 1.0 = same as Linux)</text>',
        f'<text x="10" y="40">{escape(clock)}; median of the rounds</text>',
    ]
    for i, r in enumerate(rows):
        y = top + i * (bar_h + gap)
        out.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end">{escape(r["workload"])}</text>')
        if r["ratio"] is None:
            out.append(f'<text x="{left + 4}" y="{y + 15}" fill="#777">{escape(r["note"])}</text>')
            continue
        colour = "#3a7d44" if r["ratio"] <= 1.0 else "#d9822b" if r["ratio"] <= 1.10 else "#c0392b"
        out.append(f'<rect x="{left}" y="{y}" width="{x_of(r["ratio"]) - left:.1f}" height="{bar_h}" '
                   f'fill="{colour}"/>')
        out.append(f'<text x="{x_of(r["ratio"]) + 4:.1f}" y="{y + 15}">{r["ratio"]:.2f}</text>')
    axis_y = top + len(rows) * (bar_h + gap)
    for v in (0.5, 1.0, 1.5, 2.0, 3.0, 4.0):
        if v > scale_max:
            break
        x = x_of(v)
        dash = "" if v == 1.0 else ' stroke-dasharray="3,3"'
        out.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{axis_y}" stroke="#333"{dash}/>')
        out.append(f'<text x="{x:.1f}" y="{axis_y + 16}" text-anchor="middle">{v:.1f}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--clock", default="TCG -icount shift=0,sleep=off: instruction-based guest time")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    order, runs, missing = parse(args.log)
    if not order:
        raise SystemExit(f"no BENCH lines in {args.log}")
    rows = []
    for w in order:
        if w in missing or "native" not in runs.get(w, {}) or "ripc" not in runs.get(w, {}):
            rows.append({"workload": w, "ratio": None,
                         "note": missing.get(w, "not available: a side did not run")})
            continue
        nat, rip = summary(runs[w]["native"]), summary(runs[w]["ripc"])
        rows.append({
            "workload": w,
            "native": nat,
            "ripc": rip,
            "ratio": rip["median_ns_per_op"] / nat["median_ns_per_op"],
            "rounds": len(runs[w]["ripc"]),
            "runs": runs[w],
        })

    unit = "ns/op (pipe_bench: ns/MB)"
    lines = [
        f"ripc vs native, {args.clock}.",
        f"Figures: median {unit} over the rounds; spread = (max - min) / median of each side;",
        "perf stat software counters (medians): task-clock ms, context switches, page faults.",
        "",
        f"{'workload':<18} {'native':>10} {'ripc':>10} {'ratio':>6} {'spread n/r':>12}"
        f"  {'task-clock n/r ms':>18} {'ctx-sw n/r':>15} {'faults n/r':>11}",
    ]
    for r in rows:
        if r["ratio"] is None:
            lines.append(f"{r['workload']:<18} {'n/a':>10} {'n/a':>10} {'n/a':>6}  {r['note']}")
            continue
        n, p = r["native"], r["ripc"]
        lines.append(
            f"{r['workload']:<18} {fmt(n['median_ns_per_op']):>10} {fmt(p['median_ns_per_op']):>10} "
            f"{r['ratio']:>6.2f} {n['spread_pct']:>5.1f}%/{p['spread_pct']:>4.1f}%"
            f"  {fmt(n['task_clock_ms'], 1):>8}/{fmt(p['task_clock_ms'], 1):>9}"
            f" {fmt(n['context_switches']):>7}/{fmt(p['context_switches']):>7}"
            f" {fmt(n['page_faults']):>5}/{fmt(p['page_faults']):>5}")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    with open(args.out + ".txt", "w") as f:
        f.write(text)
    with open(args.out + ".json", "w") as f:
        json.dump({"clock": args.clock, "unit": unit, "workloads": rows}, f, indent=1)
        f.write("\n")
    svg(rows, args.clock, args.out + ".svg")


if __name__ == "__main__":
    main()
