"""Load generators: wrk for throughput, and a Python open-loop client for latency at a fixed rate.

wrk (C, epoll) leaves most of the two cores to the server under test; a Python client would take about as
much CPU as the server it measures. For latency at a fixed rate a closed loop hides queueing (a slow answer
delays the next request, so it is never measured late), so `open_loop` schedules every request at its own
instant and measures from that instant, whether or not a connection was free then.
"""

import http.client
import itertools
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from report import NotRun

HERE = os.path.dirname(os.path.abspath(__file__))
JSON = {"Content-Type": "application/json"}


@dataclass
class WrkResult:
    requests: int
    errors: int
    per_second: float
    p50: float = None
    p99: float = None


def wrk(port, path, connections, seconds, run_tag):
    """Closed-loop load of distinct webhook payloads (webhook.lua) on keep-alive connections."""
    if shutil.which("wrk") is None:
        raise NotRun("wrk is not installed (apt-get install wrk)")
    env = dict(os.environ, BENCH_RUN=run_tag, BENCH_PATH=path)
    argv = ["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{seconds}s", "--latency",
            "-s", os.path.join(HERE, "webhook.lua"), f"http://127.0.0.1:{port}/"]
    out = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=seconds + 30).stdout
    total = re.search(r"(\d+) requests in", out)
    per_second = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not total or not per_second:
        raise NotRun(f"wrk printed no figures: {out.strip()[-200:]}")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    latency = {q: _duration(v, unit) for q, v, unit in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)$", out, re.M)}
    return WrkResult(int(total.group(1)), errors, float(per_second.group(1)), latency.get("50"), latency.get("99"))


def _duration(value, unit):
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]


# MARK: - Open loop


@dataclass
class OpenLoopResult:
    latencies: list = field(default_factory=list)
    errors: int = 0
    scheduled: int = 0
    seconds: float = 0.0


def open_loop(port, path, bodies, per_second, connections):
    """Sends `bodies` at `per_second`, request i at start + i/per_second, over keep-alive connections.

    Latency is answer time minus the scheduled instant, so time spent waiting for a free connection counts.
    """
    result = OpenLoopResult(scheduled=len(bodies))
    lock = threading.Lock()
    numbers = itertools.count()
    start = time.perf_counter() + 0.2

    def sender():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine, failed = [], 0
        while (number := next(numbers)) < len(bodies):
            due = start + number / per_second
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            try:
                connection.request("POST", path, bodies[number], JSON)
                answer = connection.getresponse()
                answer.read()
                if answer.status != 200:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            mine.append(time.perf_counter() - due)
        connection.close()
        with lock:
            result.latencies.extend(mine)
            result.errors += failed

    # Python threads hand over the interpreter lock every 5 ms by default; a sender waiting that long for
    # it would add 5 ms of latency that the server never caused.
    previous = sys.getswitchinterval()
    sys.setswitchinterval(0.0002)
    try:
        _run_threads(sender, connections)
    finally:
        sys.setswitchinterval(previous)
    result.seconds = time.perf_counter() - start
    return result


def post_all(port, path, bodies, connections):
    """Posts every body as fast as `connections` keep-alive connections go; returns the failures."""
    numbers = itertools.count()
    failures = []

    def sender():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while (number := next(numbers)) < len(bodies):
            connection.request("POST", path, bodies[number], JSON)
            answer = connection.getresponse()
            text = answer.read()
            if answer.status != 200:
                failures.append(f"{answer.status} {text[:80]!r}")
        connection.close()

    _run_threads(sender, connections)
    return failures


def post(port, path, body):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", path, body, JSON)
        answer = connection.getresponse()
        text = answer.read()
        if answer.status not in (200, 202):
            raise RuntimeError(f"POST {path} answered {answer.status}: {text[:200]!r}")
        return text
    finally:
        connection.close()


def _run_threads(target, count):
    threads = [threading.Thread(target=target, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
