"""How partners get in: TLS (required, 1.2 or later, never falling back to plaintext) and the
connection and subscription limits, each compared with Debian's nats-server where it has the
same setting. Called by nats_py_conformance.py with its deployment."""
import asyncio
import json
import os
import socket
import ssl
import subprocess
import tempfile
import time

import nats

from partner_checks import check, raw_session, read_until_quiet


async def tls_check(start, bus_args, token, work, concord):
    """A gateway with TLS: INFO says tls_required, a TLS client works (nats-py and `concord
    request`), a plain one does not, and a TLS 1.1 client is refused."""
    cert, key = os.path.join(work, "gateway.crt"), os.path.join(work, "gateway.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    gateway, report = start("gateway-tls", "gateway", *bus_args, "--gateway-port", "0", "--tls-cert", cert, "--tls-key", key)
    port = report["gateway_port"]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        info = json.loads((await reader.readline()).decode()[5:])
        writer.close()
        check("a TLS gateway announces tls_required in INFO", info.get("tls_required") is True, str(info))
        context = ssl.create_default_context(cafile=cert)
        secure = await nats.connect(f"tls://127.0.0.1:{port}", tls=context, token=token,
                                    allow_reconnect=False, max_reconnect_attempts=0)
        answer = json.loads((await secure.request("query.registry.partner.get", b'{"code":"AU"}', timeout=5)).data)
        check("a partner connects over TLS and gets answers", answer["type"] == "registry.partner.found")
        await secure.close()
        try:
            await nats.connect(f"nats://127.0.0.1:{port}", token=token, allow_reconnect=False, max_reconnect_attempts=0,
                               connect_timeout=2)
            check("a plain connection to a TLS gateway is refused", False)
        except Exception:
            check("a plain connection to a TLS gateway is refused", True)
        result = subprocess.run([concord, "request", "query.registry.partner.get", '{"code":"AU"}', "--server", f"tls://127.0.0.1:{port}",
                                 "--tls-ca", cert, "--token", token], capture_output=True, text=True, timeout=30)
        check("concord request speaks TLS to a TLS gateway", result.returncode == 0 and "registry.partner.found" in result.stdout,
              result.stdout + result.stderr)
        old, detail = old_tls_refused(port, cert)
        check("a TLS 1.1 client is refused (TLS 1.2 or later only)", old, detail)
    finally:
        gateway.terminate()
        gateway.wait(timeout=15)


def old_tls_refused(port, cert):
    """Reads INFO in clear, then offers only TLS 1.0–1.1; the gateway must end the handshake
    with a protocol-version alert (the client itself is allowed to offer them)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cert)
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    context.minimum_version = ssl.TLSVersion.TLSv1
    context.maximum_version = ssl.TLSVersion.TLSv1_1
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        raw.makefile("rb").readline()
        try:
            with context.wrap_socket(raw, server_hostname="localhost") as secure:
                return False, f"handshake succeeded with {secure.version()}"
        except ssl.SSLError as error:
            text = str(error)
            return "PROTOCOL_VERSION" in text.upper() or "protocol version" in text, text


def nats_server(config):
    """Debian's nats-server with `config`, on a free port; returns the process and the port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    path = tempfile.mktemp(suffix=".conf")
    with open(path, "w") as file:
        file.write(f"listen: 127.0.0.1:{port}\n{config}\n")
    process = subprocess.Popen(["nats-server", "-c", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nats-server did not start")


async def limits_check(start, bus_args, token):
    """A gateway with small limits next to nats-server with the same: the same bytes for a
    connection over the limit and a subscription over the limit; a partner's connections over
    its own limit get nats-server's account text."""
    gateway, report = start("gateway-limits", "gateway", *bus_args, "--gateway-port", "0", "--max-connections", "2",
                            "--max-subscriptions", "2", "--max-connections-per-partner", "1")
    reference, reference_port = nats_server("max_connections: 2\nmax_subscriptions: 2\nauthorization { token: " + json.dumps(token) + " }")
    port = report["gateway_port"]
    connect = b'CONNECT {"verbose":false,"auth_token":' + json.dumps(token).encode() + b'}\r\n'
    try:
        subscriptions = connect + b"SUB _INBOX.a.* 1\r\nSUB _INBOX.b.* 2\r\nSUB _INBOX.c.* 3\r\nPING\r\n"
        ours, ours_closed = await raw_session(port, subscriptions)
        theirs, theirs_closed = await raw_session(reference_port, subscriptions)
        check("a subscription over the limit: the same bytes as nats-server, the connection stays",
              ours == theirs == b"-ERR 'maximum subscriptions exceeded'\r\nPONG\r\n" and not ours_closed and not theirs_closed,
              f"{ours!r} {theirs!r}")

        async def over_the_limit(at_port, held):
            # `held` connections open first (not signed in), then one more. The held ones are
            # closed at the 2-second sign-in timeout: when this machine was too busy to open the
            # third before then, the case says so and is tried again.
            started = time.monotonic()
            sockets = []
            for _ in range(held):
                sockets.append(await asyncio.open_connection("127.0.0.1", at_port))
                await sockets[-1][0].readline()
            reader, writer = await asyncio.open_connection("127.0.0.1", at_port)
            late = time.monotonic() - started > 1.5
            # Generous: on a loaded machine either server may take a while to refuse.
            data = await read_until_quiet(reader, 4)
            closed = reader.at_eof()
            for _, held_writer in sockets:
                held_writer.close()
            writer.close()
            data = data.split(b"\r\n", 1)[1] if data.startswith(b"INFO ") else data
            # Let in and then timed out: only possible once a held one had timed out before it.
            return data, closed, late or data == b"-ERR 'Authentication Timeout'\r\n"

        async def over_the_limit_in_time(at_port, held):
            for _ in range(3):
                data, closed, late = await over_the_limit(at_port, held)
                if not late:
                    break
                print(f"# the held connections took over 1.5 s to open on this machine; again", flush=True)
                await asyncio.sleep(2.5)
            return data, closed

        ours, ours_closed = await over_the_limit_in_time(port, 2)
        theirs, theirs_closed = await over_the_limit_in_time(reference_port, 2)
        check("a connection over the limit gets INFO, then the same error as nats-server, and is closed",
              ours == theirs == b"-ERR 'maximum connections exceeded'\r\n" and ours_closed and theirs_closed, f"{ours!r} {theirs!r}")
        await asyncio.sleep(0.5)

        first = await nats.connect(f"nats://127.0.0.1:{port}", token=token, allow_reconnect=False, max_reconnect_attempts=0)
        second, closed = await raw_session(port, connect + b"PING\r\n")
        check("a partner's connection over its own limit gets 'maximum account active connections exceeded' and is closed",
              second == b"-ERR 'maximum account active connections exceeded'\r\n" and closed, repr(second))
        await first.close()
    finally:
        gateway.terminate()
        reference.terminate()
        gateway.wait(timeout=15)
        reference.wait(timeout=15)


async def nkey_check(start, bus_args, concord):
    """Signing in with an nkey, the recommended credential: a seed made by `concord partner add
    --generate-nkey` works in nats-py, so does a key made by the Python nkeys library and given
    with `--nkey`, and a wrong signature gets the same bytes as from nats-server."""
    import nacl.signing
    import nkeys

    def run(*args):
        result = subprocess.run([concord, *args, *bus_args[:4]], capture_output=True, text=True, timeout=60)
        return result.returncode, result.stdout + result.stderr

    status, output = run("partner", "add", "NKA", "--name", "Nkey partner A", "--kind", "ngo", "--generate-nkey")
    lines = dict(line.split(": ", 1) for line in output.splitlines() if line.startswith(("nkey: ", "seed: ")))
    check("concord partner add --generate-nkey prints the public key and the seed once", status == 0 and
          lines.get("nkey", "").startswith("U") and lines.get("seed", "").startswith("SU"), output)
    seed = lines["seed"].split()[0]
    check("the seed is one the NATS nkeys library reads, for the same public key",
          nkeys.from_seed(bytearray(seed.encode())).public_key.decode() == lines["nkey"])
    python_seed = nkeys.encode_seed(bytes(nacl.signing.SigningKey.generate()), nkeys.PREFIX_BYTE_USER)
    python_public = nkeys.from_seed(bytearray(python_seed)).public_key.decode()
    status, output = run("partner", "add", "NKB", "--name", "Nkey partner B", "--kind", "ngo", "--nkey", python_public)
    check("a public nkey made elsewhere is accepted with --nkey", status == 0, output)
    for code in ["NKA", "NKB"]:
        run("partner", "permit", code, "--publish", "query.registry.>")
    gateway, report = start("gateway-nkey", "gateway", *bus_args, "--gateway-port", "0")
    port = report["gateway_port"]
    reference, reference_port = nats_server("authorization { users: [ { nkey: " + json.dumps(python_public) + " } ] }")
    try:
        for code, seed_text in [("NKA", seed), ("NKB", python_seed.decode())]:
            client = await nats.connect(f"nats://127.0.0.1:{port}", nkeys_seed_str=seed_text, allow_reconnect=False,
                                        max_reconnect_attempts=0)
            answer = json.loads((await client.request("query.registry.partner.get", json.dumps({"code": code}).encode(), timeout=5)).data)
            check(f"nats-py signs in with {code}'s nkey seed and is answered as {code}",
                  answer["type"] == "registry.partner.found" and f"\"code\": \"{code}\"" in json.dumps(answer["data"]), str(answer)[:300])
            await client.close()
        forged = b'CONNECT {"verbose":false,"nkey":' + json.dumps(python_public).encode() + b',"sig":"' + \
            base64_signature(nkeys.from_seed(bytearray(python_seed)), "not the nonce") + b'"}\r\nPING\r\n'
        ours, ours_closed = await raw_session(port, forged)
        theirs, theirs_closed = await raw_session(reference_port, forged)
        check("a signature of anything but the nonce gets 'Authorization Violation', as from nats-server",
              ours == theirs == b"-ERR 'Authorization Violation'\r\n" and ours_closed and theirs_closed, f"{ours!r} {theirs!r}")
    finally:
        gateway.terminate()
        reference.terminate()
        gateway.wait(timeout=15)
        reference.wait(timeout=15)


def base64_signature(key_pair, text):
    import base64
    return base64.b64encode(key_pair.sign(text.encode()))


def make_certificates(work):
    """A mission CA with the gateway's certificate and AU's client certificate, and a stranger
    CA with a client certificate claiming AU. Returns the paths by name."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    paths = {name: os.path.join(work, f"mtls-{name}") for name in
             ["ca.pem", "ca.key", "gw.pem", "gw.key", "au.pem", "au.key", "x-ca.pem", "x-ca.key", "x-au.pem", "x-au.key"]}
    for ca in ["ca", "x-ca"]:
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", paths[f"{ca}.key"], "-out", paths[f"{ca}.pem"],
            "-days", "2", "-subj", f"/CN=Concord test {ca}")

    def issue(name, ca, subject, san):
        csr = os.path.join(work, f"mtls-{name}.csr")
        extensions = os.path.join(work, f"mtls-{name}.ext")
        with open(extensions, "w") as file:
            file.write(f"subjectAltName={san}\n")
        run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", paths[f"{name}.key"], "-out", csr, "-subj", subject)
        run("x509", "-req", "-in", csr, "-CA", paths[f"{ca}.pem"], "-CAkey", paths[f"{ca}.key"], "-CAcreateserial",
            "-out", paths[f"{name}.pem"], "-days", "2", "-extfile", extensions)

    issue("gw", "ca", "/CN=localhost", "IP:127.0.0.1,DNS:localhost")
    issue("au", "ca", "/CN=AU partner", "URI:urn:concord:partner:AU")
    issue("x-au", "x-ca", "/CN=AU partner", "URI:urn:concord:partner:AU")
    return paths


async def mtls_check(start, bus_args, tokens, work):
    """Mutual TLS: AU signs in with its certificate and its own token; a certificate from
    another CA, no certificate, and AU's certificate with another partner's token are refused."""
    paths = make_certificates(work)
    gateway, report = start("gateway-mtls", "gateway", *bus_args, "--gateway-port", "0", "--tls-cert", paths["gw.pem"],
                            "--tls-key", paths["gw.key"], "--tls-client-ca", paths["ca.pem"])
    url = f"tls://127.0.0.1:{report['gateway_port']}"

    def context(certificate=None):
        made = ssl.create_default_context(cafile=paths["ca.pem"])
        if certificate:
            made.load_cert_chain(paths[f"{certificate}.pem"], paths[f"{certificate}.key"])
        return made

    async def signs_in(certificate, token):
        try:
            client = await nats.connect(url, tls=context(certificate), token=token, allow_reconnect=False,
                                        max_reconnect_attempts=0, connect_timeout=3)
            answer = json.loads((await client.request("query.registry.partner.get", b'{"code":"AU"}', timeout=5)).data)
            await client.close()
            return answer["type"] == "registry.partner.found"
        except Exception:
            return False

    try:
        check("with mutual TLS, AU signs in with its certificate and its token", await signs_in("au", tokens["AU"]))
        check("a client certificate from an unknown CA is refused", not await signs_in("x-au", tokens["AU"]))
        check("no client certificate is refused", not await signs_in(None, tokens["AU"]))
        check("AU's certificate with another partner's token is refused", not await signs_in("au", tokens["ECOWAS"]))
    finally:
        gateway.terminate()
        gateway.wait(timeout=15)
