#!/usr/bin/env python3
"""The multi-host test (make multihost-test): Linux network namespaces act as five hosts on one
switch (a bridge in a sixth namespace): bus, services, gateway, partner and outsider. The parts
run with `concord run` across them, each host holding only its own bus keys; the gateway speaks
TLS. Then:

  1. the shipped scenario runs end to end from the partner host (partners through the gateway,
     the mission's own commands over the bus as operator admin, whose key that host holds);
  2. a packet capture of every link holds none of the scenario's strings in clear;
  3. from the outsider host, forged commands, events and heartbeats, a subscription to everything
     and catch-up fetches all fail, and the bus and the catch-up servers count them;
  4. from the services host, logistics' valid key cannot publish intelligence's events.

    multihost.py <concord binary> <scratch folder>      (as root)
"""
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request

CONCORD, WORK = os.path.abspath(sys.argv[1]), sys.argv[2]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENARIO = os.path.join(ROOT, "docs/scenarios/mission.yaml")
OUTSIDER = os.path.join(ROOT, "Tests/Security/outsider.py")
PREFIX = "ccmh"
HOSTS = ["bus", "services", "gateway", "partner", "outsider"]
ADDRESS = {host: f"10.77.0.{index + 1}" for index, host in enumerate(HOSTS)}
SERVICES = ["registry", "logistics", "intelligence", "training", "liaison"]
KEYS = {"bus": ["concord.bus.key"], "services": [f"concord.{name}.key" for name in SERVICES],
        "gateway": ["concord.gateway.key"], "partner": ["operator.admin.key"], "outsider": []}
BUS = {"publish": f"tcp://{ADDRESS['bus']}:7701", "subscribe": f"tcp://{ADDRESS['bus']}:7702",
       "capture": f"tcp://{ADDRESS['bus']}:7703", "replay": f"tcp://{ADDRESS['bus']}:7704"}
BUS_ARGS = [arg for name in ["publish", "subscribe", "capture", "replay"] for arg in (f"--bus-{name}", BUS[name])]
PROCESSES = []
RESULTS = []


def check(name, passed, detail=""):
    RESULTS.append(passed)
    print(f"{'ok' if passed else 'not ok'} - {name}" + ("" if passed or not detail else f"\n    {detail}"), flush=True)


def sh(*args, check_status=True, **options):
    return subprocess.run(list(args), check=check_status, capture_output=True, text=True, timeout=120, **options)


def netns(host, *args):
    return ["ip", "netns", "exec", f"{PREFIX}-{host}", *args]


def build_network():
    sh("ip", "netns", "add", f"{PREFIX}-switch")
    sh(*netns("switch", "ip", "link", "add", "br0", "type", "bridge"))
    sh(*netns("switch", "ip", "link", "set", "br0", "up"))
    for host in HOSTS:
        sh("ip", "netns", "add", f"{PREFIX}-{host}")
        # Interface names are at most 15 characters.
        sh("ip", "link", "add", f"ccmh-h{HOSTS.index(host)}", "type", "veth", "peer", "name", link(host))
        sh("ip", "link", "set", f"ccmh-h{HOSTS.index(host)}", "netns", f"{PREFIX}-{host}")
        sh("ip", "link", "set", link(host), "netns", f"{PREFIX}-switch")
        sh(*netns("switch", "ip", "link", "set", link(host), "master", "br0", "up"))
        sh(*netns(host, "ip", "addr", "add", f"{ADDRESS[host]}/24", "dev", f"ccmh-h{HOSTS.index(host)}"))
        sh(*netns(host, "ip", "link", "set", f"ccmh-h{HOSTS.index(host)}", "up"))
        sh(*netns(host, "ip", "link", "set", "lo", "up"))


def link(host):
    """The switch's side of `host`'s link, where its traffic is captured."""
    return f"ccmh-s{HOSTS.index(host)}"


def tear_down():
    for process in reversed(PROCESSES):
        if process.poll() is None:
            process.terminate()
    for process in reversed(PROCESSES):
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    for host in HOSTS + ["switch"]:
        sh("ip", "netns", "del", f"{PREFIX}-{host}", check_status=False)


