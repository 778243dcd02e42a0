#!/usr/bin/env python3
"""Durable partner feeds with the stock nats-py client: bus, registry, logistics and gateway as
separate `concord run` processes. A partner's durable pull and push consumers on LOGISTICS
stay offline for 30 s while 10,000 commands make events and the gateway is SIGKILLed and
restarted; on reconnecting the partner gets every event releasable to it, in order, each
exactly once once acknowledged, and nothing else. The oracle is the logistics journal itself,
read from its SQLite file.

Usage: durable_feeds.py CONCORD_BINARY WORK_FOLDER
Prints one line per check and exits non-zero at the first failure.
"""
import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import nats
from nats.errors import TimeoutError as NatsTimeout
from nats.js.errors import APIError, NotFoundError

from nats_py_conformance import start as start_part
import nats_py_conformance as parts
from partner_checks import PASSED, check, raw_session
import jetstream_shapes

CONCORD, WORK = sys.argv[1], sys.argv[2]
os.environ["CONCORD_KEYS"] = os.path.join(WORK, "keys")
parts.CONCORD, parts.WORK = CONCORD, WORK
DATA = os.path.join(WORK, "data")
TOKENS = {code: f"{code.lower()}-token-0123456789abcdef" for code in ["NLD", "WFP", "MSF"]}
CLEARANCE = {"NLD": "secret", "WFP": "restricted", "MSF": "restricted"}
LEVELS = ["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"]
EVENTS = int(os.environ.get("CONCORD_FEED_TEST_EVENTS", "10000"))
OFFLINE_SECONDS = int(os.environ.get("CONCORD_FEED_TEST_OFFLINE", "30"))
STATE = {}


def start_gateway():
    process, report = start_part("gateway", "gateway", *STATE["bus"], "--data", DATA, "--gateway-port", str(STATE.get("port", 0)),
                                 "--log-level", "notice")
    STATE["port"] = report["gateway_port"]
    STATE["gateway"] = process
    return process


def kill_gateway():
    STATE["gateway"].send_signal(signal.SIGKILL)
    STATE["gateway"].wait(timeout=15)


async def connect(code, reconnect=False):
    options = dict(max_reconnect_attempts=-1, reconnect_time_wait=0.2) if reconnect else dict(max_reconnect_attempts=0, allow_reconnect=False)
    return await nats.connect(f"nats://127.0.0.1:{STATE['port']}", token=TOKENS[code], **options)


def releasable(envelope, code):
    """The label rule, read straight from the journal: the partner is named and cleared."""
    level = envelope.get("classification")
    return (code in envelope.get("releasableto", "").split() and level in LEVELS
            and LEVELS.index(level) <= LEVELS.index(CLEARANCE[code].upper()))


def oracle(code):
    """Ids of the logistics journal's events releasable to `code`, in journal order."""
    with sqlite3.connect(os.path.join(DATA, "logistics.sqlite")) as db:
        rows = db.execute("SELECT envelope FROM journal ORDER BY sequence").fetchall()
    envelopes = [json.loads(row[0]) for row in rows]
    return [e["id"] for e in envelopes if releasable(e, code)], len(envelopes)


async def generate(count):
    """`count` supply requests, alternating NLD and WFP, through reconnecting clients (they ride
    out the gateway's restart); commands lost with the gateway are sent again."""
    clients = {code: await connect(code, reconnect=True) for code in ["NLD", "WFP"]}
    item = [{"item": "water", "quantity": 10, "unit": "litres"}]
    done = 0
    queue = asyncio.Queue()
    for index in range(count):
        queue.put_nowait(index)
    deadline = time.monotonic() + 240

    async def worker():
        nonlocal done
        while not queue.empty() and time.monotonic() < deadline:
            index = queue.get_nowait()
            code = "NLD" if index % 2 == 0 else "WFP"
            body = {"request": f"REQ-{code}-{index:05}", "requester": code, "items": item, "destination": "Bor", "neededBy": "2026-12-20"}
            try:
                await clients[code].request("cmd.logistics.request.create", json.dumps(body).encode(), timeout=5)
                done += 1
            except Exception:
                queue.put_nowait(index)
                await asyncio.sleep(0.2)
    await asyncio.gather(*(worker() for _ in range(24)))
    for client in clients.values():
        await client.close()
    return done


