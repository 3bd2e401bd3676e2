-- wrk script: POSTs one-alert Alertmanager notifications (webhook version 4), each unlike any other.
--
-- Tocsin stores equal deliveries once, so every request carries its own groupKey, instance and
-- fingerprint: run tag (BENCH_RUN), wrk thread number and a counter. The path comes from BENCH_PATH
-- (/alertmanager for Tocsin, /webhooks/prometheus for Alerta). Same shape as payloads.py.

local run = os.getenv("BENCH_RUN") or "run"
local path = os.getenv("BENCH_PATH") or "/alertmanager"
local threads = 0

-- Runs in the main state once per wrk thread: numbers the threads, whose own states start equal.
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local sent = 0
local template = '{"version":"4","groupKey":"{}:{alertname=\\"BenchIngest\\", id=\\"%s\\"}",'
  .. '"truncatedAlerts":0,"status":"firing","receiver":"tocsin","groupLabels":{"alertname":"BenchIngest"},'
  .. '"commonLabels":{"alertname":"BenchIngest","service":"default","instance":"host-%s",'
  .. '"severity":"critical"},"commonAnnotations":{},"externalURL":"http://127.0.0.1:9093",'
  .. '"alerts":[{"status":"firing","labels":{"alertname":"BenchIngest","service":"default",'
  .. '"instance":"host-%s","severity":"critical"},"annotations":{"summary":"bench alert"},'
  .. '"startsAt":"2026-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z",'
  .. '"generatorURL":"http://127.0.0.1:9090/graph","fingerprint":"%s"}]}'

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
  sent = sent + 1
  local ident = string.format("%s-%d-%d", run, thread_number or 0, sent)
  return wrk.format(nil, path, nil, string.format(template, ident, ident, ident, ident))
end
