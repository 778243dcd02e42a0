import Agents
import BusCore
import ConcordTestSupport
import Foundation
import GRDB
import Testing

extension ProcessTests {
    @Suite("Health, metrics and stopping of every part", .serialized)
    struct OperationsTests {
        static let scraper = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Operations/scrape_metrics.py").standardized.path

        struct Sample: Decodable, Sendable {
            var name: String
            var labels: [String: String]
            var value: Double
        }

        /// /metrics read by the Prometheus client's own parser; nil when it does not parse.
        static func scrape(_ port: Int, folder: TemporaryFolder) async throws -> [Sample]? {
            let (status, output) = try await ChildProcess.run("python3", [scraper, "http://127.0.0.1:\(port)/metrics"],
                                                             logPath: folder.path("scrape-\(UUID().uuidString).log"))
            guard status == 0 else { return nil }
            return try output.split(separator: "\n").map { try JSONDecoder().decode(Sample.self, from: Data($0.utf8)) }
        }

        static func value(_ samples: [Sample]?, _ name: String, _ labels: [String: String] = [:]) -> Double? {
            samples?.first { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }?.value
        }

        /// The status and body of /healthz.
        static func health(_ port: Int, folder: TemporaryFolder) async -> (Int, String) {
            let script = """
                import urllib.request, urllib.error, sys
                try:
                    r = urllib.request.urlopen("http://127.0.0.1:\(port)/healthz", timeout=10); print(r.status); print(r.read().decode())
                except urllib.error.HTTPError as e:
                    print(e.code); print(e.read().decode())
                except Exception as e:
                    print(0); print(e)
                """
            let text = (try? await ChildProcess.run("python3", ["-c", script], logPath: folder.path("health-\(UUID().uuidString).log")).output) ?? ""
            let lines = text.split(separator: "\n", maxSplits: 1).map(String.init)
            return (Int(lines.first ?? "") ?? 0, lines.count > 1 ? lines[1] : "")
        }

