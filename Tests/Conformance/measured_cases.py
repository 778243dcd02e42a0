#!/usr/bin/env python3
"""The cases measured against Concord's security promise, each tried again the way it was
found: stock nats-py partners through the gateway of one `concord up`, mission staff through
the `concord` commands. Each must now be refused, labelled, paginated or fixed.

Usage: measured_cases.py CONCORD_BINARY WORK_FOLDER
Prints one line per check and exits non-zero at the first failure.
"""
import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request

import nats
from nats.errors import TimeoutError as NatsTimeout

from partner_checks import PASSED, check, raw_session, start_nats_server

CONCORD, WORK = sys.argv[1], sys.argv[2]
# `concord up` creates the bus keys here; every other concord command reads them from here.
os.environ["CONCORD_KEYS"] = os.path.join(WORK, "keys")
TOKENS = {code: f"{code.lower()}-token-0123456789abcdef" for code in ["NLD", "WFP", "AU"]}
# Canaries: strings of the SECRET alert that no partner but NLD may ever receive.
ALERT, ALERT_SUMMARY = "AL-CANARY-7", "canary-summary-of-the-secret-alert"
UP = {}


def start_up(name):
    """Starts `concord up` on free ports and waits for its ready file (written once it is up)."""
    ready = os.path.join(WORK, f"{name}.ready.json")
    if os.path.exists(ready):
        os.remove(ready)
    log = open(os.path.join(WORK, f"{name}.log"), "ab")
    process = subprocess.Popen([CONCORD, "up", "--data", os.path.join(WORK, "data"), "--bus-port", "0", "--gateway-port", "0", "--console-port", "off",
                                "--metrics-port", "0", "--heartbeat-ms", "200", "--log-level", "notice", "--ready-file", ready],
                               stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if os.path.exists(ready):
            with open(ready) as file:
                report = json.load(file)
            bus = report["bus"]
            UP.update(process=process, port=report["gateway_port"], metrics=report["metrics_port"],
                      bus=["--bus-publish", bus["publish"], "--bus-subscribe", bus["subscribe"],
                           "--bus-capture", bus["capture"], "--bus-replay", bus["replay"]])
            return
        if process.poll() is not None:
            raise RuntimeError(f"concord up ended with {process.returncode} before it was ready; see {name}.log")
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("concord up was not ready within 120 s")


def concord(*args):
    result = subprocess.run([CONCORD, *args, *UP["bus"]], capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"concord {' '.join(args)} failed: {result.stdout} {result.stderr}")
    return result.stdout


def staff(name, injects):
    """Sends mission staff commands (as the bootstrap administrator) through a scenario file."""
    path = os.path.join(WORK, f"{name}.json")
    with open(path, "w") as file:
        json.dump({"name": name, "injects": [{"at": "0s", "command": c, "data": d} for c, d in injects]}, file)
    concord("scenario", path, "--speed", "max")


def healthz():
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{UP['metrics']}/healthz", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


async def connect(code, **options):
    return await nats.connect(f"nats://127.0.0.1:{UP['port']}", token=TOKENS[code], max_reconnect_attempts=0,
                              allow_reconnect=False, **options)


async def ask(client, subject, data, timeout=5):
    reply = await client.request(subject, json.dumps(data).encode(), timeout=timeout)
    return json.loads(reply.data)


def code_of(answer):
    return answer["data"].get("code") if answer["type"].endswith(".command.rejected") else None


def reply_sids(data, inbox):
    """The sids a raw session's MSG lines delivered `inbox` to."""
    return sorted(int(line.split()[2]) for line in data.decode(errors="replace").split("\r\n")
                  if line.startswith(f"MSG {inbox} "))


async def raw_request_on_nats_server():
    """What nats-server does with a reply when the requester also subscribes to '>': run
    Debian's nats-server with one responder and ask it the same way as the gateway below."""
    server, url = await start_nats_server(WORK)
    try:
        responder = await nats.connect(url)

        async def respond(message):
            await message.respond(b"{}")
        await responder.subscribe("svc", cb=respond)
        await responder.flush()
        host, port = url.replace("nats://", "").split(":")
        data, _ = await raw_session(int(port), b'CONNECT {"verbose":false}\r\nSUB > 1\r\nSUB _INBOX.r.* 2\r\nPUB svc _INBOX.r.1 2\r\n{}\r\nPING\r\n',
                                    host=host)
        await responder.close()
        return reply_sids(data, "_INBOX.r.1")
    finally:
        server.terminate()
        server.wait(timeout=10)


async def drain(subscription, quiet=1.0):
    messages = []
    while True:
        try:
            messages.append(await subscription.next_msg(timeout=quiet))
        except NatsTimeout:
            return messages


async def cases():
    nld, wfp, au = await connect("NLD"), await connect("WFP"), await connect("AU")
    # Every partner listens to everything it is allowed, all run long: nothing it receives
    # may carry the SECRET alert, except to NLD.
    heard = {code: await client.subscribe(">") for code, client in [("WFP", wfp), ("AU", au)]}
    await wfp.flush(); await au.flush()
    await asyncio.to_thread(staff, "alert", [("cmd.intelligence.alert.raise", {
        "alert": ALERT, "area": "Jonglei", "severity": "high", "summary": ALERT_SUMMARY, "expires": "2099-01-31T00:00:00Z",
        "label": {"policy": "UN-MISSION", "classification": "SECRET", "releasableTo": ["NLD"]}})])
    for attempt in range(100):
        routes = await ask(nld, "query.logistics.route.list", {})
        if any(r["atRisk"] for r in routes["data"]["routes"]):
            break
        await asyncio.sleep(0.1)

    # A partner cannot administer the registry.
    grant = await ask(wfp, "cmd.registry.permissions.grant", {"partner": "AU", "publish": [">"], "subscribe": [">"]})
    check("a partner's permissions.grant is refused as forbidden", code_of(grant) == "forbidden", json.dumps(grant))
    suspend = await ask(wfp, "cmd.registry.partner.suspend", {"code": "NLD", "reason": "takeover"})
    check("a partner's partner.suspend is refused as forbidden", code_of(suspend) == "forbidden", json.dumps(suspend))
    still = await connect("NLD")
    check("the partner it named is untouched", still.is_connected)
    await still.close()

    # A partner acts only in its own name, and gets an answer instead of a timeout.
    item = [{"item": "ammunition", "quantity": 1000, "unit": "rounds"}]
    forged = await ask(wfp, "cmd.logistics.request.create",
                       {"request": "REQ-FORGED", "requester": "NLD", "items": item, "destination": "Bor", "neededBy": "2026-12-20"})
    check("creating a request in another partner's name is forbidden", code_of(forged) == "forbidden", json.dumps(forged))
    own = await ask(nld, "cmd.logistics.request.create",
                    {"request": "REQ-NLD", "requester": "NLD", "items": item, "destination": "Bor", "neededBy": "2026-12-20"})
    check("the partner itself may create it", own["type"] == "logistics.request.created", json.dumps(own))
    submit = await ask(wfp, "cmd.logistics.request.submit", {"request": "REQ-NLD"})
    check("another partner's request does not exist for it (not_found)", code_of(submit) == "not_found", json.dumps(submit))
    approve = await ask(wfp, "cmd.logistics.request.approve", {"request": "REQ-NLD"})
    check("approving is for the logistics cell only", code_of(approve) == "forbidden", json.dumps(approve))
    state = await ask(nld, "query.logistics.request.get", {"request": "REQ-NLD"})
    check("the owner sees its request unmoved", state["data"]["status"] == "draft", json.dumps(state))

    # Queries answer only what the asker may see.
    unit = {"unit": "AU-INF-1", "partner": "AU", "type": "infantry", "strength": 600, "location": {"name": "Mogadishu"}}
    registered = await ask(au, "cmd.registry.unit.register", unit)
    check("a partner registers its own unit", registered["type"] == "registry.unit.registered", json.dumps(registered))
    units = await ask(wfp, "query.registry.unit.list", {})
    check("unit.list shows another partner none of AU's units",
          all(u["partner"] == "WFP" for u in units["data"]["units"]), json.dumps(units)[:300])
    mine = await ask(au, "query.registry.unit.list", {})
    check("unit.list shows AU its own", [u["unit"] for u in mine["data"]["units"]] == ["AU-INF-1"], json.dumps(mine)[:300])

    routes = {code: await ask(client, "query.logistics.route.list", {}) for code, client in [("WFP", wfp), ("NLD", nld)]}
    at_risk = {code: {r["route"]: r["atRisk"] for r in answer["data"]["routes"]} for code, answer in routes.items()}
    check("a route at risk only through a SECRET alert is not at risk for a partner without it",
          at_risk["WFP"] == {"R-J": False}, json.dumps(routes["WFP"]))
    check("for the partner the alert is released to, it is at risk, and the answer carries the alert's label",
          at_risk["NLD"] == {"R-J": True} and routes["NLD"]["classification"] == "SECRET"
          and routes["NLD"]["releasableto"] == "NLD", json.dumps(routes["NLD"]))

    # Long lists come in pages under the bus's limit.
    for index in range(250):
        created = await ask(wfp, "cmd.logistics.request.create", {"request": f"REQ-WFP-{index:03}", "requester": "WFP",
                                                                  "items": item, "destination": "Bor", "neededBy": "2026-12-20"})
        assert created["type"] == "logistics.request.created", created
    pages, after = [], None
    while True:
        page = await ask(wfp, "query.logistics.request.list", {"after": after} if after else {})
        pages.append(page["data"]["requests"])
        after = page["data"].get("next")
        if not after:
            break
    listed = [r["request"] for page in pages for r in page]
    check("a long list is answered in pages of at most 100 that hold every request of the asker and no other",
          len(pages) == 3 and all(len(p) <= 100 for p in pages) and listed == [f"REQ-WFP-{i:03}" for i in range(250)],
          f"{[len(p) for p in pages]}")

    # Queue groups belong to one partner.
    nld_group = [await c.subscribe("partner.note.posted", queue="ops") for c in (nld, await connect("NLD"))]
    wfp_group = await wfp.subscribe("partner.note.posted", queue="ops")
    await nld.flush(); await wfp.flush()
    for index in range(10):
        await au.publish("partner.note.posted", json.dumps({"note": index}).encode(),
                         headers={"Concord-Releasable-To": "NLD WFP", "Concord-Classification": "UNCLASSIFIED"})
    await au.flush()
    got_nld = [len(await drain(s)) for s in nld_group]
    got_wfp = len(await drain(wfp_group))
    check("a partner joining another's queue group takes none of its deliveries", sum(got_nld) == 10 and got_wfp == 10,
          f"NLD {got_nld}, WFP {got_wfp}")

    # Partners publish commands, queries and partner types only; one bad header does not take
    # the mission down.
    header = b"NATS/1.0\r\nConcord-Data-Version: 0\r\n\r\n"
    body = b'{"code":"WFP"}'
    data, _ = await raw_session(UP["port"], b'CONNECT {"auth_token":"' + TOKENS["WFP"].encode() + b'","headers":true,"verbose":false}\r\n'
                             + b"PUB registry.partner.registered 13\r\n" + b'{"code":"XX"}' + b"\r\n"
                             + f"HPUB query.registry.partner.get {len(header)} {len(header) + len(body)}\r\n".encode()
                             + header + body + b"\r\nPING\r\n")
    text = data.decode(errors="replace")
    check("publishing a service's event type is a permissions violation, though 'registry.>' is permitted",
          "-ERR 'Permissions Violation for Publish to \"registry.partner.registered\"'" in text, text)
    check("Concord-Data-Version 0 gets -ERR 'Invalid Message: …' (a request gets the same as a refusal answer)",
          "-ERR 'Invalid Message: Concord-Data-Version" in text, text)
    check("and concord up stays up", UP["process"].poll() is None)
    after_crash = await ask(wfp, "query.registry.partner.get", {"code": "WFP"})
    check("and answers the next request", after_crash["type"] == "registry.partner.found", json.dumps(after_crash)[:200])

    # Near the payload limit: delivered, or a clear -ERR.
    listener = await connect("WFP")
    big = await listener.subscribe("partner.note.posted")
    await listener.flush()
    payload = b'{"note":"' + b"x" * (wfp.max_payload - 20) + b'"}'
    await wfp.publish("partner.note.posted", payload)
    await wfp.flush()
    message = None
    try:
        message = await big.next_msg(timeout=5)
    except NatsTimeout:
        pass
    # Subscribers get the envelope, with the payload as its data.
    check("a publish just under max_payload is delivered", message is not None and payload in message.data,
          f"{len(payload)} bytes sent, {len(message.data) if message else 'nothing'} received")

    # A partner subscribed to '>' gets the replies to its own requests.
    own_answer = await ask(wfp, "query.registry.partner.get", {"code": "WFP"})
    check("a partner subscribed to '>' gets its request's reply", own_answer["type"] == "registry.partner.found")
    inbox_copies = [m for m in await drain(heard["WFP"], quiet=0.5) if m.subject.startswith("_INBOX.")]
    check("and its '>' subscription gets the reply too", len(inbox_copies) >= 1)
    reference = await raw_request_on_nats_server()
    body = b'{"code":"WFP"}'
    data, _ = await raw_session(UP["port"], b'CONNECT {"auth_token":"' + TOKENS["WFP"].encode() + b'","verbose":false}\r\nSUB > 1\r\nSUB _INBOX.r.* 2\r\n'
                             + f"PUB query.registry.partner.get _INBOX.r.1 {len(body)}\r\n".encode() + body + b"\r\nPING\r\n")
    check("a reply reaches the same subscriptions as on Debian's nats-server", reply_sids(data, "_INBOX.r.1") == reference == [1, 2],
          f"gateway {reply_sids(data, '_INBOX.r.1')}, nats-server {reference}")

    # Nothing any partner but NLD received carries the SECRET alert.
    for code, subscription in heard.items():
        received = b"".join(m.data for m in await drain(subscription, quiet=0.5))
        check(f"{code} received nothing of the SECRET alert", ALERT.encode() not in received and ALERT_SUMMARY.encode() not in received)
    for client in (nld, wfp, au, listener):
        await client.close()


async def first_request_after_start():
    """Right after `concord up` says it is up: a valid token is accepted and a request served."""
    client = await connect("NLD")
    answer = await ask(client, "query.registry.partner.get", {"code": "NLD"}, timeout=5)
    check("right after a restart a valid token is accepted and the first request is served",
          answer["type"] == "registry.partner.found", json.dumps(answer)[:200])
    await client.close()


def main():
    start_up("up")
    try:
        status, body = healthz()
        check("/healthz is ok once concord up is up, the gateway's directory caught up", status == 200
              and "gateway: partner directory caught up" in body, body)
        for code, kind, clearance in [("NLD", "troop-contributing-country", "secret"), ("WFP", "un-body", "restricted"),
                                      ("AU", "regional-organisation", "restricted")]:
            concord("partner", "add", code, "--name", f"Partner {code}", "--kind", kind, "--clearance", clearance, "--token", TOKENS[code])
            concord("partner", "permit", code, "--publish", "cmd.>", "--publish", "query.>", "--publish", "partner.>",
                    "--publish", "registry.>", "--subscribe", ">")
        staff("setup", [
            ("cmd.logistics.route.define", {"route": "R-J", "name": "Juba-Bor", "areas": ["Jonglei"]}),
            ("cmd.training.exercise.schedule", {"exercise": "EX-AU", "name": "AU exercise", "kind": "exercise", "startDate": "2026-12-01",
                                                "endDate": "2026-12-10", "location": "Jonglei", "organiser": "AU", "capacity": 4}),
        ])
        # The gateway learns of the partners from the registry's events: wait until it has.
        async def directory_ready():
            for attempt in range(200):
                try:
                    client = await connect("AU")
                    await client.close()
                    return
                except Exception:
                    await asyncio.sleep(0.1)
        asyncio.run(directory_ready())

        asyncio.run(cases())

        UP["process"].terminate()
        UP["process"].wait(timeout=30)
        start_up("up-again")
        asyncio.run(first_request_after_start())
    finally:
        UP["process"].terminate()
        try:
            UP["process"].wait(timeout=30)
        except subprocess.TimeoutExpired:
            UP["process"].kill()
    print(f"{len(PASSED)} passed, 0 failed", flush=True)


if __name__ == "__main__":
    main()
