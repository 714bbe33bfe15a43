#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the BENCH, ENTRY, CLIENT and REACH lines of a `make bench` console
log into tables, a JSON file and SVG charts (standard library only). See
Documentation/bench.rst.

  bench-report.py CONSOLE_LOG --clock TEXT --out PREFIX
  bench-report.py CONSOLE_LOG --clock TEXT --scale --out PREFIX

The first writes PREFIX.txt (the workloads, the entry cost and the real
clients), PREFIX.json, PREFIX.svg (the workloads) and PREFIX-clients.svg
(stress-ng); the second reads the SCALE lines of a BENCH_SCALE=1 run and
writes PREFIX.txt, PREFIX.json and PREFIX.svg (one panel per case, log N).
Both print the tables.
"""

import math

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

            runs.setdefault(w, {}).setdefault(side, []).append({
                "round": rnd,
                "ns_per_op": value,
                "task_clock_ms": num(counters[0]),
                "context_switches": num(counters[1]),
                "page_faults": num(counters[2]),
            })
    return order, runs, missing


def lines_of(path, tag):
    """The whitespace-split fields of every line starting with TAG."""
    out = []
    with open(path, errors="replace") as f:
        for line in f:
            if tag + " " not in line:
                continue
            line = line[line.index(tag + " "):]
            fields = line.split()
            if fields[0] == tag:
                out.append(fields)
    return out


def num(s):
    try:
        return float(s)
    except ValueError:
        return None


def spread_of(values):
    med = statistics.median(values)
    return (max(values) - min(values)) / med * 100 if med else 0.0


def parse_entry(path):
    """ENTRY <name> <side> <round> <ns>: {"name side": [ns, ...]}."""
    entry = {}
    for f in lines_of(path, "ENTRY"):
        if len(f) >= 5 and num(f[4]) is not None:
            entry.setdefault(f"{f[1]} {f[2]}", []).append(num(f[4]))
    return {k: {"median_ns": statistics.median(v), "spread_pct": spread_of(v), "values": v}
            for k, v in entry.items()}


def parse_clients(path):
    """CLIENT and REACH lines: the stressors in order, their runs, notes."""
    order, runs, notes, reach = [], {}, {}, {}
    for f in lines_of(path, "CLIENT"):
        if len(f) < 5:
            continue
        s = f[1]
        if s not in order:
            order.append(s)
        if f[4] == "n/a":
            notes[s] = " ".join(f[5:]) or "not available"
            continue
        if f[4] == "failed" or num(f[4]) is None:
            notes.setdefault(s, f"a run failed ({' '.join(f[2:])})")
            continue
        runs.setdefault(s, {}).setdefault(f[2], []).append({
            "round": int(f[3]), "bogo_ops_per_s": num(f[4]),
            "bogo_ops": num(f[5]) if len(f) > 5 else None,
            "usr_s": num(f[6]) if len(f) > 6 else None,
            "sys_s": num(f[7]) if len(f) > 7 else None,
        })
    info = {}
    for f in lines_of(path, "CLIENTINFO"):
        if len(f) >= 5:
            info.setdefault(f[3], {}).setdefault(f[1], []).append(" ".join(f[4:]))
    for f in lines_of(path, "REACH"):
        if len(f) >= 5:
            reach.setdefault(f[1], {})[f[2]] = {
                "linux_objects": int(f[3]), "ripc_objects": int(f[4]), "detail": " ".join(f[5:])}
    return order, runs, notes, reach, info


# Calls into the kernel's IPC per operation of each SysV and POSIX queue
# workload (both processes together): what the entry difference is taken
# out of. "sysv" calls are ioctls on /dev/ripc, "mq" ones on the queue's file.
CALLS_PER_OP = {
    "msg-pingpong": ("sysv", 4),
    "msg-stream": ("sysv", 2),
    "mq-pingpong": ("mq", 4),
    "mq-stream": ("mq", 2),
    "sem-pingpong": ("sysv", 4),
    "sem-uncontended": ("sysv", 2),
}


def entry_difference(entry):
    """ns a ripc call pays on entry beyond a system call: {"sysv": , "mq": }."""
    def med(k):
        return entry[k]["median_ns"] if k in entry else None
    null = med("null-syscall native")
    out = {}
    if null is not None and med("ioctl-ripc native") is not None:
        out["sysv"] = med("ioctl-ripc native") - null
    if null is not None and med("ioctl-mq ripc") is not None:
        out["mq"] = med("ioctl-mq ripc") - null
    return out


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


def svg(rows, clock, path, title="ripc / native time per operation (lower is better; 1.0 = same as Linux)"):
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
        f'<text x="10" y="20" font-size="15" font-weight="bold">{escape(title)}</text>',
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
    last_x = -100.0
    for v in (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 10.0, 15.0, 20.0, 30.0, 50.0, 100.0):
        if v > scale_max:
            break
        x = x_of(v)
        if x - last_x < 28:
            continue
        last_x = x
        dash = "" if v == 1.0 else ' stroke-dasharray="3,3"'
        out.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{axis_y}" stroke="#333"{dash}/>')
        out.append(f'<text x="{x:.1f}" y="{axis_y + 16}" text-anchor="middle">{v:.1f}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


SCALE_CASES = {
    "msg-fifo": "SysV msgsnd + msgrcv(type 0), N messages queued",
    "msg-typed": "SysV msgsnd + msgrcv(type 1) behind N messages of type 2",
    "mq-depth": "POSIX mq_send + mq_receive, N messages queued, 32 priorities",
    "semget-key": "semget() by key among N semaphore sets",
    "msgget-key": "msgget() by key among N queues",
    "semop-among": "semop P + V on one of N semaphore sets",
    "msgsnd-among": "msgsnd + msgrcv on one of N queues",
    "sem-wake": "semop V waking one of N sleepers on one semaphore, and back",
    "shmat-among": "shmat + shmdt with N segments attached",
    "pipe-poll": "pipe write waking N threads in poll(), one reads and answers",
}


def parse_scale(path):
    """SCALE <case> <N> <side> <round> <ns|n/a|failed> ...: cases in order."""
    order, data, notes = [], {}, {}
    for f in lines_of(path, "SCALE"):
        if len(f) < 6:
            continue
        c, n, side = f[1], int(f[2]), f[3]
        if c not in order:
            order.append(c)
        if num(f[5]) is None:
            notes[(c, n, side)] = " ".join(f[5:])
            continue
        data.setdefault(c, {}).setdefault(n, {}).setdefault(side, []).append(num(f[5]))
    return order, data, notes


def scale_svg(cases, clock, path):
    """One panel per case: ns per op against N, both on log scales."""
    cols, pw, ph = 2, 400, 230
    ml, mr, mt, mb = 60, 28, 34, 36
    top = 64
    rows_n = (len(cases) + cols - 1) // cols
    width, height = cols * pw, top + rows_n * ph + 10
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="11">',
        '<rect width="100%" height="100%" fill="white"/>',
        '<text x="10" y="20" font-size="15" font-weight="bold">Cost of one operation against N '
        '(ns, log scales; lower is better)</text>',
        f'<text x="10" y="38">{escape(clock)}; median of the rounds</text>',
        '<line x1="10" y1="52" x2="30" y2="52" stroke="#1f77b4" stroke-width="2"/>'
        '<text x="34" y="56">Linux</text>',
        '<line x1="90" y1="52" x2="110" y2="52" stroke="#d62728" stroke-width="2"/>'
        '<text x="114" y="56">ripc</text>',
    ]
    for i, case in enumerate(cases):
        ox, oy = (i % cols) * pw, top + (i // cols) * ph
        x0, x1, y0, y1 = ox + ml, ox + pw - mr, oy + ph - mb, oy + mt
        pts = case["points"]
        ns = [p["n"] for p in pts]
        vals = [p[s]["median_ns"] for p in pts for s in ("native", "ripc") if p.get(s)]
        out.append(f'<text x="{ox + 10}" y="{oy + 14}" font-weight="bold">{escape(case["case"])}</text>')
        out.append(f'<text x="{ox + 10}" y="{oy + 27}" fill="#555">{escape(case["description"])}</text>')
        out.append(f'<rect x="{x0}" y="{y1}" width="{x1 - x0}" height="{y0 - y1}" fill="none" stroke="#999"/>')
        if not vals:
            out.append(f'<text x="{x0 + 10}" y="{(y0 + y1) / 2}">no data</text>')
            continue
        lx0, lx1 = 0.0, max(1.0, math.log10(max(ns)))
        ly0 = math.floor(math.log10(min(vals)))
        ly1 = max(ly0 + 1, math.ceil(math.log10(max(vals))))

        def xy(n, v):
            x = x0 + (math.log10(n) - lx0) / (lx1 - lx0) * (x1 - x0)
            y = y0 - (math.log10(v) - ly0) / (ly1 - ly0) * (y0 - y1)
            return x, y
        for d in range(int(ly0), int(ly1) + 1):
            _, y = xy(1, 10 ** d)
            out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x1}" y2="{y:.1f}" stroke="#ddd"/>')
            label = f"{10 ** d:,}" if d < 6 else f"1e{d}"
            out.append(f'<text x="{x0 - 4}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
        for n in ns:
            x, _ = xy(n, 10 ** ly0)
            out.append(f'<line x1="{x:.1f}" y1="{y0}" x2="{x:.1f}" y2="{y0 + 4}" stroke="#333"/>')
            out.append(f'<text x="{x:.1f}" y="{y0 + 16}" text-anchor="middle">{n}</text>')
        out.append(f'<text x="{(x0 + x1) / 2}" y="{y0 + 30}" text-anchor="middle" fill="#555">N</text>')
        for side, colour in (("native", "#1f77b4"), ("ripc", "#d62728")):
            coords = [xy(p["n"], p[side]["median_ns"]) for p in pts if p.get(side)]
            if not coords:
                continue
            path_d = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            out.append(f'<polyline points="{path_d}" fill="none" stroke="{colour}" stroke-width="2"/>')
            for x, y in coords:
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def scale_report(args):
    order, data, notes = parse_scale(args.log)
    if not order:
        raise SystemExit(f"no SCALE lines in {args.log}")
    cases, lines = [], [
        f"Scaling: ripc vs native, {args.clock}.",
        "ns per operation (median of the rounds) at each N; ratio = ripc / native;",
        "xN1 = the cost at N over the cost at the smallest N, per side (how it grows).",
    ]
    for c in order:
        points = []
        for n in sorted(set(list(data.get(c, {}).keys()) + [k[1] for k in notes if k[0] == c])):
            pt = {"n": n}
            for side in ("native", "ripc"):
                vals = data.get(c, {}).get(n, {}).get(side)
                if vals:
                    pt[side] = {"median_ns": statistics.median(vals), "spread_pct": spread_of(vals),
                                "values": vals}
                elif (c, n, side) in notes:
                    pt[side + "_note"] = notes[(c, n, side)]
            if pt.get("native") and pt.get("ripc"):
                pt["ratio"] = pt["ripc"]["median_ns"] / pt["native"]["median_ns"]
            points.append(pt)
        cases.append({"case": c, "description": SCALE_CASES.get(c, ""), "points": points})
        lines += ["", f"{c}: {SCALE_CASES.get(c, '')}",
                  f"{'N':>7} {'native':>12} {'ripc':>12} {'ratio':>7} {'native xN1':>11} {'ripc xN1':>9}"
                  f" {'spread n/r':>13}"]
        base = {s: next((p[s]["median_ns"] for p in points if p.get(s)), None) for s in ("native", "ripc")}
        for p in points:
            if not (p.get("native") and p.get("ripc")):
                note = p.get("native_note") or p.get("ripc_note") or "a side did not run"
                lines.append(f"{p['n']:>7} {'n/a':>12} {'n/a':>12}  {note}")
                continue
            nv, rv = p["native"]["median_ns"], p["ripc"]["median_ns"]
            lines.append(
                f"{p['n']:>7} {nv:>12,.0f} {rv:>12,.0f} {p['ratio']:>7.2f} {nv / base['native']:>11.2f}"
                f" {rv / base['ripc']:>9.2f} {p['native']['spread_pct']:>5.1f}%/{p['ripc']['spread_pct']:>5.1f}%")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    with open(args.out + ".txt", "w") as f:
        f.write(text)
    with open(args.out + ".json", "w") as f:
        json.dump({"clock": args.clock, "unit": "ns per operation", "cases": cases}, f, indent=1)
        f.write("\n")
    scale_svg([c for c in cases if any(p.get("native") or p.get("ripc") for p in c["points"])],
              args.clock, args.out + ".svg")


def fmt_ops(x):
    return "-" if x is None else f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


def clients_report(path, clock, prefix):
    """The real-clients table lines, JSON rows, and PREFIX-clients.svg."""
    order, runs, notes, reach, info = parse_clients(path)
    if not order:
        return [], []
    rows, chart = [], []
    for st in order:
        r = runs.get(st, {})
        row = {"stressor": st, "reach": reach.get(st, {}), "stress_ng_metrics": info.get(st, {})}
        rp = reach.get(st, {}).get("ripc")
        if rp is None:
            row["reaches_ripc"] = None
        else:
            row["reaches_ripc"] = rp["linux_objects"] == 0 and rp["ripc_objects"] > 0
        if st in notes or "native" not in r or "ripc" not in r:
            row["note"] = notes.get(st, "a side did not run")
            row["ratio"] = None
        else:
            for side in ("native", "ripc"):
                vals = [x["bogo_ops_per_s"] for x in r[side]]
                row[side] = {
                    "median_bogo_ops_per_s": statistics.median(vals),
                    "spread_pct": spread_of(vals),
                    "usr_s": statistics.median([x["usr_s"] for x in r[side] if x["usr_s"] is not None] or [0]),
                    "sys_s": statistics.median([x["sys_s"] for x in r[side] if x["sys_s"] is not None] or [0]),
                    "runs": r[side],
                }
            # Time per bogo op, ripc over native: > 1 is ripc slower.
            row["ratio"] = row["native"]["median_bogo_ops_per_s"] / row["ripc"]["median_bogo_ops_per_s"]
            row["rounds"] = len(r["ripc"])
        rows.append(row)
        chart.append({"workload": "stress-ng --" + st, "ratio": row["ratio"],
                      "note": row.get("note", "")})
    lines = [
        "",
        "Real clients: Debian's stress-ng, unmodified, natively and through libripc-preload.so.",
        "bogo ops/s (real time, median of the rounds); ratio = native / ripc bogo ops/s, that is",
        "ripc's time per bogo op over Linux's (> 1: ripc slower). usr/sys: seconds, medians.",
        "reach: what a snapshot half-way through the first ripc run found (Linux/ripc objects).",
        "",
        f"{'stressor':<10} {'native ops/s':>13} {'ripc ops/s':>12} {'ratio':>6} {'spread n/r':>13}"
        f"  {'usr+sys n':>10} {'usr+sys r':>10}  reach",
    ]
    for row in rows:
        rp = row["reach"].get("ripc")
        reach_txt = "-" if rp is None else (
            ("ripc only" if row["reaches_ripc"] else "NOT ONLY RIPC") + ":" + rp["detail"].replace(" ", ","))
        if row["ratio"] is None:
            lines.append(f"{row['stressor']:<10} {'n/a':>13} {'n/a':>12} {'n/a':>6}  {row['note']}")
            continue
        n, p = row["native"], row["ripc"]
        lines.append(
            f"{row['stressor']:<10} {fmt_ops(n['median_bogo_ops_per_s']):>13} "
            f"{fmt_ops(p['median_bogo_ops_per_s']):>12} {row['ratio']:>6.2f} "
            f"{n['spread_pct']:>5.1f}%/{p['spread_pct']:>5.1f}%"
            f"  {n['usr_s']:>4.2f}+{n['sys_s']:<4.2f} {p['usr_s']:>4.2f}+{p['sys_s']:<4.2f}  {reach_txt}")
    svg(chart, clock, prefix + "-clients.svg",
        title="stress-ng: ripc / native time per bogo op (lower is better; 1.0 = same as Linux)")
    return lines, rows


def main_report(args):
    order, runs, missing = parse(args.log)
    if not order:
        raise SystemExit(f"no BENCH lines in {args.log}")
    entry = parse_entry(args.log)
    delta = entry_difference(entry)
    rows = []
    for w in order:
        if w in missing or "native" not in runs.get(w, {}) or "ripc" not in runs.get(w, {}):
            rows.append({"workload": w, "ratio": None,
                         "note": missing.get(w, "not available: a side did not run")})
            continue
        nat, rip = summary(runs[w]["native"]), summary(runs[w]["ripc"])
        row = {
            "workload": w,
            "native": nat,
            "ripc": rip,
            "ratio": rip["median_ns_per_op"] / nat["median_ns_per_op"],
            "rounds": len(runs[w]["ripc"]),
            "runs": runs[w],
        }
        kind = CALLS_PER_OP.get(w)
        if kind and kind[0] in delta:
            row["calls_per_op"] = kind[1]
            row["entry_difference_ns"] = delta[kind[0]]
            row["body_ratio"] = (rip["median_ns_per_op"] - kind[1] * delta[kind[0]]) / nat["median_ns_per_op"]
        rows.append(row)

    unit = "ns/op (pipe_bench: ns/MB)"
    lines = [
        f"ripc vs native, {args.clock}.",
        f"Figures: median {unit} over the rounds; spread = (max - min) / median of each side;",
        "perf stat software counters (medians): task-clock ms, context switches, page faults.",
        "body: the ratio once the entry difference of each call (see below) is taken out of ripc's",
        "time: (ripc - calls_per_op * (ripc entry - system call entry)) / native.",
        "",
        f"{'workload':<18} {'native':>10} {'ripc':>10} {'ratio':>6} {'body':>5} {'spread n/r':>12}"
        f"  {'task-clock n/r ms':>18} {'ctx-sw n/r':>15} {'faults n/r':>11}",
    ]
    for r in rows:
        if r["ratio"] is None:
            lines.append(f"{r['workload']:<18} {'n/a':>10} {'n/a':>10} {'n/a':>6}  {r['note']}")
            continue
        n, p = r["native"], r["ripc"]
        body = f"{r['body_ratio']:>5.2f}" if "body_ratio" in r else f"{'':>5}"
        lines.append(
            f"{r['workload']:<18} {fmt(n['median_ns_per_op']):>10} {fmt(p['median_ns_per_op']):>10} "
            f"{r['ratio']:>6.2f} {body} {n['spread_pct']:>5.1f}%/{p['spread_pct']:>4.1f}%"
            f"  {fmt(n['task_clock_ms'], 1):>8}/{fmt(p['task_clock_ms'], 1):>9}"
            f" {fmt(n['context_switches']):>7}/{fmt(p['context_switches']):>7}"
            f" {fmt(n['page_faults']):>5}/{fmt(p['page_faults']):>5}")
    if entry:
        names = {
            "null-syscall native": "null system call (getppid)",
            "ioctl-devnull native": "ioctl ENOTTY on /dev/null",
            "ioctl-ripc native": "ioctl ENOTTY on /dev/ripc",
            "ioctl-mq native": "ioctl ENOTTY on a Linux mqueue fd",
            "ioctl-mq ripc": "ioctl ENOTTY on a ripc queue file",
        }
        lines += ["", "Entry cost, ns per call (median; spread):"]
        for k, label in names.items():
            if k in entry:
                lines.append(f"  {label:<36} {entry[k]['median_ns']:>7,.0f}  {entry[k]['spread_pct']:>5.1f}%")
        for kind, label in (("sysv", "SysV call (ioctl on /dev/ripc)"), ("mq", "queue call (ioctl on its file)")):
            if kind in delta:
                lines.append(f"  entry difference, {label}: {delta[kind]:,.0f} ns per call")
    client_lines, client_rows = clients_report(args.log, args.clock, args.out)
    lines += client_lines
    text = "\n".join(lines) + "\n"
    print(text, end="")
    with open(args.out + ".txt", "w") as f:
        f.write(text)
    with open(args.out + ".json", "w") as f:
        json.dump({"clock": args.clock, "unit": unit, "workloads": rows, "entry": entry,
                   "entry_difference_ns": delta, "clients": client_rows}, f, indent=1)
        f.write("\n")
    svg(rows, args.clock, args.out + ".svg")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--clock", default="TCG -icount shift=0,sleep=off: instruction-based guest time")
    ap.add_argument("--out", required=True)
    ap.add_argument("--scale", action="store_true", help="the SCALE lines of a BENCH_SCALE=1 run")
    args = ap.parse_args()
    if args.scale:
        scale_report(args)
    else:
        main_report(args)


if __name__ == "__main__":
    main()
