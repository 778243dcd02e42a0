"""A bounded connection storm against a gateway of its own: 5,000 connections from one address
and 1,000 bad sign-ins in parallel, while a partner signed in before keeps receiving what
another publishes. Prints the figures docs/benchmarks.md records. Called by
nats_py_conformance.py with its deployment."""
import asyncio
import json
import resource
import time

import nats

from partner_checks import check, rss_mib

CONNECTIONS, BAD_SIGN_INS, NOTES = 5_000, 1_000, 200


async def storm_check(start, bus_args, tokens):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    gateway, report = start("gateway-storm", "gateway", *bus_args, "--gateway-port", "0", "--log-level", "error")
    port = report["gateway_port"]
    url = f"nats://127.0.0.1:{port}"
    try:
        subscriber = await nats.connect(url, token=tokens["ECOWAS"], allow_reconnect=False, max_reconnect_attempts=0)
        publisher = await nats.connect(url, token=tokens["NLD"], allow_reconnect=False, max_reconnect_attempts=0)
        notes = await subscriber.subscribe("partner.note.*")
        await subscriber.flush()
        before = rss_mib(gateway.pid)
        peak = [before]
        held, answered, accepted = [], [0], [0]

        async def hold():
            # Connections that never sign in; the gateway closes them at its auth timeout.
            for _ in range(CONNECTIONS // 500):
                opened = await asyncio.gather(*[asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 10)
                                                for _ in range(500)], return_exceptions=True)
                held.extend(pair for pair in opened if not isinstance(pair, Exception))

        async def bad_sign_in(number):
            # Refused or cut off are both refusals; only a PONG would mean a guess got in.
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 10)
                await asyncio.wait_for(reader.readline(), 10)
                writer.write(f'CONNECT {{"auth_token":"guess-{number:06d}-0123456789"}}\r\nPING\r\n'.encode())
                await writer.drain()
                line = await asyncio.wait_for(reader.readline(), 30)
                if line.startswith(b"PONG"):
                    accepted[0] += 1
                elif line.startswith(b"-ERR 'Authorization Violation'"):
                    answered[0] += 1
                writer.close()
            except Exception:
                pass

        async def publish():
            for number in range(NOTES):
                await publisher.publish("partner.note.posted", json.dumps({"text": f"note {number}"}).encode(),
                                        headers={"Concord-Classification": "RESTRICTED", "Concord-Releasable-To": "ECOWAS"})
                await asyncio.sleep(0.02)
            await publisher.flush()

        async def sample():
            for _ in range(100):
                peak[0] = max(peak[0], rss_mib(gateway.pid))
                await asyncio.sleep(0.1)

        started = time.monotonic()
        print("storm: starting", flush=True)
        await asyncio.wait_for(asyncio.gather(hold(), *[bad_sign_in(n) for n in range(BAD_SIGN_INS)], publish(), sample()), 120)
        print("storm: over", flush=True)
        received = 0
        while received < NOTES:
            try:
                await notes.next_msg(timeout=5)
                received += 1
            except Exception:
                break
        elapsed = time.monotonic() - started
        for _, writer in held:
            writer.close()
        print(f"storm: {len(held)} connections held from one address, {answered[0]} of {BAD_SIGN_INS} bad sign-ins answered 'Authorization Violation' "
              f"(the rest cut off), {accepted[0]} let in, "
              f"{received} of {NOTES} notes delivered to a partner signed in before, gateway RSS {before:.0f} MiB before, "
              f"{peak[0]:.0f} MiB at most, in {elapsed:.1f} s", flush=True)
        check("during a storm of 5,000 connections and 1,000 bad sign-ins, a partner keeps every delivery", received == NOTES,
              f"{received} of {NOTES}")
        check("no bad sign-in of the storm gets in", accepted[0] == 0 and answered[0] > 0, f"{accepted[0]} let in")
        check("the gateway's memory stays bounded through the storm (under 256 MiB more)", peak[0] - before < 256,
              f"{before:.0f} -> {peak[0]:.0f} MiB")
        await subscriber.close()
        await publisher.close()
    finally:
        gateway.terminate()
        gateway.wait(timeout=15)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
