# shellcheck shell=bash
# The monitoring half of the demo stack: node_exporter, Prometheus and Alertmanager, on loopback,
# each in its own folder of the data directory, as background processes with pid and log files.
# Redis, PostgreSQL and Tocsin are started by the repository's own scripts, which can source this
# file after lib/common.sh and lib/render.sh and call stack_configure, then stack_start/stop/status.
#
# Layout of the data directory:
#   node_exporter/  web-config.yml, tls.crt, tls.key, node_exporter.{pid,log}
#   textfile/       node_exporter's textfile collector (ops/demo writes tocsin_demo.prom here)
#   prometheus/     prometheus.yml (rendered), data/, prometheus.{pid,log}
#   alertmanager/   alertmanager.yml (rendered), webhook-token, data/, alertmanager.{pid,log}
#
# Settings, from the environment:
#   TOCSIN_STACK_NODE_PORT=9100 TOCSIN_STACK_PROM_PORT=9090 TOCSIN_STACK_AM_PORT=9093
#   TOCSIN_STACK_TOCSIN_PORT=9087   where Tocsin listens: Prometheus scrapes it, Alertmanager posts
#   TOCSIN_STACK_TLS=1              0 serves node_exporter over plain HTTP
#   TOCSIN_STACK_INTERVAL=5s        scrape and rule evaluation interval
#   TOCSIN_STACK_GROUP_WAIT=2s TOCSIN_STACK_GROUP_INTERVAL=10s TOCSIN_STACK_REPEAT_INTERVAL=4h
#   TOCSIN_STACK_READY_TIMEOUT=30   seconds each component gets to answer after it starts
#   TOCSIN_WEBHOOK_TOKEN            written to alertmanager/webhook-token when set; otherwise the
#                                   file is kept, or made with a random token on first start

# stack_configure DATA_DIR: sets the STACK_* variables every other function uses.
stack_configure() {
  STACK_DATA=$1
  STACK_NODE_PORT=${TOCSIN_STACK_NODE_PORT:-9100}
  STACK_PROM_PORT=${TOCSIN_STACK_PROM_PORT:-9090}
  STACK_AM_PORT=${TOCSIN_STACK_AM_PORT:-9093}
  STACK_TOCSIN_PORT=${TOCSIN_STACK_TOCSIN_PORT:-9087}
  STACK_TLS=${TOCSIN_STACK_TLS:-1}
  STACK_READY_TIMEOUT=${TOCSIN_STACK_READY_TIMEOUT:-30}

  STACK_NODE_DIR=$STACK_DATA/node_exporter
  STACK_TEXTFILE_DIR=$STACK_DATA/textfile
  STACK_PROM_DIR=$STACK_DATA/prometheus
  STACK_AM_DIR=$STACK_DATA/alertmanager
  STACK_TOKEN_FILE=$STACK_AM_DIR/webhook-token
  STACK_CA_FILE=$STACK_NODE_DIR/tls.crt

  STACK_PROM_URL=http://127.0.0.1:$STACK_PROM_PORT
  STACK_AM_URL=http://127.0.0.1:$STACK_AM_PORT
  STACK_WEBHOOK_URL=http://127.0.0.1:$STACK_TOCSIN_PORT/alertmanager
  if [[ $STACK_TLS == 1 ]]; then
    STACK_NODE_URL=https://127.0.0.1:$STACK_NODE_PORT
    STACK_NODE_CURL=(--cacert "$STACK_CA_FILE")
  else
    STACK_NODE_URL=http://127.0.0.1:$STACK_NODE_PORT
    STACK_NODE_CURL=()
  fi
}

# MARK: - Start

stack_start() {
  NODE_BIN=$(find_binary prometheus-node-exporter node_exporter)
  PROM_BIN=$(find_binary prometheus)
  AM_BIN=$(find_binary prometheus-alertmanager alertmanager)
  mkdir -p "$STACK_NODE_DIR" "$STACK_TEXTFILE_DIR" "$STACK_PROM_DIR/data" "$STACK_AM_DIR/data"

  stack_start_node_exporter
  stack_start_alertmanager
  stack_start_prometheus
  stack_print_where
}

