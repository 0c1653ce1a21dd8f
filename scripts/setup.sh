#!/usr/bin/env bash
# Prepare a fresh Debian machine (with Node >= 20.19) to run camsync's demo and tests:
# installs the Debian packages that are missing, then `npm ci` and the build. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# command → Debian package
declare -A need=(
  [ffmpeg]=ffmpeg [ffprobe]=ffmpeg
  [mosquitto]=mosquitto
  [socat]=socat
  [candump]=can-utils
  [gpiomon]=gpiod
  [chromium]=chromium
  [openssl]=openssl
  [systemd-analyze]=systemd
  [python3]=python3 # npm run bench: the serial-line benchmark opens its pseudo-terminal with pty.openpty()
)
missing=()
for cmd in "${!need[@]}"; do
  if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ]; then
    missing+=("${need[$cmd]}")
  fi
done
# PostgreSQL's server binaries are not on PATH (the station's tests start a real server from them)
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  missing+=(postgresql)
fi
# The body cams' clips burn their id and time in with DejaVu Sans Mono (src/bodycam/clip-recorder.ts)
if [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ]; then
  missing+=(fonts-dejavu-core)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "camsync setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "camsync setup: not root and no sudo; install these first: ${missing[*]}" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("camsync needs Node >= 20.19, this is "+process.version); process.exit(1) }'
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build --silent
echo "camsync setup: ready"
