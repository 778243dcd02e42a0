import BusCore
import Foundation
import Logging

/// Plays a cassette into a bus: at the recorded pace, faster, or as fast as the bus takes it,
/// through the proxy's replay socket, which forwards a message only when every subscriber has
/// room for it (see `BusProxy`).
/// Envelopes keep their identity (id, source, sequence), so a consumer that already has an
/// event treats its replay as a duplicate; `asNew` re-stamps them as fresh events of
/// `concord/replay` instead.
public struct Replayer: Sendable {
    public enum Speed: Sendable, Equatable, CustomStringConvertible {
        case original
        case factor(Double)
        case max

        /// `1`, `10`, `0.5` or `max`.
        public init?(argument: String) {
            if argument == "max" { self = .max; return }
            guard let factor = Double(argument), factor > 0, factor.isFinite else { return nil }
            self = factor == 1 ? .original : .factor(factor)
        }

        public var description: String {
            switch self {
            case .original: "1"
            case .factor(let factor): "\(factor)"
            case .max: "max"
            }
        }
    }

    public struct Options: Sendable {
        public var speed = Speed.original
        /// Skip what was recorded before this many milliseconds.
        public var fromOffset: Int64 = 0
        /// Topic prefixes to replay; empty replays every topic.
        public var topics: [String] = []
        /// Re-stamp events as new ones from `concord/replay`.
        public var asNew = false
        /// Stop at the first line that cannot be read instead of skipping it, and fail when a
        /// subscriber missed replayed messages.
        public var strict = false

        public init() {}
    }

    public struct Summary: Sendable, Equatable, CustomStringConvertible {
        public var published = 0
        /// Outside the chosen topics or before the starting offset.
        public var skipped = 0
        /// Lines that could not be read.
        public var malformed = 0
        /// Replayed messages the proxy forwarded to no one: a subscriber took nothing for the
        /// proxy's replay patience, which ended the replay.
        public var dropped = 0
        /// Replayed messages the proxy refused (not `[topic][envelope]`, or over its size limit).
        public var refused = 0

        public init(published: Int = 0, skipped: Int = 0, malformed: Int = 0, dropped: Int = 0, refused: Int = 0) {
            self.published = published
            self.skipped = skipped
            self.malformed = malformed
            self.dropped = dropped
            self.refused = refused
        }

        /// Whether every replayed message reached every subscriber.
        public var isWhole: Bool { dropped == 0 && refused == 0 }

        public var description: String {
            var text = "replayed \(published) messages, skipped \(skipped), \(malformed) malformed lines"
            if dropped > 0 { text += "; \(dropped) not delivered: a subscriber took nothing for the proxy's replay patience" }
            if refused > 0 { text += "; \(refused) refused by the proxy" }
            return text
        }
    }

    /// Thrown with `strict` at the first unreadable line, or at the end when a subscriber
    /// missed replayed messages.
    public struct StrictStop: Error, CustomStringConvertible {
        public let error: CassetteError?
        public let summary: Summary
        public var description: String {
            if let error { return "stopped at \(error) (--strict); \(summary)" }
            return "the replay did not reach every subscriber (--strict); \(summary)"
        }
    }

    public let path: String
    public let options: Options
    public var logger = Logger(label: "concord.replay")

    public init(path: String, options: Options) {
        self.path = path
        self.options = options
    }

    /// The cassette's header, or why it cannot be replayed.
    public func header() throws -> CassetteHeader { try CassetteReader(path: path).header }

    /// Plays the cassette through the proxy's replay socket; each unreadable line goes to
    /// `report` (and is skipped unless `strict`). Returns once the proxy has forwarded
    /// everything, with what subscribers missed; with `strict`, a miss throws `StrictStop`.
    public func play(into link: ReplayLink, report: (CassetteError) -> Void = { _ in }) async throws -> Summary {
        let reader = try CassetteReader(path: path)
        var summary = Summary()
        let started = ContinuousClock.now
        while let next = try reader.next() {
            let entry: CassetteEntry
            switch next {
            case .success(let read): entry = read
            case .failure(let error):
                summary.malformed += 1
                logger.warning("unreadable cassette line", metadata: ["replay.line": "\(error.line ?? 0)", "replay.reason": "\(error.reason)"])
                report(error)
                if options.strict { throw StrictStop(error: error, summary: summary) }
                continue
            }
            guard entry.offset >= options.fromOffset,
                  options.topics.isEmpty || options.topics.contains(where: entry.topic.hasPrefix) else {
                summary.skipped += 1
                continue
            }
            try await pace(entry.offset - options.fromOffset, since: started)
            // Waits while the link's window is full: the replay goes as fast as the proxy forwards it.
            try await link.send(topic: entry.topic, payload: options.asNew ? restamped(entry.envelope) : entry.envelope)
            summary.published += 1
        }
        let outcome = try await link.finish()
        summary.dropped = outcome.dropped
        summary.refused = outcome.malformed
        if !summary.isWhole {
            logger.warning("replayed messages were missed", metadata: ["replay.dropped": "\(summary.dropped)", "replay.refused": "\(summary.refused)"])
            if options.strict { throw StrictStop(error: nil, summary: summary) }
        }
        return summary
    }

    /// Sleeps until the entry's time at the chosen speed.
    private func pace(_ offset: Int64, since started: ContinuousClock.Instant) async throws {
        let factor: Double
        switch options.speed {
        case .max: return
        case .original: factor = 1
        case .factor(let value): factor = value
        }
        let due = started + .milliseconds(Double(offset) / factor)
        if due > .now + .milliseconds(1) { try await Task.sleep(until: due, clock: .continuous) }
    }

    /// The same event as a fresh one from `concord/replay`: new id and time, no sequence, the
    /// original id kept in `replayof`. What cannot be decoded goes out unchanged.
    private func restamped(_ bytes: [UInt8]) -> [UInt8] {
        guard var envelope = try? EnvelopeCodec.decode(bytes) else { return bytes }
        envelope.extensions["replayof"] = envelope.id
        envelope.id = RandomID.uuid()
        envelope.source = "concord/replay"
        envelope.time = Timestamp.rfc3339(Date())
        envelope.sequence = nil
        return EnvelopeCodec.encode(envelope)
    }
}
