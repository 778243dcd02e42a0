import Agents
import ConcordTestSupport
import Foundation
import Testing

extension ProcessTests {
    @Suite("An outsider and a compromised part against concord up", .serialized)
    struct OutsiderTests {
        static let outsider = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Security/outsider.py").standardized.path

        @Test("forged commands, events and heartbeats, a subscription to everything and catch-up fetches fail and are counted; a service's own key cannot speak for another")
        func probes() async throws {
            let folder = try TemporaryFolder()
            let up = try await ConcordProcess.start(["up", "--data", folder.path("data"), "--log-level", "warning"], folder: folder, name: "up")
            let keys = try #require(up.ready?.keys)
            let before = try await OperationsTests.scrape(up.metricsPort, folder: folder)
            var arguments = [Self.outsider, "--publish", up.bus.publish, "--subscribe", up.bus.subscribe,
                             "--keys", keys + "/identities.json", "--key", keys + "/concord.logistics.key", "--wait", "1.5"]
            let catchUp = up.ready?.catchUp ?? [:]
            for (service, endpoint) in catchUp.sorted(by: { $0.key < $1.key }) { arguments += ["--catch-up", "concord/\(service)=\(endpoint)"] }
            let (status, output) = try await ChildProcess.run("python3", arguments, logPath: folder.path("outsider.log"), timeout: .seconds(120))
            #expect(status == 0, "\(output)")
            #expect(output.split(separator: "\n").filter { $0.hasPrefix("ok - ") }.count == 2 * (1 + catchUp.count) + 1, "\(output)")

            // Every connection without a mission key failed its handshake (plain ones) or was
            // refused by ZAP (CURVE ones), at the proxy and at each catch-up server; the
            // compromised logistics key had another service's event and heartbeat refused, and its
            // subscription to everything. Counters move once the proxy has read its events: poll.
            let expected: [(String, [String: String], Double)] = [
                ("concord_bus_auth_refused_total", [:], Double(2 + catchUp.count)),
                ("concord_bus_handshakes_failed_total", [:], Double(2 * (2 + catchUp.count))),
                ("concord_proxy_messages_total", ["outcome": "refused"], 2),
                ("concord_proxy_subscriptions_refused_total", [:], 1),
            ]
            let folderRef = folder, port = up.metricsPort
            let counted = try await eventually(timeout: .seconds(30)) {
                let after = try await OperationsTests.scrape(port, folder: folderRef)
                return expected.allSatisfy { name, labels, least in
                    (OperationsTests.value(after, name, labels) ?? 0) - (OperationsTests.value(before, name, labels) ?? 0) >= least
                }
            }
            let after = try await OperationsTests.scrape(up.metricsPort, folder: folder)
            #expect(counted, "\(expected.map { name, labels, _ in "\(name): \((OperationsTests.value(after, name, labels) ?? 0) - (OperationsTests.value(before, name, labels) ?? 0))" })")

            // And nothing happened: no partner was registered by the forged command.
            let (listStatus, list) = try await ConcordProcess.run(["partner", "list"] + up.busOptions, logPath: folder.path("list.log"))
            #expect(listStatus == 0 && !list.contains("OUTSIDER"), "\(list)")
            up.signal(SIGINT)
            _ = await up.waitForExit(timeout: .seconds(15))
        }
    }
}
