"""Alert storm under Telegram's limits, and the resident memory of Tocsin's processes.

The bench posts every alert to Alertmanager's API in one request. Alertmanager groups them by alert name
and service, so each service is one group, one Tocsin incident and one card, and flushes every group
after group_wait. Tocsin gets the storm first, through Alertmanager's webhook; then Alertmanager's own
telegram_configs receiver gets the same storm. Each time the simulator enforces 20 messages a window for
the group and 30 a second for the bot, with the window scaled down from a minute so a run takes seconds;
Tocsin is told the same limits. Alertmanager's group_interval is scaled by the same factor: it bounds how
long Alertmanager retries a notification before the next attempt.

Counted from the simulator: lost = alerts named on no card by the deadline; duplicates = cards beyond the
first for one service; send rate = how close the sends came to the fastest the window allows; 429 share =
refused calls over all send and edit calls.

Memory: VmRSS of `tocsin ingest` and `tocsin worker`, run as separate processes here, idle before the
storm and at their peak during it, next to Alertmanager's in its own storm.
"""

import collections
import json
import math
import os
import re
import time

import payloads
from procs import RssPeaks, rss_kib
from report import mib, share, times
from stack import directory

PER_WINDOW = 20
GLOBAL_RATE = "30/1s"
GROUP_WAIT = "1s"
INSTANCE = re.compile(r"st-\d{3}-\d{3}")
SERVICE = re.compile(r"svc-\d{3}")


def expect(report, sizes):
    limit = f"{PER_WINDOW}/{sizes.storm_window:g}s"
    report.expect("storm-lost", "storm: alerts lost (peer: AM)", "0")
    report.expect("storm-duplicates", "storm: duplicate cards", "0")
    report.expect("storm-rate", f"storm: sends vs fastest {limit}", ">= 90 %")
    report.expect("storm-429", "storm: 429s / send calls", "<= 1 %")
    report.expect("rss-ingest-idle", "RSS ingest idle (peer: AM)", "< 40 MB")
    report.expect("rss-worker-idle", "RSS worker idle (peer: AM)", "< 40 MB")
    report.expect("rss-ingest-storm", "RSS ingest, storm peak", "< 100 MB")
    report.expect("rss-worker-storm", "RSS worker, storm peak", "< 100 MB")
    return [key for key in report.rows if key.startswith(("storm", "rss"))]


def measure(stack, report, sizes, shared):
    window = sizes.storm_window
    limits = {"TELEGRAM_CHAT_RATE": f"{PER_WINDOW}/{window:g}s", "TELEGRAM_GLOBAL_RATE": GLOBAL_RATE}
    # Alertmanager's default 5m group_interval, on the storm's time scale (a minute becomes `window`).
    group_interval = f"{300 * window / 60:g}s"
    services = [f"svc-{number:03d}" for number in range(sizes.storm_services)]
    each = sizes.storm_alerts // sizes.storm_services
    alerts = [{"alertname": "BenchStorm", "service": service, "instance": f"st-{s:03d}-{a:03d}",
               "severity": "critical"} for s, service in enumerate(services) for a in range(each)]

    stack.reset(directory(services=services))
    stack.sim.reset(limits["TELEGRAM_CHAT_RATE"], GLOBAL_RATE)
    pids = {"ingest": stack.start_tocsin("ingest", **limits), "worker": stack.start_tocsin("worker", **limits)}
    pids["alertmanager"] = stack.start_alertmanager(["tocsin"], GROUP_WAIT, group_interval)
    idle = settled_rss(pids)
    with RssPeaks(pids) as peaks:
        tocsin = run_storm(stack, alerts, len(services), sizes, "tocsin")
    stack.stop_alertmanager()
    stack.stop_tocsin()

    stack.sim.reset(limits["TELEGRAM_CHAT_RATE"], GLOBAL_RATE)
    peer_pid = stack.start_alertmanager(["telegram"], GROUP_WAIT, group_interval)
    peer_idle = settled_rss({"alertmanager": peer_pid})["alertmanager"]
    with RssPeaks({"alertmanager": peer_pid}) as peer_peaks:
        peer = run_storm(stack, alerts, len(services), sizes, "alertmanager")
    stack.stop_alertmanager()

    report.set("storm-lost", tocsin=str(tocsin.lost), peer=str(peer.lost), met=tocsin.lost == 0)
    report.set("storm-duplicates", tocsin=str(tocsin.duplicates), peer=str(peer.duplicates),
               met=tocsin.duplicates == 0)
    report.set("storm-rate", tocsin=tocsin.describe_rate(), peer=peer.describe_rate(),
               ratio=times(tocsin.efficiency / peer.efficiency) if tocsin.efficiency and peer.efficiency else "n/a",
               met=tocsin.efficiency is not None and tocsin.efficiency >= 0.9)
    report.set("storm-429", tocsin=f"{share(tocsin.refused_share)} ({tocsin.refused}/{tocsin.calls})",
               peer=f"{share(peer.refused_share)} ({peer.refused}/{peer.calls})",
               met=tocsin.refused_share is not None and tocsin.refused_share <= 0.01)
    memory_row(report, "rss-ingest-idle", idle["ingest"], peer_idle, 40)
    memory_row(report, "rss-worker-idle", idle["worker"], peer_idle, 40)
    memory_row(report, "rss-ingest-storm", peaks.peaks["ingest"], peer_peaks.peaks["alertmanager"], 100)
    memory_row(report, "rss-worker-storm", peaks.peaks["worker"], peer_peaks.peaks["alertmanager"], 100)
    report.size(f"storm: {len(alerts):,} alerts, {len(services)} services, limits {PER_WINDOW}/{window:g}s per "
                f"group (x{60 / window:g} time scale) and {GLOBAL_RATE}, group_wait {GROUP_WAIT}, group_interval "
                f"{group_interval}, deadline {sizes.storm_deadline} s; all cards out after: Tocsin "
                f"{tocsin.describe_done()}, Alertmanager {peer.describe_done()}; Alertmanager's RSS while "
                f"posting Tocsin's webhooks: {mib(peaks.peaks['alertmanager'])}")


