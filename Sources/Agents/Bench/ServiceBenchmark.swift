import BusCore
import Foundation
import Glibc
import Synchronization

/// `concord bench services`: sustained commands per second through one service (logistics,
/// journaling on) of a real `concord up`, with command-to-event latency, against the bus's raw
/// publish rate measured in the same run.
public struct ServiceBenchmark: Sendable {
    public struct Result: Codable, Sendable {
        public var commands: Int
        public var in_flight: Int
        public var commands_per_s: Double
        public var event_p50_ms: Double
        public var event_p99_ms: Double
        /// Commands whose event came back: fewer than `commands` means some were refused.
        public var events: Int
        public var raw_bus_per_s: Double
        /// commands_per_s / raw_bus_per_s.
        public var ratio: Double
    }

    public var concordBinary: String
    public var commands: Int
    public var inFlight: Int
    public var scratch: URL
    public var limits: BenchLimits

    public var keys: BenchKeys

    public init(concordBinary: String, commands: Int, inFlight: Int, scratch: URL, limits: BenchLimits = BenchLimits(),
                keys: @escaping BenchKeys) {
        self.keys = keys
        self.concordBinary = concordBinary
        self.commands = commands
        self.inFlight = inFlight
        self.scratch = scratch
        self.limits = limits
    }

    public func run() async throws -> Result {
        let raw = try await BusBenchmark(messages: 100_000, scratch: scratch, limits: limits).measureRaw()
        let (concord, ready) = try await ChildProcess.startConcord(
            concordBinary, ["up", "--data", scratch.appendingPathComponent("data").path, "--bus-port", "0", "--gateway-port", "0", "--console-port", "off",
                            "--metrics-port", "off", "--log-level", "warning"],
            logPath: scratch.appendingPathComponent("up.log").path, readyFile: scratch.appendingPathComponent("up.ready.json").path)
        defer { concord.signal(SIGINT) }
        guard let endpoints = ready.bus, let folder = ready.keys else { throw BenchFailure("concord up reported no bus or keys") }
        let context = try ZMQContext()
        var configuration = BusConnection.Configuration(endpoints: endpoints)
        configuration.highWaterMark = 0
        configuration.security = try keys(folder, "operator/admin")
        let bus = try await BusConnection.connect(configuration, context: context)
        bus.subscribe("logistics.request.created")
        try await Task.sleep(for: .milliseconds(300))

        let book = LatencyBook()
        let answered = ArrivalCount()
        let refusals = Refusals()
        let total = commands
        // Command-to-event latency, read off the journaled events as they are published.
        let events = Task { [limits] in
            let seen = Atomic<Int>(0)
            _ = try? await bus.messages.consume(stall: limits.stall, deadline: limits.deadline()) { message in
                // The bench shares the machine with the service: read the key off the bytes.
                guard let key = Self.requestKey(in: message.payload), book.arrived(key) else { return true }
                return seen.add(1, ordering: .relaxed).newValue < total
            }
        }
        defer { events.cancel() }
        let issued = Atomic<Int>(0)
        let refuseOne = limits.fault == .refuseOne
        let rate = try await measureRate(total: total, chunk: 64, window: inFlight, limits: limits,
                                         what: "bench services: answers", arrivals: answered) { count in
            for _ in 0..<count {
                let index = issued.add(1, ordering: .relaxed).oldValue
                // With --fault refuse-one, the second command repeats the first one's key: refused as a duplicate.
                let key = refuseOne && index == 1 ? "B-0" : "B-\(index)"
                var command = Envelope(id: "\(key)-\(index)", source: CommandClient.staffSource(nil), type: "cmd.logistics.request.create",
                                       time: Timestamp.rfc3339(Date()), dataVersion: 1)
                command.data = Array(#"{"request":"\#(key)","requester":"BENCH","items":[{"item":"water","quantity":10,"unit":"litres"}],"destination":"Juba","neededBy":"2026-12-01"}"#.utf8)
                book.sent(key)
                bus.request(command) { answer in
                    if answer.topic.isEmpty || Self.isRefusal(answer.payload) { refusals.add(answer.payload) }
                    answered.add()
                }
            }
        }
        // Every event comes within the stall limit of its answer, or the bench says how many did not.
        _ = await events.value
        await bus.close()
        let sorted = book.sortedMilliseconds
        if let refused = refusals.summary {
            throw BenchFailure("bench services: \(refused) of \(total) commands were refused; \(sorted.count) of \(total) events arrived")
        }
        guard sorted.count == total else {
            throw BenchFailure("bench services: \(sorted.count) of \(total) events arrived, then nothing for \(limits.stall)")
        }
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        return Result(commands: commands, in_flight: inFlight, commands_per_s: rate, event_p50_ms: percentile(0.5),
                      event_p99_ms: percentile(0.99), events: sorted.count, raw_bus_per_s: raw, ratio: rate / raw)
    }

    /// Whether an answer is a `*.command.rejected` (read off the bytes: no decode per answer).
    static func isRefusal(_ payload: [UInt8]) -> Bool {
        payload.firstRange(of: Array(#".command.rejected""#.utf8)) != nil
    }

    /// The value of the first `"request":"…"` in an encoded event (the bench's keys need no unescaping).
    static func requestKey(in bytes: [UInt8]) -> String? {
        let marker: StaticString = #""request":""#
        return marker.withUTF8Buffer { marker in
            bytes.withUnsafeBufferPointer { bytes in
                guard bytes.count > marker.count else { return nil }
                var index = 0
                while index + marker.count <= bytes.count {
                    if bytes[index] == marker[0], memcmp(bytes.baseAddress! + index, marker.baseAddress!, marker.count) == 0 {
                        let start = index + marker.count
                        guard let end = bytes[start...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
                        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                    }
                    index += 1
                }
                return nil
            }
        }
    }
}

/// Refused commands: how many, and the first refusal as the service worded it.
final class Refusals: Sendable {
    private let state = Mutex<(count: Int, first: String?)>((0, nil))

    func add(_ payload: [UInt8]) {
        state.withLock { state in
            state.count += 1
            if state.first == nil { state.first = String(decoding: payload.prefix(400), as: UTF8.self) }
        }
    }

    /// "N (the first: …)", or nil when none was refused.
    var summary: String? {
        state.withLock { state in state.count == 0 ? nil : "\(state.count) (the first: \(state.first ?? "?"))" }
    }
}

/// When each command left, and how long its event took to come back.
final class LatencyBook: Sendable {
    private let started = Mutex<[String: ContinuousClock.Instant]>([:])
    private let milliseconds = Mutex<[Double]>([])

    func sent(_ key: String) { started.withLock { $0[key] = .now } }

    /// Records the latency of `key`'s event; false when the key is not one of ours.
    func arrived(_ key: String) -> Bool {
        guard let start = started.withLock({ $0.removeValue(forKey: key) }) else { return false }
        let elapsed = ContinuousClock.now - start
        milliseconds.withLock { $0.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15) }
        return true
    }

    var sortedMilliseconds: [Double] { milliseconds.withLock { $0.sorted() } }
}
