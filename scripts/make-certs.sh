#!/usr/bin/env bash
# Create a test CA, the broker's server certificate, the daemon's client certificate (CN "camsync")
# and one client certificate per body cam (CN = body-cam id) for config/mosquitto/.
#
# Usage: scripts/make-certs.sh OUT_DIR [BODYCAM_ID ...]
#   Re-running with an existing OUT_DIR reuses its CA (to add body cams later).
# Environment:
#   SERVER_NAMES  subjectAltName of the broker certificate (default DNS:localhost,IP:127.0.0.1)
#   DAYS          validity in days (default 825)
#   DAEMON_CN     the daemon's identity (default camsync; must match mqtt.username and the ACL)
set -euo pipefail

if [[ $# -lt 1 || "$1" == "-h" || "$1" == "--help" ]]; then
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
out="$1"
shift
days="${DAYS:-825}"
server_names="${SERVER_NAMES:-DNS:localhost,IP:127.0.0.1}"
daemon_cn="${DAEMON_CN:-camsync}"
id_re='^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$'

for id in "$@"; do
  if [[ ! "$id" =~ $id_re ]]; then
    echo "make-certs: invalid body-cam id '$id' (1-32 letters, digits, '-' or '_')" >&2
    exit 2
  fi
  if [[ "$id" == "$daemon_cn" ]]; then
    echo "make-certs: body-cam id '$id' is the daemon's identity" >&2
    exit 2
  fi
done

mkdir -p "$out"
umask 077
cd "$out"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

if [[ ! -f ca.key || ! -f ca.crt ]]; then
  key ca.key
  openssl req -x509 -new -key ca.key -sha256 -days "$days" -subj "/CN=camsync test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out ca.crt
fi

# sign NAME CN EXTENSIONS...
sign() {
  local name="$1" cn="$2"
  shift 2
  key "$name.key"
  openssl req -new -key "$name.key" -subj "/CN=$cn" -out "$name.csr"
  local ext
  ext="$(mktemp)"
  printf '%s\n' "basicConstraints=CA:FALSE" "$@" >"$ext"
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days "$days" \
    -extfile "$ext" -out "$name.crt" 2>/dev/null
  rm -f "$name.csr" "$ext"
}

sign server "camsync broker" "keyUsage=critical,digitalSignature,keyEncipherment" \
  "extendedKeyUsage=serverAuth" "subjectAltName=$server_names"
sign "$daemon_cn" "$daemon_cn" "keyUsage=critical,digitalSignature" "extendedKeyUsage=clientAuth"
for id in "$@"; do
  sign "$id" "$id" "keyUsage=critical,digitalSignature" "extendedKeyUsage=clientAuth"
done
chmod 644 ./*.crt
echo "make-certs: wrote $(ls ./*.crt | tr '\n' ' ')in $out" >&2
