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

        struct Sample: Decodable {
            var name: String
            var labels: [String: String]
            var value: Double
        }

        /// /metrics read by the Prometheus client's own parser; nil when it does not parse.
        static func scrape(_ port: Int) throws -> [Sample]? {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", scraper, "http://127.0.0.1:\(port)/metrics"]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try ConcordProcess.launch(process)
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { return nil }
            return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(Sample.self, from: Data($0)) }
        }

        static func value(_ samples: [Sample]?, _ name: String, _ labels: [String: String] = [:]) -> Double? {
            samples?.first { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }?.value
        }

        /// The status and body of /healthz.
        static func health(_ port: Int) -> (Int, String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", """
                import urllib.request, urllib.error, sys
                try:
                    r = urllib.request.urlopen("http://127.0.0.1:\(port)/healthz", timeout=10); print(r.status); print(r.read().decode())
                except urllib.error.HTTPError as e:
                    print(e.code); print(e.read().decode())
                except Exception as e:
                    print(0); print(e)
                """]
            let output = Pipe()
            process.standardOutput = output
            try? ConcordProcess.launch(process)
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let lines = text.split(separator: "\n", maxSplits: 1).map(String.init)
            return (Int(lines.first ?? "") ?? 0, lines.count > 1 ? lines[1] : "")
        }

        @Test("every part serves /metrics that a Prometheus parser reads, with counters that move with traffic, and a /healthz that follows the bus; SIGTERM stops each within 10 seconds with its journal whole")
        func healthMetricsAndStop() async throws {
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let base = freePort()
            let bus = ["--bus-publish", "tcp://127.0.0.1:\(base)", "--bus-subscribe", "tcp://127.0.0.1:\(base + 1)",
                       "--bus-capture", "tcp://127.0.0.1:\(base + 2)"]
            let ports = (bus: freePort(), registry: freePort(), gateway: freePort(), recorder: freePort())
            let common = ["--data", folder.path("data"), "--heartbeat-ms", "200", "--log-level", "warning"]
            let proxy = try ConcordProcess(["run", "bus", "--metrics-port", "\(ports.bus)"] + common + bus, logPath: folder.path("bus.log"))
            let registry = try ConcordProcess(["run", "registry", "--metrics-port", "\(ports.registry)"] + common + bus,
                                              logPath: folder.path("registry.log"))
            let gateway = try ConcordProcess(["run", "gateway", "--gateway-port", "\(freePort())", "--metrics-port", "\(ports.gateway)"] + common + bus,
                                             logPath: folder.path("gateway.log"))
            let recorder = try ConcordProcess(["run", "recorder", "--out", folder.path("rec.jsonl"), "--metrics-port", "\(ports.recorder)"] + common + bus,
                                              logPath: folder.path("recorder.log"))
            let parts = [("bus", proxy, ports.bus), ("registry", registry, ports.registry), ("gateway", gateway, ports.gateway),
                         ("recorder", recorder, ports.recorder)]
            for (name, process, port) in parts {
                #expect(try await eventually(timeout: .seconds(60)) { Self.health(port).0 == 200 }, "\(name): \(Self.health(port)) \(process.output)")
            }
            #expect(Self.health(ports.registry).1.contains("registry: heard"))

            let before = try Self.scrape(ports.registry)
            let proxyBefore = try Self.scrape(ports.bus)
            for code in ["NLD", "RWA", "WFP"] {
                let (status, output) = try await ConcordProcess.run(["partner", "add", code, "--name", code, "--kind", "ngo"] + bus,
                                                                   logPath: folder.path("add-\(code).log"))
                #expect(status == 0, "\(output)")
            }
            try await Task.sleep(for: .milliseconds(600))
            let after = try Self.scrape(ports.registry)
            #expect(before != nil && after != nil, "the registry's /metrics must parse")
            let commandsIn = ["family": "cmd", "direction": "in"]
            #expect((Self.value(after, "concord_bus_messages_total", commandsIn) ?? 0) >= (Self.value(before, "concord_bus_messages_total", commandsIn) ?? 0) + 9)
            #expect((Self.value(after, "concord_journal_events", ["source": "concord/registry"]) ?? 0) >= 9)
            #expect(Self.value(after, "concord_dead_letters_total", ["part": "registry"]) == 0)
            #expect(Self.value(after, "concord_command_duration_seconds_count", ["service": "registry"]) ?? 0 >= 9)
            let proxyAfter = try Self.scrape(ports.bus)
            #expect((Self.value(proxyAfter, "concord_proxy_messages_total", ["outcome": "forwarded"]) ?? 0)
                    > (Self.value(proxyBefore, "concord_proxy_messages_total", ["outcome": "forwarded"]) ?? 0))
            let gatewayMetrics = try Self.scrape(ports.gateway)
            #expect(Self.value(gatewayMetrics, "concord_gateway_connections") != nil)
            // The gateway follows the registry: its consumer's counters name it.
            #expect(Self.value(gatewayMetrics, "concord_consumer_gaps_total", ["part": "gateway"]) != nil)
            #expect(try Self.scrape(ports.recorder) != nil)

            // concord status: the registry's position, and the services that are not running.
            let (statusCode, status) = try await ConcordProcess.run(["status", "--listen", "1"] + bus, logPath: folder.path("status.log"))
            #expect(statusCode == 1, "\(status)")
            let registryRow = status.split(separator: "\n").first { $0.hasPrefix("registry ") }.map(String.init) ?? ""
            #expect(registryRow.contains(" up ") && registryRow.contains(" 9 "), "\(status)")
            #expect(status.contains("logistics") && status.contains("NOT HEARD"), "\(status)")

            // Without the proxy, the parts say so.
            proxy.signal(SIGTERM)
            #expect(await proxy.waitForExit(timeout: .seconds(10)) == 0, "\(proxy.output)")
            #expect(try await eventually(timeout: .seconds(15)) { Self.health(ports.registry).0 == 503 })
            #expect(Self.health(ports.registry).1.contains("no answer from the proxy"))

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
                #expect(sequences == Array(1...Int64(sequences.count)) && sequences.count >= 9)
            }
        }
    }
}