def memory_row(report, key, tocsin_kib, peer_kib, limit_mb):
    ratio = tocsin_kib / peer_kib if tocsin_kib and peer_kib else None
    report.set(key, tocsin=mib(tocsin_kib), peer=mib(peer_kib), ratio=times(ratio),
               met=tocsin_kib is not None and tocsin_kib / 1024 < limit_mb)


def settled_rss(pids):
    """Resident memory once the processes have started and sat idle for two seconds."""
    time.sleep(2)
    return {name: rss_kib(pid) for name, pid in pids.items()}


# MARK: - One storm


class Outcome:
    def __init__(self, sizes, started, instances, messages, sends):
        self.window = sizes.storm_window
        texts = [message["raw_text"] for message in messages]
        texts += [edit["raw_text"] for message in messages for edit in message.get("edits", [])]
        self.lost = len(instances - set(INSTANCE.findall("\n".join(texts))))
        cards = collections.Counter(name for message in messages
                                    for name in set(SERVICE.findall(message["raw_text"])))
        self.duplicates = sum(count - 1 for count in cards.values())
        accepted = sorted(entry["time"] for entry in sends if entry["ok"])
        self.refused = sum(1 for entry in sends if entry.get("error_code") == 429)
        self.calls = len(sends)
        self.refused_share = self.refused / self.calls if self.calls else None
        self.done_after = accepted[-1] - started if accepted else None
        self.sent = len(accepted)
        self.taken, self.efficiency = None, None
        if len(accepted) > PER_WINDOW and accepted[-1] > accepted[0]:
            # The fastest the limit allows: a full window at once, then a window's worth every window.
            fastest = (math.ceil(len(accepted) / PER_WINDOW) - 1) * self.window
            self.taken = accepted[-1] - accepted[0]
            self.efficiency = fastest / self.taken

    def describe_rate(self):
        if self.efficiency is None:
            return f"n/a ({self.sent} sends)"
        return f"{self.sent} in {self.taken:.1f} s = {share(self.efficiency)}"

    def describe_done(self):
        return "none sent" if self.done_after is None else f"{self.done_after:.1f} s ({self.sent} sends)"


def run_storm(stack, alerts, cards, sizes, name):
    """Posts the storm and waits until `cards` cards went out or the deadline passed, then one window more,
    so that a late duplicate is seen too. Keeps the simulator's log in logs/storm-NAME-sends.json."""
    started = time.time()
    stack.post_alerts(payloads.api_alerts(alerts))
    while time.time() < started + sizes.storm_deadline:
        stack.check_tocsin()
        if len(stack.sim.sent_messages()) >= cards:
            break
        time.sleep(0.2)
    time.sleep(sizes.storm_window)
    instances = {alert["instance"] for alert in alerts}
    sends = stack.sim.sends()
    with open(os.path.join(stack.procs.logs, f"storm-{name}-sends.json"), "w") as file:
        json.dump({"started": started, "sends": sends}, file, indent=0)
    return Outcome(sizes, started, instances, stack.sim.messages(), sends)
