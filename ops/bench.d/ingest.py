"""Webhook ingest: throughput against the raw XADD ceiling, and latency at a fixed request rate.

`tocsin ingest` runs alone, with no worker taking the jobs, so the figures are its HTTP server, the payload
check and its Redis script. Redis runs with appendfsync everysec here, as the issue asks. The ceiling is
redis-benchmark adding job-sized entries with XADD over the same number of connections: no HTTP, no JSON,
one command per entry. wrk and redis-benchmark share the two cores with the server they load, alike.
"""

import csv
import subprocess

import payloads
from httpload import open_loop, wrk
from report import NotRun, ms, percentile, rate, share
from stack import TOCSIN_PORT, directory

LATENCY_CONNECTIONS = 4


def expect(report, sizes):
    for connections in sizes.connections:
        report.expect(f"ingest-{connections}", f"ingest rate, {connections} conns (peer: XADD)", ">= 25 % of XADD")
    report.expect("ingest-latency", f"ingest p50 / p99 at {sizes.latency_rate:,} req/s", "p99 < 5 ms")
    return [key for key in report.rows if key.startswith("ingest")]


def measure(stack, report, sizes, shared):
    stack.reset(directory(), appendfsync="everysec")
    stack.start_tocsin("ingest")
    job_size = len(payloads.single("size", 0))

    for connections in sizes.connections:
        stack.empty_redis()
        result = wrk(TOCSIN_PORT, "/alertmanager", connections, sizes.ingest_seconds, f"c{connections}")
        stored = int(stack.redis("XLEN", stack.queue_key("jobs:urgent")))
        ceiling = xadd_rate(stack, connections, sizes.xadd_requests, job_size)
        shared.setdefault("ingest_rate", {})[connections] = result.per_second
        ratio = result.per_second / ceiling
        report.set(f"ingest-{connections}", tocsin=rate(result.per_second), peer=f"{rate(ceiling)} XADD",
                   ratio=share(ratio), met=ratio >= 0.25)
        # wrk counts the answers it read before stopping; requests still in flight then may be stored too.
        if result.errors or stored < result.requests - result.errors:
            report.note(f"ingest with {connections} connections: {result.errors} non-200 answers, "
                        f"{stored} jobs stored for {result.requests} requests")

    stack.empty_redis()
    count = int(sizes.latency_rate * sizes.latency_seconds)
    bodies = [payloads.single("latency", number) for number in range(count)]
    result = open_loop(TOCSIN_PORT, "/alertmanager", bodies, sizes.latency_rate, LATENCY_CONNECTIONS)
    p50, p99 = percentile(result.latencies, 0.50), percentile(result.latencies, 0.99)
    achieved = len(result.latencies) / result.seconds
    report.set("ingest-latency", tocsin=f"{ms(p50)} / {ms(p99)}",
               met=p99 is not None and p99 < 0.005 and result.errors == 0)
    report.size(f"ingest: wrk {sizes.ingest_seconds} s per connection count, payload {job_size} bytes; "
                f"XADD {sizes.xadd_requests:,} entries per count; latency {count:,} requests over "
                f"{LATENCY_CONNECTIONS} connections, open loop (achieved {achieved:,.0f} req/s, {result.errors} "
                f"errors, slowest {ms(max(result.latencies, default=None))})")


def xadd_rate(stack, connections, count, size):
    """Entries a second redis-benchmark adds with XADD over `connections` connections, no pipelining."""
    # Filler of the job's size: the benchmark's CSV output repeats the command, which must not need quoting.
    argv = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(stack.redis_port), "-c", str(connections),
            "-n", str(count), "--csv", "XADD", "{benchpeer}:jobs", "*", "kind", "alert", "body", "x" * size]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=300).stdout
    stack.redis("DEL", "{benchpeer}:jobs")
    rows = [row for row in csv.reader(out.splitlines()) if len(row) > 1 and row[0].startswith("XADD")]
    if not rows:
        raise NotRun(f"redis-benchmark printed no figures: {out.strip()[-200:]}")
    return float(rows[-1][1])