        @Test("every part serves /metrics that a Prometheus parser reads, with counters that move with traffic, and a /healthz that follows the bus; SIGTERM stops each within 10 seconds with its journal whole")
        func healthMetricsAndStop() async throws {
            let folder = try TemporaryFolder()
            let common = ["--data", folder.path("data"), "--heartbeat-ms", "200", "--log-level", "warning", "--metrics-port", "0"]
            let (keysStatus, keysOutput) = try await ConcordProcess.run(["keys", "init", folder.path("data/keys")], logPath: folder.path("keys.log"))
            try #require(keysStatus == 0, "\(keysOutput)")
            let proxy = try await ConcordProcess.start(["run", "bus", "--bus-publish", "tcp://127.0.0.1:*", "--bus-subscribe", "tcp://127.0.0.1:*",
                                                        "--bus-capture", "tcp://127.0.0.1:*", "--bus-replay", "tcp://127.0.0.1:*"] + common,
                                                       folder: folder, name: "bus")
            let bus = proxy.busOptions
            let registry = try await ConcordProcess.start(["run", "registry"] + common + bus, folder: folder, name: "registry")
            let gateway = try await ConcordProcess.start(["run", "gateway", "--gateway-port", "0"] + common + bus, folder: folder, name: "gateway")
            let recorder = try await ConcordProcess.start(["run", "recorder", "--out", folder.path("rec.jsonl")] + common + bus,
                                                          folder: folder, name: "recorder")
            let ports = (bus: proxy.metricsPort, registry: registry.metricsPort, gateway: gateway.metricsPort, recorder: recorder.metricsPort)
            let parts = [("bus", proxy, ports.bus), ("registry", registry, ports.registry), ("gateway", gateway, ports.gateway),
                         ("recorder", recorder, ports.recorder)]
            for (name, process, port) in parts {
                #expect(port > 0, "\(name) reported no metrics port")
                let healthy = try await eventually(timeout: .seconds(60)) { await Self.health(port, folder: folder).0 == 200 }
                let last = await Self.health(port, folder: folder)
                #expect(healthy, "\(name): \(last) \(process.output)")
            }
            #expect(await Self.health(ports.registry, folder: folder).1.contains("registry: heard"))

            let before = try await Self.scrape(ports.registry, folder: folder)
            let proxyBefore = try await Self.scrape(ports.bus, folder: folder)
            for code in ["NLD", "RWA", "WFP"] {
                let (status, output) = try await ConcordProcess.run(["partner", "add", code, "--name", code, "--kind", "ngo"] + bus,
                                                                   logPath: folder.path("add-\(code).log"))
                #expect(status == 0, "\(output)")
            }
            // Metrics reflect the commands once the registry has journaled their events.
            let latest = Latest<[Sample]?>(nil)
            _ = try await eventually(timeout: .seconds(20)) {
                latest.value = try await Self.scrape(ports.registry, folder: folder)
                return (Self.value(latest.value, "concord_journal_events", ["source": "concord/registry"]) ?? 0) >= 9
            }
            let after = latest.value
            #expect(before != nil && after != nil, "the registry's /metrics must parse")
            let commandsIn = ["family": "cmd", "direction": "in"]
            #expect((Self.value(after, "concord_bus_messages_total", commandsIn) ?? 0) >= (Self.value(before, "concord_bus_messages_total", commandsIn) ?? 0) + 9)
            #expect((Self.value(after, "concord_journal_events", ["source": "concord/registry"]) ?? 0) >= 9)
            #expect(Self.value(after, "concord_dead_letters_total", ["part": "registry"]) == 0)
            #expect(Self.value(after, "concord_command_duration_seconds_count", ["service": "registry"]) ?? 0 >= 9)
            let proxyAfter = try await Self.scrape(ports.bus, folder: folder)
            #expect((Self.value(proxyAfter, "concord_proxy_messages_total", ["outcome": "forwarded"]) ?? 0)
                    > (Self.value(proxyBefore, "concord_proxy_messages_total", ["outcome": "forwarded"]) ?? 0))
            let gatewayMetrics = try await Self.scrape(ports.gateway, folder: folder)
            #expect(Self.value(gatewayMetrics, "concord_gateway_connections") != nil)
            // The gateway follows the registry: its consumer's counters name it.
            #expect(Self.value(gatewayMetrics, "concord_consumer_gaps_total", ["part": "gateway"]) != nil)
            #expect(try await Self.scrape(ports.recorder, folder: folder) != nil)

            // concord status: the registry's position, and the services that are not running.
            let (statusCode, status) = try await ConcordProcess.run(["status", "--listen", "1"] + bus, logPath: folder.path("status.log"))
            #expect(statusCode == 1, "\(status)")
            let registryRow = status.split(separator: "\n").first { $0.hasPrefix("registry ") }.map(String.init) ?? ""
            #expect(registryRow.contains(" up ") && registryRow.contains(" 9 "), "\(status)")
            #expect(status.contains("logistics") && status.contains("NOT HEARD"), "\(status)")

            // Without the proxy, the parts say so.
            proxy.signal(SIGTERM)
            #expect(await proxy.waitForExit(timeout: .seconds(10)) == 0, "\(proxy.output)")
            #expect(try await eventually(timeout: .seconds(15)) { await Self.health(ports.registry, folder: folder).0 == 503 })
            #expect(await Self.health(ports.registry, folder: folder).1.contains("no answer from the proxy"))

            for (name, process, _) in parts.dropFirst() {
                let started = ContinuousClock.now
                process.signal(SIGTERM)
                let status = await process.waitForExit(timeout: .seconds(10))
                #expect(status == 0, "\(name) did not stop cleanly within 10 s: \(process.output)")
                #expect(ContinuousClock.now - started < .seconds(10))
            }
            // The journal is whole: SQLite's own check, and sequences without gaps.
            let journal = try DatabaseQueue(path: folder.path("data/registry.sqlite"))
            try await journal.read { db in
                #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
                let sequences = try Int64.fetchAll(db, sql: "SELECT sequence FROM journal ORDER BY sequence")
                #expect(sequences == (0..<sequences.count).map { Int64($0 + 1) } && sequences.count >= 9)
            }
        }
    }
}
