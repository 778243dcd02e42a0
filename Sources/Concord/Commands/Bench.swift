import Agents
import ArgumentParser
import Foundation

/// `concord bench …`: throughput figures measured against a reference in the same run.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput against a reference in the same run.", subcommands: [BusBench.self])

    struct BusBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bus",
            abstract: "Envelopes per second through a real proxy, against raw pre-encoded bytes and against journaled publishing.")

        @Option(help: "Messages per mode.") var count = 100_000
        @Option(help: "Events per transaction in durable mode (group commit).") var durableBatch = 64
        @Flag(help: "Print one JSON object.") var json = false

        func run() async throws {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("concord-bench-\(getpid())")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            let result = try await BusBenchmark(messages: count, durableBatch: durableBatch, scratch: scratch).run()
            if json { return try printJSON(result) }
            print("""
                concord bench bus: \(result.messages) messages per mode, \(result.envelope_bytes)-byte envelopes, 1 publisher, 1 subscriber, loopback TCP
                  raw (pre-encoded bytes, reference)   \(Int(result.raw_per_s)) msg/s
                  envelopes (encode + decode)          \(Int(result.envelopes_per_s)) msg/s   ratio \(String(format: "%.3f", result.ratio))
                  durable (journaled, \(result.durable_batch) per tx)      \(Int(result.durable_per_s)) msg/s   ratio \(String(format: "%.3f", result.durable_ratio))
                  durable (journaled, 1 per tx)        \(Int(result.durable_single_per_s)) msg/s   ratio \(String(format: "%.3f", result.durable_single_per_s / result.raw_per_s))
                """)
        }
    }
}
