#!/usr/bin/env python3
"""Drives a real Concord deployment (bus, registry and gateway as separate `concord run`
processes) with the stock nats-py client, the way a partner organisation would.

Usage: nats_py_conformance.py CONCORD_BINARY WORK_FOLDER
Prints one line per check and exits non-zero at the first failure.
"""
import asyncio
import json
import os
import socket
import subprocess
import sys
import time

import nats
from nats.errors import TimeoutError as NatsTimeout

import access_checks
import storm_check
from partner_checks import PASSED, check, raw_session, rss_mib

CONCORD, WORK = sys.argv[1], sys.argv[2]
# Every part and command reads the mission's bus keys from here (made in main).
os.environ["CONCORD_KEYS"] = os.path.join(WORK, "keys")


# Filled in by main() from what the parts report once ready: every part binds port 0 (or `*`)
# and says through --ready-file which port it got, so no port is picked in advance.
BUS_ARGS = []
GATEWAY = 0
URL = ""
TOKENS = {code: f"{code.lower()}-token-0123456789abcdef" for code in ["AU", "ECOWAS", "NLD", "MSF"]}


def start(name, *args, timeout=90):
    """Starts `concord run ...` and waits for its ready file; returns the process and its report."""
    ready = os.path.join(WORK, f"{name}.ready.json")
    if os.path.exists(ready):
        os.remove(ready)
    log = open(os.path.join(WORK, f"{name}.log"), "ab")
    process = subprocess.Popen([CONCORD, "run", *args, "--metrics-port", "off", "--ready-file", ready],
                               stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(ready):
            with open(ready) as file:
                return process, json.load(file)
        if process.poll() is not None:
            raise RuntimeError(f"concord run {name} ended with {process.returncode} before it was ready; see {name}.log")
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"concord run {name} was not ready within {timeout} s")


def concord(*args):
    result = subprocess.run([CONCORD, *args, *BUS_ARGS[:4]], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"concord {' '.join(args)} failed: {result.stdout} {result.stderr}")
    return result.stdout


def start_gateway(port=0):
    return start("gateway", "gateway", *BUS_ARGS, "--gateway-port", str(port), "--log-level", "notice",
                 "--max-pending", str(1 << 20), "--service-timeout-ms", "1500")


async def connect(code, **options):
    return await nats.connect(URL, token=TOKENS[code], max_reconnect_attempts=0, allow_reconnect=False, **options)


async def received(subscription, timeout=3.0):
    try:
        return await subscription.next_msg(timeout=timeout)
    except NatsTimeout:
        return None


