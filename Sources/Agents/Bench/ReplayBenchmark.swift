import BusCore
import Foundation

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

    public init(concordBinary: String, messages: Int, scratch: URL) {
        self.concordBinary = concordBinary
        self.messages = messages
        self.scratch = scratch
    }

    public func run() async throws -> Result {
        let path = scratch.appendingPathComponent("bench.cassette.jsonl").path
        try writeCassette(path)
        let size = Double((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1_048_576

        let context = try ZMQContext()
        var proxyConfiguration = BusProxy.Configuration(bind: .anyPort())
        proxyConfiguration.highWaterMark = 0
        let proxy = try await BusProxy(proxyConfiguration, context: context)
        var configuration = BusConnection.Configuration(endpoints: proxy.endpoints, catchUpBind: nil)
        configuration.highWaterMark = 0
        let consumer = try await BusConnection.connect(configuration, context: context)
        consumer.subscribe("bench.")
        try await Task.sleep(for: .milliseconds(200))

        let replay = try launchReplay(path, endpoints: proxy.endpoints)
        // Timed from the first message the consumer gets to the last: the process's start-up is not replay.
        var first: ContinuousClock.Instant?
        var received = 0
        var quietSince = ContinuousClock.now
        // Bounded: gives up after 10 s without a message.
        while received < messages, ContinuousClock.now - quietSince < .seconds(10) {
            let burst = consumer.messages.drainAvailable(max: 4_096)
            if burst.isEmpty {
                try await Task.sleep(for: .microseconds(200))
                continue
            }
            if first == nil { first = .now }
            received += burst.count
            quietSince = .now
        }
        let elapsed = ContinuousClock.now - (first ?? .now)
        replay.waitForExit()
        guard received == messages else {
            throw LoadError("the consumer received \(received) of \(messages) replayed messages")
        }
        await consumer.close()
        await proxy.stop()
        guard replay.terminationStatus == 0 else {
            throw LoadError("concord replay exited with \(replay.terminationStatus); see \(scratch.appendingPathComponent("replay.log").path)")
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(received - 1) / seconds
        let raw = try await BusBenchmark(messages: messages, scratch: scratch).measureRaw()
        try? FileManager.default.removeItem(atPath: path)
        return Result(messages: messages, cassette_mb: size, replay_per_s: rate, raw_bus_per_s: raw, ratio: rate / raw,
                      replayer_peak_mb: Self.childrenPeakMegabytes)
    }

    private func launchReplay(_ path: String, endpoints: BusEndpoints) throws -> Process {
        let log = scratch.appendingPathComponent("replay.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: concordBinary)
        process.arguments = ["replay", path, "--speed", "max", "--bus-publish", endpoints.publish,
                             "--bus-subscribe", endpoints.subscribe, "--bus-capture", endpoints.capture]
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// A cassette of `messages` copies of the bus benchmark's sample envelope, 100 per millisecond.
    private func writeCassette(_ path: String) throws {
        let sample = BusBenchmark.sampleEnvelope(index: 0)
        let bytes = EnvelopeCodec.encode(sample)
        let writer = try CassetteWriter(path: path, header: CassetteHeader(started: Date(), concord: ConcordVersion.current))
        for index in 0..<messages {
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
