import Agents
import ConcordTestSupport
import Foundation
import Testing

extension ProcessTests {
    @Suite("Gateway conformance with stock NATS clients", .serialized)
    struct GatewayConformanceTests {
        /// A script of `Tests/Conformance/`, next to this file's folder.
        static func script(_ name: String) -> String {
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Conformance/\(name)").path
        }

        /// Runs a script with the concord binary and a scratch folder; every check it makes must pass.
        static func run(_ name: String, expecting checks: Int) async throws {
            let folder = try TemporaryFolder()
            let (status, output) = try await ChildProcess.run("python3", [script(name), ConcordProcess.binary, folder.url.path],
                                                             logPath: folder.path("\(name).log"), timeout: .seconds(600))
            let results = output.split(separator: "\n").filter { $0.hasPrefix("ok - ") || $0.hasPrefix("not ok - ") }
            print(results.joined(separator: "\n"))
            #expect(status == 0, "\(output)")
            #expect(!output.contains("not ok"))
            #expect(results.count >= checks)
        }

        @Test("nats-py against bus, registry and gateway processes: auth, wildcards, queue groups, request/reply, permissions, limits, releasability, suspension, slow consumer, TLS, restart")
        func natsPy() async throws {
            try await Self.run("nats_py_conformance.py", expecting: 52)
        }

        @Test("durable partner feeds with nats-py and nats.go: pull and push consumers offline for 30 s while 10,000 commands make events and the gateway is SIGKILLed; every releasable event once, in order, densely numbered per partner; ack wait, max_deliver, nak, term; sealed streams; Nats-Msg-Id as the idempotency key; nothing passed over while a journal is unreachable; hostile inputs refused with the gateway up; answers shaped as nats-server -js answers")
        func durableFeeds() async throws {
            try await Self.run("durable_feeds.py", expecting: 52)
        }

        // In this serialized suite: three headless browsers beside the other scripts' partners
        // would starve them on a two-core machine.
        @Test("the console in headless Chromium as NLD, WFP and MSF during the shipped scenario's route threat: the SECRET polygon for NLD within 2 s, only the tearline for WFP, nothing for MSF, the convoy halted where each may see it; WFP's RFA form on the bus; every WebSocket message what the gateway gave the partner, resumed after a drop; a suspended partner cut off; the operator page; cookies, origins and labels")
        func consoleInABrowser() async throws {
            try await Self.run("console_browser.py", expecting: 28)
        }

        @Test("the measured security cases through the gateway with nats-py on concord up: registry administration, acting in another's name, leaking queries, pagination, laundered labels, queue groups, the crash header, near-limit publishes, '>' and replies, readiness")
        func measuredCases() async throws {
            try await Self.run("measured_cases.py", expecting: 27)
        }
    }
}
