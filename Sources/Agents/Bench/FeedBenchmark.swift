import BusCore
import Foundation
import Glibc
import Synchronization

/// `concord bench feeds`: durable partner feeds against nats-server's JetStream file store,
/// both driven by the same JetStream client, which acknowledges every message as it reads it.
/// (a) durable delivery: a push consumer with explicit acks over `delivered` events; (b)
/// catch-up: a new durable pull consumer reading a `backlog`-event stream in batches of 500.
/// Concord's stream is the logistics journal as partner BENCH sees it; nats-server's holds the
/// same envelopes, published into a file-backed stream.
public struct FeedBenchmark: Sendable {
    public struct Result: Codable, Sendable {
        public var backlog: Int
        public var delivered: Int
        public var envelope_bytes: Int
        public var a_durable_delivery: GatewayBenchmark.Figures
        public var b_catch_up: GatewayBenchmark.Figures
        /// Seconds to read and acknowledge the whole backlog.
        public var b_concord_seconds: Double
        public var b_nats_seconds: Double
    }

    public var concordBinary: String
    public var natsServer: String
    public var backlog: Int
    public var delivered: Int
    public var scratch: URL
    public var limits: BenchLimits
    public var catalog: MessageCatalog
    public var keys: BenchKeys

    public init(concordBinary: String, natsServer: String, backlog: Int, delivered: Int, scratch: URL, limits: BenchLimits = BenchLimits(),
                catalog: MessageCatalog, keys: @escaping BenchKeys) {
        self.concordBinary = concordBinary
        self.natsServer = natsServer
        self.backlog = backlog
        self.delivered = min(delivered, backlog)
        self.scratch = scratch
        self.limits = limits
        self.catalog = catalog
        self.keys = keys
    }

    static let batch = 500
    static let maxAckPending = 10_000

