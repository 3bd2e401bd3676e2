#!/usr/bin/env bash
# make-cert.sh DIR [NAME...]: writes a self-signed TLS certificate and its key to DIR/tls.crt and
# DIR/tls.key, valid for 127.0.0.1 and localhost plus each NAME (a host name or an IP address).
#
# The certificate is its own CA (basicConstraints CA:TRUE), so a client trusts it by naming it as
# its CA file: Prometheus' `tls_config: ca_file`, or `curl --cacert`. Clients match the SAN list,
# not the CN, so every name a client dials must be listed. An existing pair is replaced.
set -euo pipefail

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,7s/^# \{0,1\}//p' "$0"
  exit 0
fi
(($# >= 1)) || {
  echo "usage: make-cert.sh DIR [NAME...]" >&2
  exit 2
}

dir=$1
shift
command -v openssl >/dev/null || {
  echo "make-cert.sh: openssl is not installed (apt-get install openssl)" >&2
  exit 1
}

sans="IP:127.0.0.1,DNS:localhost"
for name in "$@"; do
  if [[ $name =~ ^[0-9.]+$ || $name == *:* ]]; then
    sans+=",IP:$name"
  else
    sans+=",DNS:$name"
  fi
done

mkdir -p "$dir"
config=$(mktemp)
trap 'rm -f "$config" "$dir/tls.key.tmp" "$dir/tls.crt.tmp"' EXIT

# A config of our own: the system openssl.cnf may add extensions that clash with these.
cat >"$config" <<CONF
[req]
distinguished_name = dn
x509_extensions = ext
prompt = no

[dn]
CN = localhost
O = Tocsin stack

[ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, keyCertSign
extendedKeyUsage = serverAuth
subjectAltName = $sans
subjectKeyIdentifier = hash
CONF

# The key is written private from the start, never briefly world-readable.
(
  umask 077
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -noenc -days 825 \
    -config "$config" -keyout "$dir/tls.key.tmp" -out "$dir/tls.crt.tmp"
)
chmod 644 "$dir/tls.crt.tmp"
mv "$dir/tls.key.tmp" "$dir/tls.key"
mv "$dir/tls.crt.tmp" "$dir/tls.crt"
echo "make-cert.sh: wrote $dir/tls.crt and $dir/tls.key for $sans"