async def fetch_all(subscription, quiet=3.0):
    messages = []
    while True:
        try:
            batch = await subscription.fetch(500, timeout=quiet)
        except (NatsTimeout, asyncio.TimeoutError):
            return messages
        for message in batch:
            messages.append(message)
            await message.ack()


async def drain_push(subscription, quiet=3.0):
    messages = []
    while True:
        try:
            message = await subscription.next_msg(timeout=quiet)
        except NatsTimeout:
            return messages
        messages.append(message)
        await message.ack()


def ids(messages):
    return [json.loads(m.data)["id"] for m in messages]


async def api_checks():
    client = await connect("NLD")
    js = client.jetstream()
    names = await js.streams_info()
    check("the streams are the five services' journals",
          sorted(s.config.name for s in names) == ["INTELLIGENCE", "LIAISON", "LOGISTICS", "REGISTRY", "TRAINING"],
          str([s.config.name for s in names]))
    info = await js.stream_info("LOGISTICS")
    check("LOGISTICS covers logistics.> and is sealed", info.config.subjects == ["logistics.>"] and info.config.sealed, str(info.config))
    for name, attempt, code in [
        ("a partner cannot create a stream", js.add_stream(name="MINE", subjects=["mine.>"]), 10027),
        ("nor purge one", js.purge_stream("LOGISTICS"), 10109),
        ("nor delete one", js.delete_stream("LOGISTICS"), 10109),
        ("nor publish into one", js.publish("logistics.request.created", b"{}"), 10109),
    ]:
        try:
            await attempt
            check(name, False, "it was accepted")
        except APIError as error:
            check(f"{name} (JetStream error {code})", error.err_code == code, repr(error))
    body = json.dumps({"request": "REQ-MSGID", "requester": "NLD", "items": [{"item": "water", "quantity": 1, "unit": "litres"}],
                       "destination": "Bor", "neededBy": "2026-12-20"}).encode()
    first = await client.request("cmd.logistics.request.create", body, timeout=5, headers={"Nats-Msg-Id": "nld-msg-1"})
    again = await client.request("cmd.logistics.request.create", body, timeout=5, headers={"Nats-Msg-Id": "nld-msg-1"})
    with sqlite3.connect(os.path.join(DATA, "logistics.sqlite")) as db:
        created = db.execute("SELECT COUNT(*) FROM journal WHERE type = 'logistics.request.created' AND CAST(envelope AS TEXT) LIKE '%REQ-MSGID%'").fetchone()[0]
    check("a command repeated with the same Nats-Msg-Id gets its first answer again and changes nothing",
          json.loads(first.data)["type"] == "logistics.request.created" and first.data == again.data and created == 1,
          f"{again.data[:200]} {created}")
    try:
        await js.consumer_info("LOGISTICS", "nobody")
        check("an unknown consumer is not found", False)
    except NotFoundError as error:
        check("an unknown consumer is 404 consumer not found (10014)", error.err_code == 10014, repr(error))
    await client.close()


