# shellcheck shell=bash
# Shared by the ops scripts: paths, messages, the --data option and background processes.
# Sourced, never run; defines variables and functions only. Functions that fail exit the shell,
# as `set -e` would, after one line on stderr.

OPS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(dirname "$OPS_DIR")

# MARK: - Messages

say() { printf '%s\n' "$*"; }
warn() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() {
  warn "$*"
  exit 1
}

# MARK: - Arguments

# parse_data_dir ARGS...: sets DATA_DIR from "--data DIR" (default: .stack/ in the repository,
# or $TOCSIN_STACK_DATA), made absolute. Any other argument is misuse: exit 2.
parse_data_dir() {
  DATA_DIR=${TOCSIN_STACK_DATA:-$REPO_DIR/.stack}
  while (($#)); do
    case $1 in
      --data)
        (($# >= 2)) || usage_error "--data needs a directory"
        DATA_DIR=$2
        shift 2
        ;;
      --data=*)
        DATA_DIR=${1#--data=}
        shift
        ;;
      *) usage_error "unknown argument '$1'" ;;
    esac
  done
  [[ -n $DATA_DIR ]] || usage_error "--data needs a directory"
  DATA_DIR=$(realpath -m -- "$DATA_DIR")
}

# usage_error MESSAGE: misuse of a script, reported the way every Tocsin command does (exit 2).
usage_error() {
  warn "$1 (see --help)"
  exit 2
}

# MARK: - Processes

# find_binary NAME...: the first of NAME... found on PATH (Debian renames some binaries).
find_binary() {
  local name
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1; then
      command -v "$name"
      return 0
    fi
  done
  die "none of '$*' is installed (apt-get install prometheus prometheus-alertmanager" \
    "prometheus-node-exporter)"
}

# pid_of PIDFILE BINARY: prints the pid recorded in PIDFILE if that process is alive and runs
# BINARY. Checking the executable keeps a stale pid file, whose pid the system has reused for
# another program, from pointing at that program.
pid_of() {
  local pidfile=$1 binary=$2 pid exe
  [[ -s $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  exe=${exe% (deleted)} # the package was upgraded under the running process
  [[ $exe == "$(readlink -f "$binary")" ]] || return 1
  printf '%s\n' "$pid"
}

# port_in_use PORT: whether something accepts TCP connections on 127.0.0.1:PORT.
# curl's exit code 7 is "could not connect"; anything else means a listener answered somehow.
port_in_use() {
  local code=0
  curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/" 2>/dev/null || code=$?
  ((code != 7))
}

# start_background PIDFILE LOGFILE COMMAND...: runs COMMAND detached from this shell's input,
# output appended to LOGFILE, its pid written to PIDFILE.
start_background() {
  local pidfile=$1 logfile=$2
  shift 2
  nohup "$@" </dev/null >>"$logfile" 2>&1 &
  printf '%s\n' "$!" >"$pidfile"
}

# stop_background NAME PIDFILE BINARY: SIGTERM, then SIGKILL after 15 s; removes PIDFILE.
stop_background() {
  local name=$1 pidfile=$2 binary=$3 pid
  if ! pid=$(pid_of "$pidfile" "$binary"); then
    rm -f "$pidfile"
    say "$name: not running"
    return 0
  fi

  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 15))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    warn "$name (pid $pid) ignored SIGTERM for 15 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  say "$name: stopped (pid $pid)"
}

# wait_ready NAME PID LOGFILE TIMEOUT URL [CURL_OPTION]...: waits until URL answers 2xx, for at
# most TIMEOUT seconds. Fails early, showing the log's end, if the process exits meanwhile.
wait_ready() {
  local name=$1 pid=$2 logfile=$3 timeout=$4 url=$5
  shift 5
  local deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$logfile" >&2 || true
      die "$name exited during startup; its log is $logfile (end shown above)"
    fi
    if curl -fsS -o /dev/null --max-time 2 "$@" "$url" 2>/dev/null; then
      return 0
    fi
    sleep 0.3
  done
  tail -n 20 "$logfile" >&2 || true
  die "$name did not answer $url within ${timeout}s; its log is $logfile (end shown above)"
}
