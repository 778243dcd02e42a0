import BusCore
import CBenchReference
import Foundation
import GRDB
import Synchronization

/// `concord bench bus`: envelopes per second through a real proxy over loopback TCP, measured in
/// the same run against libzmq's own C path (publisher → `zmq_proxy` → subscriber: the ceiling),
/// against raw mode (the same bytes pre-encoded through Concord's transport: no JSON, no
/// journal) and against durable mode (each event journaled in SQLite before it is published);
/// and envelopes again through a CURVE-protected proxy that checks each sender's rights, against
/// the same envelopes without CURVE: what the bus's security costs.
public struct BusBenchmark: Sendable {
    public struct Result: Codable, Sendable {
        public var messages: Int
        public var envelope_bytes: Int
        /// libzmq's C publisher → zmq_proxy → C subscriber with the same frames: the reference.
        public var libzmq_per_s: Double
        public var raw_per_s: Double
        public var envelopes_per_s: Double
        /// Events per transaction in durable mode (group commit, as a service commits a burst).
        public var durable_batch: Int
        public var durable_per_s: Double
        /// One transaction per event: the floor when nothing arrives together.
        public var durable_single_per_s: Double
        /// envelopes_per_s / raw_per_s.
        public var ratio: Double
        /// durable_per_s / raw_per_s.
        public var durable_ratio: Double
        /// envelopes_per_s / libzmq_per_s.
        public var libzmq_ratio: Double
        /// raw_per_s / libzmq_per_s: what Concord's transport costs over libzmq's own path.
        public var raw_libzmq_ratio: Double
        /// Envelopes with publisher, proxy and subscriber each in its own ZeroMQ context, as
        /// `concord run` deploys them (each its own I/O thread), without CURVE: the reference.
        public var separate_envelopes_per_s: Double
        /// The same through a CURVE proxy with ZAP and rights checks (encrypted both ways).
        public var curve_envelopes_per_s: Double
        /// curve_envelopes_per_s / separate_envelopes_per_s: 1 − the price of CURVE (target ≥ 0.7).
        public var curve_ratio: Double
    }

    public var messages: Int
    public var durableBatch: Int
    public var scratch: URL
    public var limits: BenchLimits

    public init(messages: Int, durableBatch: Int = 64, scratch: URL, limits: BenchLimits = BenchLimits()) {
        self.messages = messages
        self.durableBatch = durableBatch
        self.scratch = scratch
        self.limits = limits
    }

    public func run() async throws -> Result {
        let sample = Self.sampleEnvelope(index: 0)
        let raw = EnvelopeCodec.encode(sample)
        let libzmq = try await Self.libzmqRate(count: messages, topic: sample.type, payload: raw, limits: limits)
        let context = try ZMQContext()
        let proxy = try await BusProxy(Self.unboundedProxy(), context: context)
        defer { Task.detached { await proxy.stop() } }
        // With --fault lose-one the raw mode's publisher leaves one message out.
        let skipped = limits.fault == .loseOne ? 1 : 0
        let rawRate = try await measure(context, proxy.endpoints, decode: false, mode: "raw") { connection, _ in
            for _ in skipped..<messages { connection.publish(topic: sample.type, payload: raw) }
        }
        let envelopeRate = try await measure(context, proxy.endpoints, decode: true, mode: "envelopes") { connection, _ in
            for index in 0..<messages { connection.publish(Self.sampleEnvelope(index: index)) }
        }
        let durableRate = try await measureDurable(context, proxy.endpoints, batch: durableBatch, count: messages)
        let singleRate = try await measureDurable(context, proxy.endpoints, batch: 1, count: min(messages, 20_000))
        let (separateRate, curveRate) = try await measureCurve()
        return Result(messages: messages, envelope_bytes: raw.count, libzmq_per_s: libzmq, raw_per_s: rawRate,
                      envelopes_per_s: envelopeRate, durable_batch: durableBatch, durable_per_s: durableRate,
                      durable_single_per_s: singleRate, ratio: envelopeRate / rawRate, durable_ratio: durableRate / rawRate,
                      libzmq_ratio: envelopeRate / libzmq, raw_libzmq_ratio: rawRate / libzmq,
                      separate_envelopes_per_s: separateRate, curve_envelopes_per_s: curveRate, curve_ratio: curveRate / separateRate)
    }

    /// Envelopes with the publisher, the proxy and the subscriber in three contexts, as three
    /// `concord run` processes have them: plain, and through a proxy with CURVE, ZAP and the
    /// rights table (the publisher is `concord/bench` publishing its own topics, the subscriber a
    /// part that may read them). Twice each, alternating, and the better of each is kept: a slow
    /// spell of a shared machine then lowers one run of each instead of one side of the ratio.
    private func measureCurve() async throws -> (plain: Double, curve: Double) {
        let folder = scratch.appendingPathComponent("keys").path
        let reader = "concord/bench-reader"
        try BusKeyring.create(folder: folder, identities: [BusSecurity.busIdentity, "concord/bench", reader])
        let rights = BusRights([BusSecurity.busIdentity: .init(),
                                "concord/bench": .init(publish: [.init("bench.", sources: ["concord/bench"])]),
                                reader: .init(read: ["bench."])])
        var best = [false: 0.0, true: 0.0]
        for secure in [false, true, false, true] {
            let context = try ZMQContext()
            var configuration = Self.unboundedProxy()
            if secure { configuration.security = try BusSecurity.load(folder: folder, identity: BusSecurity.busIdentity, rights: rights) }
            let proxy = try await BusProxy(configuration, context: context)
            let security = secure ? (try BusSecurity.load(folder: folder, identity: "concord/bench", rights: rights),
                                     try BusSecurity.load(folder: folder, identity: reader, rights: rights)) : nil
            let rate = try await measure(try ZMQContext(), proxy.endpoints, decode: true, mode: secure ? "CURVE envelopes" : "separate envelopes",
                                         security: security, subscriberContext: try ZMQContext()) { connection, _ in
                for index in 0..<messages { connection.publish(Self.sampleEnvelope(index: index)) }
            }
            best[secure] = max(best[secure] ?? 0, rate)
            await proxy.stop()
        }
        return (best[false] ?? 0, best[true] ?? 0)
    }

