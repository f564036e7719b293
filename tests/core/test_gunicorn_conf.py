"""gunicorn.conf.py: gunicorn reads it from the project root, and its worker hook loads the URLconf and
the catalogues, then freezes what the worker holds so that collections of the oldest generation stop
walking it."""

import gc
import logging
import os
import runpy
import select
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "gunicorn.conf.py"


def test_a_worker_started_from_the_project_root_runs_the_hook():
    """No `-c`: gunicorn reads ./gunicorn.conf.py by itself, as in the container and the benchmarks."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-b", "127.0.0.1:0", "-w", "1"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any("objects frozen" in line for line in lines):
            ready, _, _ = select.select([server.stderr], [], [], 0.5)
            if ready:
                line = server.stderr.readline()
                if not line:
                    break
                lines.append(line)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert any("objects frozen for the garbage collector" in line for line in lines), "".join(lines)


def test_the_worker_hook_loads_the_catalogues_then_freezes_what_the_worker_holds(caplog):
    from django.utils.translation import trans_real

    hook = runpy.run_path(str(CONF))["post_worker_init"]
    gc.unfreeze()
    trans_real._translations.clear()
    worker = SimpleNamespace(pid=1234, log=logging.getLogger("gunicorn.test"))
    try:
        with caplog.at_level(logging.INFO, logger="gunicorn.test"):
            hook(worker)
        frozen = gc.get_freeze_count()
        assert frozen > 10_000
        assert {"uk", "en"} <= set(trans_real._translations)
        assert "objects frozen for the garbage collector" in caplog.text
    finally:
        gc.unfreeze()
