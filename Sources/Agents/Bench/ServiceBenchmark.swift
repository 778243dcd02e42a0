import BusCore
import Foundation
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

    public init(concordBinary: String, commands: Int, inFlight: Int, scratch: URL) {
        self.concordBinary = concordBinary
        self.commands = commands
        self.inFlight = inFlight
        self.scratch = scratch
    }

    public func run() async throws -> Result {
        let raw = try await BusBenchmark(messages: 100_000, scratch: scratch).measureRaw()
        let busPort = LoopbackPort.free()
        let concord = try GatewayBenchmark.spawn(concordBinary, [
            "up", "--data", scratch.appendingPathComponent("data").path, "--bus-port", "\(busPort)",
            "--gateway-port", "\(LoopbackPort.free())", "--log-level", "warning",
        ], log: scratch.appendingPathComponent("up.log"))
        defer {
            concord.interrupt()
            concord.waitForExit()
        }
        let context = try ZMQContext()
        var configuration = BusConnection.Configuration(endpoints: .tcp(basePort: busPort))
        configuration.highWaterMark = 0
        let bus = try await BusConnection.connect(configuration, context: context)
        bus.subscribe("logistics.request.created")
        try await Task.sleep(for: .milliseconds(300))

        let book = LatencyBook()
        let answered = ArrivalCount()
        let total = commands
        let rate = try await withThrowingTaskGroup(of: Double.self) { group in
            group.addTask {
                // Command-to-event latency, read off the journaled events as they are published.
                var seen = 0
                for await message in bus.messages {
                    // The bench shares the machine with the service: read the key off the bytes.
                    guard let key = Self.requestKey(in: message.payload), book.arrived(key) else { continue }
                    seen += 1
                    if seen == total { break }
                }
                return 0
            }
            let issued = ArrivalCount()
            let rate = try await measureRate(total: total, chunk: 64, window: inFlight, arrivals: answered) { count in
                for _ in 0..<count {
                    let key = "B-\(issued.value)"
                    issued.add()
                    var command = Envelope(id: key, source: "concord/bench", type: "cmd.logistics.request.create",
                                           time: Timestamp.rfc3339(Date()), dataVersion: 1)
                    command.data = Array(#"{"request":"\#(key)","requester":"BENCH","items":[{"item":"water","quantity":10,"unit":"litres"}],"destination":"Juba","neededBy":"2026-12-01"}"#.utf8)
                    book.sent(key)
                    bus.request(command) { _ in answered.add() }
                }
            }
            try await Task.sleep(for: .seconds(2))
            group.cancelAll()
            return rate
        }
        await bus.close()
        let sorted = book.sortedMilliseconds
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        return Result(commands: commands, in_flight: inFlight, commands_per_s: rate, event_p50_ms: percentile(0.5),
                      event_p99_ms: percentile(0.99), events: sorted.count, raw_bus_per_s: raw, ratio: rate / raw)
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
