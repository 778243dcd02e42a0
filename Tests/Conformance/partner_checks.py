"""What both partner scripts share: numbered checks that stop at the first failure, and a raw
NATS session for what a stock client will not send."""
import asyncio
import json
import os
import subprocess

PASSED = []


def check(name, condition, detail=""):
    if not condition:
        print(f"not ok - {name} {detail}", flush=True)
        raise SystemExit(1)
    PASSED.append(name)
    print(f"ok - {name}", flush=True)


async def raw_session(port, lines, read_for=1.0, host="127.0.0.1"):
    """Speaks the protocol by hand: reads INFO, writes `lines`, and returns what came back until
    `read_for` seconds pass quietly, and whether the server closed the connection."""
    reader, writer = await asyncio.open_connection(host, port)
    await reader.readline()  # INFO
    writer.write(lines)
    await writer.drain()
    data = await read_until_quiet(reader, read_for)
    closed = reader.at_eof()
    writer.close()
    return data, closed


async def read_until_quiet(reader, seconds):
    """Everything the server sends until it closes or stays quiet for `seconds`."""
    data = b""
    try:
        while True:
            chunk = await asyncio.wait_for(reader.read(65536), seconds)
            if not chunk:
                break
            data += chunk
    except asyncio.TimeoutError:
        pass
    return data


def rss_mib(pid):
    """A process's resident memory, in MiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def start_nats_server(folder, *arguments):
    """Debian's nats-server on a port it picks (`-p -1`), read back from its ports file;
    returns the process and its URL."""
    ports = os.path.join(folder, "nats-ports")
    os.makedirs(ports, exist_ok=True)
    server = subprocess.Popen(["nats-server", "-a", "127.0.0.1", "-p", "-1", "--ports_file_dir", ports, *arguments],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for attempt in range(200):
        files = [f for f in os.listdir(ports) if f == f"nats-server_{server.pid}.ports"]
        if files:
            with open(os.path.join(ports, files[0])) as file:
                return server, json.load(file)["nats"][0]
        await asyncio.sleep(0.05)
    server.kill()
    raise RuntimeError("nats-server did not report its port within 10 s")


# nats-py gives a server 2 s to answer CONNECT. A password is checked against a deliberately
# slow hash; on a machine whose cores are busy with other jobs (CI's neighbours, or
# `stress-ng --cpu 2` in the README's check) that can take longer, so every script's clients
# wait up to 10 s to be signed in. A connection refused is still refused at once.
import nats as _nats

_connect = _nats.connect


async def _patient_connect(*arguments, **options):
    options.setdefault("connect_timeout", 10)
    return await _connect(*arguments, **options)


_nats.connect = _patient_connect
