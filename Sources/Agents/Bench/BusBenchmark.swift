import BusCore
import Foundation
import GRDB

/// `concord bench bus`: envelopes per second through a real proxy over loopback TCP, measured in
/// the same run against raw mode (the same bytes pre-encoded: no JSON, no journal) and against
/// durable mode (each event journaled in its own SQLite transaction before it is published).
public struct BusBenchmark: Sendable {
    public struct Result: Codable, Sendable {
        public var messages: Int
        public var envelope_bytes: Int
        public var raw_per_s: Double
        public var envelopes_per_s: Double
        /// Events per transaction in durable mode (group commit, as a service commits a burst).
        public var durable_batch: Int
        public var durable_per_s: Double
        /// One transaction per event: the floor when nothing arrives together.
        public var durable_single_per_s: Double
        public var ratio: Double
        public var durable_ratio: Double
    }

    public var messages: Int
    public var durableBatch: Int
    public var scratch: URL

    public init(messages: Int, durableBatch: Int = 64, scratch: URL) {
        self.messages = messages
        self.durableBatch = durableBatch
        self.scratch = scratch
    }

    public func run() async throws -> Result {
        let context = try ZMQContext()
        var proxyConfiguration = BusProxy.Configuration(bind: .anyPort())
        proxyConfiguration.highWaterMark = 0
        let proxy = try await BusProxy(proxyConfiguration, context: context)
        defer { Task.detached { await proxy.stop() } }
        let sample = Self.sampleEnvelope(index: 0)
        let raw = EnvelopeCodec.encode(sample)
        let rawRate = try await measure(context, proxy.endpoints, decode: false) { connection, _ in
            for _ in 0..<messages { connection.publish(topic: sample.type, payload: raw) }
        }
        let envelopeRate = try await measure(context, proxy.endpoints, decode: true) { connection, _ in
            for index in 0..<messages { connection.publish(Self.sampleEnvelope(index: index)) }
        }
        let durableRate = try await measureDurable(context, proxy.endpoints, batch: durableBatch, count: messages)
        let singleRate = try await measureDurable(context, proxy.endpoints, batch: 1, count: min(messages, 20_000))
        return Result(messages: messages, envelope_bytes: raw.count, raw_per_s: rawRate, envelopes_per_s: envelopeRate,
                      durable_batch: durableBatch, durable_per_s: durableRate, durable_single_per_s: singleRate,
                      ratio: envelopeRate / rawRate, durable_ratio: durableRate / rawRate)
    }

    /// Journaled publishing through `EventSource`, `batch` events per transaction.
    private func measureDurable(_ context: ZMQContext, _ endpoints: BusEndpoints, batch: Int, count: Int) async throws -> Double {
        try await measure(context, endpoints, decode: true, count: count) { connection, database in
            let source = EventSource(source: "concord/bench", connection: connection, database: database,
                                     logger: .init(label: "concord.bench"))
            var next = 0
            while next < count {
                let size = min(batch, count - next)
                try await source.emit((next..<next + size).map(Self.sampleEnvelope(index:)))
                next += size
            }
        }
    }

    /// Raw mode alone: the bus's publish rate for pre-encoded bytes, as other benchmarks' reference.
    public func measureRaw() async throws -> Double {
        let context = try ZMQContext()
        var proxyConfiguration = BusProxy.Configuration(bind: .anyPort())
        proxyConfiguration.highWaterMark = 0
        let proxy = try await BusProxy(proxyConfiguration, context: context)
        let sample = Self.sampleEnvelope(index: 0)
        let raw = EnvelopeCodec.encode(sample)
        let rate = try await measure(context, proxy.endpoints, decode: false) { connection, _ in
            for _ in 0..<messages { connection.publish(topic: sample.type, payload: raw) }
        }
        await proxy.stop()
        return rate
    }

    /// A 400-byte envelope like a unit update.
    static func sampleEnvelope(index: Int) -> Envelope {
        var envelope = Envelope(id: RandomID.uuid(), source: "concord/bench", type: "bench.unit.updated",
                                time: Timestamp.rfc3339(Date()), dataVersion: 1, classification: "RESTRICTED",
                                releasableTo: ["UN", "AU"])
        envelope.data = Array(#"{"unit":"NLD-ENG-\#(index % 1000)","partner":"NLD","type":"engineers","strength":120,"readiness":"ready","availability":"available","location":{"name":"Juba","lat":4.85,"lon":31.58}}"#.utf8)
        return envelope
    }

    func measure(_ context: ZMQContext, _ endpoints: BusEndpoints, decode: Bool, count: Int? = nil,
                         publish: @escaping @Sendable (BusConnection, DatabasePool) async throws -> Void) async throws -> Double {
        var configuration = BusConnection.Configuration(endpoints: endpoints, catchUpBind: nil)
        configuration.highWaterMark = 0
        let publisher = try await BusConnection.connect(configuration, context: context)
        let subscriber = try await BusConnection.connect(configuration, context: context)
        subscriber.subscribe("bench.")
        try await Task.sleep(for: .milliseconds(200))
        let path = scratch.appendingPathComponent("bench-\(UUID().uuidString).sqlite").path
        var migrator = DatabaseMigrator()
        Journal.registerMigrations(&migrator)
        let database = try DatabasePool(path: path, configuration: Journal.storeConfiguration())
        try migrator.migrate(database)
        let count = count ?? messages
        let started = ContinuousClock.now
        let received = try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                var received = 0
                for await message in subscriber.messages {
                    if decode { _ = try EnvelopeCodec.decode(message.payload) }
                    received += 1
                    if received == count { break }
                }
                return received
            }
            group.addTask {
                try await publish(publisher, database)
                try await Task.sleep(for: .seconds(60))
                return -1
            }
            let received = try await group.next()!
            group.cancelAll()
            guard received == count else { throw BusError(.timeout, "the benchmark's subscriber did not receive all \(count) messages") }
            return received
        }
        let elapsed = ContinuousClock.now - started
        await publisher.close()
        await subscriber.close()
        try? FileManager.default.removeItem(atPath: path)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(received) / seconds
    }
}
