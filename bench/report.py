"""Combine the parts written by bench/pages.py and bench/pdf.py into bench/results/latest.{json,md}
(and a timestamped copy), with the targets marked met or missed."""

import argparse
import datetime
import json
import os
import platform
import subprocess
from pathlib import Path

PAGES = [
    "role_matrix",
    "directory",
    "swot_board",
    "portfolio",
    "region_dashboard",
    "programme_dashboard",
    "session_timeline",
]
TARGETS = {
    "ratio": 0.6,  # each page >= 0.6x its reference's throughput
    "p95_ms": 300,  # p95 at 8 connections with the largest data set
    "pdf_ratio": 1.2,  # app render <= 1.2x bare WeasyPrint
    "latency_s": 1.5,  # 5-page memorandum ready after signing, idle worker
    "pdfs_per_s": 4,  # two worker processes
}


def mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return ""


def calibration() -> float:
    """µs per `sum(range(1000))`, as in the feasibility notes: how fast the machine was at the time."""
    import timeit

    return min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6


def build(pages: dict, pdf: dict) -> tuple[dict, str]:
    sizes = sorted(pages.get("load", {}), key=int)
    largest = sizes[-1] if sizes else None
    lines = []
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines += [
        f"# Benchmark results ({now})",
        "",
        f"Commit `{git_commit()}`, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"calibration `sum(range(1000))` = {calibration():.1f} µs. gunicorn 2 sync workers, PostgreSQL "
        "(CONN_MAX_AGE=60), Redis cache, DEBUG off, wrk 1 thread. Pages of region scale-01 as its coordinator (the programme "
        "dashboard as the programme coordinator); each page is followed by the bare reference view "
        "(`/bench/ref/<rows>/`: one query, plain template, same rows) in the same run. Data: 40 regions × N "
        "organisations per region.",
        "",
    ]
    summary = {"pages": {}, "targets": {}}
    for size in sizes:
        load = pages["load"][size]
        queries = pages.get("queries", {}).get(size, {})
        tool = next(iter(load.values()))["page"].get("tool", "wrk")
        conns = "8"
        lines += [
            f"## Pages, {size} organisations per region ({tool}, {conns} connections)",
            "",
            "Each page is measured as a user's repeated views (served from the page cache while nothing "
            "it shows changed: `core.pagecache`) and rendered afresh (`Cache-Control: no-cache`, a hard reload).",
            "",
            "| page | rows | SQL render / stored | KB | req/s | p50 ms | p95 ms | fresh req/s | fresh p50 ms "
            "| fresh p95 ms | errors | ref req/s | ref p95 ms | ratio | fresh ratio |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name in PAGES:
            row, q = load[name], queries.get(name, {})
            p, fr, r = row["page"], row.get("fresh") or row["page"], row["reference"]
            errors = p["non_2xx"] + p["socket_errors"] + fr["non_2xx"] + fr["socket_errors"]
            lines.append(
                f"| {name} | {row['rows']} | {q.get('queries', '')} / {q.get('stored_queries', '')} | "
                f"{q.get('bytes', 0) / 1024:.0f} | {p['rps']:.1f} | {p['p50_ms']:.0f} | {p['p95_ms']:.0f} | "
                f"{fr['rps']:.1f} | {fr['p50_ms']:.0f} | {fr['p95_ms']:.0f} | {errors} | {r['rps']:.1f} | "
                f"{r['p95_ms']:.0f} | {row['ratio'] or 0:.2f} | {row.get('fresh_ratio') or 0:.2f} |"
            )
        lines.append("")
    # SQL queries per page across the data sizes.
    if pages.get("queries"):
        qsizes = sorted(pages["queries"], key=int)
        lines += [
            "## SQL queries per page by data size",
            "",
            "| page | " + " | ".join(f"{s} orgs" for s in qsizes) + " | constant |",
            "|---|" + "---:|" * len(qsizes) + "---|",
        ]
        for name in PAGES:
            counts = [pages["queries"][s][name]["queries"] for s in qsizes]
            constant = len(set(counts)) == 1
            summary["targets"][f"queries_constant.{name}"] = constant
            lines.append(f"| {name} | " + " | ".join(str(c) for c in counts) + f" | {mark(constant)} |")
        lines.append("")
    if largest:
        lines += [
            f"## Page targets at {largest} organisations per region",
            "",
            "| page | ratio ≥ 0.6 | p95 ≤ 300 ms | fresh ratio ≥ 0.6 | fresh p95 ≤ 300 ms | no errors |",
            "|---|---|---|---|---|---|",
        ]
        for name in PAGES:
            row = pages["load"][largest][name]
            fresh = row.get("fresh") or row["page"]
            ok_ratio = (row["ratio"] or 0) >= TARGETS["ratio"]
            ok_p95 = row["page"]["requests"] > 0 and row["page"]["p95_ms"] <= TARGETS["p95_ms"]
            ok_fresh_ratio = (row.get("fresh_ratio") or 0) >= TARGETS["ratio"]
            ok_fresh_p95 = fresh["requests"] > 0 and fresh["p95_ms"] <= TARGETS["p95_ms"]
            ok_err = all(
                m["requests"] > 0 and m["non_2xx"] + m["socket_errors"] == 0 for m in (row["page"], fresh)
            )
            summary["targets"][f"ratio.{name}"] = ok_ratio
            summary["targets"][f"p95.{name}"] = ok_p95
            summary["targets"][f"fresh_ratio.{name}"] = ok_fresh_ratio
            summary["targets"][f"fresh_p95.{name}"] = ok_fresh_p95
            summary["targets"][f"errors.{name}"] = ok_err
            lines.append(
                f"| {name} | {row['ratio'] or 0:.2f} {mark(ok_ratio)} | {row['page']['p95_ms']:.0f} {mark(ok_p95)} | "
                f"{row.get('fresh_ratio') or 0:.2f} {mark(ok_fresh_ratio)} | {fresh['p95_ms']:.0f} "
                f"{mark(ok_fresh_p95)} | {mark(ok_err)} |"
            )
        lines.append("")
    if pdf:
        render, lat, thr = pdf["render"], pdf["latency_s"], pdf["throughput"]
        ok_render = render["ratio"] <= TARGETS["pdf_ratio"]
        ok_lat = lat["median"] <= TARGETS["latency_s"]
        ok_thr = thr["pdfs_per_s"] >= TARGETS["pdfs_per_s"]
        summary["targets"].update(pdf_render=ok_render, pdf_latency=ok_lat, pdf_throughput=ok_thr)
        lines += [
            f"## Memorandum PDF ({render['pages']} pages, {pdf['parties']} parties)",
            "",
            "| measure | value | target |",
            "|---|---:|---|",
            f"| render in the app (`render_memorandum_pdf`), median of {render['rounds']} | "
            f"{render['app_median_s']:.3f} s | |",
            f"| bare WeasyPrint, same HTML, base URL and fetcher | {render['bare_median_s']:.3f} s | |",
            f"| ratio app / bare | {render['ratio']:.2f} | ≤ 1.2: {mark(ok_render)} |",
            f"| signed → PDF ready, idle worker (median of {len(lat['samples'])}: "
            f"{', '.join(str(s) for s in lat['samples'])}) | {lat['median']:.2f} s | ≤ 1.5 s: {mark(ok_lat)} |",
            f"| throughput, {thr['tasks']} memoranda signed at once, worker -c 2 | {thr['pdfs_per_s']:.2f} PDFs/s "
            f"({thr['elapsed_s']:.1f} s) | ≥ 4/s: {mark(ok_thr)} |",
            "",
        ]
    summary["pages"] = pages
    summary["pdf"] = pdf
    summary["generated_at"] = now
    return summary, "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", required=True)
    parser.add_argument("--pdf", required=True)
    parser.add_argument("--results", required=True)
    args = parser.parse_args()
    pages = json.loads(Path(args.pages).read_text()) if Path(args.pages).exists() else {}
    pdf = json.loads(Path(args.pdf).read_text()) if Path(args.pdf).exists() else {}
    summary, markdown = build(pages, pdf)
    results = Path(args.results)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    for name in ("latest", stamp):
        (results / f"{name}.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
        (results / f"{name}.md").write_text(markdown + "\n")
    print(markdown)
    print(f"\nWritten: {results}/latest.md, latest.json and {stamp}.*")


if __name__ == "__main__":
    main()
