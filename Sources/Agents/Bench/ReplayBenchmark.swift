import BusCore
import Foundation
import Glibc

/// `concord bench replay`: envelopes per second that `concord replay --speed max`, as its own
/// process, puts through a real proxy to one consumer, against the bus's raw publish rate
/// measured in the same run; and the replaying process's peak memory, which stays flat
/// whatever the cassette's length because a cassette streams.
public struct ReplayBenchmark: Sendable {
    public struct Result: Codable, Sendable {
        public var messages: Int
        public var cassette_mb: Double
        public var replay_per_s: Double
        public var raw_bus_per_s: Double
        /// replay_per_s / raw_bus_per_s.
        public var ratio: Double
        /// Peak resident memory of the `concord replay` process.
        public var replayer_peak_mb: Double
    }

    public var concordBinary: String
    public var messages: Int
    public var scratch: URL
    public var limits: BenchLimits

    public init(concordBinary: String, messages: Int, scratch: URL, limits: BenchLimits = BenchLimits()) {
        self.concordBinary = concordBinary
        self.messages = messages
        self.scratch = scratch
        self.limits = limits
    }

    public func run() async throws -> Result {
        let path = scratch.appendingPathComponent("bench.cassette.jsonl").path
        // With --fault lose-one, the cassette holds one message fewer than the consumer waits for.
        try writeCassette(path, count: limits.fault == .loseOne ? messages - 1 : messages)
        let size = Double((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1_048_576

        // The proxy and the consumer as a deployment has them (default queue limits): what the
        // replay must not overflow.
        // The proxy is CURVE-protected, as every deployment's is: an operator replays, and the
        // consumer holds a key that may read the bench's topics.
        let keyFolder = scratch.appendingPathComponent("keys").path
        let consumerIdentity = "concord/bench"
        try BusKeyring.create(folder: keyFolder, identities: [BusSecurity.busIdentity, "operator/admin", consumerIdentity])
        let rights = BusRights([BusSecurity.busIdentity: .init(), "operator/admin": .init(replay: true), consumerIdentity: .init(read: ["bench."])])
        let context = try ZMQContext()
        var proxyConfiguration = BusProxy.Configuration(bind: .anyPort())
        proxyConfiguration.security = try BusSecurity.load(folder: keyFolder, identity: BusSecurity.busIdentity, rights: rights)
        let proxy = try await BusProxy(proxyConfiguration, context: context)
        var consumerConfiguration = BusConnection.Configuration(endpoints: proxy.endpoints)
        consumerConfiguration.security = try BusSecurity.load(folder: keyFolder, identity: consumerIdentity, rights: rights)
        let consumer = try await BusConnection.connect(consumerConfiguration, context: context)
        consumer.subscribe("bench.")
        try await Task.sleep(for: .milliseconds(200))

        let endpoints = proxy.endpoints
        let replay = try await ChildProcess.start(concordBinary, [
            "replay", path, "--speed", "max", "--strict", "--bus-publish", endpoints.publish, "--bus-subscribe", endpoints.subscribe,
            "--bus-capture", endpoints.capture, "--bus-replay", endpoints.replay, "--keys", keyFolder,
        ], logPath: scratch.appendingPathComponent("replay.log").path)
        // Timed from the first message the consumer gets to the last, as the reference is: the
        // process's start-up is not replay.
        let tally = Tally()
        let messages = messages
        _ = try await consumer.messages.consume(stall: limits.stall, deadline: limits.deadline()) { _ in tally.arrived() < messages }
        let (received, first, last) = tally.snapshot
        let status = await replay.waitForExit(timeout: limits.stall)
        await consumer.close()
        await proxy.stop()
        guard received == messages else {
            if status == nil { replay.signal(SIGKILL) }
            throw BenchFailure("bench replay: the consumer received \(received) of \(messages) replayed messages, then nothing for \(limits.stall); concord replay: \(replay.output.suffix(500))")
        }
        guard status == 0 else {
            if status == nil { replay.signal(SIGKILL) }
            throw BenchFailure("bench replay: concord replay exited with \(status.map(String.init) ?? "nothing (still running)"): \(replay.output.suffix(500))")
        }
        let rate = Double(received - 1) / ((last ?? .now) - (first ?? .now)).seconds
        let raw = try await BusBenchmark(messages: messages, scratch: scratch, limits: limits).measureRaw()
        try? FileManager.default.removeItem(atPath: path)
        return Result(messages: messages, cassette_mb: size, replay_per_s: rate, raw_bus_per_s: raw, ratio: rate / raw,
                      replayer_peak_mb: Self.childrenPeakMegabytes)
    }

    /// A cassette of `count` copies of the bus benchmark's sample envelope, 100 per millisecond.
    private func writeCassette(_ path: String, count: Int) throws {
        let sample = BusBenchmark.sampleEnvelope(index: 0)
        let bytes = EnvelopeCodec.encode(sample)
        let writer = try CassetteWriter(path: path, header: CassetteHeader(started: Date(), concord: ConcordVersion.current))
        for index in 0..<count {
            try writer.append(CassetteEntry(offset: Int64(index / 100), topic: sample.type, envelope: bytes))
        }
        try writer.close()
    }

    /// The largest peak memory of any child process that has exited (here: the replayer).
    static var childrenPeakMegabytes: Double {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
