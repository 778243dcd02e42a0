#!/usr/bin/env bash
# The compose test on a real Docker engine (make compose-test): starts dockerd (and stops it by
# its pid at the end, if it started it), makes the base images with debootstrap, builds the
# image, brings the deployment up, drives it from the host with a stock NATS client, kills the
# logistics container during a burst of commands, starts it again, checks nothing was lost, and
# takes everything down with its volumes.
set -euo pipefail
cd "$(dirname "$0")/../.."
project=concordtest
count=${COMPOSE_BURST:-300}
token=wfp-compose-token-0123456789
started_dockerd=""

finish() {
  status=$?
  docker-compose -p "$project" logs --no-color > /tmp/concord-compose-test.log 2>&1 || true
  docker-compose -p "$project" down -v --remove-orphans >/dev/null 2>&1 || true
  [ -n "${CONCORD_KEYS_DIR:-}" ] && rm -rf "$CONCORD_KEYS_DIR"
  if [ -n "$started_dockerd" ]; then kill "$started_dockerd" 2>/dev/null || true; wait "$started_dockerd" 2>/dev/null || true; fi
  [ $status -eq 0 ] && echo "compose test: passed" || echo "compose test: FAILED (container logs in /tmp/concord-compose-test.log)"
  exit $status
}
trap finish EXIT

command -v dockerd >/dev/null || { apt-get install -y -qq docker.io </dev/null >/dev/null; }
command -v debootstrap >/dev/null || { apt-get install -y -qq debootstrap </dev/null >/dev/null; }
./scripts/install-compose-tools.sh
if ! docker info >/dev/null 2>&1; then
  dockerd > /tmp/concord-dockerd.log 2>&1 &
  started_dockerd=$!
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { echo "dockerd did not start; see /tmp/concord-dockerd.log"; exit 1; }
fi

./scripts/make-base-images.sh
swift package resolve >/dev/null
echo "building the image"
docker build -q -t concord:latest . >/dev/null

echo "keys"
# The bus keys, made by the image itself and owned by the user its parts run as.
export CONCORD_KEYS_DIR
CONCORD_KEYS_DIR=$(mktemp -d /tmp/concord-compose-keys.XXXXXX)
docker run --rm --user 0 -v "$CONCORD_KEYS_DIR:/keys" concord:latest keys init /keys --owner 10001 >/dev/null

echo "up"
# The engine picks the host port partners reach the gateway on; `port` tells which.
export CONCORD_GATEWAY_PUBLISH=127.0.0.1:0
export CONCORD_CONSOLE_PUBLISH=127.0.0.1:0
docker-compose -p "$project" up -d --no-build
healthy() {
  for service in bus registry logistics intelligence training liaison gateway console; do
    id=$(docker-compose -p "$project" ps -q "$service")
    [ "$(docker inspect -f '{{.State.Health.Status}}' "$id" 2>/dev/null)" = healthy ] || return 1
  done
}
for _ in $(seq 1 90); do healthy && break; sleep 2; done
healthy || { docker-compose -p "$project" ps; echo "not every part became healthy"; exit 1; }
echo "every part healthy"

docker-compose -p "$project" run --rm -T cli partner add WFP --name "World Food Programme" --kind un-body \
  --clearance restricted --token "$token" >/dev/null
docker-compose -p "$project" run --rm -T cli partner permit WFP --publish "cmd.logistics.request.create" \
  --publish "query.logistics.>" --publish "query.registry.partner.get" --subscribe "logistics.request.*" >/dev/null
sleep 2

gateway=$(docker-compose -p "$project" port gateway 4222)
echo "gateway published at $gateway"
python3 Tests/Compose/partner_burst.py "nats://$gateway" "$token" "$count" > /tmp/concord-partner.log 2>&1 &
partner=$!
for _ in $(seq 1 60); do grep -q "burst: started" /tmp/concord-partner.log && break; sleep 1; done
sleep 2
echo "killing logistics during the burst"
docker-compose -p "$project" kill logistics >/dev/null
sleep 3
docker-compose -p "$project" start logistics >/dev/null
wait "$partner" || { cat /tmp/concord-partner.log; exit 1; }
cat /tmp/concord-partner.log