async def checks():
    # Authentication.
    au = await connect("AU")
    check("connect with a token", au.is_connected)
    try:
        await nats.connect(URL, token="wrong-token-000000000", max_reconnect_attempts=0, allow_reconnect=False)
        check("a wrong token is refused", False)
    except Exception as error:
        check("a wrong token is refused", "Authorization Violation" in str(error), str(error))

    # Request/reply to a registry query.
    reply = await au.request("query.registry.partner.get", json.dumps({"code": "AU"}).encode(), timeout=5)
    answer = json.loads(reply.data)
    check("request/reply to a registry query", answer["type"] == "registry.partner.found"
          and answer["data"]["partner"]["code"] == "AU", reply.data[:200])
    rejected = json.loads((await au.request("query.registry.partner.get", b'{"code":"NOPE"}', timeout=5)).data)
    check("a refused query answers with the reason", rejected["type"] == "registry.command.rejected"
          and rejected["data"]["code"] == "not_found")
    invalid = json.loads((await au.request("query.registry.partner.get", b"{not json", timeout=5)).data)
    check("invalid JSON is answered by the gateway and never reaches a service",
          invalid["type"] == "gateway.command.rejected" and invalid["data"]["code"] == "malformed_json")

    # Wildcards and queue groups: unit events are releasable to their owning partner.
    wildcard = await au.subscribe("registry.unit.*")
    full = await au.subscribe("registry.>")
    au2 = await connect("AU")
    au3 = await connect("AU")
    group = [await c.subscribe("registry.unit.registered", queue="planners") for c in (au2, au3)]
    await au.flush(); await au2.flush(); await au3.flush()
    for index in range(6):
        command = {"unit": f"AU-INF-{index}", "partner": "AU", "type": "infantry", "strength": 600,
                   "location": {"name": "Mogadishu"}}
        answer = json.loads((await au.request("cmd.registry.unit.register", json.dumps(command).encode(), timeout=5)).data)
        assert answer["type"] == "registry.unit.registered", answer
    got_wildcard = [await received(wildcard) for _ in range(6)]
    check("a '*' subscription receives matching events", all(m and m.subject == "registry.unit.registered" for m in got_wildcard))
    got_full = [await received(full) for _ in range(6)]
    check("a '>' subscription receives matching events", all(m is not None for m in got_full))
    counts = [0, 0]
    for _ in range(6):
        for i, sub in enumerate(group):
            if await received(sub, timeout=0.2):
                counts[i] += 1
    extra = [await received(sub, timeout=0.3) for sub in group]
    check("a queue group gets each event once", sum(counts) == 6 and extra == [None, None], str(counts))

    # Permission violations keep the connection open, as nats-server does.
    data, closed = await raw_session(GATEWAY,
        f'CONNECT {{"auth_token":"{TOKENS["AU"]}","verbose":false}}\r\nSUB intel.> 1\r\nPUB logistics.request.submitted 2\r\n{{}}\r\nPING\r\n'.encode())
    text = data.decode()
    check("a forbidden subscription gets the nats-server error",
          "-ERR 'Permissions Violation for Subscription to \"intel.>\"'" in text, text)
    check("a forbidden publish gets the nats-server error and the connection stays",
          "-ERR 'Permissions Violation for Publish to \"logistics.request.submitted\"'" in text and "PONG" in text, text)

    # Over the payload limit: refused and closed.
    data, closed = await raw_session(GATEWAY, f'CONNECT {{"auth_token":"{TOKENS["AU"]}"}}\r\nPUB partner.note.posted 2000000\r\n'.encode())
    check("a payload over the limit is refused and the connection closed",
          "Maximum Payload Violation" in data.decode() and closed, data.decode())
    data, closed = await raw_session(GATEWAY, b"PING\r\n")
    check("nothing passes before authentication", "Authorization Violation" in data.decode() and closed, data.decode())

    # Releasability: NLD (SECRET) posts a CONFIDENTIAL note for AU and ECOWAS.
    ecowas, msf = await connect("ECOWAS"), await connect("MSF")
    notes = {code: await conn.subscribe("partner.note.*") for code, conn in (("AU", au), ("ECOWAS", ecowas), ("MSF", msf))}
    for conn in (au, ecowas, msf):
        await conn.flush()
    nld = await connect("NLD", )
    # The way from a publishing partner back out to the others is open before the labelled
    # note (a loaded machine can take longer than a receive timeout): notes for ECOWAS alone
    # until one arrives, then drained. AU and MSF are not named on them.
    for _ in range(20):
        await nld.publish("partner.note.posted", b'{"text":"warm-up"}', headers={"Concord-Releasable-To": "ECOWAS"})
        await nld.flush()
        if await received(notes["ECOWAS"], timeout=0.5) is not None:
            break
    while await received(notes["ECOWAS"], timeout=0.5) is not None:
        pass
    headers = {"Concord-Classification": "CONFIDENTIAL", "Concord-Releasable-To": "AU ECOWAS"}
    await nld.publish("partner.note.posted", json.dumps({"text": "convoy moves at dawn"}).encode(), headers=headers)
    await nld.flush()
    got = {code: await received(sub, timeout=5 if code == "ECOWAS" else 2) for code, sub in notes.items()}
    check("a labelled event reaches the named, cleared partner", got["ECOWAS"] is not None
          and json.loads(got["ECOWAS"].data)["source"] == "partner/NLD")
    check("a named partner without the clearance does not get it", got["AU"] is None)
    check("a cleared partner that is not named does not get it", got["MSF"] is None)

    # echo: false keeps a connection's own messages from coming back to it; others still get them.
    quiet = await nats.connect(URL, token=TOKENS["NLD"], no_echo=True, allow_reconnect=False)
    loud = await connect("NLD")
    nld_subs = [await quiet.subscribe("partner.note.*"), await loud.subscribe("partner.note.*")]
    await quiet.flush(); await loud.flush()
    await quiet.publish("partner.note.posted", b'{"text":"own note"}', headers={"Concord-Releasable-To": "NLD"})
    await quiet.flush()
    got_quiet, got_loud = await received(nld_subs[0], 1), await received(nld_subs[1], 2)
    check("echo false: the publishing connection does not get its own message back", got_quiet is None)
    check("echo false: other connections of the partner still get it", got_loud is not None)
    await quiet.close(); await loud.close()

    # User and password, stored as salted PBKDF2 by the registry.
    concord("partner", "credential", "NLD", "--user", "nld-ops", "--password", "correct horse battery")
    await asyncio.sleep(0.5)
    by_password = await nats.connect(URL, user="nld-ops", password="correct horse battery", allow_reconnect=False)
    check("a partner connects with user and password", by_password.is_connected)
    await by_password.close()
    try:
        await nats.connect(URL, user="nld-ops", password="wrong horse", allow_reconnect=False, max_reconnect_attempts=0)
        check("a wrong password is refused", False)
    except Exception as error:
        check("a wrong password is refused", "Authorization Violation" in str(error))

    # A suspended partner is cut off at once.
    errors = []
    async def on_error(error):
        errors.append(str(error))
    watched = await connect("MSF", error_cb=on_error)
    concord("partner", "suspend", "MSF", "--reason", "conformance")
    for _ in range(50):
        if not watched.is_connected:
            break
        await asyncio.sleep(0.1)
    reason = str(watched.last_error) + " ".join(errors)
    check("a suspended partner is cut off", not watched.is_connected and "authorization" in reason.lower(), reason)
    try:
        await connect("MSF")
        check("a suspended partner cannot reconnect", False)
    except Exception as error:
        check("a suspended partner cannot reconnect", "Authorization Violation" in str(error))
    for conn in (au, au2, au3, ecowas, nld):
        await conn.close()


