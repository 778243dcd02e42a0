#!/usr/bin/env python3
"""The console in a real browser: headless Chromium driven through Selenium, signed in as NLD,
WFP and MSF while the shipped scenario runs on one `concord up`, next to stock nats-py clients
signed in as the same partners, which say what the gateway gives each of them.

Usage: console_browser.py CONCORD_BINARY WORK_FOLDER
With CONCORD_UPDATE_SCREENSHOTS=1 the screenshots are also written to docs/console/.
Prints one line per check and exits non-zero at the first failure.
"""
import asyncio
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import nats
import websocket
from selenium import webdriver
from selenium.webdriver.common.by import By

from partner_checks import check

CONCORD, WORK = sys.argv[1], sys.argv[2]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENARIO = os.path.join(ROOT, "docs/scenarios/mission.yaml")
DATA = os.path.join(WORK, "data")
TOKENS = {"NLD": "nld-exercise-token-4f1c", "WFP": "wfp-exercise-token-7a3b", "MSF": "msf-exercise-token-5c8e"}
# What each partner may subscribe to (the scenario's grants): the console subscribes to the same.
FEEDS = {"NLD": ["logistics.>", "intelligence.>"], "WFP": ["liaison.>", "logistics.>", "intelligence.>"],
         "MSF": ["liaison.>", "logistics.>", "intelligence.>"]}
UP = {}