echo "the console"
# WFP signs in to the console part with its gateway token and gets its requests as a map layer;
# an operator signs in with the token keys init wrote and sees every part up.
console=$(docker-compose -p "$project" port console 8080)
python3 - "$console" "$token" "$CONCORD_KEYS_DIR/console-operator.token" <<'PY' || exit 1
import json, sys, urllib.request
base, token, operator_file = f"http://{sys.argv[1]}", sys.argv[2], sys.argv[3]
def call(path, body=None, cookie=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if cookie:
        headers["Cookie"] = f"concord_session={cookie}"
    request = urllib.request.Request(base + path, data=None if body is None else json.dumps(body).encode(), headers=headers)
    with urllib.request.urlopen(request, timeout=20) as reply:
        return reply.headers.get("Set-Cookie", ""), reply.read().decode()
set_cookie, _ = call("/api/session", {"partner": "WFP", "token": token})
cookie = set_cookie.split("concord_session=")[1].split(";")[0]
_, layer = call("/api/export/logistics/request?format=geojson", cookie=cookie)
features = json.loads(layer)["features"]
print(f"console: WFP signed in; its request layer holds {len(features)} requests")
assert len(features) > 0, layer
set_cookie, _ = call("/api/session", {"operatorToken": open(operator_file).read().strip()})
cookie = set_cookie.split("concord_session=")[1].split(";")[0]
rows = {row["part"]: row for row in json.loads(call("/api/operator/status", cookie=cookie)[1])}
print("console: operator page:", ", ".join(f"{part} {row['health']}" for part, row in rows.items()))
assert all(rows.get(part, {}).get("health") == "up" for part in ["registry", "logistics", "intelligence", "training", "liaison"]), rows
PY
echo "console: ok"

echo "an outsider on the compose network"
# The host reaches the containers' addresses on the compose network without any key: what an
# outsider on that network could try. Each probe must fail and be counted by the bus and by the
# registry's catch-up server.
address() { docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$(docker-compose -p "$project" ps -q "$1")"; }
bus_ip=$(address bus)
registry_ip=$(address registry)
counter() { python3 -c "import sys, urllib.request
text = urllib.request.urlopen('http://$1:9464/metrics', timeout=10).read().decode()
print(int(sum(float(l.rsplit(' ', 1)[1]) for l in text.splitlines() if l.startswith('$2'))))"; }
refused_before=$(counter "$bus_ip" concord_bus_auth_refused_total)
failed_before=$(counter "$bus_ip" concord_bus_handshakes_failed_total)
catchup_before=$(counter "$registry_ip" concord_bus_auth_refused_total)
python3 Tests/Security/outsider.py --publish "tcp://$bus_ip:7701" --subscribe "tcp://$bus_ip:7702" \
  --catch-up "concord/registry=tcp://$registry_ip:7710" --keys "$CONCORD_KEYS_DIR/identities.json" --wait 1.5
# Counters move once each part has read its socket monitors: look again for up to 30 seconds.
for _ in $(seq 1 60); do
  refused=$(( $(counter "$bus_ip" concord_bus_auth_refused_total) - refused_before ))
  failed=$(( $(counter "$bus_ip" concord_bus_handshakes_failed_total) - failed_before ))
  catchup=$(( $(counter "$registry_ip" concord_bus_auth_refused_total) - catchup_before ))
  [ "$refused" -ge 2 ] && [ "$failed" -ge 4 ] && [ "$catchup" -ge 1 ] && break
  sleep 0.5
done
echo "counted: the bus refused $refused keys and saw $failed failed handshakes; the registry's catch-up refused $catchup keys"
[ "$refused" -ge 2 ] && [ "$failed" -ge 4 ] && [ "$catchup" -ge 1 ] || { echo "the outsider's probes were not all counted"; exit 1; }
if docker-compose -p "$project" run --rm -T cli partner list | grep -q OUTSIDER; then
  echo "a forged command registered a partner"; exit 1
fi
echo "outsider refused and counted: ok"