stack_start_node_exporter() {
  local -a web=()
  if [[ $STACK_TLS == 1 ]]; then
    # The certificate outlives restarts, so that a Prometheus of an earlier run still trusts it.
    [[ -s $STACK_CA_FILE ]] || "$OPS_DIR/scripts/make-cert.sh" "$STACK_NODE_DIR" >/dev/null
    cp "$OPS_DIR/node_exporter/web-config.yml" "$STACK_NODE_DIR/web-config.yml"
    web=(--web.config.file="$STACK_NODE_DIR/web-config.yml")
  fi

  # Debian turns the systemd collector on; the demo needs no unit states, and on a machine
  # without systemd it would log an error at every scrape.
  stack_launch node_exporter "$STACK_NODE_DIR" "$NODE_BIN" "$STACK_NODE_PORT" \
    "$STACK_NODE_URL/metrics" "${STACK_NODE_CURL[@]}" -- \
    --web.listen-address="127.0.0.1:$STACK_NODE_PORT" "${web[@]}" \
    --collector.textfile.directory="$STACK_TEXTFILE_DIR" --no-collector.systemd
}

stack_start_alertmanager() {
  stack_write_token
  stack_render_alertmanager "$STACK_AM_DIR/alertmanager.yml"

  # An empty cluster address turns gossip off: one Alertmanager, no port 9094 opened.
  stack_launch alertmanager "$STACK_AM_DIR" "$AM_BIN" "$STACK_AM_PORT" "$STACK_AM_URL/-/ready" -- \
    --config.file="$STACK_AM_DIR/alertmanager.yml" --storage.path="$STACK_AM_DIR/data" \
    --web.listen-address="127.0.0.1:$STACK_AM_PORT" --web.external-url="$STACK_AM_URL/" \
    --cluster.listen-address=
}

stack_start_prometheus() {
  stack_render_prometheus "$STACK_PROM_DIR/prometheus.yml"

  # The external URL is what alerts link back to (generatorURL), so it must be reachable.
  # Lifecycle endpoints allow `curl -X POST $STACK_PROM_URL/-/reload` after editing the rules.
  stack_launch prometheus "$STACK_PROM_DIR" "$PROM_BIN" "$STACK_PROM_PORT" "$STACK_PROM_URL/-/ready" -- \
    --config.file="$STACK_PROM_DIR/prometheus.yml" --storage.tsdb.path="$STACK_PROM_DIR/data" \
    --storage.tsdb.retention.time=2d --web.listen-address="127.0.0.1:$STACK_PROM_PORT" \
    --web.external-url="$STACK_PROM_URL/" --web.enable-lifecycle
}

# stack_render_prometheus OUT and stack_render_alertmanager OUT: the stack's configs, with demo
# timings and the stack's ports and files. ops/check validates them the same way.
stack_render_prometheus() {
  local ca=
  [[ $STACK_TLS == 1 ]] && ca=$STACK_CA_FILE
  render_prometheus "$1" "${TOCSIN_STACK_INTERVAL:-5s}" "$OPS_DIR/prometheus/rules" \
    "127.0.0.1:$STACK_NODE_PORT" "$ca" "127.0.0.1:$STACK_TOCSIN_PORT" "127.0.0.1:$STACK_AM_PORT"
}

stack_render_alertmanager() {
  render_alertmanager "$1" "$STACK_WEBHOOK_URL" "$STACK_TOKEN_FILE" "${TOCSIN_STACK_GROUP_WAIT:-2s}" \
    "${TOCSIN_STACK_GROUP_INTERVAL:-10s}" "${TOCSIN_STACK_REPEAT_INTERVAL:-4h}"
}

