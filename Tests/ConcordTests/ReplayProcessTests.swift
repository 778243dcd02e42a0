import BusCore
import ConcordTestSupport
import Foundation
import GRDB
import Synchronization
import Testing

extension ProcessTests {
    @Suite("Record and replay with real processes", .serialized)
    struct ReplayProcessTests {
        /// The shipped scenario, found from this file's place in the repository.
        static let scenario = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/scenarios/mission.yaml").standardized.path
        static let services = ["registry", "logistics", "intelligence", "training", "liaison"]

        /// A running `concord up` on free ports and the options other commands need to reach it.
        static func up(_ folder: TemporaryFolder, _ name: String) async throws -> (ConcordProcess, [String]) {
            let up = try await ConcordProcess.start(["up", "--data", folder.path(name), "--log-level", "warning"], folder: folder, name: name)
            return (up, up.busOptions + ["--gateway", up.gatewayURL])
        }

        /// The bus options alone, for commands that do not talk to the gateway.
        static func busOnly(_ options: [String]) -> [String] { Array(options.prefix(10)) }

        /// Waits until the recorder has written what it hears (services' heartbeats come every
        /// second), so its subscription is live before the traffic that matters.
        static func awaitRecording(_ cassette: String) async throws {
            #expect(try await eventually(timeout: .seconds(30)) { ((try? readCassette(cassette))?.0 ?? []).count >= 2 },
                    "the recorder wrote nothing")
        }

        static func stop(_ process: ConcordProcess) async {
            process.signal(SIGINT)
            _ = await process.waitForExit(timeout: .seconds(15))
        }

        /// Every service's entities, table by table: what a partner or operator could query.
        /// Journals, stored answers, cursors and dead letters are bookkeeping, not state.
        static func state(of data: String) throws -> [String: [String]] {
            var state: [String: [String]] = [:]
            for service in services {
                let database = try DatabaseQueue(path: "\(data)/\(service).sqlite")
                try database.read { db in
                    let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                        .filter { !$0.hasPrefix("sqlite_") && !$0.hasPrefix("grdb_") && !Self.bookkeeping.contains($0) }
                    for table in tables {
                        state["\(service).\(table)"] = try Row.fetchAll(db, sql: "SELECT * FROM \(table.quotedDatabaseIdentifier)")
                            .map { row in row.columnNames.map { "\($0)=\(row[$0] as DatabaseValue)" }.joined(separator: " ") }
                            .sorted()
                    }
                }
            }
            return state
        }

        static let bookkeeping: Set<String> = ["journal", "journal_epoch", "command_outcome", "consumer_cursor", "dead_letter"]

