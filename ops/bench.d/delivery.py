"""Alert to sendMessage: how long one alert takes to reach Telegram, one alert at a time.

Two paths, both ending when sendMessage reaches the simulator (its clock, the same as ours):

- through Alertmanager: the bench posts an alert to Alertmanager's API. Two sibling routes with the same
  group_wait flush it at the same instant to Tocsin's webhook and to Alertmanager's own telegram_configs
  receiver. Both figures include group_wait; their difference is what Tocsin adds over Alertmanager
  calling the Bot API itself: webhook, Redis queue, worker, PostgreSQL, card rendering.
- direct: the bench posts the webhook to Tocsin's /alertmanager itself, with no Alertmanager in front:
  Tocsin's own share alone.

No rate limit is involved: the simulator has none, and Tocsin's are set far above one alert at a time.
"""

import random
import time

import payloads
from httpload import post
from report import ms, percentile, times
from stack import TOCSIN_PORT, directory

UNLIMITED = {"TELEGRAM_CHAT_RATE": "100000/1s", "TELEGRAM_GLOBAL_RATE": "100000/1s"}


def expect(report, sizes):
    report.expect("delivery-am", "alert -> sendMessage p50 / p99 (AM)", "p99 <= 1.5x AM's")
    report.expect("delivery-direct", "webhook -> sendMessage, no AM", "-")
    return ["delivery-am", "delivery-direct"]


def measure(stack, report, sizes, shared):
    stack.reset(directory())
    stack.sim.reset()
    stack.start_tocsin("run", **UNLIMITED)

    direct, missing_direct = [], 0
    for number in range(sizes.direct_alerts):
        body = payloads.single("direct", number, alertname="BenchDirect")
        before = len(stack.sim.sent_messages())
        posted = time.time()
        post(TOCSIN_PORT, "/alertmanager", body)
        arrived = wait_for_sends(stack.sim, before, 1)
        if arrived:
            direct.append(arrived[0][0] - posted)
        else:
            missing_direct += 1
        stack.check_tocsin()
        time.sleep(random.uniform(0.02, 0.08))
    report.set("delivery-direct", tocsin=f"{ms(percentile(direct, 0.5))} / {ms(percentile(direct, 0.99))}")

    stack.start_alertmanager(["tocsin", "telegram"], group_wait=sizes.group_wait)
    tocsin, peer, missing = [], [], 0
    for number in range(sizes.delivery_alerts):
        labels = {"alertname": "BenchDelivery", "service": f"delivery-{number:05d}",
                  "instance": f"lat-{number:05d}", "severity": "critical"}
        before = len(stack.sim.sent_messages())
        posted = time.time()
        stack.post_alerts(payloads.api_alerts([labels]))
        arrived = wait_for_sends(stack.sim, before, 2)
        missing += max(0, 2 - len(arrived))
        for arrival, message_id in arrived:
            # Alertmanager's default Telegram template starts with "Alerts Firing"; Tocsin's card does not.
            by_alertmanager = "Alerts Firing" in stack.sim.message(message_id)["raw_text"]
            (peer if by_alertmanager else tocsin).append(arrival - posted)
        stack.check_tocsin()
        time.sleep(random.uniform(0.05, 0.15))

    t50, t99 = percentile(tocsin, 0.5), percentile(tocsin, 0.99)
    p50, p99 = percentile(peer, 0.5), percentile(peer, 0.99)
    ratio = t99 / p99 if t99 and p99 else None
    report.set("delivery-am", tocsin=f"{ms(t50)} / {ms(t99)}", peer=f"{ms(p50)} / {ms(p99)}",
               ratio=times(ratio), met=ratio is not None and ratio <= 1.5 and missing == 0)
    report.size(f"delivery: {sizes.direct_alerts} alerts posted directly, then {sizes.delivery_alerts} through "
                f"Alertmanager (group_wait {sizes.group_wait}) to both receivers; one at a time, 20-150 ms "
                f"apart; {missing_direct + missing} sendMessage missing after 10 s")


def wait_for_sends(sim, before, expected, timeout=10):
    """Waits until the simulator accepted `expected` sendMessage calls past the first `before`, or for
    `timeout` seconds; returns the new ones as [(time, message_id)]."""
    deadline = time.monotonic() + timeout
    while True:
        new = sim.sent_messages()[before:]
        if len(new) >= expected or time.monotonic() > deadline:
            return new
        time.sleep(0.005)
