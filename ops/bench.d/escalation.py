"""Escalation lateness: how late level 2 is paged after level 1's timer ran out, with many timers pending.

The bench opens N incidents (distinct groupKeys posted straight to the webhook) at a steady rate R, and
every level-1 card starts a timer of T, longer than opening them all takes, so that all N timers are
pending together (the peak of the delayed set is printed) and then fall due at about R a second. R is
set below what the workers can escalate on this machine (an escalation is three jobs: the timer, the new
card, the edit of the first card), so the figure is the scheduler's lateness, not a backlog's length.
Three `tocsin worker` processes share the work; rate limits are set far above the load.

Lateness = the level-2 card's sendMessage time - (the level-1 card's sendMessage time + T), both on the
simulator's clock. Tocsin starts the timer on Redis's clock just after Telegram answered, so the figure
also holds that answer's way back and the commit: if anything, it is overstated.
"""

import time

import payloads
from httpload import open_loop
from report import NotRun, ms, percentile
from stack import TOCSIN_PORT, directory

WORKERS = 3
UNLIMITED = {"TELEGRAM_CHAT_RATE": "1000000/1s", "TELEGRAM_GLOBAL_RATE": "1000000/1s"}


def expect(report, sizes):
    report.expect("escalation", "escalation lateness p50 / p99", "p99 < 250 ms")
    report.expect("escalation-lost", "escalations lost", "0")
    return ["escalation", "escalation-lost"]


def measure(stack, report, sizes, shared):
    count, per_second = sizes.escalation_incidents, sizes.escalation_rate
    timeout = count / per_second + sizes.escalation_margin
    stack.reset(directory(timeout=f"{timeout:g}s"))
    stack.sim.reset()
    stack.start_tocsin("ingest", **UNLIMITED)
    for number in range(1, WORKERS + 1):
        stack.start_tocsin("worker", name=f"worker-{number}", **UNLIMITED)

    bodies = [payloads.single("escalation", number, alertname="BenchEscalation") for number in range(count)]
    started = time.time()
    opening = open_loop(TOCSIN_PORT, "/alertmanager", bodies, per_second, connections=4)
    if opening.errors:
        raise NotRun(f"{opening.errors} of {count} webhooks failed")

    peak, first_level_done = 0, None
    deadline = started + count / per_second + timeout + sizes.escalation_grace
    while time.time() < deadline:
        stack.check_tocsin()
        peak = max(peak, int(stack.redis("ZCARD", stack.queue_key("delayed"))))
        cards = dict(stack.psql("SELECT level, count(*) FROM messages WHERE telegram_message_id IS NOT NULL "
                                "GROUP BY level"))
        if first_level_done is None and int(cards.get("1", 0)) >= count:
            first_level_done = time.time() - started
        if int(cards.get("2", 0)) >= count:
            break
        time.sleep(0.5)

    lateness = lateness_of(stack, timeout)
    lost = count - len(lateness)
    p50, p99 = percentile(lateness, 0.5), percentile(lateness, 0.99)
    report.set("escalation", tocsin=f"{ms(p50)} / {ms(p99)}", met=p99 is not None and p99 < 0.25)
    report.set("escalation-lost", tocsin=str(lost), met=lost == 0)
    level_one = f"{first_level_done:.0f} s" if first_level_done else f"not all within {deadline - started:.0f} s"
    report.size(f"escalation: {count:,} incidents opened at {per_second:g}/s, timeout {timeout:g} s, "
                f"{WORKERS} worker processes x 2 job loops; all level-1 cards posted after {level_one}; "
                f"peak pending timers {peak:,}; latest level 2 {ms(max(lateness, default=None))} late")


def lateness_of(stack, timeout):
    """Per incident with both cards posted: level-2 sent - (level-1 sent + timeout)."""
    sent = {message_id: at for at, message_id in stack.sim.sent_messages()}
    cards = {}
    for incident, level, message_id in stack.psql(
            "SELECT incident_id, level, telegram_message_id FROM messages "
            "WHERE telegram_message_id IS NOT NULL AND level <= 2"):
        cards.setdefault(incident, {})[int(level)] = sent.get(int(message_id))
    return [levels[2] - (levels[1] + timeout) for levels in cards.values()
            if levels.get(1) is not None and levels.get(2) is not None]