        @Test("a concord up session driven by the shipped scenario (partners through the gateway), recorded and replayed into an empty concord up, leaves every service in the same state")
        func replayRebuildsState() async throws {
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let cassette = folder.path("mission.jsonl")
            let (original, bus) = try await Self.up(folder, "original")
            let recorder = try await ConcordProcess.launch(["record", "--out", cassette] + Self.busOnly(bus), logPath: folder.path("record.log"))
            try await Self.awaitRecording(cassette)
            let (scenarioStatus, report) = try await ConcordProcess.run(["scenario", Self.scenario, "--speed", "6"] + bus,
                                                                       logPath: folder.path("scenario.log"), timeout: .seconds(120))
            #expect(scenarioStatus == 0, "\(report)")
            // Every command the scenario sent is on the cassette before the recorder stops.
            #expect(try await eventually(timeout: .seconds(30)) {
                ((try? readCassette(cassette))?.0 ?? []).filter { $0.topic.hasPrefix("cmd.") }.count >= 43
            })
            recorder.signal(SIGTERM)
            #expect(await recorder.waitForExit(timeout: .seconds(10)) == 0, "\(recorder.output)")
            #expect(recorder.output.contains("withheld 0 by redaction"), "\(recorder.output)")
            await Self.stop(original)

            let (fresh, freshBus) = try await Self.up(folder, "fresh")
            let (replayStatus, replayed) = try await ConcordProcess.run(["replay", cassette, "--topic", "cmd."] + Self.busOnly(freshBus),
                                                                       logPath: folder.path("replay.log"), timeout: .seconds(90))
            #expect(replayStatus == 0, "\(replayed)")
            let commands = try readWholeCassette(cassette).filter { $0.topic.hasPrefix("cmd.") }.count
            #expect(commands == 46, "every inject of the scenario is on the cassette")
            #expect(replayed.contains("replayed \(commands) messages"), "\(replayed)")
            // Reactions to the last commands settle: wait until the fresh deployment holds what
            // the original held (the comparison below then names any table that differs).
            let before = try Self.state(of: folder.path("original"))
            _ = try await eventually(timeout: .seconds(30)) { (try? Self.state(of: folder.path("fresh"))) == before }
            // The whole recording again, as new (source concord/replay, no sequences): commands
            // are refused by every policy and events dead-lettered; no service's state moves.
            let (asNewStatus, asNew) = try await ConcordProcess.run(["replay", cassette, "--as-new", "--speed", "max"] + Self.busOnly(freshBus),
                                                                   logPath: folder.path("replay-as-new.log"), timeout: .seconds(90))
            #expect(asNewStatus == 0, "\(asNew)")
            @Sendable func refused() throws -> Int {
                try DatabaseQueue(path: folder.path("fresh/logistics.sqlite")).read { db in
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dead_letter WHERE code = 'not_applied' AND reason LIKE '%concord/replay%'") ?? 0
                }
            }
            // Settled once logistics has dead-lettered replayed events and no more arrive.
            let settled = Mutex(-1)
            #expect(try await eventually(timeout: .seconds(30)) {
                let count = try refused(), previous = settled.withLock { last in defer { last = count }; return last }
                try await Task.sleep(for: .milliseconds(500))
                return count > 0 && count == previous
            }, "logistics dead-letters the replayed events")
            #expect(try Self.state(of: folder.path("fresh")) == before, "a replay --as-new changed a service's state")
            await Self.stop(fresh)
            let after = try Self.state(of: folder.path("fresh"))
            #expect(before.keys.sorted() == after.keys.sorted())
            #expect(before.values.map(\.count).reduce(0, +) > 30, "the scenario should leave entities in every service")
            for table in before.keys.sorted() {
                #expect(before[table] == after[table], "\(table) differs after replay")
            }
        }

        @Test("a recorder killed with SIGKILL leaves a cassette that replays up to its last whole line")
        func killedRecorder() async throws {
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let cassette = folder.path("killed.jsonl")
            let (up, bus) = try await Self.up(folder, "data")
            let recorder = try await ConcordProcess.launch(["record", "--out", cassette] + Self.busOnly(bus), logPath: folder.path("record.log"))
            try await Self.awaitRecording(cassette)
            // Heartbeats alone keep it writing; a scenario run adds commands and events.
            let scenario = try await ConcordProcess.launch(["scenario", Self.scenario, "--speed", "max"] + bus, logPath: folder.path("scenario.log"))
            try await Task.sleep(for: .seconds(3))
            recorder.signal(SIGKILL)
            _ = await recorder.waitForExit(timeout: .seconds(5))
            _ = await scenario.waitForExit(timeout: .seconds(60))

            let (entries, errors) = try readCassette(cassette)
            let whole = entries.count
            #expect(whole > 10)
            // At most the last line can be cut off, and it is named.
            #expect(errors.count <= 1)
            #expect(errors.allSatisfy { $0.line == whole + 2 && $0.reason.hasPrefix("incomplete last line") })

            let (status, output) = try await ConcordProcess.run(["replay", cassette, "--speed", "max"] + Self.busOnly(bus), logPath: folder.path("replay.log"))
            #expect(status == 0, "\(output)")
            #expect(output.contains("replayed \(whole) messages"), "\(output)")
            // A corrupted cassette is refused line by line with --strict, never a crash.
            var text = try String(contentsOfFile: cassette, encoding: .utf8)
            let firstLineEnd = try #require(text.firstIndex(of: "\n"))
            text.insert(contentsOf: "{\"offset\":1,\"topic\":\"x\"\n", at: text.index(after: firstLineEnd))
            try text.write(toFile: cassette, atomically: true, encoding: .utf8)
            let (strictStatus, strictOutput) = try await ConcordProcess.run(["replay", cassette, "--speed", "max", "--strict"] + Self.busOnly(bus),
                                                                           logPath: folder.path("strict.log"))
            #expect(strictStatus == 1, "\(strictOutput)")
            #expect(strictOutput.contains("line 2:") && strictOutput.contains("--strict"), "\(strictOutput)")
            await Self.stop(up)
        }
    }
}