async def outage_run():
    nld = await connect("NLD")
    js = nld.jetstream()
    pull = await js.pull_subscribe("logistics.>", durable="nld-field", stream="LOGISTICS")
    # Made ahead with no one on its deliver subject: deliveries start when the field office binds.
    await js.add_consumer("LOGISTICS", nats.js.api.ConsumerConfig(
        durable_name="nld-push", deliver_subject=nld.new_inbox(), ack_policy=nats.js.api.AckPolicy.EXPLICIT))
    check("a durable pull and a durable push consumer are created", {c.name for c in await js.consumers_info("LOGISTICS")}
          == {"nld-field", "nld-push"})
    del pull
    await nld.close()
    offline_since = time.monotonic()

    async def kill_and_restart():
        await asyncio.sleep(8)
        kill_gateway()
        await asyncio.sleep(2)
        await asyncio.to_thread(start_gateway)
    _, done = await asyncio.gather(kill_and_restart(), generate(EVENTS))
    check(f"{EVENTS} commands went through while the partner was away and the gateway was SIGKILLed", done == EVENTS, f"{done}")
    await asyncio.sleep(max(0, OFFLINE_SECONDS - (time.monotonic() - offline_since)))

    expected, journal = oracle("NLD")
    nld = await connect("NLD")
    js = nld.jetstream()
    pull = await js.pull_subscribe("logistics.>", durable="nld-field", stream="LOGISTICS")
    got = await fetch_all(pull)
    check(f"the pull consumer gets every event releasable to NLD in journal order ({len(expected)} of {journal})",
          ids(got) == expected, f"got {len(got)}, expected {len(expected)}")
    sequences = [m.metadata.sequence.stream for m in got]
    check("NLD's view is numbered densely from 1", sequences == list(range(1, len(got) + 1)), str(sequences[:5]))
    check("nothing NLD may not see arrived", all(releasable(json.loads(m.data), "NLD") for m in got))
    push = await js.subscribe("logistics.>", durable="nld-push", stream="LOGISTICS", manual_ack=True)
    pushed = await drain_push(push)
    check("the push consumer gets the same events in the same order", ids(pushed) == expected, f"got {len(pushed)}")

    await nld.close()
    kill_gateway()
    start_gateway()
    nld = await connect("NLD")
    js = nld.jetstream()
    pull = await js.pull_subscribe("logistics.>", durable="nld-field", stream="LOGISTICS")
    again = await fetch_all(pull, quiet=2.0)
    push = await js.subscribe("logistics.>", durable="nld-push", stream="LOGISTICS", manual_ack=True)
    pushed_again = await drain_push(push, quiet=2.0)
    check("acknowledged events never come again, across another SIGKILL of the gateway", again == [] and pushed_again == [],
          f"{len(again)} pulled, {len(pushed_again)} pushed")
    await nld.close()


async def second_partner_view():
    wfp = await connect("WFP")
    js = wfp.jetstream()
    pull = await js.pull_subscribe("logistics.>", durable="wfp-view", stream="LOGISTICS")
    got = await fetch_all(pull)
    expected, _ = oracle("WFP")
    check(f"WFP's view of the same stream holds its own events only ({len(got)})", ids(got) == expected and
          all(json.loads(m.data)["data"].get("requester") != "NLD" for m in got))
    check("WFP's view is numbered densely from 1 too", [m.metadata.sequence.stream for m in got] == list(range(1, len(got) + 1)))
    info = await js.stream_info("LOGISTICS")
    check("WFP's stream info counts its own view", info.state.messages == len(expected) and info.state.last_seq == len(expected),
          str(info.state))
    msf = await connect("MSF")
    check("a partner with no releasable events sees an empty stream", (await msf.jetstream().stream_info("LOGISTICS")).state.messages == 0)
    await msf.close()
    await js.delete_consumer("LOGISTICS", "wfp-view")
    await wfp.close()


def go_feed_client():
    """Builds Tests/Conformance/go/feedclient with Debian's Go and nats.go (no module download)."""
    binary = os.path.join(WORK, "feedclient")
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "go", "feedclient")
    environment = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode", GOCACHE=os.path.join(WORK, "gocache"))
    subprocess.run(["go", "build", "-o", binary, "."], cwd=source, env=environment, check=True, capture_output=True, timeout=300)
    return binary


async def go_client_checks():
    """The same resumption with nats.go: WFP's pull and push consumers read its whole view."""
    binary = await asyncio.to_thread(go_feed_client)
    url = f"nats://127.0.0.1:{STATE['port']}"

    def run():
        result = subprocess.run([binary, url, TOKENS["WFP"]], capture_output=True, text=True, timeout=300)
        return json.loads(result.stdout)
    first = await asyncio.to_thread(run)
    expected, _ = oracle("WFP")
    check("nats.go: stream info, a durable pull consumer and a durable push consumer read WFP's view in order",
          not first.get("error") and first["stream_messages"] == len(expected) and first["pull"] == expected
          and first["pull_sequences"] == list(range(1, len(expected) + 1)) and first["push"] == expected,
          f"{first.get('error')} {first['stream_messages']} {len(first.get('pull') or [])} {len(first.get('push') or [])} of {len(expected)}")
    again = await asyncio.to_thread(run)
    check("nats.go: acknowledged, nothing comes again", not again.get("error") and not again["pull"] and not again["push"],
          f"{again.get('error')} {len(again.get('pull') or [])} {len(again.get('push') or [])}")
    wfp = await connect("WFP")
    for name in ["go-field", "go-push"]:
        await wfp.jetstream().delete_consumer("LOGISTICS", name)
    await wfp.close()


