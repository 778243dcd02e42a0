import BusCore
import Foundation
import GRDB
import Logging

/// A journaled source for tests: its own SQLite journal, heartbeats and catch-up on a test bus.
public final class TestSource: Sendable {
    public let source: EventSource
    public let database: DatabasePool
    public let connection: BusConnection
    private let task: Task<Void, Never>

    public init(name: String, bus: TestBus, folder: TemporaryFolder, heartbeat: Duration = .milliseconds(100)) async throws {
        database = try DatabasePool(path: folder.path("\(name).sqlite"))
        var migrator = DatabaseMigrator()
        Journal.registerMigrations(&migrator)
        try migrator.migrate(database)
        connection = try await bus.connect(catchUp: true)
        let source = EventSource(source: "test/\(name)", connection: connection, database: database,
                                 heartbeatInterval: heartbeat, logger: Logger(label: "test.source"))
        self.source = source
        task = Task {
            await withDiscardingTaskGroup { group in
                group.addTask { await source.serveCatchUp() }
                group.addTask {
                    await source.sendHeartbeats(makeEnvelope: { beat in
                        var envelope = Envelope(id: UUID().uuidString, source: beat.source, type: Heartbeat.type, dataVersion: 1)
                        try envelope.setData(beat)
                        return envelope
                    }, isStopping: { false })
                }
            }
        }
    }

    /// Journals and publishes `count` events of `type`, `perTransaction` to a transaction.
    public func emit(_ count: Int, type: String = "test.item.recorded", perTransaction: Int = 50,
                     version: Int = 1, data: @escaping @Sendable (Int) -> String = { #"{"n":\#($0)}"# }) async throws {
        var next = 0
        while next < count {
            let batch = min(perTransaction, count - next)
            let first = next
            try await database.write { [source] db in
                for index in first..<first + batch {
                    let envelope = Envelope(id: UUID().uuidString, source: "", type: type, dataVersion: version,
                                            data: Array(data(index).utf8))
                    try source.emit(envelope, in: db)
                }
            }
            next += batch
        }
    }

    /// The journal's events as (sequence, id).
    public func journal() async throws -> [(Int64, String)] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT sequence, id FROM journal ORDER BY sequence").map { ($0[0], $0[1]) }
        }
    }

    public func stop() async {
        task.cancel()
        connection.finishReceiving()
        await task.value
        await connection.close()
    }
}

/// A consumer for tests that records every applied event in its own SQLite database.
public final class RecordingConsumer: Sendable {
    public let consumer: Consumer
    public let database: DatabasePool
    public let connection: BusConnection
    private let task: Task<Void, Never>

    public init(follow sources: [String], bus: TestBus, path: String, catalog: MessageCatalog,
                identity: String = "concord/gateway") async throws {
        database = try DatabasePool(path: path)
        var migrator = DatabaseMigrator()
        Consumer.registerMigrations(&migrator)
        migrator.registerMigration("seen") { db in
            try db.execute(sql: "CREATE TABLE seen (rowid INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT, sequence INTEGER, id TEXT, type TEXT)")
        }
        try migrator.migrate(database)
        connection = try await bus.connect(as: identity)
        let follows = sources.map { Consumer.Follow(source: $0, topicPrefix: String($0.split(separator: "/").last!) + ".") }
        let consumer = Consumer(part: "test", follows: follows, connection: connection, database: database,
                                catalog: catalog, logger: Logger(label: "test.consumer")) { event, db in
            try db.execute(sql: "INSERT INTO seen (source, sequence, id, type) VALUES (?, ?, ?, ?)",
                           arguments: [event.source, event.sequence, event.id, event.type])
        }
        self.consumer = consumer
        task = Task { await consumer.run() }
    }

    /// Sequences applied for `source`, in the order they were applied.
    public func seen(_ source: String) async throws -> [Int64] {
        try await database.read { db in
            try Int64.fetchAll(db, sql: "SELECT sequence FROM seen WHERE source = ? ORDER BY rowid", arguments: [source])
        }
    }

    /// Ids of everything applied.
    public func seenIDs() async throws -> [String] {
        try await database.read { db in try String.fetchAll(db, sql: "SELECT id FROM seen ORDER BY rowid") }
    }

    public func deadLetters() async throws -> [DeadLetter] {
        try await database.read { db in try DeadLetter.fetchAll(db) }
    }

    public func stop() async {
        connection.finishReceiving()
        await task.value
        await connection.close()
    }
}