async def slow_consumer_check(gateway_pid, events=100_000):
    """One partner stops reading while another receives every event; the slow one is cut off."""
    # ECOWAS reads nothing: a raw connection that subscribes and then never reads.
    reader, writer = await asyncio.open_connection("127.0.0.1", GATEWAY)
    await reader.readline()
    writer.write(f'CONNECT {{"auth_token":"{TOKENS["ECOWAS"]}"}}\r\nSUB partner.note.* 1\r\nPING\r\n'.encode())
    await writer.drain()
    au = await nats.connect(URL, token=TOKENS["AU"], allow_reconnect=False)
    count = 0
    done = asyncio.Event()
    async def on_note(message):
        nonlocal count
        count += 1
        if count == events:
            done.set()
    await au.subscribe("partner.note.*", cb=on_note, pending_msgs_limit=events * 2, pending_bytes_limit=1 << 30)
    await au.flush()
    nld = await nats.connect(URL, token=TOKENS["NLD"], allow_reconnect=False)
    baseline = rss_mib(gateway_pid)
    peak = baseline
    body = json.dumps({"text": "x" * 200}).encode()
    headers = {"Concord-Classification": "UNCLASSIFIED", "Concord-Releasable-To": "AU ECOWAS"}
    for index in range(events):
        await nld.publish("partner.note.posted", body, headers=headers)
        if index % 5_000 == 0:
            await nld.flush()
            peak = max(peak, rss_mib(gateway_pid))
    await nld.flush()
    deadline = time.monotonic() + 120
    while not done.is_set() and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        peak = max(peak, rss_mib(gateway_pid))
    check(f"the reading partner receives all {events} events while another does not read", count == events, f"got {count}")
    # The silent connection was cut off: the gateway closed it.
    closed = False
    try:
        while True:
            chunk = await asyncio.wait_for(reader.read(1 << 20), 5)
            if not chunk:
                closed = True
                break
    except (asyncio.TimeoutError, ConnectionResetError):
        closed = reader.at_eof()
    check("the partner that stopped reading is cut off as a slow consumer", closed)
    check(f"gateway memory stays bounded (RSS {baseline:.0f} MiB -> peak {peak:.0f} MiB)", peak - baseline < 200)
    writer.close()
    await au.close()
    await nld.close()


