"""Alert payloads: Alertmanager's webhook (version 4) as it posts to Tocsin, and alerts for its own API.

Every payload the bench posts is distinct (its own groupKey and fingerprint): Tocsin stores equal
deliveries once, and a benchmark of that shortcut would measure nothing. webhook.lua builds the same
shape for wrk.
"""

import datetime
import json

FIRING_SINCE = "2026-01-01T00:00:00Z"
NOT_ENDED = "0001-01-01T00:00:00Z"


def webhook_alert(labels, fingerprint, summary="bench alert"):
    return {
        "status": "firing", "labels": labels, "annotations": {"summary": summary},
        "startsAt": FIRING_SINCE, "endsAt": NOT_ENDED,
        "generatorURL": "http://127.0.0.1:9090/graph", "fingerprint": fingerprint,
    }


def webhook(group_key, alerts):
    """The body Alertmanager posts for one firing group."""
    common = dict(alerts[0]["labels"]) if len(alerts) == 1 else {}
    return json.dumps({
        "version": "4", "groupKey": group_key, "truncatedAlerts": 0, "status": "firing",
        "receiver": "tocsin", "groupLabels": {"alertname": alerts[0]["labels"]["alertname"]},
        "commonLabels": common, "commonAnnotations": {}, "externalURL": "http://127.0.0.1:9093",
        "alerts": alerts,
    }).encode()


def single(run, number, alertname="BenchIngest", service="default"):
    """A one-alert notification numbered `number` within `run`, unlike any other."""
    ident = f"{run}-{number}"
    labels = {"alertname": alertname, "service": service, "instance": f"host-{ident}", "severity": "critical"}
    return webhook(f'{{}}:{{alertname="{alertname}", id="{ident}"}}', [webhook_alert(labels, f"{ident}")])


def api_alerts(label_sets, lasting_seconds=3600):
    """Alerts for Alertmanager's `POST /api/v2/alerts`, firing from now for `lasting_seconds`.

    An explicit end keeps Alertmanager from resolving them on its own after resolve_timeout mid-run.
    """
    now = datetime.datetime.now(datetime.timezone.utc)
    ends = now + datetime.timedelta(seconds=lasting_seconds)
    return json.dumps([
        {"labels": labels, "annotations": {"summary": "bench alert"},
         "startsAt": now.isoformat(), "endsAt": ends.isoformat()}
        for labels in label_sets
    ]).encode()
