#!/usr/bin/env python3
"""The partner's side of the compose test, with the stock nats-py client: one command with its
answer and its event, then a burst of commands that must all land although a service is
killed and restarted in the middle (each command is retried with its idempotency key until
answered), then a query showing every one is there exactly once."""
import asyncio
import json
import sys

import nats

URL, TOKEN, COUNT = sys.argv[1], sys.argv[2], int(sys.argv[3])


def command(index):
    return json.dumps({"request": f"REQ-{index}", "requester": "WFP", "destination": "Bor", "neededBy": "2026-12-03",
                       "items": [{"item": "water", "quantity": 1000 + index, "unit": "litres"}]}).encode()


async def send(nc, index, deadline=120.0):
    """Sends one create until it is answered; the same idempotency key makes a retry harmless."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + deadline
    while loop.time() < give_up:
        try:
            reply = await nc.request("cmd.logistics.request.create", command(index), timeout=3,
                                     headers={"Concord-Idempotency-Key": f"compose-{index}"})
            answer = json.loads(reply.data)
            if answer.get("type") == "logistics.request.created":
                return True
            print(f"REQ-{index}: {answer.get('type')} {answer.get('data')}", file=sys.stderr)
            return False
        except Exception:  # timeout or no responders while the service is down
            await asyncio.sleep(0.5)
    return False


async def main():
    nc = await nats.connect(URL, token=TOKEN, connect_timeout=10)
    events = []

    async def on_event(message):
        events.append(json.loads(message.data))

    await nc.subscribe("logistics.request.created", cb=on_event)
    await nc.flush()

    # One command: its answer, and its event delivered to the partner.
    assert await send(nc, 0), "the first command was not answered"
    for _ in range(100):
        if any(event["data"]["request"] == "REQ-0" for event in events):
            break
        await asyncio.sleep(0.1)
    assert any(event["data"]["request"] == "REQ-0" for event in events), "no event for REQ-0"
    print("answer and event: ok", flush=True)

    # The burst; the test kills the service while it runs.
    print("burst: started", flush=True)
    answered = 0
    for index in range(1, COUNT + 1):
        answered += await send(nc, index)
    print(f"burst: {answered} of {COUNT} answered", flush=True)

    # Every page of the list (at most 100 a page), following `next`.
    keys, after = [], None
    while True:
        reply = await nc.request("query.logistics.request.list", json.dumps({"after": after} if after else {}).encode(), timeout=10)
        page = json.loads(reply.data)["data"]
        keys += [request["request"] for request in page["requests"]]
        after = page.get("next")
        if not after:
            break
    expected = {f"REQ-{index}" for index in range(0, COUNT + 1)}
    print(f"listed: {len(keys)} requests, {len(set(keys))} distinct, missing {sorted(expected - set(keys))[:5]}", flush=True)
    await nc.close()
    if answered != COUNT or set(keys) != expected or len(keys) != len(set(keys)):
        sys.exit(1)
    print("nothing lost: ok", flush=True)


asyncio.run(main())