async def restart_check(restart):
    reconnected = asyncio.Event()
    async def on_reconnect():
        reconnected.set()
    ecowas = await nats.connect(URL, token=TOKENS["ECOWAS"], reconnect_time_wait=0.5, max_reconnect_attempts=120,
                                reconnected_cb=on_reconnect)
    sub = await ecowas.subscribe("partner.note.*")
    await ecowas.flush()
    restart()
    await asyncio.wait_for(reconnected.wait(), 60)
    await asyncio.sleep(0.5)
    nld = await nats.connect(URL, token=TOKENS["NLD"], reconnect_time_wait=0.5, max_reconnect_attempts=60)
    await nld.publish("partner.note.posted", b'{"text":"after restart"}',
                      headers={"Concord-Classification": "RESTRICTED", "Concord-Releasable-To": "ECOWAS"})
    await nld.flush()
    message = await received(sub, timeout=5)
    check("after a gateway restart the client reconnects, resubscribes and receives",
          message is not None and json.loads(message.data)["data"]["text"] == "after restart")
    await ecowas.close()
    await nld.close()


async def live_changes_check():
    """Registry changes reach live connections: a rotated secret cuts off its users, a withdrawn
    permission ends the subscriptions it allowed, repeated failures are slowed down."""
    ecowas = await connect("ECOWAS")
    concord("partner", "credential", "ECOWAS", "--token", "ecowas-rotated-0123456789abcdef")
    for _ in range(50):
        if not ecowas.is_connected:
            break
        await asyncio.sleep(0.1)
    check("rotating a secret cuts off connections that used the old one", not ecowas.is_connected)
    try:
        await connect("ECOWAS")
        check("the old secret no longer works", False)
    except Exception as error:
        check("the old secret no longer works", "Authorization Violation" in str(error))
    TOKENS["ECOWAS"] = "ecowas-rotated-0123456789abcdef"
    rotated = await connect("ECOWAS")
    check("the new secret works", rotated.is_connected)
    await rotated.close()

    reader, writer = await asyncio.open_connection("127.0.0.1", GATEWAY)
    await reader.readline()
    writer.write(f'CONNECT {{"auth_token":"{TOKENS["AU"]}"}}\r\nSUB partner.note.* 7\r\nPING\r\n'.encode())
    await writer.drain()
    await reader.readline()  # PONG
    concord("partner", "permit", "AU", "--publish", "query.registry.>", "--subscribe", "registry.>")
    line = (await asyncio.wait_for(reader.readline(), 5)).decode()
    check("withdrawing a permission ends the live subscription with the nats-server error",
          line.startswith("-ERR 'Permissions Violation for Subscription to \"partner.note.*\"'"), line)
    writer.close()

    delays = []
    for _ in range(5):
        started = time.monotonic()
        data, _ = await raw_session(GATEWAY, b'CONNECT {"auth_token":"not-a-partner-token-000"}\r\n', read_for=3)
        delays.append(time.monotonic() - started)
    check("repeated authentication failures from one address are slowed down",
          delays[-1] >= 0.5 and delays[-1] > delays[0], str([round(d, 2) for d in delays]))


async def no_responders_check(stop_registry):
    """With the registry gone, a request gets the NATS no-responders status."""
    au = await connect("AU")
    stop_registry()
    await asyncio.sleep(2.5)
    try:
        await au.request("query.registry.partner.get", b'{"code":"AU"}', timeout=5)
        check("a request nobody serves gets 503 no responders", False)
    except nats.errors.NoRespondersError:
        check("a request nobody serves gets 503 no responders", True)
    await au.close()