def start_up():
    ready = os.path.join(WORK, "up.ready.json")
    log = open(os.path.join(WORK, "up.log"), "ab")
    process = subprocess.Popen([CONCORD, "up", "--data", DATA, "--bus-port", "0", "--gateway-port", "0", "--console-port", "0",
                                "--metrics-port", "off", "--heartbeat-ms", "200", "--log-level", "notice", "--ready-file", ready],
                               stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if os.path.exists(ready):
            report = json.load(open(ready))
            bus = report["bus"]
            UP.update(process=process, console=report["console_url"], gateway=report["gateway_url"], keys=report["keys"],
                      bus=["--bus-publish", bus["publish"], "--bus-subscribe", bus["subscribe"],
                           "--bus-capture", bus["capture"], "--bus-replay", bus["replay"], "--keys", report["keys"]])
            return
        if process.poll() is not None:
            raise RuntimeError(f"concord up ended with {process.returncode}; see up.log")
        time.sleep(0.05)
    raise RuntimeError("concord up was not ready within 120 s")


class Reference(threading.Thread):
    """Stock nats-py clients, one per partner, subscribed to the same feeds as the console: what
    the gateway gives each partner, with the moment each event arrived."""

    def __init__(self):
        super().__init__(daemon=True)
        self.events = {code: [] for code in TOKENS}
        self.connected = {}
        self.stop = threading.Event()

    def run(self):
        asyncio.run(self.main())

    async def main(self):
        clients = []
        for code, token in TOKENS.items():
            for _ in range(200):
                try:
                    client = await nats.connect(UP["gateway"], token=token, connect_timeout=10, allow_reconnect=False,
                                                error_cb=self.quiet)
                    break
                except Exception:
                    await asyncio.sleep(0.1)
            else:
                raise RuntimeError(f"{code} could not sign in to the gateway")
            for feed in FEEDS[code]:
                await client.subscribe(feed, cb=self.recorder(code))
            await client.flush()
            self.connected[code] = time.time()
            clients.append(client)
        while not self.stop.is_set():
            await asyncio.sleep(0.1)
        for client in clients:
            await client.close()

    async def quiet(self, error):
        pass    # refused sign-ins before the scenario issues the credentials

    def recorder(self, code):
        async def record(message):
            self.events[code].append((time.time(), message.subject, json.loads(message.data)))
        return record

    def first(self, code, subject):
        return next((at for at, seen, _ in self.events[code] if seen == subject), None)


def browser(code):
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000", "--disable-gpu"]:
        options.add_argument(argument)
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    driver.get(UP["console"])
    return driver


def sign_in(driver, code):
    """Types the partner's code and token into the sign-in form, as a person would."""
    for _ in range(100):
        driver.find_element(By.ID, "signin-partner").clear()
        driver.find_element(By.ID, "signin-partner").send_keys(code)
        driver.find_element(By.ID, "signin-token").send_keys(TOKENS[code])
        driver.find_element(By.CSS_SELECTOR, "#signin-form button[type=submit]").click()
        for _ in range(30):
            if driver.find_element(By.ID, "partner").is_displayed():
                return
            if driver.find_element(By.ID, "signin-error").text:
                break
            time.sleep(0.1)
        time.sleep(0.3)    # the scenario issues credentials in its first second
    raise RuntimeError(f"{code} could not sign in: {driver.find_element(By.ID, 'signin-error').text}")


def features(driver, layer):
    return driver.execute_script(f"return window.concord.features('{layer}')") or []


def cookie_of(driver):
    return next(c["value"] for c in driver.get_cookies() if c["name"] == "concord_session")


class RawSocket(threading.Thread):
    """The console's WebSocket without a browser, to drop and resume it at chosen moments."""

    def __init__(self, cookie, query=""):
        super().__init__(daemon=True)
        self.messages = []
        self.socket = websocket.create_connection(UP["console"].replace("http", "ws") + "/api/live" + query,
                                                  header=[f"Cookie: concord_session={cookie}"], origin=UP["console"])
        self.socket.settimeout(0.5)
        self.opened = time.time()
        self.closed = threading.Event()

    def run(self):
        while not self.closed.is_set():
            try:
                self.messages.append(json.loads(self.socket.recv()))
            except websocket.WebSocketTimeoutException:
                continue
            except Exception:
                break

    def close(self):
        self.closed.set()
        self.join(5)
        self.socket.close()

    def events(self):
        return [m for m in self.messages if m.get("kind") == "event"]


def key(event):
    return event["source"], event["sequence"]


def main():
    start_up()
    shots = os.path.join(WORK, "screenshots")
    os.makedirs(shots, exist_ok=True)
    scenario = subprocess.Popen([CONCORD, "scenario", SCENARIO, "--speed", "1", "--gateway", UP["gateway"], *UP["bus"]],
                                stdout=open(os.path.join(WORK, "scenario.log"), "w"), stderr=subprocess.STDOUT)
    started = time.time()
    reference = Reference()
    reference.start()
    drivers = {code: browser(code) for code in TOKENS}
    try:
        for code, driver in drivers.items():
            sign_in(driver, code)
        check("NLD, WFP and MSF sign in with their tokens through the console's form",
              all(d.find_element(By.ID, "who").text.endswith(c) for c, d in drivers.items()))
        unlabelled = drivers["NLD"].execute_script(
            "return [...document.querySelectorAll('input,select,textarea')].filter(e => !e.closest('label') && !(e.id && document.querySelector(`label[for='${e.id}']`))).map(e => e.outerHTML)")
        check("every control on the page has a label", unlabelled == [], str(unlabelled))
        cookie = drivers["WFP"].get_cookie("concord_session")
        check("the session cookie is HttpOnly, Secure and SameSite=Strict, with an expiry",
              cookie["httpOnly"] and cookie["secure"] and cookie.get("sameSite") == "Strict" and cookie.get("expiry"), str(cookie))

        # A second WFP connection without a browser: dropped after the first events, resumed later.
        raw = RawSocket(cookie_of(drivers["WFP"]))
        raw.start()
        while not any(e["type"] == "logistics.request.created" for e in [m["event"] for m in raw.events()]):
            time.sleep(0.1)
            if time.time() - started > 40:
                break
        raw.close()
        first_part = raw.events()

        # The route threat: the alert at 30 s, lifted at 45 s.
        alert_at, shown = {}, {}
        deadline = started + 44
        while time.time() < deadline and not all(code in shown for code in TOKENS):
            if alert_at.get("bus") is None:
                alert_at["bus"] = reference.first("NLD", "intelligence.alert.raised")
            if alert_at["bus"] is None:
                time.sleep(0.1)
                continue
            nld = features(drivers["NLD"], "alerts")
            if "NLD" not in shown and any(f["properties"].get("classification") == "SECRET" and f["geometry"] == "Polygon" for f in nld):
                shown["NLD"] = time.time()
            wfp = features(drivers["WFP"], "alerts")
            if "WFP" not in shown and any(f["properties"].get("tearline") == "true" for f in wfp):
                shown["WFP"] = time.time()
                shown["WFP features"] = wfp
            if "MSF" not in shown and time.time() > alert_at["bus"] + 3:
                shown["MSF"] = features(drivers["MSF"], "alerts")
            time.sleep(0.1)
        check("the alert was raised on the bus during the scenario", alert_at.get("bus") is not None)
        # When the page drew it, by the page's own clock (this machine's): polling through
        # Selenium three browsers at a time says little about the page on a loaded machine.
        drawn = [d["at"] / 1000 for d in drivers["NLD"].execute_script("return window.concord.draws()")
                 if d["layer"] == "alerts" and any(f["properties"].get("classification") == "SECRET" and f["geometry"] == "Polygon"
                                                   for f in d["features"])]
        delay = (drawn[0] - alert_at["bus"]) if drawn else None
        trace = "" if delay is not None and delay < 2.0 else json.dumps({
            "received": [(m["subject"], m["at"] / 1000) for m in drivers["NLD"].execute_script("return window.concord.received()")][-12:],
            "loads": [(l["layer"], l["at"] / 1000, l["ms"]) for l in drivers["NLD"].execute_script("return window.concord.loads()")][-20:]})
        if delay is not None:
            print(f"# NLD's page drew the polygon {delay:.2f} s after the alert was on the bus", flush=True)
        check("NLD's map shows the SECRET alert polygon within 2 s of the alert",
              "NLD" in shown and delay is not None and delay < 2.0, f"{delay} s after {alert_at['bus']} {trace}")
        wfp = shown.get("WFP features", [])
        check("WFP's map shows only the tearline: its summary and label, on Jonglei's outline, under a pseudonym",
              len(wfp) == 1 and wfp[0]["properties"]["classification"] == "RESTRICTED" and wfp[0]["id"].startswith("alert-")
              and wfp[0]["properties"]["name"] == "Avoid road movements in Jonglei." and wfp[0]["properties"]["area"] == "Jonglei", str(wfp))
        check("WFP's page never received the alert's polygon or summary",
              "Ambush likely" not in drivers["WFP"].page_source
              and not any(m["subject"] == "intelligence.alert.raised" for m in drivers["WFP"].execute_script("return window.concord.received()")))
        check("MSF's map shows neither the alert nor its tearline", shown.get("MSF") == [], str(shown.get("MSF")))

        def halted(code):
            return [f for f in features(drivers[code], "convoys") if f["properties"].get("status") == "halted"]
        for _ in range(50):
            if halted("NLD") and halted("WFP"):
                break
            time.sleep(0.1)
        check("the convoy on the route turns halted on NLD's and WFP's maps, whose convoy it is",
              [f["id"] for f in halted("NLD")] == ["CV-RFA-1"] and [f["id"] for f in halted("WFP")] == ["CV-RFA-1"])
        check("MSF, not the convoy's partner, has no convoy on its map", features(drivers["MSF"], "convoys") == [])
        routes = {f["id"]: f["properties"]["atRisk"] for f in features(drivers["NLD"], "routes")}
        check("the Juba–Bor road is drawn at risk on NLD's map, in words as well as colour",
              routes.get("R-1") == "true" and any("AT RISK" in f["text"] for f in features(drivers["NLD"], "routes")), str(routes))
        for code, driver in drivers.items():
            driver.save_screenshot(os.path.join(shots, f"route-threat-{code}.png"))

        # WFP asks for assistance through the form.
        form = drivers["WFP"]
        form.find_element(By.ID, "rfa-id").send_keys("RFA-WEB-1")
        form.find_element(By.ID, "rfa-route").send_keys("R-1")
        form.find_element(By.ID, "rfa-location").send_keys("Bor")
        form.execute_script("document.getElementById('rfa-needed').value = '2026-12-20'")
        form.find_element(By.ID, "rfa-why").send_keys("Armed escort needed: the road south of Bor is under alert")
        form.find_element(By.CSS_SELECTOR, "#form-rfa button[type=submit]").click()
        for _ in range(100):
            if form.find_element(By.ID, "form-answer").text:
                break
            time.sleep(0.1)
        check("the RFA form shows the service's answer", form.find_element(By.ID, "form-answer").text == "Accepted: liaison.rfa.submitted",
              form.find_element(By.ID, "form-answer").text)
        with sqlite3.connect(os.path.join(DATA, "liaison.sqlite")) as db:
            rows = [json.loads(r[0]) for r in db.execute("SELECT envelope FROM journal WHERE type = 'liaison.rfa.submitted'")]
        web = [r for r in rows if r["data"]["rfa"] == "RFA-WEB-1"]
        check("liaison.rfa.submitted is on the bus with WFP as requester",
              len(web) == 1 and web[0]["data"]["requester"] == "WFP" and "WFP" in web[0]["releasableto"].split(), str(web))
        form.find_element(By.ID, "rfa-id").clear()
        form.find_element(By.ID, "rfa-id").send_keys("RFA-WEB-1")
        form.find_element(By.CSS_SELECTOR, "#form-rfa button[type=submit]").click()
        time.sleep(1.5)
        check("a refused command shows the refusal", form.find_element(By.ID, "form-answer").text.startswith("Refused:"),
              form.find_element(By.ID, "form-answer").text)
        form.save_screenshot(os.path.join(shots, "rfa-form-WFP.png"))

        # Resume: the raw WFP socket comes back with what it saw; it gets what it missed, once.
        seen = {}
        for event in [m["event"] for m in first_part]:
            seen[event["source"]] = max(seen.get(event["source"], 0), event["sequence"])
        since = max(m["event"]["time"] for m in first_part)
        query = "?since=" + urllib.request.quote(since) + "&seen=" + ",".join(f"{s}:{q}" for s, q in seen.items())
        resumed = RawSocket(cookie_of(drivers["WFP"]), query)
        resumed.start()
        scenario.wait(timeout=120)
        check("the shipped scenario ran to its end with every expected event", scenario.returncode == 0,
              open(os.path.join(WORK, "scenario.log")).read()[-2000:])
        time.sleep(1.5)
        resumed.close()
        notes = [m for m in resumed.messages if m.get("kind") == "resumed"]
        check("a resumed WebSocket is told how many missed events came from the feed", len(notes) == 1 and notes[0]["count"] > 0, str(notes))
        through_console = [m["event"] for m in first_part + resumed.events()]
        keys = [key(e) for e in through_console]
        # From when both the stock client and the first socket were listening.
        window_start = max(reference.connected["WFP"], raw.opened)
        by_gateway = {key(e) for at, _, e in reference.events["WFP"] if at >= window_start}
        check("dropped and resumed, WFP's WebSocket got every event the gateway gave WFP, none twice",
              by_gateway <= set(keys) and len(keys) == len(set(keys)), f"missing {sorted(by_gateway - set(keys))[:5]}")
        check("and nothing the gateway did not give WFP", set(keys) <= {key(e) for _, _, e in reference.events["WFP"]},
              str(sorted(set(keys) - {key(e) for _, _, e in reference.events['WFP']})[:5]))
        for code, driver in drivers.items():
            received = {(m["event"]["source"], m["event"]["sequence"]) for m in driver.execute_script("return window.concord.received()")}
            opened = drivers[code].execute_script("return window.concord.openedAt()") / 1000
            given = {key(e) for at, _, e in reference.events[code] if at >= max(reference.connected[code], opened) + 0.2}
            check(f"{code}'s browser received what the gateway gave {code} while it was open, and nothing more",
                  given <= received and received <= {key(e) for _, _, e in reference.events[code]},
                  f"missing {sorted(given - received)[:3]} extra {sorted(received - {key(e) for _, _, e in reference.events[code]})[:3]}")

        # WFP is suspended: its session ends, on the page and for the API.
        subprocess.run([CONCORD, "partner", "suspend", "WFP", "--reason", "console test", *UP["bus"]], check=True, capture_output=True, timeout=60)
        for _ in range(100):
            if drivers["WFP"].execute_script("return window.concord.ended()"):
                break
            time.sleep(0.1)
        check("a WFP session whose partner is suspended is cut off",
              drivers["WFP"].find_element(By.ID, "ended").is_displayed() and "gateway closed" in drivers["WFP"].find_element(By.ID, "ended-reason").text,
              drivers["WFP"].find_element(By.ID, "ended-reason").text)
        status = drivers["WFP"].execute_script(
            "return fetch('/api/export/logistics/convoy?format=geojson', {credentials: 'same-origin'}).then(r => r.status)")
        check("and its cookie no longer opens anything", status == 401, str(status))
        drivers["WFP"].save_screenshot(os.path.join(shots, "suspended-WFP.png"))
        try:
            websocket.create_connection(UP["console"].replace("http", "ws") + "/api/live",
                                        header=[f"Cookie: concord_session={cookie['value']}"], origin=UP["console"], timeout=5)
            refused = False
        except websocket.WebSocketBadStatusException:
            refused = True
        check("nor a WebSocket", refused)

        # An operator's page: every part's health, position and lag.
        operator = drivers["MSF"]
        operator.find_element(By.ID, "signout").click()
        for _ in range(30):
            if operator.find_element(By.ID, "ended").is_displayed():
                break
            time.sleep(0.1)
        operator.find_element(By.ID, "signin-again").click()
        token = open(os.path.join(UP["keys"], "console-operator.token")).read().strip()
        operator.find_element(By.ID, "operator-token").send_keys(token)
        operator.find_element(By.CSS_SELECTOR, "#operator-form button[type=submit]").click()
        rows = []
        for _ in range(100):
            rows = operator.execute_script(
                "return [...document.querySelectorAll('#status-table tbody tr')].map(r => [...r.cells].map(c => c.textContent))")
            if len(rows) >= 6 and all(r[1] == "up" for r in rows if r[0] in ("registry", "logistics", "intelligence", "training", "liaison")):
                break
            time.sleep(0.2)
        parts = {r[0]: r for r in rows}
        check("the operator page shows every part up, with its journal position, lag and dead letters",
              all(parts.get(p, ["", ""])[1] == "up" for p in ["bus", "registry", "logistics", "intelligence", "training", "liaison", "gateway"])
              and int(parts["logistics"][2]) > 0 and parts["logistics"][4].isdigit(), str(rows))
        operator.save_screenshot(os.path.join(shots, "operator.png"))
        forged = urllib.request.Request(UP["console"] + "/api/session", data=b'{"operatorToken":"guess"}', method="POST",
                                        headers={"Content-Type": "application/json"})
        try:
            urllib.request.urlopen(forged)
            code = 200
        except urllib.error.HTTPError as error:
            code = error.code
        check("a wrong operator token is refused", code == 401, str(code))
        nld = cookie_of(drivers["NLD"])
        refusals = []
        for origin, content_type in [("http://evil.example", "application/json"), (UP["console"], "text/plain")]:
            request = urllib.request.Request(UP["console"] + "/api/request", method="POST", headers={
                "Content-Type": content_type, "Origin": origin, "Cookie": f"concord_session={nld}"},
                data=json.dumps({"subject": "cmd.logistics.pledge.offer", "data": {}}).encode())
            try:
                urllib.request.urlopen(request)
                refusals.append(200)
            except urllib.error.HTTPError as error:
                refusals.append(error.code)
        check("a command from another site's page, or not as JSON, is refused before it reaches the gateway", refusals == [403, 403], str(refusals))
        try:
            websocket.create_connection(UP["console"].replace("http", "ws") + "/api/live", header=[f"Cookie: concord_session={nld}"],
                                        origin="http://evil.example", timeout=5)
            hijacked = True
        except websocket.WebSocketBadStatusException:
            hijacked = False
        check("another site's page cannot open a WebSocket with a partner's cookie", not hijacked)
    finally:
        reference.stop.set()
        for driver in drivers.values():
            driver.quit()
        UP["process"].terminate()
        UP["process"].wait(30)
    if os.environ.get("CONCORD_UPDATE_SCREENSHOTS") == "1":
        target = os.path.join(ROOT, "docs/console")
        os.makedirs(target, exist_ok=True)
        for name in os.listdir(shots):
            shutil.copy(os.path.join(shots, name), target)


if __name__ == "__main__":
    main()
