import BusCore
import Foundation
import Glibc
import Synchronization

/// `concord bench gateway`: a real `concord up` and a real `nats-server`, driven by the same
/// load client over loopback with 256-byte payloads, releasability filtering on.
public struct GatewayBenchmark: Sendable {
    /// One case's figures: Concord's, nats-server's, and Concord / NATS.
    public struct Figures: Codable, Sendable {
        public var concord: Double
        public var nats: Double
        public var ratio: Double
        public var unit: String
    }

    public struct Latency: Codable, Sendable {
        public var concord_p50_ms: Double
        public var concord_p99_ms: Double
        public var nats_p50_ms: Double
        public var nats_p99_ms: Double
        /// The same query sent straight over the bus (no gateway): where the time goes.
        public var bus_only_p50_ms: Double
        public var bus_only_p99_ms: Double
        /// Concord p99 / NATS p99.
        public var p99_ratio: Double
    }

    public struct Result: Codable, Sendable {
        public var payload_bytes = 256
        public var a_one_to_one: Figures
        public var b_fan_out: Figures
        public var fan_out_connections: Int
        public var c_partner_publish: Figures
        public var d_request_latency: Latency
    }

    public var concordBinary: String
    public var natsServer: String
    public var messages: Int
    public var fanOut: Int
    public var requests: Int
    public var scratch: URL

    public init(concordBinary: String, natsServer: String, messages: Int, fanOut: Int, requests: Int, scratch: URL) {
        self.concordBinary = concordBinary
        self.natsServer = natsServer
        self.messages = messages
        self.fanOut = fanOut
        self.requests = requests
        self.scratch = scratch
    }