def main():
    global BUS_ARGS, GATEWAY, URL
    subprocess.run([CONCORD, "keys", "init", os.environ["CONCORD_KEYS"]], check=True, capture_output=True, timeout=60)
    bus, report = start("bus", "bus", "--bus-publish", "tcp://127.0.0.1:*", "--bus-subscribe", "tcp://127.0.0.1:*",
                        "--bus-capture", "tcp://127.0.0.1:*", "--bus-replay", "tcp://127.0.0.1:*")
    endpoints = report["bus"]
    BUS_ARGS = ["--bus-publish", endpoints["publish"], "--bus-subscribe", endpoints["subscribe"],
                "--bus-capture", endpoints["capture"], "--bus-replay", endpoints["replay"]]
    registry, _ = start("registry", "registry", *BUS_ARGS, "--data", os.path.join(WORK, "data"), "--heartbeat-ms", "200")
    processes = [bus, registry]
    first, report = start_gateway()
    gateway = [first]
    GATEWAY = report["gateway_port"]
    URL = f"nats://127.0.0.1:{GATEWAY}"
    try:
        time.sleep(1)
        for attempt in range(50):
            try:
                concord("partner", "list")
                break
            except RuntimeError:
                time.sleep(0.3)
        for code, kind, clearance in [("AU", "regional-organisation", "restricted"), ("ECOWAS", "regional-organisation", "confidential"),
                                      ("NLD", "troop-contributing-country", "secret"), ("MSF", "ngo", "secret")]:
            concord("partner", "add", code, "--name", f"Partner {code}", "--kind", kind, "--clearance", clearance, "--token", TOKENS[code])
        concord("partner", "permit", "AU", "--publish", "query.registry.>", "--publish", "cmd.registry.unit.register",
                "--publish", "partner.note.posted", "--subscribe", "registry.>", "--subscribe", "partner.note.*")
        for code in ["ECOWAS", "MSF"]:
            concord("partner", "permit", code, "--subscribe", "partner.note.*", "--publish", "query.registry.>")
        concord("partner", "permit", "NLD", "--publish", "partner.note.posted", "--subscribe", "partner.note.*")
        # The gateway learns of the partners from the registry's events: wait until it has.
        async def directory_ready():
            for attempt in range(200):
                try:
                    client = await nats.connect(URL, token=TOKENS["NLD"], max_reconnect_attempts=0, allow_reconnect=False)
                    await client.close()
                    return
                except Exception:
                    await asyncio.sleep(0.1)
        asyncio.run(directory_ready())
        asyncio.run(checks())
        asyncio.run(slow_consumer_check(gateway[0].pid))
        asyncio.run(access_checks.tls_check(start, BUS_ARGS, TOKENS["AU"], WORK, CONCORD))
        asyncio.run(access_checks.limits_check(start, BUS_ARGS, TOKENS["AU"]))
        asyncio.run(access_checks.nkey_check(start, BUS_ARGS, CONCORD))
        asyncio.run(access_checks.mtls_check(start, BUS_ARGS, TOKENS, WORK))
        asyncio.run(storm_check.storm_check(start, BUS_ARGS, TOKENS))

        def restart():
            # Back on the same port, as an operator restarts a gateway partners know the address of.
            gateway[0].terminate()
            gateway[0].wait(timeout=15)
            gateway[0], _ = start_gateway(GATEWAY)
        asyncio.run(restart_check(restart))
        asyncio.run(live_changes_check())

        def stop_registry():
            processes[1].terminate()
            processes[1].wait(timeout=15)
        asyncio.run(no_responders_check(stop_registry))
    finally:
        for process in processes + gateway:
            process.terminate()
        for process in processes + gateway:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    print(f"{len(PASSED)} passed, 0 failed", flush=True)


if __name__ == "__main__":
    main()
