import Agents
import BusCore
import ConcordTestSupport
import Contracts
import Foundation
import GRDB
import Registry
import Testing

extension ProcessTests {
    @Suite("Crash recovery of a real registry process", .serialized)
    struct CrashRecoveryTests {
        @Test("SIGKILL during a burst of commands: answered commands persist, journaled events arrive once, nothing phantom")
        func killDuringBurst() async throws {
            let folder = try TemporaryFolder()
            // The bus in this process, with the mission's keys; the registry as a real
            // `concord run registry` process. The test's consumer follows as the gateway would.
            let (keysStatus, keysOutput) = try await ConcordProcess.run(["keys", "init", folder.path("keys")], logPath: folder.path("keys.log"))
            try #require(keysStatus == 0, "\(keysOutput)")
            let rights = BusRights.mission(services: [.init(name: "registry", follows: [])], operators: ["admin"])
            let bus = try await TestBus(keys: folder.path("keys"), rights: rights)
            let endpoints = bus.endpoints
            let registryArguments = ["run", "registry", "--data", folder.path("data"), "--heartbeat-ms", "100", "--metrics-port", "off",
                                     "--bus-publish", endpoints.publish, "--bus-subscribe", endpoints.subscribe, "--keys", folder.path("keys")]
            var registry = try await ConcordProcess.start(registryArguments, folder: folder, name: "registry-1")
            let consumer = try await RecordingConsumer(follow: ["concord/registry"], bus: bus, path: folder.path("consumer.sqlite"),
                                                       catalog: RegistryCatalog.catalog)
            let connection = try await bus.connect()
            let client = CommandClient(connection: connection, source: "operator/admin", catalog: RegistryCatalog.catalog)

            // Wait until the registry answers.
            #expect(try await eventually {
                (try? await client.send("query.registry.partner.list", [String: String](), timeout: .milliseconds(300), attempts: 1)) != nil
            })

            // Six senders in parallel, so the kill lands while commands are in flight.
            let total = 300, senders = 6, killAt = 120
            let answeredCount = Tally()
            let answered = try await withThrowingTaskGroup(of: [String].self) { group in
                for sender in 0..<senders {
                    group.addTask {
                        var mine: [String] = []
                        for index in stride(from: sender, to: total, by: senders) {
                            let code = String(format: "P%04d", index)
                            // The client retries with the same idempotency key while the registry restarts.
                            if (try? await client.send("cmd.registry.partner.register",
                                                       RegistryMessages.RegisterPartner(code: code, name: "Partner \(index)", kind: .ngo, clearance: .unclassified),
                                                       timeout: .seconds(2), attempts: 5)) != nil {
                                mine.append(code)
                                answeredCount.add()
                            }
                        }
                        return mine
                    }
                }
                _ = try await eventually(timeout: .seconds(60)) { answeredCount.value >= killAt }
                registry.signal(SIGKILL)
                _ = await registry.waitForExit()
                registry = try await ConcordProcess.start(registryArguments, folder: folder, name: "registry-2")
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(answered.count > killAt, "commands after the restart must be answered")

            let database = folder.path("data/registry.sqlite")
            func journal() throws -> [(Int64, String)] {
                var configuration = Configuration()
                configuration.readonly = true
                return try DatabaseQueue(path: database, configuration: configuration).read { db in
                    try Row.fetchAll(db, sql: "SELECT sequence, id FROM journal ORDER BY sequence").map { ($0[0], $0[1]) }
                }
            }
            let journaled = try journal()
            #expect(try await eventually { try await consumer.seen("concord/registry").count >= journaled.count })
            try await Task.sleep(for: .milliseconds(500))

            registry.signal(SIGTERM)
            #expect(await registry.waitForExit() == 0)
            let finalJournal = try journal()
            let partners = try await DatabaseQueue(path: database).read { db in try String.fetchAll(db, sql: "SELECT code FROM partner") }

            // Every answered command is in the database.
            #expect(Set(answered).isSubset(of: Set(partners)))
            // Every journaled event reached the consumer exactly once, in order.
            #expect(try await consumer.seen("concord/registry") == finalJournal.map(\.0))
            // Nothing was published that the database does not hold.
            #expect(Set(try await consumer.seenIDs()).isSubset(of: Set(finalJournal.map(\.1))))
            // Each partner registered once, in one event.
            #expect(finalJournal.count == partners.count)

            await consumer.stop()
            await connection.close()
            await bus.stop()
        }
    }
}
