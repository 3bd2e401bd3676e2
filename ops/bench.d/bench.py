"""The bench's driver: runs each measurement in turn against the processes it starts, then prints the table.

ops/bench builds Tocsin, starts Redis and PostgreSQL, runs this program under a time limit, and stops
whatever is left afterwards. A measurement that fails leaves "not run: <reason>" in its rows and the next
one runs: a benchmark prints figures, it does not pass or fail.
"""

import argparse
import os
import signal
import sys
import time
import traceback
from dataclasses import dataclass

import alerta
import delivery
import escalation
import ingest
import storm
from report import NotRun, Report
from stack import Stack


@dataclass(frozen=True)
class Sizes:
    connections: tuple  # client connections of the ingest throughput runs
    ingest_seconds: int
    xadd_requests: int
    latency_rate: int  # requests a second of the open-loop latency run
    latency_seconds: float
    alerta_seconds: int
    direct_alerts: int  # alerts posted one at a time straight to Tocsin's webhook
    delivery_alerts: int  # alerts posted one at a time through Alertmanager
    group_wait: str
    escalation_incidents: int
    escalation_rate: float  # incidents opened a second, hence timers falling due a second
    escalation_margin: float  # seconds the timeout exceeds the time it takes to open every incident
    escalation_grace: float  # seconds past the timeout before the escalations still missing count as lost
    storm_alerts: int
    storm_services: int
    storm_window: float  # seconds that stand for Telegram's minute
    storm_deadline: float  # seconds after the burst before undelivered alerts count as lost


FULL = Sizes(
    connections=(2, 4, 8), ingest_seconds=10, xadd_requests=400_000, latency_rate=1000, latency_seconds=20,
    alerta_seconds=10, direct_alerts=200, delivery_alerts=200, group_wait="100ms",
    escalation_incidents=10_000, escalation_rate=100, escalation_margin=20, escalation_grace=60,
    storm_alerts=1000, storm_services=100, storm_window=3, storm_deadline=90)

SMOKE = Sizes(
    connections=(2,), ingest_seconds=2, xadd_requests=50_000, latency_rate=1000, latency_seconds=2,
    alerta_seconds=2, direct_alerts=10, delivery_alerts=10, group_wait="100ms",
    escalation_incidents=100, escalation_rate=50, escalation_margin=3, escalation_grace=20,
    storm_alerts=200, storm_services=40, storm_window=1, storm_deadline=15)

MEASUREMENTS = {"ingest": ingest, "alerta": alerta, "delivery": delivery, "escalation": escalation,
                "storm": storm}


def main():
    parser = argparse.ArgumentParser(description="Tocsin's benchmarks; see ops/bench --help.")
    parser.add_argument("--data", required=True, help="folder for logs and configs")
    parser.add_argument("--bin", required=True, help="folder with tocsin and tocsin-telegram-sim")
    parser.add_argument("--cache", required=True, help="folder kept between runs (Alerta's venv)")
    parser.add_argument("--smoke", action="store_true", help="every measurement at tiny sizes")
    parser.add_argument("--only", default="", help="comma-separated measurements: " + ",".join(MEASUREMENTS))
    args = parser.parse_args()

    wanted = {name for name in args.only.split(",") if name} or set(MEASUREMENTS)
    unknown = wanted - set(MEASUREMENTS)
    if unknown:
        parser.error(f"unknown measurement {', '.join(sorted(unknown))}; known: {', '.join(MEASUREMENTS)}")
    chosen = [name for name in MEASUREMENTS if name in wanted]
    sizes = SMOKE if args.smoke else FULL
    stack = Stack(args.data, args.bin)
    report = Report()
    shared = {"cache": args.cache}
    started = time.monotonic()
    # ops/bench's time limit ends this program with SIGTERM: print the figures measured so far.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        stack.start_simulator()
        for name in chosen:
            run(name, MEASUREMENTS[name], stack, report, sizes, shared)
    except NotRun as reason:
        print(f"bench: cannot start: {reason}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, SystemExit):
        report.note("INTERRUPTED: the rows still 'not run' were never reached")
    finally:
        stack.procs.stop_all()
    report.note("AM = Alertmanager (Debian's); ratio = tocsin / peer; p50 / p99 are latency percentiles")
    report.note(f"{'smoke' if args.smoke else 'full'} sizes; logs of every process in {args.data}/logs "
                "(kept with --keep)")
    print()
    print(report.render(len(os.sched_getaffinity(0)), time.monotonic() - started))
    return 0


def run(name, module, stack, report, sizes, shared):
    keys = module.expect(report, sizes)
    began = time.monotonic()
    print(f"== {name}", flush=True)
    try:
        module.measure(stack, report, sizes, shared)
    except NotRun as reason:
        report.not_run(keys, str(reason))
    except Exception as error:  # one measurement's failure must not cost the others their figures
        with open(os.path.join(stack.data, "logs", f"{name}.error"), "w") as file:
            traceback.print_exc(file=file)
        report.not_run(keys, f"{type(error).__name__}: {str(error)[:100]} (logs/{name}.error)")
    finally:
        stack.stop_tocsin()
        stack.stop_alertmanager()
        stack.procs.stop("alerta")
    print(f"   {time.monotonic() - began:.0f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
