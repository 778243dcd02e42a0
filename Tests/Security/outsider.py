#!/usr/bin/env python3
"""An outsider on the bus's network: no key of the mission, only what anyone can learn (the
addresses, and the public keys, which are not secret). It tries what issue 13 measured:

  - a forged command (a partner registered and given a credential, as operator admin);
  - a forged event with a service's source and the next sequence number;
  - a forged heartbeat with a new epoch;
  - a subscription to everything;
  - a catch-up fetch from each catch-up endpoint given.

Each is tried twice: over plain ZeroMQ, and over CURVE with a key pair of its own. Sends cannot
see their own failure, so they print `sent - …`; the caller checks the bus's counters and that
nothing happened. Reads print `ok - …` when nothing came back and `not ok - …` when anything did.

    outsider.py --publish tcp://h:7701 --subscribe tcp://h:7702 [--catch-up tcp://h:7710 …]
                [--keys identities.json] [--key concord.logistics.key] [--wait 2]

With --key (a part's own, valid key file) it also plays a compromised part: it publishes another
service's event and heartbeat and subscribes to everything under that identity; the proxy must
refuse and count both.
"""
import argparse
import json
import sys
import time

import zmq

OUTSIDER_CODE = "OUTSIDER"


def envelope(type_, source, data, **extra):
    body = {"specversion": "1.0", "id": f"outsider-{type_}-{time.monotonic_ns()}", "source": source, "type": type_,
            "time": "2026-12-01T00:00:00Z", "dataversion": 1, "data": data}
    body.update(extra)
    return json.dumps(body).encode()


def forged_messages():
    staff = "operator/admin"
    return [
        ("a forged command", "cmd.registry.partner.register",
         envelope("cmd.registry.partner.register", staff, {"code": OUTSIDER_CODE, "name": "Outsider", "kind": "ngo", "clearance": "SECRET"},
                  idempotencykey="outsider-1", replyto="_INBOX.outsider.1")),
        ("a forged command", "cmd.registry.credential.issue",
         envelope("cmd.registry.credential.issue", staff, {"partner": OUTSIDER_CODE, "kind": "token", "hash": "sha256$" + "0" * 64},
                  idempotencykey="outsider-2")),
        ("a forged event with a service's source", "intelligence.alert.raised",
         envelope("intelligence.alert.raised", "concord/intelligence", {"id": "AL-OUTSIDE", "area": "Bor"}, sequence=1_000_000,
                  classification="UNCLASSIFIED", releasableto=[OUTSIDER_CODE])),
        ("a forged heartbeat", "bus.heartbeat.emitted",
         envelope("bus.heartbeat.emitted", "concord/intelligence",
                  {"source": "concord/intelligence", "epoch": "forged-epoch", "last": 1_000_000, "catchup": "tcp://127.0.0.1:1"})),
    ]


def curve(socket, server_key, pair=None):
    public, secret = pair or zmq.curve_keypair()
    socket.curve_publickey, socket.curve_secretkey, socket.curve_serverkey = public, secret, server_key.encode()


def make(context, kind, endpoint, server_key, pair=None):
    socket = context.socket(kind)
    socket.linger = 0
    if server_key:
        curve(socket, server_key, pair)
    socket.connect(endpoint)
    return socket


def silent(socket, wait):
    """True when nothing arrives on `socket` within `wait` seconds."""
    poller = zmq.Poller()
    poller.register(socket, zmq.POLLIN)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if poller.poll(max(1, int((deadline - time.monotonic()) * 1000))):
            return False
    return True


def expect_silence(socket, wait, what):
    """Prints whether `what` got nothing back; returns 1 when it got something."""
    if silent(socket, wait):
        print(f"ok - {what} got nothing")
        return 0
    print(f"not ok - {what} got an answer")
    return 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--publish", required=True)
    parser.add_argument("--subscribe", required=True)
    parser.add_argument("--catch-up", action="append", default=[], help="source=endpoint, e.g. concord/intelligence=tcp://h:7710")
    parser.add_argument("--keys", help="the mission's public key list (identities.json)")
    parser.add_argument("--key", help="a part's own key file: also try another part's events with it")
    parser.add_argument("--wait", type=float, default=2.0)
    args = parser.parse_args()
    public = json.load(open(args.keys))["identities"] if args.keys else {}
    context = zmq.Context()
    failures = 0
    for how, server in [("plain ZeroMQ", None), ("CURVE with an unknown key", public.get("concord/bus"))]:
        if how.startswith("CURVE") and not server:
            continue
        subscriber = make(context, zmq.SUB, args.subscribe, server)
        subscriber.setsockopt(zmq.SUBSCRIBE, b"")
        publisher = make(context, zmq.PUB, args.publish, server)
        time.sleep(0.5)
        for what, topic, body in forged_messages():
            for _ in range(3):
                publisher.send_multipart([topic.encode(), body])
            print(f"sent - {what} ({topic}) over {how}")
        failures += expect_silence(subscriber, args.wait, f"a subscription to everything over {how}")
        for entry in args.catch_up:
            source, _, endpoint = entry.partition("=")
            server_key = public.get(source) if how.startswith("CURVE") else None
            if how.startswith("CURVE") and not server_key:
                continue
            dealer = make(context, zmq.DEALER, endpoint, server_key)
            dealer.send_multipart([b"outsider-fetch", json.dumps({"from": 1, "limit": 2000}).encode()])
            failures += expect_silence(dealer, args.wait, f"a catch-up fetch from {source} over {how}")
            dealer.close()
        subscriber.close()
        publisher.close()
    if args.key:
        failures += compromised(context, args, public)
    context.term()
    sys.exit(1 if failures else 0)


def compromised(context, args, public):
    """With a part's valid key: other services' events and everything to read are refused."""
    key = json.load(open(args.key))
    pair = (key["public"].encode(), key["secret"].encode())
    how = f"{key['identity']}'s valid key"
    subscriber = make(context, zmq.SUB, args.subscribe, public["concord/bus"], pair)
    subscriber.setsockopt(zmq.SUBSCRIBE, b"")
    publisher = make(context, zmq.PUB, args.publish, public["concord/bus"], pair)
    time.sleep(0.5)
    for what, topic, body in forged_messages()[2:]:
        publisher.send_multipart([topic.encode(), body])
        print(f"sent - {what} ({topic}) with {how}")
    failures = expect_silence(subscriber, args.wait, f"a subscription to everything with {how}")
    subscriber.close()
    publisher.close()
    return failures


if __name__ == "__main__":
    main()
