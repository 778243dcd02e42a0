#!/usr/bin/env bash
# Installs what checking compose.yaml needs, only when missing: docker-compose (Debian) and
# check-jsonschema (PyPI), which bundles the compose specification's schema.
set -euo pipefail
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
if ! command -v docker-compose >/dev/null 2>&1; then
  echo "Installing docker-compose (Debian) to check compose.yaml"
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get install -y -qq docker-compose </dev/null >/dev/null \
    || { "${as_root[@]}" apt-get update -qq && "${as_root[@]}" apt-get install -y -qq docker-compose </dev/null >/dev/null; }
fi
if ! command -v check-jsonschema >/dev/null 2>&1; then
  echo "Installing check-jsonschema (PyPI) to check compose.yaml against the compose specification"
  python3 -m pip install -q check-jsonschema </dev/null 2>/dev/null \
    || python3 -m pip install -q --break-system-packages check-jsonschema </dev/null
fi
