import Agents
import ArgumentParser
import BusCore
import Foundation
import Logging
import ServiceLifecycle

/// The recorder's options, for `concord record` and `concord run recorder`.
struct RecordOptions: ParsableArguments {
    @Option(help: "The cassette to write. Env: CONCORD_RECORD_OUT.")
    var out = EnvironmentKey.recordOut.value(or: "concord.cassette.jsonl")

    @Option(name: .customLong("topic"), help: "Record only topics with this prefix (repeatable). Env: CONCORD_RECORD_TOPICS, comma-separated.")
    var topics: [String] = EnvironmentKey.recordTopics.value?.split(separator: ",").map(String.init) ?? []

    @Option(help: "Keep only what this partner could receive from the gateway. Env: CONCORD_RECORD_RELEASABLE_TO.")
    var releasableTo: String?

    @Option(help: "Keep nothing above this classification; with --releasable-to, the partner's clearance (default UNCLASSIFIED). Env: CONCORD_RECORD_MAX_CLASSIFICATION.")
    var maxClassification: String?

    func configuration(capture: String, security: BusSecurity) throws -> Recorder.Configuration {
        var configuration = Recorder.Configuration(capture: capture, output: out)
        configuration.security = security
        configuration.topics = topics
        // The environment stands in for an option not given.
        configuration.releasableTo = releasableTo ?? EnvironmentKey.recordReleasableTo.value
        if let maxClassification = maxClassification ?? EnvironmentKey.recordMaxClassification.value {
            guard let level = Classification(rawValue: maxClassification.uppercased()) else {
                throw ValidationError("unknown classification '\(maxClassification)'; choose \(Classification.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            configuration.maxClassification = level
        }
        return configuration
    }
}

/// `concord record`: writes what passes on the bus to a cassette until stopped.
struct Record: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record bus traffic to a cassette until Ctrl-C or SIGTERM.",
        discussion: "Taps the proxy's capture endpoint. With --releasable-to the cassette holds only what that partner could have received; see docs/replay.md.")

    @OptionGroup var record: RecordOptions
    @OptionGroup var bus: BusOptions

    @Option(help: "Log level. Env: CONCORD_LOG_LEVEL.")
    var logLevel = EnvironmentKey.logLevel.value(or: "notice")

    func run() async throws {
        LogSetup.bootstrap(level: logLevel)
        let recorder = Recorder(configuration: try record.configuration(capture: bus.endpoints.capture, security: try bus.operatorSecurity()),
                                context: try ZMQContext())
        let group = ServiceGroup(services: [recorder], gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "concord.record"))
        try await group.run()
        print("\(record.out): \(try await recorder.summary)")
    }
}

/// `concord replay`: plays a cassette into a running bus.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Play a cassette into a running bus.",
        discussion: "Replayed events keep their identity, so consumers that already have them ignore them. Replay only commands (--topic cmd.) to rebuild services' state in an empty deployment; see docs/replay.md.")

    @Argument(help: "The cassette.")
    var cassette: String

    @Option(help: "1 for the recorded pace, N for N times faster, max for as fast as the bus takes it.", transform: Replayer.Speed.option)
    var speed = Replayer.Speed.original

    @Option(help: "Start this many milliseconds into the recording.")
    var fromOffset: Int64 = 0

    @Option(help: "Start at this time (RFC 3339) of the recording.")
    var from: String?

    @Option(name: .customLong("topic"), help: "Replay only topics with this prefix (repeatable).")
    var topics: [String] = []

    @Flag(help: "Re-stamp events as new ones from concord/replay (new ids, no sequence).")
    var asNew = false

    @Flag(help: "Stop at the first unreadable line instead of skipping it, and exit non-zero when a subscriber missed replayed messages.")
    var strict = false

    @OptionGroup var bus: BusOptions

    func run() async throws {
        LogSetup.bootstrap(level: "error")
        var options = Replayer.Options()
        options.speed = speed
        options.topics = topics
        options.asNew = asNew
        options.strict = strict
        options.fromOffset = fromOffset
        let header: CassetteHeader
        do {
            header = try Replayer(path: cassette, options: options).header()
        } catch let error as CassetteError {
            throw CommandFailure("\(cassette): \(error)")
        }
        if let from {
            guard let time = Timestamp.parse(from), let start = Timestamp.parse(header.started) else {
                throw ValidationError("--from takes an RFC 3339 time, e.g. 2026-11-21T14:45:03Z")
            }
            options.fromOffset = max(0, Int64(time.timeIntervalSince(start) * 1000))
        }
        let context = try ZMQContext()
        let link = try await ReplayLink.connect(endpoint: bus.endpoints.replay, context: context, security: try bus.operatorSecurity())
        do {
            let summary = try await Replayer(path: cassette, options: options).play(into: link) { error in
                FileHandle.standardError.write(Data("\(cassette): \(error)\n".utf8))
            }
            await link.close()
            print("\(cassette): \(summary)")
        } catch {
            await link.close()
            if let stop = error as? Replayer.StrictStop { throw CommandFailure("\(cassette): \(stop)") }
            throw error
        }
    }
}

extension Replayer.Speed {
    /// Reads `--speed` for `concord replay` and `concord scenario`, naming what it takes.
    static func option(_ argument: String) throws -> Self {
        guard let speed = Self(argument: argument) else { throw ValidationError("--speed takes a positive number or max, not '\(argument)'") }
        return speed
    }
}
