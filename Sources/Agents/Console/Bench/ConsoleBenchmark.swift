import Agents
import BusCore
import Foundation
import Glibc
import HummingbirdWSClient
import Logging
import Synchronization

/// `concord bench console`: `sessions` WebSocket sessions signed in to the console as as many
/// partners, while `rate` events a second are made on the bus (a unit registered for one of the
/// partners each time, so each event goes to that partner's session). Measured: from the event
/// on the bus (a bus subscriber in this process sees it) to the message on the partner's
/// WebSocket, and the console process's memory per session. The reference is nats-server's own
/// WebSocket delivery, the same number of WebSocket clients subscribed there, the same rate
/// published to them, from publish to WebSocket message.
public struct ConsoleBenchmark: Sendable {
    public struct Result: Codable, Sendable {
        public var sessions: Int
        public var rate: Int
        public var events: Int
        public var received: Int
        public var concord: Latency
        public var nats: Latency
        /// Concord's p99 over nats-server's.
        public var p99_ratio: Double
        /// Resident memory of `concord up` with every session open, less before sign-in, per session.
        public var kib_per_session: Double
        public var rss_before_mib: Double
        public var rss_after_mib: Double
    }

    public struct Latency: Codable, Sendable {
        public var p50_ms: Double
        public var p99_ms: Double
        public var max_ms: Double

