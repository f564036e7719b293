"""After the load test: every write a client saw acknowledged is in the database exactly once, nothing
unacknowledged slipped in as a duplicate, the vote counters agree with the votes; and the request
statistics (locust's CSV) meet the targets. Writes bench/results/load-latest.{json,md}."""

import csv
import datetime
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Count, F  # noqa: E402

from accounts.models import User  # noqa: E402
from agenda.models import SwotItem, SwotVote  # noqa: E402
from stakeholders.models import RoleMatrixEntry  # noqa: E402

HERE = Path(__file__).resolve().parent
WORK = Path(os.environ.get("LOAD_WORK", HERE / ".work"))
RESULTS = HERE / "results"
READ_P95_MS, WRITE_P95_MS = 300, 500


def check_writes(acks: list[dict]) -> dict:
    problems = []
    by_kind = defaultdict(list)
    for ack in acks:
        by_kind[ack["kind"]].append(ack)

    # SWOT items: each acknowledged marker exactly once; no marker stored twice.
    stored = Counter()
    for text in SwotItem.objects.filter(text_uk__contains="LOADMARK-swot-").values_list("text_uk", flat=True):
        stored[text.rsplit(" ", 1)[-1]] += 1
    acked_swot = [a["marker"] for a in by_kind["swot"]]
    lost_swot = [m for m in acked_swot if stored[m] == 0]
    dup_swot = [m for m, n in stored.items() if n > 1]
    unacked_swot = [m for m in stored if m not in set(acked_swot)]

    # Role rows: each acknowledged edit is one history row; the row holds its user's last acknowledged edit.
    history = Counter(
        RoleMatrixEntry.history.filter(comment__startswith="LOADMARK-role-").values_list("comment", flat=True)
    )
    acked_role = by_kind["role"]
    lost_role = [a["marker"] for a in acked_role if history[a["marker"]] == 0]
    dup_role = [m for m, n in history.items() if n > 1]
    last = {}
    for a in acked_role:
        last[a["entry"]] = a["marker"]
    current = dict(RoleMatrixEntry.objects.filter(pk__in=list(last)).values_list("pk", "comment"))
    stale_role = [pk for pk, m in last.items() if current.get(pk) != m]

    # Votes: each acknowledged (user, item) is a vote; counters equal the number of votes.
    emails = {a["user"] for a in by_kind["vote"]}
    ids = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
    votes = set(SwotVote.objects.filter(user_id__in=ids.values()).values_list("user_id", "item_id"))
    lost_votes = [a for a in by_kind["vote"] if (ids.get(a["user"]), a["item"]) not in votes]
    wrong_counters = list(
        SwotItem.objects.annotate(n=Count("votes"))
        .exclude(votes_count=F("n"))
        .values_list("pk", flat=True)[:20]
    )

    for label, items in [
        ("acknowledged SWOT items missing", lost_swot),
        ("SWOT items stored twice", dup_swot),
        ("acknowledged role edits missing from the history", lost_role),
        ("role edits recorded twice", dup_role),
        ("rows not holding their last acknowledged edit", stale_role),
        ("acknowledged votes missing", lost_votes),
        ("items whose vote counter differs from their votes", wrong_counters),
    ]:
        if items:
            problems.append(f"{len(items)} {label}: {items[:5]}")
    return {
        "acknowledged": {k: len(v) for k, v in by_kind.items()},
        "unacknowledged_but_stored_swot": len(unacked_swot),
        "lost": len(lost_swot) + len(lost_role) + len(lost_votes) + len(stale_role),
        "duplicated": len(dup_swot) + len(dup_role),
        "vote_counter_mismatches": len(wrong_counters),
        "problems": problems,
    }


def read_stats(path: Path) -> list[dict]:
    rows = []
    with path.open() as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated":
                continue
            rows.append(
                {
                    "name": row["Name"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "p50_ms": float(row["50%"] or 0),
                    "p95_ms": float(row["95%"] or 0),
                    "p99_ms": float(row["99%"] or 0),
                    "max_ms": float(row["Max Response Time"] or 0),
                    "rps": float(row["Requests/s"] or 0),
                }
            )
    return rows


def main():
    acks = [json.loads(line) for line in (WORK / "acks.jsonl").read_text().splitlines() if line.strip()]
    writes = check_writes(acks)
    stats = read_stats(WORK / "locust_stats.csv")
    failures_csv = WORK / "locust_failures.csv"
    failures = list(csv.DictReader(failures_csv.open())) if failures_csv.exists() else []
    errors = sum(r["failures"] for r in stats)
    ok = {"errors": errors == 0, "writes": not writes["problems"]}
    lines = [
        f"# Load test ({datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')})",
        "",
        f"{os.environ.get('LOAD_DESCRIPTION', '')}",
        "",
        "| request | kind | requests | failures | req/s | p50 ms | p95 ms | p99 ms | max ms | p95 target |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in stats:
        write = r["name"].startswith("POST")
        target = WRITE_P95_MS if write else READ_P95_MS
        met = r["p95_ms"] <= target
        ok[f"p95.{r['name']}"] = met
        lines.append(
            f"| {r['name']} | {'write' if write else 'read'} | {r['requests']} | {r['failures']} | {r['rps']:.2f} | "
            f"{r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['p99_ms']:.0f} | {r['max_ms']:.0f} | "
            f"≤ {target}: {'met' if met else '**missed**'} |"
        )
    lines += [
        "",
        f"Errors: {errors} ({'met' if ok['errors'] else '**missed**'})"
        + (f" — {', '.join(sorted({f['Error'][:80] for f in failures}))}" if failures else ""),
        "",
        f"Acknowledged writes: {writes['acknowledged']}; lost {writes['lost']}, duplicated "
        f"{writes['duplicated']}, vote counters off {writes['vote_counter_mismatches']}, stored without an "
        f"acknowledgement (client gave up) {writes['unacknowledged_but_stored_swot']} "
        f"({'met' if ok['writes'] else '**missed**'}).",
    ]
    lines += [f"- {p}" for p in writes["problems"]]
    markdown = "\n".join(lines) + "\n"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "load-latest.md").write_text(markdown)
    (RESULTS / "load-latest.json").write_text(
        json.dumps(
            {"stats": stats, "writes": writes, "targets": ok, "failures": failures},
            indent=2,
            ensure_ascii=False,
        )
    )
    print(markdown)
    if writes["problems"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
