import Agents
import Console
import ArgumentParser
import Foundation

/// `concord bench …`: throughput figures measured against a reference in the same run.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput against a reference in the same run.", subcommands: [BusBench.self, GatewayBench.self, ServicesBench.self, ReplayBench.self, FeedsBench.self, ConsoleBench.self])

    /// The reference's nats-server binary, or how to get it.
    static func requireNATS(_ path: String) throws {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw CommandFailure("nats-server not found at \(path): apt-get install nats-server (make bench does)")
        }
    }

    /// A fresh folder for one benchmark's databases and logs; the caller removes it.
    static func scratchFolder(_ name: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Measures in a fresh scratch folder (removed afterwards), then prints the result as one
    /// JSON object or as `text` lays it out.
    static func report<Result: Encodable>(_ name: String, json: Bool, measure: (URL) async throws -> Result,
                                          text: (Result) -> String) async throws {
        let scratch = try scratchFolder(name)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let result = try await measure(scratch)
        if json { return try printJSON(result) }
        print(text(result))
    }

    /// What every bench takes: output format, limits, and a fault to inject.
    struct Options: ParsableArguments {
        @Flag(help: "Print one JSON object.") var json = false
        @Option(help: "Seconds the whole bench may take before it fails with the counts so far.") var timeoutSeconds = 900
        @Option(help: "Seconds a wait may see no progress (no message, no answer) before the bench fails with the counts so far.")
        var stallSeconds = 10
        @Option(help: "Inject a fault to check that the bench notices it: \(BenchFault.allCases.map(\.rawValue).joined(separator: ", ")).",
                transform: { argument in
                    guard let fault = BenchFault(rawValue: argument) else {
                        throw ValidationError("--fault takes \(BenchFault.allCases.map(\.rawValue).joined(separator: " or ")), not '\(argument)'")
                    }
                    return fault
                })
        var fault: BenchFault?

        var limits: BenchLimits { BenchLimits(timeout: .seconds(timeoutSeconds), stall: .seconds(stallSeconds), fault: fault) }
    }

    /// This executable, for benchmarks that start `concord up` as a real process.
    static var ownBinary: String { URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path }

    /// How benches read the keys of the `concord up` they start.
    static let keys: BenchKeys = { folder, identity in try Parts.security(folder: folder, identity: identity) }

    struct BusBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bus",
            abstract: "Envelopes per second through a real proxy, against raw pre-encoded bytes, journaled publishing, and CURVE.")

        @Option(help: "Messages per mode.") var count = 100_000
        @Option(help: "Events per transaction in durable mode (group commit).") var durableBatch = 64
        @OptionGroup var options: Bench.Options

        func run() async throws {
            try await Bench.report("concord-bench", json: options.json) { scratch in
                try await BusBenchmark(messages: count, durableBatch: durableBatch, scratch: scratch, limits: options.limits).run()
            } text: { result in """
                concord bench bus: \(result.messages) messages per mode, \(result.envelope_bytes)-byte envelopes, 1 publisher, 1 subscriber, loopback TCP
                  libzmq (C pub -> zmq_proxy -> C sub) \(Int(result.libzmq_per_s)) msg/s   (reference)
                  raw (pre-encoded bytes, Concord)     \(Int(result.raw_per_s)) msg/s   libzmq ratio \(String(format: "%.3f", result.raw_libzmq_ratio))
                  envelopes (encode + decode)          \(Int(result.envelopes_per_s)) msg/s   ratio \(String(format: "%.3f", result.ratio))   libzmq ratio \(String(format: "%.3f", result.libzmq_ratio))
                  durable (journaled, \(result.durable_batch) per tx)      \(Int(result.durable_per_s)) msg/s   ratio \(String(format: "%.3f", result.durable_ratio))
                  durable (journaled, 1 per tx)        \(Int(result.durable_single_per_s)) msg/s   ratio \(String(format: "%.3f", result.durable_single_per_s / result.raw_per_s))
                  envelopes, parts in 3 contexts       \(Int(result.separate_envelopes_per_s)) msg/s   (as concord run deploys them; reference for CURVE)
                  the same with CURVE (ZAP, rights)    \(Int(result.curve_envelopes_per_s)) msg/s   ratio \(String(format: "%.3f", result.curve_ratio))   (target ≥ 0.70)
                """
            }
        }
    }

    struct GatewayBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gateway",
            abstract: "The gateway against nats-server, both driven by the same load client with 256-byte payloads.",
            discussion: "Starts `concord up` and `nats-server` (Debian's nats-server package) on free loopback ports. Cases: (a) bus events to one partner subscriber vs NATS 1:1, (b) fan-out to --fan-out partners vs NATS fan-out, (c) partner PUB to validated envelope on the bus, (d) request latency p50/p99.")

        @Option(help: "Events per case.") var count = 200_000
        @Option(help: "Subscriber connections for the fan-out case.") var fanOut = 100
        @Option(help: "Sequential requests for the latency case.") var requests = 2_000
        @Option(help: "nats-server binary.") var natsServer = "/usr/sbin/nats-server"
        @OptionGroup var options: Bench.Options

        func run() async throws {
            try Bench.requireNATS(natsServer)
            try await Bench.report("concord-bench-gateway", json: options.json) { scratch in
                try await GatewayBenchmark(concordBinary: Bench.ownBinary, natsServer: natsServer, messages: count,
                                           fanOut: fanOut, requests: requests, scratch: scratch, limits: options.limits,
                                           catalog: Parts.catalog, keys: Bench.keys).run()
            } text: { result in Self.text(result) }
        }

        static func text(_ result: GatewayBenchmark.Result) -> String {
            func line(_ name: String, _ figures: GatewayBenchmark.Figures) -> String {
                "  \(name.padding(toLength: 44, withPad: " ", startingAt: 0)) concord \(Int(figures.concord)) \(figures.unit)   nats \(Int(figures.nats))   ratio \(String(format: "%.3f", figures.ratio))"
            }
            let d = result.d_request_latency
            return """
                concord bench gateway: 256-byte payloads, loopback, releasability filtering on, the C load client on both sides
                \(line("(a) bus event -> 1 partner", result.a_one_to_one))
                \(line("(b) fan-out to \(result.fan_out_connections) partners", result.b_fan_out))
                \(line("(c) partner PUB -> envelope on bus", result.c_partner_publish))  (nats: PUB -> 1 subscriber)
                  (d) request latency                          concord p50 \(String(format: "%.3f", d.concord_p50_ms)) ms p99 \(String(format: "%.3f", d.concord_p99_ms)) ms   nats p50 \(String(format: "%.3f", d.nats_p50_ms)) ms p99 \(String(format: "%.3f", d.nats_p99_ms)) ms   p99 ratio \(String(format: "%.2f", d.p99_ratio))
                      same query straight over the bus (no gateway): p50 \(String(format: "%.3f", d.bus_only_p50_ms)) ms p99 \(String(format: "%.3f", d.bus_only_p99_ms)) ms
                """
        }
    }

    struct FeedsBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "feeds",
            abstract: "Durable partner feeds against nats-server's JetStream file store, both driven by the same JetStream client.",
            discussion: "Starts `concord up` and `nats-server -js` on free loopback ports; makes a backlog of supply-request events releasable to partner BENCH (through the logistics service) and publishes the same envelopes into a file-backed nats-server stream. Cases: (a) durable delivery, a push consumer with explicit acks; (b) catch-up of the whole backlog by a new pull consumer in batches of 500. Every message is acknowledged as it is read.")

        @Option(help: "Events in the backlog.") var backlog = 100_000
        @Option(help: "Events the push consumer takes in case (a).") var delivered = 20_000
        @Option(help: "nats-server binary.") var natsServer = "/usr/sbin/nats-server"
        @OptionGroup var options: Bench.Options

        func run() async throws {
            try Bench.requireNATS(natsServer)
            try await Bench.report("concord-bench-feeds", json: options.json) { scratch in
                try await FeedBenchmark(concordBinary: Bench.ownBinary, natsServer: natsServer, backlog: backlog, delivered: delivered,
                                        scratch: scratch, limits: options.limits, catalog: Parts.catalog, keys: Bench.keys).run()
            } text: { result in
                func line(_ name: String, _ figures: GatewayBenchmark.Figures) -> String {
                    "  \(name.padding(toLength: 44, withPad: " ", startingAt: 0)) concord \(Int(figures.concord)) \(figures.unit)   nats \(Int(figures.nats))   ratio \(String(format: "%.3f", figures.ratio))   (target ≥ 0.5)"
                }
                return """
                    concord bench feeds: \(result.backlog)-event backlog, \(result.envelope_bytes)-byte envelopes, every message acknowledged, nats-server -js file store
                    \(line("(a) durable delivery, push, \(result.delivered) events", result.a_durable_delivery))
                    \(line("(b) catch-up of \(result.backlog), pull batches of 500", result.b_catch_up))
                      (b) seconds: concord \(String(format: "%.2f", result.b_concord_seconds))   nats \(String(format: "%.2f", result.b_nats_seconds))
                    """
            }
        }
    }

    struct ConsoleBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "console",
            abstract: "Bus event to console WebSocket latency with many signed-in partners, against nats-server's own WebSocket delivery.",
            discussion: "Starts `concord up` on free loopback ports and registers --sessions partners; signs each in to the console and opens its live WebSocket; makes --rate events a second on the bus for --seconds (a unit registered for one partner each time). Reports p50 and p99 from the event on the bus to the partner's WebSocket message, and resident memory per session. The reference: nats-server with its WebSocket listener, as many WebSocket clients, the same rate published to them.")

        @Option(help: "WebSocket sessions, each a different partner.") var sessions = 200
        @Option(help: "Events per second on the bus.") var rate = 100
        @Option(help: "Seconds of load.") var seconds = 20
        @Option(help: "nats-server binary.") var natsServer = "/usr/sbin/nats-server"
        @OptionGroup var options: Bench.Options

        func run() async throws {
            try Bench.requireNATS(natsServer)
            try await Bench.report("concord-bench-console", json: options.json) { scratch in
                try await ConsoleBenchmark(concordBinary: Bench.ownBinary, natsServer: natsServer, sessions: sessions, rate: rate, seconds: seconds,
                                           scratch: scratch, catalog: Parts.catalog, keys: Bench.keys).run()
            } text: { result in
                func figures(_ latency: ConsoleBenchmark.Latency) -> String {
                    String(format: "p50 %.1f ms   p99 %.1f ms   max %.1f ms", latency.p50_ms, latency.p99_ms, latency.max_ms)
                }
                return """
                    concord bench console: \(result.sessions) WebSocket sessions as \(result.sessions) partners, \(result.rate) events/s, \(result.events) events (\(result.received) measured)
                      concord  bus event → console WebSocket     \(figures(result.concord))   (target p99 < 100 ms)
                      nats     publish → nats-server WebSocket   \(figures(result.nats))
                      p99 ratio concord / nats: \(String(format: "%.2f", result.p99_ratio))
                      memory: \(String(format: "%.0f", result.kib_per_session)) KiB per session (concord up \(String(format: "%.1f", result.rss_before_mib)) MiB before sign-in, \(String(format: "%.1f", result.rss_after_mib)) MiB with every session open)
                    """
            }
        }
    }

    struct ServicesBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "services",
            abstract: "Sustained commands per second through one service (logistics, journaling on), with command-to-event latency, against the bus's raw publish rate.")

        @Option(help: "Commands to send.") var count = 50_000
        @Option(help: "Commands in flight at most.") var inFlight = 512
        @OptionGroup var options: Bench.Options

        func run() async throws {
            try await Bench.report("concord-bench-services", json: options.json) { scratch in
                try await ServiceBenchmark(concordBinary: Bench.ownBinary, commands: count, inFlight: inFlight, scratch: scratch,
                                           limits: options.limits, keys: Bench.keys).run()
            } text: { result in """
                concord bench services: \(result.commands) cmd.logistics.request.create, at most \(result.in_flight) in flight, journaling on
                  commands answered                 \(Int(result.commands_per_s)) /s
                  command → event latency           p50 \(String(format: "%.2f", result.event_p50_ms)) ms   p99 \(String(format: "%.2f", result.event_p99_ms)) ms
                  events (one per command)          \(result.events) of \(result.commands)
                  bus raw publish rate (reference)  \(Int(result.raw_bus_per_s)) msg/s   ratio \(String(format: "%.3f", result.ratio))
                """
            }
        }
    }

    struct ReplayBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "replay",
            abstract: "concord replay --speed max into a proxy with one consumer, against the bus's raw publish rate; with the replayer's peak memory.")

        @Option(help: "Messages in the cassette.") var count = 1_000_000
        @OptionGroup var options: Bench.Options

        func run() async throws {
            try await Bench.report("concord-bench-replay", json: options.json) { scratch in
                try await ReplayBenchmark(concordBinary: Bench.ownBinary, messages: count, scratch: scratch, limits: options.limits).run()
            } text: { result in """
                concord bench replay: \(result.messages) messages, \(String(format: "%.0f", result.cassette_mb)) MB cassette, concord replay --speed max, 1 consumer, loopback TCP
                  replayed                          \(Int(result.replay_per_s)) msg/s
                  bus raw publish rate (reference)  \(Int(result.raw_bus_per_s)) msg/s   ratio \(String(format: "%.3f", result.ratio))
                  replayer's peak memory            \(String(format: "%.0f", result.replayer_peak_mb)) MB
                """
            }
        }
    }
}
