"""The same raw JetStream session against Debian's nats-server (`-js`, a sealed LOGISTICS
stream) and against the gateway: answers must have nats-server's shape (the same members, in
the same order, of the same JSON types), status messages and ack answers its exact bytes."""
import asyncio
import json
import os
import re

import nats

from partner_checks import check, read_until_quiet, start_nats_server

# Each step: subject and payload, published with reply _INBOX.r (sid 1 listens on _INBOX.>).
STEPS = [
    ("$JS.API.INFO", b""),
    ("$JS.API.STREAM.INFO.LOGISTICS", b""),
    ("$JS.API.STREAM.NAMES", b'{"subject":"logistics.>"}'),
    ("$JS.API.CONSUMER.DURABLE.CREATE.LOGISTICS.shape", b'{"stream_name":"LOGISTICS","config":{"durable_name":"shape",'
                                                         b'"ack_policy":"explicit","ack_wait":30000000000,"max_deliver":3}}'),
    ("$JS.API.CONSUMER.MSG.NEXT.LOGISTICS.shape", b'{"batch":2,"no_wait":true}'),
    ("ACK", b"+ACK"),
    ("$JS.API.CONSUMER.INFO.LOGISTICS.shape", b""),
    ("$JS.API.CONSUMER.INFO.LOGISTICS.nobody", b""),
    ("$JS.API.CONSUMER.NAMES.LOGISTICS", b""),
    ("$JS.API.CONSUMER.LIST.LOGISTICS", b""),
    ("$JS.API.CONSUMER.CREATE.LOGISTICS", b'{"stream_name":"LOGISTICS","config":{"ack_policy":"explicit","deliver_policy":"by_start_sequence"}}'),
    ("$JS.API.CONSUMER.CREATE.LOGISTICS", b"not json"),
    ("$JS.API.STREAM.PURGE.LOGISTICS", b""),
    ("$JS.API.STREAM.INFO.NOPE", b""),
    ("logistics.forged", b"{}"),
    ("$JS.API.CONSUMER.DELETE.LOGISTICS.shape", b""),
    ("$JS.API.CONSUMER.DELETE.LOGISTICS.shape", b""),
    ("$JS.API.CONSUMER.DURABLE.CREATE.LOGISTICS.empty", b'{"stream_name":"LOGISTICS","config":{"durable_name":"empty",'
                                                         b'"ack_policy":"explicit","deliver_policy":"new"}}'),
    ("$JS.API.CONSUMER.MSG.NEXT.LOGISTICS.empty", b'{"batch":1,"no_wait":true}'),
    ("$JS.API.CONSUMER.MSG.NEXT.LOGISTICS.empty", b'{"batch":3,"expires":300000000}'),
    ("$JS.API.CONSUMER.DELETE.LOGISTICS.empty", b""),
]


def shape(value):
    if isinstance(value, dict):
        return [(key, shape(item)) for key, item in value.items()]
    if isinstance(value, list):
        return ["list", shape(value[0]) if value else None]
    return type(value).__name__


async def session(port, connect):
    """Runs STEPS; returns per step what came back, split into protocol messages."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await reader.readline()
    writer.write(connect + b"SUB _INBOX.> 1\r\nPING\r\n")
    await writer.drain()
    await read_until_quiet(reader, 0.5)
    answers = []
    last_ack = None
    for subject, payload in STEPS:
        if subject == "ACK":
            subject = last_ack
        writer.write(b"PUB %s _INBOX.r %d\r\n%s\r\n" % (subject.encode(), len(payload), payload))
        await writer.drain()
        data = await read_until_quiet(reader, 0.6)
        messages = parse(data)
        acks = [m["reply"] for m in messages if m["reply"].startswith("$JS.ACK.")]
        if acks:
            last_ack = acks[0]
        answers.append(messages)
    writer.close()
    return answers


def parse(data):
    messages = []
    while data:
        line, _, rest = data.partition(b"\r\n")
        parts = line.split(b" ")
        if parts[0] == b"MSG":
            size = int(parts[-1])
            messages.append({"line": line, "reply": parts[3].decode() if len(parts) == 5 else "", "headers": b"",
                             "payload": rest[:size]})
            data = rest[size + 2:]
        elif parts[0] == b"HMSG":
            header_size, size = int(parts[-2]), int(parts[-1])
            messages.append({"line": line, "reply": parts[3].decode() if len(parts) == 6 else "", "headers": rest[:header_size],
                             "payload": rest[header_size:size]})
            data = rest[size + 2:]
        else:
            data = rest
    return messages


def summary(messages):
    """What must agree: the line's form (sid, spaces, the ack subject's token count), header
    bytes, and the payload's JSON shape (or its bytes when it is not JSON)."""
    out = []
    for message in messages:
        form = re.sub(rb"\d+", b"N", message["line"]).replace(b"nats-feed", b"X")
        form = re.sub(rb"^(H?MSG) \S+", rb"\1 S", form)
        form = re.sub(rb"\$JS\.ACK\.[^ ]+", lambda m: b"ACK%d" % len(m.group(0).split(b".")), form)
        try:
            # A stream message's body is the event itself: only its framing is compared.
            body = "event" if message["reply"].startswith("$JS.ACK.") else shape(json.loads(message["payload"])) if message["payload"] else ""
        except ValueError:
            body = message["payload"]
        headers = re.sub(rb"\d+", b"N", message["headers"])
        out.append((form, headers, body))
    return out


async def reference(work):
    """nats-server -js with a sealed LOGISTICS stream holding three messages."""
    server, url = await start_nats_server(os.path.join(work, "js"), "-js", "-sd", os.path.join(work, "js-store"))
    client = await nats.connect(url)
    js = client.jetstream()
    await js.add_stream(name="LOGISTICS", subjects=["logistics.>"], description="reference")
    for index in range(3):
        await js.publish("logistics.request.created", b'{"n":%d}' % index)
    info = await js.stream_info("LOGISTICS")
    config = info.config.as_dict()
    config["sealed"] = True
    await client.request("$JS.API.STREAM.UPDATE.LOGISTICS", json.dumps(config).encode())
    await client.close()
    return server, int(url.rsplit(":", 1)[1])


async def compare(gateway_port, token, work):
    server, port = await reference(work)
    try:
        expected = await session(port, b'CONNECT {"verbose":false,"headers":true,"no_responders":true}\r\n')
    finally:
        server.terminate()
        server.wait(timeout=10)
    got = await session(gateway_port, b'CONNECT {"verbose":false,"headers":true,"no_responders":true,"auth_token":"'
                        + token.encode() + b'"}\r\n')
    for (subject, _), want, have in zip(STEPS, expected, got):
        check(f"{subject} is answered as nats-server answers it", summary(want) == summary(have),
              f"\n  nats-server: {summary(want)}\n  gateway:     {summary(have)}")