        init(_ samples: [Double]) {
            let sorted = samples.sorted()
            func at(_ q: Double) -> Double { sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] }
            p50_ms = at(0.5)
            p99_ms = at(0.99)
            max_ms = sorted.last ?? .nan
        }
    }

    public var concordBinary: String
    public var natsServer: String
    public var sessions: Int
    public var rate: Int
    public var seconds: Int
    public var scratch: URL
    public var catalog: MessageCatalog
    public var keys: BenchKeys

    public init(concordBinary: String, natsServer: String, sessions: Int, rate: Int, seconds: Int, scratch: URL,
                catalog: MessageCatalog, keys: @escaping BenchKeys) {
        self.concordBinary = concordBinary
        self.natsServer = natsServer
        self.sessions = sessions
        self.rate = rate
        self.seconds = seconds
        self.scratch = scratch
        self.catalog = catalog
        self.keys = keys
    }

    static func partner(_ index: Int) -> String { "B\(String(format: "%04d", index))" }
    static func token(_ index: Int) -> String { "bench-console-token-\(index)-0123456789" }

    public func run() async throws -> Result {
        let (concord, ready) = try await ChildProcess.startConcord(
            concordBinary, ["up", "--data", path("data"), "--bus-port", "0", "--gateway-port", "0", "--console-port", "0", "--metrics-port", "off",
                            "--log-level", "warning", "--max-connections-per-partner", "4"],
            logPath: path("up.log"), readyFile: path("up.ready.json"))
        defer { concord.signal(SIGINT) }
        guard let endpoints = ready.bus, let consolePort = ready.consolePort, let folder = ready.keys else {
            throw BenchFailure("concord up reported no bus, console or keys")
        }
        var configuration = BusConnection.Configuration(endpoints: endpoints)
        configuration.highWaterMark = 0
        configuration.security = try keys(folder, "operator/admin")
        let admin = try await BusConnection.connect(configuration, context: try ZMQContext())
        try await registerPartners(admin)

        let before = Self.residentMiB(concord.pid)
        let console = ConsoleClient(host: "127.0.0.1", port: consolePort)
        let arrivals = Arrivals()
        let logger = Logger(label: "bench.console")
        var sockets: [Task<Void, any Error>] = []
        for index in 0..<sessions {
            let cookie = try await signIn(console, index)
            sockets.append(Task { try await console.live(cookie: cookie, logger: logger) { arrivals.record(webSocket: $0) } })
        }
        defer { sockets.forEach { $0.cancel() } }
        try await Task.sleep(for: .seconds(2))
        let after = Self.residentMiB(concord.pid)
        FileHandle.standardError.write(Data("bench console: \(sessions) sessions open; \(rate) events/s for \(seconds) s\n".utf8))

        admin.subscribe("registry.unit.registered")
        let events = rate * seconds
        let onBus = Task { for await message in admin.messages { arrivals.record(bus: message.payload) } }
        defer { onBus.cancel() }
        try await paced(events) { index in
            var command = Envelope(id: "console-bench-\(index)", source: CommandClient.staffSource(nil), type: "cmd.registry.unit.register",
                                   time: Timestamp.rfc3339(Date()), dataVersion: 1)
            command.data = Array(#"{"unit":"U-\#(index)","partner":"\#(Self.partner(index % sessions))","type":"infantry","strength":10,"readiness":"ready","location":{"name":"Juba","lat":4.85,"lon":31.58}}"#.utf8)
            admin.request(command) { _ in }
        }
        try await waitUntil(arrivals, events)
        let concordLatencies = arrivals.latencies()
        await admin.close()

        let nats = try await referenceLatencies(events: events)
        let concordFigures = Latency(concordLatencies), natsFigures = Latency(nats)
        return Result(sessions: sessions, rate: rate, events: events, received: concordLatencies.count, concord: concordFigures, nats: natsFigures,
                      p99_ratio: concordFigures.p99_ms / natsFigures.p99_ms,
                      kib_per_session: (after - before) * 1024 / Double(sessions), rss_before_mib: before, rss_after_mib: after)
    }

    private func path(_ name: String) -> String { scratch.appendingPathComponent(name).path }

    /// `sessions` partners, each with a token and the right to ask the registry and follow its
    /// events.
    private func registerPartners(_ bus: BusConnection) async throws {
        let client = CommandClient(connection: bus, catalog: catalog)
        for index in 0..<sessions {
            let code = Self.partner(index)
            _ = try await client.send("cmd.registry.partner.register", ["code": code, "name": "Bench \(code)", "kind": "ngo", "clearance": "RESTRICTED"])
            _ = try await client.send("cmd.registry.partner.admit", ["code": code])
            _ = try await client.send("cmd.registry.credential.issue", ["partner": code, "kind": "token", "hash": SecretHasher.hashToken(Self.token(index))])
            struct Grant: Encodable { var partner: String; var publish: [String]; var subscribe: [String] }
            _ = try await client.send("cmd.registry.permissions.grant", Grant(partner: code, publish: ["query.registry.>"], subscribe: ["registry.>"]))
        }
    }

    /// Signs in, again for a moment while the gateway's directory has not yet heard the token.
    private func signIn(_ console: ConsoleClient, _ index: Int) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do {
                return try await console.signIn(partner: Self.partner(index), token: Self.token(index))
            } catch where ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Calls `send` `count` times at `rate` a second, in ticks of 10 ms.
    private func paced(_ count: Int, _ send: (Int) async throws -> Void) async throws {
        let start = ContinuousClock.now
        var sent = 0
        while sent < count {
            let due = min(count, Int(Double(rate) * (ContinuousClock.now - start).seconds) + 1)
            while sent < due {
                try await send(sent)
                sent += 1
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    private func waitUntil(_ arrivals: Arrivals, _ events: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while arrivals.latencies().count < events, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        let got = arrivals.latencies().count
        guard got >= events * 99 / 100 else {
            throw BenchFailure("bench console: \(got) of \(events) events reached a WebSocket within 30 s")
        }
    }

    /// nats-server with its WebSocket listener: `sessions` WebSocket clients, one subject each,
    /// `events` messages published to them over TCP at the same rate; publish to WebSocket message.
    private func referenceLatencies(events: Int) async throws -> [Double] {
        let config = path("nats-ws.conf")
        try "websocket {\n  listen: \"127.0.0.1:-1\"\n  no_tls: true\n}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let (nats, port) = try await GatewayBenchmark.startNATS(natsServer, scratch: scratch, arguments: ["-c", config], goMaxProcs: "2")
        defer { nats.signal(SIGTERM) }
        let portsFile = scratch.appendingPathComponent("nats-ports/nats-server_\(nats.pid).ports").path
        guard let data = FileManager.default.contents(atPath: portsFile),
              let ports = try? JSONDecoder().decode([String: [String]].self, from: data), let webSocket = ports["websocket"]?.first else {
            throw BenchFailure("nats-server did not report its WebSocket port")
        }
        let record = ReferenceArrivals()
        let logger = Logger(label: "bench.console.nats")
        var sockets: [Task<Void, any Error>] = []
        for index in 0..<sessions {
            sockets.append(Task {
                try await WebSocketClient.connect(url: webSocket, logger: logger) { inbound, outbound, _ in
                    try await outbound.write(.text("CONNECT {\"verbose\":false,\"protocol\":1}\r\nSUB s.\(index) 1\r\nPING\r\n"))
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        let text: String
                        switch message {
                        case .text(let string): text = string
                        case .binary(let buffer): text = String(buffer: buffer)
                        }
                        let now = ContinuousClock.now
                        if text.contains("PONG") { record.subscribed.add(1, ordering: .relaxed) }
                        for number in Self.payloads(text) { record.received(number, at: now) }
                    }
                }
            })
        }
        defer { sockets.forEach { $0.cancel() } }
        let deadline = ContinuousClock.now + .seconds(30)
        while record.subscribed.load(ordering: .relaxed) < sessions, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        let publisher = try await PartnerClient.connect(host: "127.0.0.1", port: port, credentials: .init())
        try await paced(events) { index in
            record.sent(index)
            publisher.publish("s.\(index % sessions)", payload: Array("n\(index)".utf8))
        }
        let waitEnd = ContinuousClock.now + .seconds(30)
        while record.latencies.withLock({ $0.count }) < events, ContinuousClock.now < waitEnd { try await Task.sleep(for: .milliseconds(100)) }
        await publisher.close()
        return record.latencies.withLock { $0 }
    }

    /// The numbers in `MSG s.<i> 1 <len>\r\nn<number>\r\n` lines of a WebSocket frame.
    static func payloads(_ text: String) -> [Int] {
        text.split(separator: "\r\n").compactMap { line in line.first == "n" ? Int(line.dropFirst()) : nil }
    }

    static func residentMiB(_ pid: Int32) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return .nan }
        return kib / 1024
    }
}