    static let token = "bench-token-0123456789abcdef"
    static let payload = Array(String(repeating: "x", count: 256).utf8)
    static let jsonPayload = Array((#"{"text":""# + String(repeating: "x", count: 245) + #""}"#).utf8)

    public func run() async throws -> Result {
        let busPort = LoopbackPort.free(), gatewayPort = LoopbackPort.free(), natsPort = LoopbackPort.free()
        let concord = try Self.spawn(concordBinary, ["up", "--data", scratch.appendingPathComponent("data").path,
                                                     "--bus-port", "\(busPort)", "--gateway-port", "\(gatewayPort)",
                                                     "--log-level", "warning"], log: scratch.appendingPathComponent("up.log"))
        let nats = try Self.spawn(natsServer, ["-a", "127.0.0.1", "-p", "\(natsPort)"], log: scratch.appendingPathComponent("nats.log"))
        defer {
            concord.interrupt()
            nats.terminate()
            concord.waitForExit()
            nats.waitForExit()
        }
        let context = try ZMQContext()
        let bus = try await BusConnection.connect(.init(endpoints: .tcp(basePort: busPort)), context: context)
        try await Self.registerBenchPartner(bus)
        try await Task.sleep(for: .seconds(1))

        let a = Figures(concord: try await busToPartners(bus, gatewayPort: gatewayPort, connections: 1, events: messages),
                        nats: try await natsFanOut(port: natsPort, connections: 1, events: messages), unit: "msg/s")
        let perConnection = max(messages / fanOut, 1_000)
        let b = Figures(concord: try await busToPartners(bus, gatewayPort: gatewayPort, connections: fanOut, events: perConnection),
                        nats: try await natsFanOut(port: natsPort, connections: fanOut, events: perConnection), unit: "deliveries/s")
        let c = Figures(concord: try await partnerPublish(bus, gatewayPort: gatewayPort), nats: a.nats, unit: "msg/s")
        let d = try await latency(gatewayPort: gatewayPort, natsPort: natsPort, bus: bus)
        await bus.close()
        return Result(a_one_to_one: a.withRatio, b_fan_out: b.withRatio, fan_out_connections: fanOut,
                      c_partner_publish: c.withRatio, d_request_latency: d)
    }

    /// (a) and (b): labelled events published on the bus, delivered to `connections` partner subscribers.
    private func busToPartners(_ bus: BusConnection, gatewayPort: Int, connections: Int, events: Int) async throws -> Double {
        let subscribers = try await openSubscribers(port: gatewayPort, token: Self.token, connections: connections, subject: "bench.event.sent")
        var envelope = Envelope(id: "bench", source: "concord/bench", type: "bench.event.sent", time: Timestamp.rfc3339(Date()),
                                dataVersion: 1, classification: "UNCLASSIFIED", releasableTo: ["BENCH"])
        envelope.data = Self.jsonPayload
        let bytes = EnvelopeCodec.encode(envelope)
        let rate = try await measureRate(total: events, chunk: 500, window: 4_000,
                                         arrived: { subscribers.map(\.counter.count).min() ?? 0 }) { count in
            for _ in 0..<count { bus.publish(topic: "bench.event.sent", payload: bytes) }
        }
        for subscriber in subscribers { await subscriber.close() }
        return rate * Double(connections)
    }

    /// (a) and (b) on nats-server: one publisher, `connections` subscribers.
    private func natsFanOut(port: Int, connections: Int, events: Int) async throws -> Double {
        let subscribers = try await openSubscribers(port: port, token: nil, connections: connections, subject: "bench.event.sent")
        let publisher = try await LoadConnection.open(port: port, token: nil)
        let one = Array("PUB bench.event.sent \(Self.payload.count)\r\n".utf8) + Self.payload + [0x0D, 0x0A]
        let rate = try await measureRate(total: events, chunk: 500, window: 4_000,
                                         arrived: { subscribers.map(\.counter.count).min() ?? 0 }) { count in
            try await publisher.write(Array([[UInt8]](repeating: one, count: count).joined()))
        }
        await publisher.close()
        for subscriber in subscribers { await subscriber.close() }
        return rate * Double(connections)
    }

    /// (c): a partner's PUB becomes a validated envelope on the bus.
    private func partnerPublish(_ bus: BusConnection, gatewayPort: Int) async throws -> Double {
        bus.subscribe("partner.note.")
        try await Task.sleep(for: .milliseconds(200))
        let arrived = ArrivalCount()
        let partner = try await LoadConnection.open(port: gatewayPort, token: Self.token)
        let one = Array("PUB partner.note.posted \(Self.jsonPayload.count)\r\n".utf8) + Self.jsonPayload + [0x0D, 0x0A]
        let rate = try await withThrowingTaskGroup(of: Double.self) { group in
            group.addTask {
                for await message in bus.messages where message.topic == "partner.note.posted" {
                    arrived.add()
                    if arrived.value >= messages { break }
                }
                return 0
            }
            let rate = try await measureRate(total: messages, chunk: 500, window: 4_000, arrived: { arrived.value }) { count in
                try await partner.write(Array([[UInt8]](repeating: one, count: count).joined()))
            }
            group.cancelAll()
            return rate
        }
        bus.unsubscribe("partner.note.")
        await partner.close()
        return rate
    }

    /// (d): sequential requests: a partner's query to the registry, against a NATS request to a responder.
    private func latency(gatewayPort: Int, natsPort: Int, bus: BusConnection) async throws -> Latency {
        let direct = CommandClient(connection: bus, source: "concord/bench")
        let busOnly = try await durations(requests) {
            _ = try await direct.send("query.registry.partner.get", ["code": "BENCH"])
        }
        let partner = try await PartnerClient.connect(host: "127.0.0.1", port: gatewayPort, credentials: .init(token: Self.token))
        let concord = try await durations(requests) {
            _ = try await partner.request("query.registry.partner.get", payload: Array(#"{"code":"BENCH"}"#.utf8))
        }
        await partner.close()
        let responder = try await LoadConnection.open(port: natsPort, token: nil)
        responder.counter.replyPayload.withLock { $0 = Array(#"{"ok":true}"#.utf8) }
        try await responder.write(Array("SUB bench.request 1\r\n".utf8))
        try await responder.ping()
        let requester = try await PartnerClient.connect(host: "127.0.0.1", port: natsPort, credentials: .init())
        let nats = try await durations(requests) {
            _ = try await requester.request("bench.request", payload: Array("{}".utf8))
        }
        await requester.close()
        await responder.close()
        func percentile(_ sorted: [Double], _ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        return Latency(concord_p50_ms: percentile(concord, 0.5), concord_p99_ms: percentile(concord, 0.99),
                       nats_p50_ms: percentile(nats, 0.5), nats_p99_ms: percentile(nats, 0.99),
                       bus_only_p50_ms: percentile(busOnly, 0.5), bus_only_p99_ms: percentile(busOnly, 0.99),
                       p99_ratio: percentile(concord, 0.99) / percentile(nats, 0.99))
    }

    private func durations(_ count: Int, _ body: () async throws -> Void) async throws -> [Double] {
        for _ in 0..<min(count / 10, 100) { try await body() }  // warm-up
        var values: [Double] = []
        for _ in 0..<count {
            let start = ContinuousClock.now
            try await body()
            let elapsed = ContinuousClock.now - start
            values.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        return values.sorted()
    }

    private func openSubscribers(port: Int, token: String?, connections: Int, subject: String) async throws -> [LoadConnection] {
        var subscribers: [LoadConnection] = []
        for _ in 0..<connections {
            let connection = try await LoadConnection.open(port: port, token: token)
            try await connection.write(Array("SUB \(subject) 1\r\n".utf8))
            try await connection.ping()
            subscribers.append(connection)
        }
        try await Task.sleep(for: .milliseconds(300))
        return subscribers
    }

    /// Registers partner BENCH (cleared SECRET) with the bench token and its permissions.
    private static func registerBenchPartner(_ bus: BusConnection) async throws {
        let client = CommandClient(connection: bus, source: "concord/bench")
        _ = try await client.send("cmd.registry.partner.register",
                                  ["code": "BENCH", "name": "Benchmark partner", "kind": "ngo", "clearance": "SECRET"])
        _ = try await client.send("cmd.registry.partner.admit", ["code": "BENCH"])
        _ = try await client.send("cmd.registry.credential.issue", ["partner": "BENCH", "kind": "token", "secret": token])
        _ = try await client.send("cmd.registry.permissions.grant", BenchPermissions())
    }

    struct BenchPermissions: Encodable {
        var partner = "BENCH"
        var publish = ["partner.note.posted", "query.registry.>"]
        var subscribe = ["bench.>", "partner.note.*"]
    }

    static func spawn(_ binary: String, _ arguments: [String], log: URL) throws -> Process {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 1.5)
        guard process.isRunning else { throw LoadError("\(binary) did not start; see \(log.path)") }
        return process
    }

}

extension GatewayBenchmark.Figures {
    init(concord: Double, nats: Double, unit: String) {
        self.init(concord: concord, nats: nats, ratio: concord / nats, unit: unit)
    }

    var withRatio: Self { Self(concord: concord, nats: nats, ratio: concord / nats, unit: unit) }
}

/// Loopback ports for benchmarks and tests.
public enum LoopbackPort {
    /// A TCP port that was free a moment ago on 127.0.0.1.
    public static func free() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = bind(fd, $0, length) }
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