    /// libzmq's own path, in C, on a thread of its own.
    static func libzmqRate(count: Int, topic: String, payload: [UInt8], limits: BenchLimits) async throws -> Double {
        let stallMs = Int32(limits.stall.seconds * 1000)
        let (rate, error): (Double, String) = await onOwnThread {
            var error = [CChar](repeating: 0, count: 512)
            let capacity = error.count
            let rate = payload.withUnsafeBufferPointer { bytes in
                concord_libzmq_proxy_rate(Int32(count), topic, bytes.baseAddress, bytes.count, stallMs, &error, capacity)
            }
            return (rate, error.text)
        }
        guard rate > 0 else { throw BenchFailure("libzmq reference: \(error)") }
        return rate
    }

    /// A proxy on free loopback ports with unbounded queues, as every mode here measures
    /// throughput, not what a full queue drops.
    static func unboundedProxy() -> BusProxy.Configuration {
        var configuration = BusProxy.Configuration(bind: .anyPort())
        configuration.highWaterMark = 0
        return configuration
    }

    /// Journaled publishing through `EventSource`, `batch` events per transaction.
    private func measureDurable(_ context: ZMQContext, _ endpoints: BusEndpoints, batch: Int, count: Int) async throws -> Double {
        try await measure(context, endpoints, decode: true, count: count, mode: "durable, \(batch) per transaction") { connection, database in
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
        let proxy = try await BusProxy(Self.unboundedProxy(), context: context)
        let sample = Self.sampleEnvelope(index: 0)
        let raw = EnvelopeCodec.encode(sample)
        let rate = try await measure(context, proxy.endpoints, decode: false, mode: "raw") { connection, _ in
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

    /// Messages per second from the first message the subscriber receives to the last (the same
    /// span the libzmq reference times). Fails with the count received when nothing arrives for
    /// the stall limit.
    func measure(_ context: ZMQContext, _ endpoints: BusEndpoints, decode: Bool, count: Int? = nil, mode: String,
                 security: (publisher: BusSecurity, subscriber: BusSecurity)? = nil, subscriberContext: ZMQContext? = nil,
                 publish: @escaping @Sendable (BusConnection, DatabasePool) async throws -> Void) async throws -> Double {
        var configuration = BusConnection.Configuration(endpoints: endpoints, catchUpBind: nil)
        configuration.highWaterMark = 0
        configuration.security = security?.publisher
        let publisher = try await BusConnection.connect(configuration, context: context)
        configuration.security = security?.subscriber
        let subscriber = try await BusConnection.connect(configuration, context: subscriberContext ?? context)
        defer { Task.detached { await publisher.close(); await subscriber.close() } }
        subscriber.subscribe("bench.")
        try await Task.sleep(for: .milliseconds(200))
        let path = scratch.appendingPathComponent("bench-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var migrator = DatabaseMigrator()
        Journal.registerMigrations(&migrator)
        let database = try DatabasePool(path: path, configuration: Journal.storeConfiguration())
        try migrator.migrate(database)
        let count = count ?? messages
        let tally = Tally()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [limits] in
                _ = try await subscriber.messages.consume(stall: limits.stall, deadline: limits.deadline()) { message in
                    if decode { _ = try EnvelopeCodec.decode(message.payload) }
                    return tally.arrived() < count
                }
            }
            group.addTask { try await publish(publisher, database) }
            try await group.waitForAll()
        }
        let (received, first, last) = tally.snapshot
        guard received == count, let first, let last else {
            throw BenchFailure("bench bus, \(mode) mode: the subscriber received \(received) of \(count) messages, then nothing for \(limits.stall)")
        }
        return Double(count - 1) / (last - first).seconds
    }
}

/// What a bench's subscriber received, and when the first and the last arrived.
final class Tally: Sendable {
    private let state = Mutex<(count: Int, first: ContinuousClock.Instant?, last: ContinuousClock.Instant?)>((0, nil, nil))

    /// Counts one arrival; returns the count so far.
    func arrived() -> Int {
        let now = ContinuousClock.now
        return state.withLock { state in
            if state.first == nil { state.first = now }
            state.last = now
            state.count += 1
            return state.count
        }
    }

    var snapshot: (Int, ContinuousClock.Instant?, ContinuousClock.Instant?) { state.withLock { ($0.count, $0.first, $0.last) } }
}
