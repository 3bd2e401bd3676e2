# shellcheck shell=bash
# Renders the Prometheus and Alertmanager configs from their templates (*.yml.in).
# Sourced by ops scripts after lib/common.sh; defines functions only.

# render_template TEMPLATE OUT [--without TAG]... [NAME=VALUE]...
# Replaces each @NAME@ with VALUE, drops lines ending in "# @TAG@" for each --without TAG (and
# strips that marker from the lines it keeps), and drops template-only "##" comment lines.
# Fails, leaving OUT untouched, if a placeholder is left unfilled.
render_template() {
  local template=$1 out=$2
  shift 2
  local -a drops=() fills=()
  while (($#)); do
    case $1 in
      --without)
        drops+=(-e "/# @$2@\$/d")
        shift 2
        ;;
      *=*)
        fills+=(-e "s|@${1%%=*}@|$(sed_escape "${1#*=}")|g")
        shift
        ;;
      *) die "render_template: bad argument '$1'" ;;
    esac
  done

  local tmp="$out.tmp.$$"
  sed -e '/^[[:space:]]*##/d' "${drops[@]}" -e 's/[[:space:]]*# @[A-Z_]*@$//' "${fills[@]}" \
    "$template" >"$tmp"

  if grep -n '@[A-Z_][A-Z_]*@' "$tmp" >&2; then
    rm -f "$tmp"
    die "$template: placeholder left unfilled (lines above)"
  fi
  mv "$tmp" "$out"
}

# sed_escape VALUE: VALUE made safe for the replacement side of s|...|...|.
sed_escape() {
  printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'
}

# render_prometheus OUT INTERVAL RULES_DIR NODE_ADDR NODE_CA_FILE TOCSIN_ADDR ALERTMANAGER_ADDR
# An empty NODE_CA_FILE scrapes node_exporter over plain HTTP.
render_prometheus() {
  local out=$1 interval=$2 rules_dir=$3 node_addr=$4 node_ca=$5 tocsin_addr=$6 am_addr=$7
  local -a tls=()
  [[ -n $node_ca ]] || tls=(--without TLS)

  render_template "$OPS_DIR/prometheus/prometheus.yml.in" "$out" "${tls[@]}" \
    INTERVAL="$interval" RULES_DIR="$rules_dir" NODE_ADDR="$node_addr" NODE_CA_FILE="$node_ca" \
    TOCSIN_ADDR="$tocsin_addr" ALERTMANAGER_ADDR="$am_addr"
}

# render_alertmanager OUT TOCSIN_URL TOKEN_FILE GROUP_WAIT GROUP_INTERVAL REPEAT_INTERVAL
render_alertmanager() {
  local out=$1
  render_template "$OPS_DIR/alertmanager/alertmanager.yml.in" "$out" \
    TOCSIN_URL="$2" TOKEN_FILE="$3" GROUP_WAIT="$4" GROUP_INTERVAL="$5" REPEAT_INTERVAL="$6"
}

# render_checked_in DIR: the production configs, as checked in, written to DIR/prometheus.yml and
# DIR/alertmanager.yml. Paths are the Debian packages' (/etc/prometheus); intervals are production
# ones. ops/render-configs writes them in place, ops/check compares them with the checked-in files.
render_checked_in() {
  local dir=$1
  render_prometheus "$dir/prometheus.yml" 15s rules 127.0.0.1:9100 \
    /etc/prometheus/node_exporter/tls.crt 127.0.0.1:9087 127.0.0.1:9093
  render_alertmanager "$dir/alertmanager.yml" http://127.0.0.1:9087/alertmanager \
    /etc/prometheus/tocsin-webhook-token 10s 1m 4h
}