    public func run() async throws -> Result {
        let (concord, ready) = try await ChildProcess.startConcord(
            concordBinary, ["up", "--data", path("data"), "--bus-port", "0", "--gateway-port", "0", "--console-port", "off", "--metrics-port", "off",
                            "--log-level", "warning"],
            logPath: path("up.log"), readyFile: path("up.ready.json"))
        let (nats, natsPort) = try await GatewayBenchmark.startNATS(natsServer, scratch: scratch, arguments: ["-js", "-sd", path("js")],
                                                                    goMaxProcs: "2")
        defer {
            concord.signal(SIGINT)
            nats.signal(SIGTERM)
        }
        guard let endpoints = ready.bus, let gatewayPort = ready.gatewayPort, let folder = ready.keys else {
            throw BenchFailure("concord up reported no bus, gateway or keys")
        }
        let context = try ZMQContext()
        var configuration = BusConnection.Configuration(endpoints: endpoints)
        configuration.highWaterMark = 0
        configuration.security = try keys(folder, "operator/admin")
        let admin = try await BusConnection.connect(configuration, context: context)
        var permissions = GatewayBenchmark.BenchPermissions()
        permissions.subscribe = ["logistics.>"]
        try await GatewayBenchmark.registerBenchPartner(admin, catalog: catalog, permissions: permissions)
        let sample = try await makeBacklog(admin)
        await admin.close()

        let partner = try await Self.connectWhenSignedIn(port: gatewayPort, token: GatewayBenchmark.token, limits: limits)
        try await waitFor(backlog, "bench feeds: Concord's LOGISTICS view") { try await partner.messages(in: "LOGISTICS") }
        let reference = try await JetStreamLoadClient.open(port: natsPort, token: nil)
        _ = try await reference.request("$JS.API.STREAM.CREATE.LOGISTICS",
                                        Array(#"{"name":"LOGISTICS","subjects":["logistics.>"],"storage":"file"}"#.utf8))
        try await publish(sample, count: backlog, to: reference)
        try await waitFor(backlog, "bench feeds: nats-server's LOGISTICS stream") { try await reference.messages(in: "LOGISTICS") }
        FileHandle.standardError.write(Data("bench feeds: both streams hold the \(backlog)-event backlog; measuring\n".utf8))

        let a = GatewayBenchmark.Figures(concord: try await pushDelivery(partner, what: "bench feeds (a), Concord"),
                                         nats: try await pushDelivery(reference, what: "bench feeds (a), nats-server"), unit: "acked msg/s")
        let concordCatchUp = try await catchUp(partner, what: "bench feeds (b), Concord")
        let natsCatchUp = try await catchUp(reference, what: "bench feeds (b), nats-server")
        await partner.close()
        await reference.close()
        _ = await concord.waitForExit(timeout: .seconds(15))
        _ = await nats.waitForExit(timeout: .seconds(15))
        return Result(backlog: backlog, delivered: delivered, envelope_bytes: sample.count, a_durable_delivery: a,
                      b_catch_up: .init(concord: Double(backlog) / concordCatchUp, nats: Double(backlog) / natsCatchUp, unit: "acked msg/s"),
                      b_concord_seconds: concordCatchUp, b_nats_seconds: natsCatchUp)
    }

    private func path(_ name: String) -> String { scratch.appendingPathComponent(name).path }

    /// `backlog` supply requests of partner BENCH, created by the logistics cell: one journaled
    /// event each, releasable to BENCH. Returns one of the events, for the reference stream.
    private func makeBacklog(_ bus: BusConnection) async throws -> [UInt8] {
        let sample = Mutex<[UInt8]>([])
        let answered = ArrivalCount()
        let issued = Atomic<Int>(0)
        // With --fault lose-one, one event of the backlog is never made.
        let total = limits.fault == .loseOne ? backlog - 1 : backlog
        _ = try await measureRate(total: total, chunk: 64, window: 512, limits: limits, what: "bench feeds: backlog",
                                  arrivals: answered) { count in
            for _ in 0..<count {
                let index = issued.add(1, ordering: .relaxed).oldValue
                var command = Envelope(id: "feed-\(index)", source: CommandClient.staffSource(nil), type: "cmd.logistics.request.create",
                                       time: Timestamp.rfc3339(Date()), dataVersion: 1)
                command.data = Array(#"{"request":"F-\#(index)","requester":"BENCH","items":[{"item":"water","quantity":10,"unit":"litres"}],"destination":"Juba","neededBy":"2026-12-01"}"#.utf8)
                bus.request(command) { answer in
                    sample.withLock { if $0.isEmpty, !ServiceBenchmark.isRefusal(answer.payload) { $0 = answer.payload } }
                    answered.add()
                }
            }
        }
        let event = sample.withLock { $0 }
        guard !event.isEmpty else { throw BenchFailure("bench feeds: every backlog command was refused") }
        return event
    }

    private func publish(_ event: [UInt8], count: Int, to client: JetStreamLoadClient) async throws {
        let one = client.publish("logistics.request.created", event)
        var sent = 0
        while sent < count {
            let chunk = min(1_000, count - sent)
            try await client.write(Array([[UInt8]](repeating: one, count: chunk).joined()))
            sent += chunk
        }
    }

    /// (a): a push consumer over the first `delivered` messages; acked messages per second.
    private func pushDelivery(_ client: JetStreamLoadClient, what: String) async throws -> Double {
        try await client.subscribe("_INBOX.push.bench")
        let before = client.received
        let started = ContinuousClock.now
        _ = try await client.request("$JS.API.CONSUMER.DURABLE.CREATE.LOGISTICS.push", Array(#"""
            {"stream_name":"LOGISTICS","config":{"durable_name":"push","ack_policy":"explicit","deliver_subject":"_INBOX.push.bench","max_ack_pending":\#(Self.maxAckPending)}}
            """#.utf8))
        try await waitFor(before + delivered, what) { client.received }
        let seconds = (ContinuousClock.now - started).seconds
        _ = try await client.request("$JS.API.CONSUMER.DELETE.LOGISTICS.push", [])
        return Double(delivered) / seconds
    }

    /// (b): a new durable pull consumer reads the whole backlog in batches; seconds until every
    /// message arrived and no acknowledgement is outstanding.
    private func catchUp(_ client: JetStreamLoadClient, what: String) async throws -> Double {
        let before = client.received
        let started = ContinuousClock.now
        _ = try await client.request("$JS.API.CONSUMER.DURABLE.CREATE.LOGISTICS.catchup", Array(#"""
            {"stream_name":"LOGISTICS","config":{"durable_name":"catchup","ack_policy":"explicit","max_ack_pending":\#(Self.maxAckPending)}}
            """#.utf8))
        let next = Array(#"{"batch":\#(Self.batch),"expires":30000000000}"#.utf8)
        // Two pulls in flight at a time, the next asked for as soon as one is filled.
        var asked = 0
        while asked < min(2, backlog / Self.batch + 1) {
            try await client.write(client.publish("$JS.API.CONSUMER.MSG.NEXT.LOGISTICS.catchup", replyTo: "_INBOX.bench.pull", next))
            asked += 1
        }
        let deadline = limits.deadline()
        var last = (count: client.received, at: ContinuousClock.now)
        while client.received - before < backlog {
            let got = client.received - before
            if got >= (asked - 1) * Self.batch, asked * Self.batch < backlog {
                try await client.write(client.publish("$JS.API.CONSUMER.MSG.NEXT.LOGISTICS.catchup", replyTo: "_INBOX.bench.pull", next))
                asked += 1
            }
            if client.received != last.count { last = (client.received, .now) }
            guard ContinuousClock.now - last.at < limits.stall, ContinuousClock.now < deadline else {
                throw BenchFailure("\(what): \(got) of \(backlog) arrived, then nothing for \(limits.stall)")
            }
            try await Task.sleep(for: .microseconds(200))
        }
        try await waitFor(0, "\(what): acknowledgements", atMost: true) {
            let info = try await client.request("$JS.API.CONSUMER.INFO.LOGISTICS.catchup", [])
            return (info["num_ack_pending"] as? Int) ?? -1
        }
        return (ContinuousClock.now - started).seconds
    }

    /// Polls `value` until it reaches `target` (or falls to it, `atMost`), failing on a stall.
    private func waitFor(_ target: Int, _ what: String, atMost: Bool = false, _ value: () async throws -> Int) async throws {
        let deadline = limits.deadline()
        var last = (value: Int.min, at: ContinuousClock.now)
        while true {
            let now = try await value()
            if atMost ? now <= target && now >= 0 : now >= target { return }
            if now != last.value { last = (now, .now) }
            guard ContinuousClock.now - last.at < limits.stall, ContinuousClock.now < deadline else {
                throw BenchFailure("\(what): \(now) of \(target), then no progress for \(limits.stall)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// The partner signs in once the gateway's directory has heard of it.
    static func connectWhenSignedIn(port: Int, token: String, limits: BenchLimits) async throws -> JetStreamLoadClient {
        let deadline = ContinuousClock.now + limits.stall
        while true {
            do {
                return try await JetStreamLoadClient.open(port: port, token: token)
            } catch where ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }
}