async def journal_outage(processes):
    """A gateway started afresh holds no bodies: with the logistics service down it cannot read
    them, and delivers nothing rather than passing anything over; once the service is back the
    partner gets all of it."""
    kill_gateway()
    start_gateway()
    logistics = processes[2]
    logistics.send_signal(signal.SIGKILL)
    logistics.wait(timeout=15)
    nld = await connect("NLD")
    js = nld.jetstream()
    late = await js.pull_subscribe("logistics.>", durable="nld-late", stream="LOGISTICS")
    try:
        during = await late.fetch(10, timeout=2)
    except (NatsTimeout, asyncio.TimeoutError):
        during = []
    check("with the journal's service down, a fresh gateway delivers nothing it cannot read", during == [], str(ids(during)))
    processes[2] = (await asyncio.to_thread(start_part, "logistics", "logistics", *STATE["bus"], "--data", DATA, "--heartbeat-ms", "200"))[0]
    expected, _ = oracle("NLD")
    got = []
    for attempt in range(60):
        got += await fetch_all(late, quiet=1.0)
        if len(got) >= len(expected):
            break
    check("once the service is back, the consumer gets every event from the first, none passed over",
          ids(got) == expected, f"got {len(got)}, expected {len(expected)}")
    await nld.close()


async def hostile_inputs():
    """What a partner can throw at the feed API by hand: huge batches, broken JSON, malformed
    acks and subjects. Each is refused or ignored, and the gateway stays up for everyone."""
    big = b'{"batch":9223372036854775807}'
    lines = (b'CONNECT {"verbose":false,"headers":true,"auth_token":"' + TOKENS["NLD"].encode() + b'"}\r\nSUB _INBOX.> 1\r\n'
             + b'PUB $JS.API.CONSUMER.DURABLE.CREATE.LOGISTICS.hostile _INBOX.c 93\r\n'
             + b'{"stream_name":"LOGISTICS","config":{"durable_name":"hostile","ack_policy":"explicit"}}      \r\n'
             + b''.join(b'PUB $JS.API.CONSUMER.MSG.NEXT.LOGISTICS.hostile _INBOX.n%d %d\r\n%s\r\n' % (i, len(big), big) for i in range(3))
             + b'PUB $JS.API.CONSUMER.CREATE.LOGISTICS _INBOX.x 9\r\n{"config"\r\n'
             + b'PUB $JS.ACK.LOGISTICS.hostile.1.99999999999999999999999.1.1.1 _INBOX.a 4\r\n+ACK\r\n'
             + b'PUB $JS.ACK.LOGISTICS 0\r\n\r\nPUB $JS.API.STREAM.INFO _INBOX.i 0\r\n\r\nPUB $JS.API. _INBOX.e 0\r\n\r\nPING\r\n')
    data, closed = await raw_session(STATE["port"], lines, read_for=2.0)
    text = data.decode(errors="replace")
    check("broken consumer JSON gets JetStream's invalid JSON error", '"err_code":10025' in text, text[-600:])
    check("a bad API subject gets a clear error, and the session stays open", '"err_code":10003' in text and "PONG" in text and not closed,
          text[-600:])
    client = await connect("WFP")
    info = await client.jetstream().stream_info("LOGISTICS")
    await client.close()
    check("after requests for Int.max messages, the gateway still serves everyone", info.config.name == "LOGISTICS")
    nld = await connect("NLD")
    await nld.jetstream().delete_consumer("LOGISTICS", "hostile")
    await nld.close()


