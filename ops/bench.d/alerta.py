"""Alerta as the peer of the webhook ingest: alerta-server from PyPI under gunicorn (two sync workers) on a
PostgreSQL database of its own, loaded by wrk with the same distinct one-alert payloads on its
/webhooks/prometheus, right after Tocsin gets the same load on /alertmanager.

Alerta is installed in a virtual environment kept in the bench's cache folder, so a second run does not
download it again. When it cannot be installed or started the row says why and the bench goes on.
"""

import os
import subprocess
import sys

from httpload import wrk
from report import NotRun, ms, rate, times
from stack import ALERTA_PORT, TOCSIN_PORT, directory

PACKAGES = ["alerta-server", "gunicorn", "psycopg2-binary"]
CONNECTIONS = 4


def expect(report, sizes):
    report.expect("alerta", f"ingest rate, {CONNECTIONS} conns (peer: Alerta)", ">= 20x Alerta")
    report.expect("alerta-latency", "  p50 / p99 under that load", "-")
    return ["alerta", "alerta-latency"]


def measure(stack, report, sizes, shared):
    stack.reset(directory(), appendfsync="everysec")
    stack.start_tocsin("ingest")
    tocsin = wrk(TOCSIN_PORT, "/alertmanager", CONNECTIONS, sizes.alerta_seconds, "alerta-peer")
    stack.stop_tocsin()
    report.set("alerta", tocsin=rate(tocsin.per_second), peer="not run", met=None)
    report.set("alerta-latency", tocsin=f"{ms(tocsin.p50)} / {ms(tocsin.p99)}", peer="not run")

    try:
        venv = install(shared["cache"])
        peer = load_alerta(stack, venv, sizes, report)
    except NotRun as reason:
        report.peer_not_run("alerta", str(reason))
        report.peer_not_run("alerta-latency", str(reason))
        return

    ratio = tocsin.per_second / peer.per_second if peer.per_second else None
    report.set("alerta", tocsin=rate(tocsin.per_second), peer=rate(peer.per_second), ratio=times(ratio),
               met=ratio is not None and ratio >= 20)
    report.set("alerta-latency", tocsin=f"{ms(tocsin.p50)} / {ms(tocsin.p99)}",
               peer=f"{ms(peer.p50)} / {ms(peer.p99)}",
               ratio=times(tocsin.p50 / peer.p50) if tocsin.p50 and peer.p50 else "n/a")
    report.size(f"alerta: wrk {sizes.alerta_seconds} s, {CONNECTIONS} connections, against Tocsin then "
                f"gunicorn -w 2 (Alerta: {peer.requests} requests, {peer.errors} errors)")


def load_alerta(stack, venv, sizes, report):
    """Alerta's figures under wrk. A run where more than 1 % of requests failed measured a broken server, not
    Alerta (seen once: gunicorn refusing connections after its first requests), so it is run once more on a
    fresh start; a second such run is reported as not measured rather than as a ratio against failures."""
    for attempt in (1, 2):
        start(stack, venv)
        # Each gunicorn worker connects and warms up on its first requests: keep them out of the figures.
        wrk(ALERTA_PORT, "/webhooks/prometheus", CONNECTIONS, 1, "alerta-warmup")
        peer = wrk(ALERTA_PORT, "/webhooks/prometheus", CONNECTIONS, sizes.alerta_seconds, f"alerta{attempt}")
        log = stack.procs.tail("alerta")
        stack.procs.stop("alerta")
        if peer.errors <= max(10, 0.01 * peer.requests):
            return peer
        report.note(f"alerta run {attempt}: {peer.errors} failed of {peer.requests} requests; its log: {log[-200:]}")
    raise NotRun(f"Alerta failed {peer.errors} of {peer.requests} requests twice (see notes)")


def install(cache):
    """The virtual environment with Alerta, made on first use; its `done` file marks a complete install."""
    venv = os.path.join(cache, "alerta-venv")
    done = os.path.join(venv, "done")
    if os.path.exists(done):
        return venv
    made = subprocess.run([sys.executable, "-m", "venv", "--clear", venv], capture_output=True, timeout=120)
    if made.returncode != 0:
        raise NotRun(f"{sys.executable} -m venv failed (apt-get install python3-venv)")
    try:
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", *PACKAGES], check=True,
                       capture_output=True, timeout=600)
    except subprocess.CalledProcessError as error:
        last = (error.stderr or b"").decode(errors="replace").strip().splitlines()[-1:] or ["failed"]
        raise NotRun(f"pip install {' '.join(PACKAGES)}: {last[0][:120]}")
    except subprocess.TimeoutExpired:
        raise NotRun("installing Alerta took too long")
    open(done, "w").close()
    return venv


def start(stack, venv):
    stack.psql("DROP DATABASE IF EXISTS alerta WITH (FORCE)", database="postgres", user="postgres")
    stack.psql("CREATE DATABASE alerta", database="postgres", user="postgres")
    env = dict(os.environ, DATABASE_URL=f"postgresql://postgres@127.0.0.1:{stack.pg_port}/alerta",
               AUTH_REQUIRED="False", PYTHONDONTWRITEBYTECODE="1")
    python = os.path.join(venv, "bin", "python")
    # Two workers creating the schema at once collide on CREATE TYPE; one app made first creates it alone.
    made = subprocess.run([python, "-c", "from alerta.app import create_app; create_app()"], env=env,
                          capture_output=True, text=True, timeout=120)
    if made.returncode != 0:
        raise NotRun(f"alerta does not start: {made.stderr.strip()[-120:]}")
    gunicorn = os.path.join(venv, "bin", "gunicorn")
    argv = [gunicorn, "-w", "2", "-b", f"127.0.0.1:{ALERTA_PORT}", "alerta.app:create_app()"]
    # Newer gunicorn opens a control socket in the home folder; the bench leaves nothing behind.
    if "--no-control-socket" in subprocess.run([gunicorn, "--help"], capture_output=True, text=True).stdout:
        argv.insert(1, "--no-control-socket")
    stack.procs.start("alerta", argv, env=env)
    stack.procs.wait_http("alerta", f"http://127.0.0.1:{ALERTA_PORT}/management/healthcheck", timeout=60)