def spawn(host, name, *args):
    log = open(os.path.join(WORK, f"{name}.log"), "ab")
    process = subprocess.Popen(netns(host, *args), stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    PROCESSES.append(process)
    return process


def run_part(host, name, *args):
    """Starts `concord run …` on `host` and waits for its ready file."""
    ready = os.path.join(WORK, f"{name}.ready.json")
    process = spawn(host, name, CONCORD, "run", *args, "--keys", keys_of(host), "--data", os.path.join(WORK, host, "data"),
                    "--metrics-port", "0", "--log-level", "notice", "--ready-file", ready)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if os.path.exists(ready):
            return json.load(open(ready))
        if process.poll() is not None:
            raise RuntimeError(f"{name} ended with {process.returncode}; see {name}.log")
        time.sleep(0.1)
    raise RuntimeError(f"{name} was not ready in time; see {name}.log")


def keys_of(host):
    return os.path.join(WORK, host, "keys")


def hand_out_keys():
    """Every host gets the public key list and its own key files, nothing else."""
    mission = os.path.join(WORK, "mission-keys")
    sh(CONCORD, "keys", "init", mission)
    for host in HOSTS:
        os.makedirs(keys_of(host))
        for name in ["identities.json"] + KEYS[host]:
            shutil.copy2(os.path.join(mission, name), keys_of(host))
    shutil.rmtree(mission)


def make_certificate():
    sh("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", os.path.join(WORK, "gateway.key"),
       "-out", os.path.join(WORK, "gateway.pem"), "-days", "2", "-subj", "/CN=concord-gateway",
       "-addext", f"subjectAltName=IP:{ADDRESS['gateway']}")


def metrics(host, report):
    """The samples of a part's /metrics, read inside its host."""
    script = f"import urllib.request; print(urllib.request.urlopen('{report['metrics_url']}/metrics', timeout=10).read().decode())"
    text = sh(*netns(host, "python3", "-c", script)).stdout
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            values[name] = values.get(name, 0) + float(value)
    return values


def canaries():
    """Strings the scenario carries that must never be seen on a link: every partner's token,
    and every text value of the commands' data (names, places, descriptions)."""
    cassette = os.path.join(WORK, "scenario.input.jsonl")
    sh(CONCORD, "scenario", SCENARIO, "--write-cassette", cassette)
    strings = set()

    def walk(value):
        if isinstance(value, str) and len(value) >= 8 and not value.startswith("sha256$"):
            strings.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
    for line in open(cassette):
        entry = json.loads(line)
        walk(entry.get("envelope", {}).get("data"))
    for line in open(SCENARIO):
        if "token:" in line:
            strings.add(line.split("token:")[1].strip().rstrip("}").strip())
    return sorted(strings)


def main():
    os.makedirs(WORK, exist_ok=True)
    for host in HOSTS:
        os.makedirs(os.path.join(WORK, host, "data"), exist_ok=True)
    try:
        build_network()
        hand_out_keys()
        make_certificate()
        captures = [spawn("switch", f"tcpdump-{host}", "tcpdump", "-i", link(host), "-s", "0", "-U", "-n",
                          "-w", os.path.join(WORK, f"{host}.pcap")) for host in HOSTS]
        time.sleep(1)
        bus = run_part("bus", "bus", "bus", *BUS_ARGS)
        services = {name: run_part("services", name, name, *BUS_ARGS, "--catch-up-bind", f"tcp://{ADDRESS['services']}:*",
                                   "--heartbeat-ms", "500") for name in SERVICES}
        gateway = run_part("gateway", "gateway", "gateway", *BUS_ARGS, "--gateway-host", ADDRESS["gateway"], "--gateway-port", "4222",
                           "--tls-cert", os.path.join(WORK, "gateway.pem"), "--tls-key", os.path.join(WORK, "gateway.key"))
        check("the bus, five services and the gateway run on three hosts with CURVE", bool(bus and services and gateway))

        scenario = subprocess.run(netns("partner", CONCORD, "scenario", SCENARIO, "--speed", "6", *BUS_ARGS,
                                        "--keys", keys_of("partner"), "--gateway", f"tls://{ADDRESS['gateway']}:4222",
                                        "--tls-ca", os.path.join(WORK, "gateway.pem")),
                                  capture_output=True, text=True, timeout=300)
        check("the shipped scenario runs end to end from the partner host, partners through the gateway over TLS",
              scenario.returncode == 0, (scenario.stdout + scenario.stderr)[-1500:])

        before = {"bus": metrics("bus", bus), **{name: metrics("services", report) for name, report in services.items()}}
        catch_up = [arg for name, report in services.items() for arg in ("--catch-up", f"concord/{name}={report['catch_up'][name]}")]
        probe = subprocess.run(netns("outsider", "python3", OUTSIDER, "--publish", BUS["publish"], "--subscribe", BUS["subscribe"],
                                     *catch_up, "--keys", os.path.join(keys_of("outsider"), "identities.json"), "--wait", "1.5"),
                               capture_output=True, text=True, timeout=300)
        print(probe.stdout, end="")
        check("from the outsider host nothing is read: no subscription or catch-up fetch got anything", probe.returncode == 0,
              probe.stderr[-800:])
        compromised = subprocess.run(netns("services", "python3", OUTSIDER, "--publish", BUS["publish"], "--subscribe", BUS["subscribe"],
                                           "--keys", os.path.join(keys_of("services"), "identities.json"),
                                           "--key", os.path.join(keys_of("services"), "concord.logistics.key"), "--wait", "1.5"),
                                     capture_output=True, text=True, timeout=300)
        print(compromised.stdout, end="")

        def read_all():
            return {"bus": metrics("bus", bus), **{name: metrics("services", report) for name, report in services.items()}}

        def grew(part, name):
            return after[part].get(name, 0) - before[part].get(name, 0)

        # Counters move once each part has read its socket monitors: wait until all have, or 30 s.
        deadline = time.monotonic() + 30
        while True:
            after = read_all()
            if time.monotonic() > deadline or (
                    grew("bus", "concord_bus_auth_refused_total") >= 2 and grew("bus", "concord_bus_handshakes_failed_total") >= 4
                    and grew("bus", 'concord_proxy_messages_total{outcome="refused"}') >= 2
                    and grew("bus", "concord_proxy_subscriptions_refused_total") >= 1
                    and all(grew(name, "concord_bus_auth_refused_total") >= 1 and grew(name, "concord_bus_handshakes_failed_total") >= 2
                            for name in SERVICES)):
                break
            time.sleep(0.5)
        check("the bus counted the outsider's connections: unknown keys refused by ZAP, plain ones failed their handshake",
              grew("bus", "concord_bus_auth_refused_total") >= 2 and grew("bus", "concord_bus_handshakes_failed_total") >= 4,
              f"auth refused +{grew('bus', 'concord_bus_auth_refused_total')}, handshakes failed +{grew('bus', 'concord_bus_handshakes_failed_total')}")
        check("every catch-up server counted the outsider's fetches",
              all(grew(name, "concord_bus_auth_refused_total") >= 1 and grew(name, "concord_bus_handshakes_failed_total") >= 2 for name in SERVICES),
              str({name: (grew(name, "concord_bus_auth_refused_total"), grew(name, "concord_bus_handshakes_failed_total")) for name in SERVICES}))
        refused = grew("bus", 'concord_proxy_messages_total{outcome="refused"}')
        check("logistics' valid key cannot publish intelligence's event or heartbeat: refused and counted at the proxy",
              refused >= 2 and compromised.returncode == 0, f"refused +{refused}; {compromised.stdout[-400:]}")
        check("nor subscribe to everything", grew("bus", "concord_proxy_subscriptions_refused_total") >= 1)
        listed = subprocess.run(netns("partner", CONCORD, "partner", "list", *BUS_ARGS, "--keys", keys_of("partner")),
                                capture_output=True, text=True, timeout=60)
        check("the forged commands registered no partner", listed.returncode == 0 and "OUTSIDER" not in listed.stdout
              and "WFP" in listed.stdout, listed.stdout[-400:] + listed.stderr[-400:])
    finally:
        tear_down()

    strings = canaries()
    found = {}
    sizes = {}
    for host in HOSTS:
        data = open(os.path.join(WORK, f"{host}.pcap"), "rb").read()
        sizes[host] = len(data)
        hits = [text for text in strings if text.encode() in data]
        if hits:
            found[host] = hits[:5]
    check(f"every link was captured ({', '.join(f'{host} {size // 1024} KiB' for host, size in sizes.items())})",
          all(sizes[host] > 4096 for host in ["bus", "services", "gateway", "partner"]))
    bus_capture = open(os.path.join(WORK, "bus.pcap"), "rb").read()
    check("the capture is readable: ZeroMQ's greeting names its CURVE mechanism in clear", b"CURVE" in bus_capture)
    check(f"none of the scenario's {len(strings)} strings (tokens, names, places, texts) is on any link in clear",
          not found, json.dumps(found))
    failed = RESULTS.count(False)
    print(f"{len(RESULTS) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
