"""Page benchmarks: session cookies, SQL queries per page, and throughput/latency with wrk.

Run by bench/run.sh with the bench environment (DATABASE_URL, DEBUG=0, BENCH_REFERENCE=1…):

    python bench/pages.py queries --label 200 --out part.json          # queries per page (test Client)
    python bench/pages.py load --label 200 --base http://127.0.0.1:8765 --out part.json

`load` measures every main page twice — as a user's repeated views (served from the page cache while
nothing changed) and rendered afresh (`Cache-Control: no-cache`, a hard reload) — and, in the same run,
the bare reference view (/bench/ref/<n>/) with the same number of rows, each after a warm-up, at a fixed
number of connections.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.catalog import main_pages, page_rows  # noqa: E402
from regions import scale_data  # noqa: E402

HERE = Path(__file__).resolve().parent
PREFIX = os.environ.get("BENCH_PREFIX", scale_data.DEFAULT_PREFIX)
REGION = scale_data.region_slug(PREFIX, 1)
PROGRAMME = scale_data.programme_code(PREFIX)
# A browser's hard reload: the page is rendered afresh, never served from the page cache (core.pagecache).
FRESH = {"Cache-Control": "no-cache"}


def logged_in_client(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def clients() -> dict[str, Client]:
    coordinator = logged_in_client(scale_data.coordinator_email(PREFIX, 1))
    programme = logged_in_client(scale_data.programme_coordinator_email(PREFIX))
    return {
        name: programme if name == "programme_dashboard" else coordinator
        for name in main_pages(REGION, PROGRAMME)
    }


def cmd_queries(args) -> dict:
    pages = main_pages(REGION, PROGRAMME)
    rows = page_rows(REGION, PROGRAMME)
    by_page = clients()
    out = {}
    for name, url in pages.items():
        client = by_page[name]
        client.get(url, headers=FRESH)  # warm caches (translations, templates)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, headers=FRESH)
        render_queries = len(ctx.captured_queries)  # read now: the next request empties the query log
        client.get(url)  # the page cache learns the tables the page reads,
        client.get(url)  # then stores the page
        with CaptureQueriesContext(connection) as stored_ctx:
            stored = client.get(url)
        out[name] = {
            "url": url,
            "status": response.status_code,
            "queries": render_queries,
            "stored_queries": len(stored_ctx.captured_queries),
            "stored": stored.get("X-Page-Cache", ""),
            "bytes": len(response.content),
            "rows": rows[name],
        }
        with CaptureQueriesContext(connection) as ctx:
            ref = client.get(f"/bench/ref/{rows[name]}/")
        out[name]["ref_queries"] = len(ctx.captured_queries)
        out[name]["ref_status"] = ref.status_code
    return out


# -- load ------------------------------------------------------------------------------------------


def run_wrk(url: str, cookie: str, seconds: float, connections: int, headers: dict) -> dict:
    extra = [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
    cmd = [
        "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", "--timeout", "60s",
        "-s", str(HERE / "wrk_report.lua"), "-H", f"Cookie: sessionid={cookie}", *extra, url,
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    match = re.search(r"^WRKJSON (.*)$", proc.stdout, re.M)
    if not match:
        raise RuntimeError(f"wrk gave no report:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(match.group(1))


def run_python_client(url: str, cookie: str, seconds: float, connections: int, headers: dict) -> dict:
    """A small threaded load client, used only when wrk is not installed (less precise)."""
    latencies, errors, non_2xx = [], [0], [0]
    deadline = time.monotonic() + seconds
    lock = threading.Lock()

    def worker():
        while time.monotonic() < deadline:
            request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}", **headers})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    response.read()
                    ok = 200 <= response.status < 400
            except urllib.error.HTTPError:
                ok = False
            except OSError:
                with lock:
                    errors[0] += 1
                continue
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                non_2xx[0] += not ok

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = time.monotonic() - started
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1000 if latencies else 0.0

    return {
        "requests": len(latencies),
        "seconds": round(total, 3),
        "rps": round(len(latencies) / total, 2),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": latencies[-1] * 1000 if latencies else 0.0,
        "non_2xx": non_2xx[0],
        "socket_errors": errors[0],
    }


def drain(base: str, limit: float = 90) -> float:
    """Wait until the server answers /healthz promptly again: sync workers go on serving the requests
    wrk left queued, which would otherwise slow down the next measurement."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        t = time.perf_counter()
        try:
            urllib.request.urlopen(base + "/healthz", timeout=limit).read()
        except OSError:
            pass
        if time.perf_counter() - t < 0.05:
            break
        time.sleep(0.2)
    return time.monotonic() - started


def measure(url: str, cookie: str, args, headers: dict | None = None) -> dict:
    headers = headers or {}
    drain(args.base)
    runner = run_wrk if shutil.which("wrk") and not args.python_client else run_python_client
    runner(url, cookie, args.warmup, args.connections, headers)  # warm-up, discarded
    drain(args.base)
    result = runner(url, cookie, args.duration, args.connections, headers)
    if result["requests"] < 5 and args.duration < 30:  # a page slower than the run: measure it longer
        drain(args.base)
        result = runner(url, cookie, 30, args.connections, headers)
    result["drain_s"] = round(drain(args.base), 2)
    result["tool"] = "wrk" if runner is run_wrk else "python"
    return result


def cmd_load(args) -> dict:
    pages = main_pages(REGION, PROGRAMME)
    rows = page_rows(REGION, PROGRAMME)
    cookies = {name: c.cookies["sessionid"].value for name, c in clients().items()}
    out = {}
    for name, path in pages.items():
        page = measure(args.base + path, cookies[name], args)
        fresh = measure(args.base + path, cookies[name], args, FRESH)
        ref = measure(f"{args.base}/bench/ref/{rows[name]}/", cookies[name], args)
        out[name] = {
            "rows": rows[name],
            "page": page,
            "fresh": fresh,
            "reference": ref,
            "ratio": round(page["rps"] / ref["rps"], 3) if ref["rps"] else None,
            "fresh_ratio": round(fresh["rps"] / ref["rps"], 3) if ref["rps"] else None,
        }
        print(
            f"  {args.label:>4} orgs  {name:20s} {page['rps']:7.1f} req/s p95 {page['p95_ms']:6.1f} ms | fresh "
            f"{fresh['rps']:7.1f} req/s p95 {fresh['p95_ms']:6.1f} ms | ref({rows[name]}) {ref['rps']:7.1f} req/s "
            f"p95 {ref['p95_ms']:6.1f} ms  ratio {out[name]['ratio']} / fresh {out[name]['fresh_ratio']}",
            flush=True,
        )
    return out


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["queries", "load"])
    parser.add_argument("--label", required=True, help="data size label (organisations per region)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--base", default="http://127.0.0.1:8765")
    parser.add_argument("--duration", type=float, default=5)
    parser.add_argument("--warmup", type=float, default=1)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--python-client", action="store_true", help="use the Python client even if wrk exists"
    )
    args = parser.parse_args()
    result = cmd_queries(args) if args.command == "queries" else cmd_load(args)
    path = Path(args.out)
    data = json.loads(path.read_text()) if path.exists() else {}
    data.setdefault(args.command, {})[args.label] = result
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