# stack_launch NAME DIR BINARY PORT READY_URL [CURL_OPTION]... -- ARG...
# Starts BINARY ARG... unless it already runs from DIR's pid file, then waits for READY_URL.
stack_launch() {
  local name=$1 dir=$2 binary=$3 port=$4 ready_url=$5
  shift 5
  local -a curl_options=()
  while (($#)) && [[ $1 != -- ]]; do
    curl_options+=("$1")
    shift
  done
  shift

  local pidfile=$dir/$name.pid logfile=$dir/$name.log pid
  if pid=$(pid_of "$pidfile" "$binary"); then
    say "$name: already running (pid $pid)"
    return 0
  fi
  if port_in_use "$port"; then
    die "$name: port $port on 127.0.0.1 is taken by another program; choose another with" \
      "TOCSIN_STACK_*_PORT (see ops/lib/stack.sh)"
  fi

  printf '\n=== %s: starting %s\n' "$(date -u +%FT%TZ)" "$name" >>"$logfile"
  start_background "$pidfile" "$logfile" "$binary" "$@"
  pid=$(<"$pidfile")
  wait_ready "$name" "$pid" "$logfile" "$STACK_READY_TIMEOUT" "$ready_url" "${curl_options[@]}"
  say "$name: ready (pid $pid)"
}

# stack_write_token: the bearer token Alertmanager sends, in a file only its owner can read.
# Tocsin must get the same value as TOCSIN_WEBHOOK_TOKEN: TOCSIN_WEBHOOK_TOKEN=$(<"$STACK_TOKEN_FILE").
stack_write_token() {
  local token=${TOCSIN_WEBHOOK_TOKEN:-}
  if [[ -z $token ]]; then
    [[ -s $STACK_TOKEN_FILE ]] && return 0
    token=$(openssl rand -hex 24)
  fi
  (
    umask 077
    printf '%s' "$token" >"$STACK_TOKEN_FILE.tmp"
  )
  mv "$STACK_TOKEN_FILE.tmp" "$STACK_TOKEN_FILE"
}

# MARK: - Stop and status

stack_stop() {
  # Reverse order: Prometheus first, so that it does not alert on the others going away.
  stack_stop_one prometheus "$STACK_PROM_DIR" prometheus
  stack_stop_one alertmanager "$STACK_AM_DIR" prometheus-alertmanager alertmanager
  stack_stop_one node_exporter "$STACK_NODE_DIR" prometheus-node-exporter node_exporter
}

stack_stop_one() {
  local name=$1 dir=$2
  shift 2
  stop_background "$name" "$dir/$name.pid" "$(find_binary "$@")"
}

# stack_status: one line per component; returns non-zero unless all three run and answer.
stack_status() {
  local failed=0
  stack_status_one node_exporter "$STACK_NODE_DIR" "$STACK_NODE_URL/metrics" \
    "$(find_binary prometheus-node-exporter node_exporter)" "${STACK_NODE_CURL[@]}" || failed=1
  stack_status_one prometheus "$STACK_PROM_DIR" "$STACK_PROM_URL/-/ready" \
    "$(find_binary prometheus)" || failed=1
  stack_status_one alertmanager "$STACK_AM_DIR" "$STACK_AM_URL/-/ready" \
    "$(find_binary prometheus-alertmanager alertmanager)" || failed=1
  return "$failed"
}

# stack_status_one NAME DIR READY_URL BINARY [CURL_OPTION]...
stack_status_one() {
  local name=$1 dir=$2 url=$3 binary=$4 pid
  shift 4
  if ! pid=$(pid_of "$dir/$name.pid" "$binary"); then
    printf '%-14s stopped\n' "$name"
    return 1
  fi
  if ! curl -fsS -o /dev/null --max-time 2 "$@" "$url" 2>/dev/null; then
    printf '%-14s running (pid %s) but %s does not answer; log %s\n' "$name" "$pid" "$url" "$dir/$name.log"
    return 1
  fi
  printf '%-14s ready (pid %s) %s\n' "$name" "$pid" "$url"
}

# stack_print_where: where to look once the stack is up.
stack_print_where() {
  local curl_hint=
  [[ $STACK_TLS == 1 ]] && curl_hint=" (curl --cacert $STACK_CA_FILE)"
  cat <<WHERE

Stack up; data in $STACK_DATA
  node_exporter  $STACK_NODE_URL/metrics$curl_hint
  prometheus     $STACK_PROM_URL/alerts  (rules: $OPS_DIR/prometheus/rules)
  alertmanager   $STACK_AM_URL/#/alerts
  logs           $STACK_DATA/*/*.log
  demo alert     ops/demo fire|resolve --data $STACK_DATA  (textfile dir $STACK_TEXTFILE_DIR)
  webhook        Alertmanager posts to $STACK_WEBHOOK_URL, bearer token in $STACK_TOKEN_FILE
WHERE
}