async def redelivery_checks():
    nld = await connect("NLD")
    js = nld.jetstream()
    pull = await js.pull_subscribe("logistics.>", durable="nld-wait", stream="LOGISTICS",
                                   config=nats.js.api.ConsumerConfig(ack_wait=1.0, max_deliver=2,
                                                                     deliver_policy=nats.js.api.DeliverPolicy.LAST))
    first = await pull.fetch(1, timeout=5)
    await asyncio.sleep(1.5)
    second = await pull.fetch(1, timeout=5)
    check("an unacknowledged message comes back after ack wait", ids(first) == ids(second)
          and second[0].metadata.num_delivered == 2, f"{second[0].metadata}")
    await asyncio.sleep(1.5)
    try:
        third = await pull.fetch(1, timeout=2)
    except (NatsTimeout, asyncio.TimeoutError):
        third = []
    check("max_deliver 2 is honoured: no third delivery", third == [], str(ids(third)))
    info = await js.consumer_info("LOGISTICS", "nld-wait")
    check("consumer info shows the redelivery", info.num_redelivered == 1 and info.num_ack_pending == 0, str(info))

    nak = await js.pull_subscribe("logistics.>", durable="nld-nak", stream="LOGISTICS",
                                  config=nats.js.api.ConsumerConfig(deliver_policy=nats.js.api.DeliverPolicy.LAST))
    message = (await nak.fetch(1, timeout=5))[0]
    await message.nak()
    back = (await nak.fetch(1, timeout=5))[0]
    check("a nak'd message comes straight back", back.data == message.data and back.metadata.num_delivered == 2)
    await back.term()
    await js.delete_consumer("LOGISTICS", "nld-nak")
    check("a consumer can be deleted", "nld-nak" not in {c.name for c in await js.consumers_info("LOGISTICS")})
    await nld.close()


def main():
    subprocess_run = __import__("subprocess").run
    subprocess_run([CONCORD, "keys", "init", os.environ["CONCORD_KEYS"]], check=True, capture_output=True, timeout=60)
    bus, report = start_part("bus", "bus", "--bus-publish", "tcp://127.0.0.1:*", "--bus-subscribe", "tcp://127.0.0.1:*",
                             "--bus-capture", "tcp://127.0.0.1:*", "--bus-replay", "tcp://127.0.0.1:*")
    endpoints = report["bus"]
    STATE["bus"] = ["--bus-publish", endpoints["publish"], "--bus-subscribe", endpoints["subscribe"],
                    "--bus-capture", endpoints["capture"], "--bus-replay", endpoints["replay"]]
    parts.BUS_ARGS = STATE["bus"]
    processes = [bus]
    try:
        for service in ["registry", "logistics"]:
            processes.append(start_part(service, service, *STATE["bus"], "--data", DATA, "--heartbeat-ms", "200")[0])
        start_gateway()
        for attempt in range(50):
            try:
                parts.concord("partner", "list")
                break
            except RuntimeError:
                time.sleep(0.3)
        for code, kind in [("NLD", "troop-contributing-country"), ("WFP", "un-body"), ("MSF", "ngo")]:
            parts.concord("partner", "add", code, "--name", f"Partner {code}", "--kind", kind, "--clearance", CLEARANCE[code],
                          "--token", TOKENS[code])
            parts.concord("partner", "permit", code, "--publish", "cmd.logistics.>", "--publish", "query.>", "--subscribe", "logistics.>")

        async def directory_ready():
            for attempt in range(200):
                try:
                    client = await connect("MSF")
                    await client.close()
                    return
                except Exception:
                    await asyncio.sleep(0.1)
        asyncio.run(directory_ready())
        asyncio.run(api_checks())
        asyncio.run(outage_run())
        asyncio.run(second_partner_view())
        asyncio.run(go_client_checks())
        asyncio.run(journal_outage(processes))
        asyncio.run(redelivery_checks())
        asyncio.run(hostile_inputs())
        asyncio.run(jetstream_shapes.compare(STATE["port"], TOKENS["WFP"], WORK))
    finally:
        for process in processes + [STATE.get("gateway")]:
            if process and process.poll() is None:
                process.terminate()
        for process in processes + [STATE.get("gateway")]:
            try:
                process and process.wait(timeout=15)
            except Exception:
                process.kill()
    print(f"{len(PASSED)} passed, 0 failed", flush=True)


if __name__ == "__main__":
    main()