/// The reference's publish times and latencies, by message number.
final class ReferenceArrivals: Sendable {
    let sentAt = Mutex<[Int: ContinuousClock.Instant]>([:])
    let latencies = Mutex<[Double]>([])
    let subscribed = Atomic<Int>(0)

    func sent(_ number: Int) { sentAt.withLock { $0[number] = ContinuousClock.now } }

    func received(_ number: Int, at now: ContinuousClock.Instant) {
        guard let at = sentAt.withLock({ $0[number] }) else { return }
        latencies.withLock { $0.append((now - at).milliseconds) }
    }
}

/// When each event was seen on the bus and on a WebSocket, by event id.
final class Arrivals: Sendable {
    private struct Seen { var bus: [String: ContinuousClock.Instant] = [:]; var webSocket: [String: ContinuousClock.Instant] = [:] }
    private let seen = Mutex(Seen())

    func record(bus payload: [UInt8]) {
        guard let id = Self.id(in: String(decoding: payload, as: UTF8.self)) else { return }
        let now = ContinuousClock.now
        seen.withLock { _ = $0.bus[id] == nil ? ($0.bus[id] = now) : () }
    }

    func record(webSocket text: String) {
        guard text.hasPrefix(#"{"kind":"event""#), let id = Self.id(in: text) else { return }
        let now = ContinuousClock.now
        seen.withLock { _ = $0.webSocket[id] == nil ? ($0.webSocket[id] = now) : () }
    }

    /// Milliseconds from bus to WebSocket, for events seen on both.
    func latencies() -> [Double] {
        seen.withLock { seen in seen.webSocket.compactMap { id, at in seen.bus[id].map { (at - $0).milliseconds } } }
    }

    /// The envelope's `id` (the first `"id":"…"` in it).
    static func id(in text: String) -> String? {
        guard let start = text.range(of: #""id":""#) else { return nil }
        let rest = text[start.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}

extension Duration {
    var milliseconds: Double { seconds * 1000 }
}
