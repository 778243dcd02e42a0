import BusCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Taps the proxy's capture endpoint and writes what passes to a cassette, optionally only what
/// one partner could receive. A swift-service-lifecycle `Service`: on graceful shutdown (SIGTERM)
/// it flushes and closes, so a stopped recording is a whole cassette. ZeroMQ reconnects by
/// itself when the bus restarts, and the recording goes on.
public final class Recorder: Service, Sendable {
    public struct Configuration: Sendable {
        public var capture: String
        public var output: String
        /// Topic prefixes to keep; empty keeps every topic.
        public var topics: [String] = []
        /// Keep only what this partner could receive from the gateway.
        public var releasableTo: String?
        /// The highest classification kept (the partner's clearance when `releasableTo` is set).
        public var maxClassification: Classification?
        /// How often buffered lines reach the file.
        public var flushInterval: Duration = .milliseconds(200)
        public var logger = Logger(label: "concord.recorder")
        /// On a secure bus: the recorder's (or operator's) identity and keys for the capture socket.
        public var security: BusSecurity?

        public init(capture: String, output: String) {
            self.capture = capture
            self.output = output
        }

        /// Whether a message with this label may go on the cassette. Fails closed: with any
        /// redaction, an unlabelled message is withheld, as the gateway withholds it.
        func keeps(_ label: (classification: String?, releasableTo: [String])?) -> Bool {
            guard releasableTo != nil || maxClassification != nil else { return true }
            guard let label else { return false }
            if let partner = releasableTo {
                return Releasability.allows(classification: label.classification, releasableTo: label.releasableTo,
                                            partner: partner, clearance: maxClassification ?? .unclassified)
            }
            guard let level = label.classification.flatMap(Classification.init(rawValue:)) else { return false }
            return level <= maxClassification!
        }
    }

    /// What a recording did.
    public struct Summary: Sendable, Equatable, CustomStringConvertible {
        public var written = 0
        /// Left out by the redaction.
        public var withheld = 0
        /// Not an envelope, so not recorded.
        public var unreadable = 0

        public var description: String {
            "wrote \(written) messages, withheld \(withheld) by redaction, dropped \(unreadable) unreadable"
        }
    }

    let configuration: Configuration
    let context: ZMQContext
    private let stopping = Atomic<Bool>(false)
    private let ready = ReadySignal<Void>()
    private let finished = ReadySignal<Summary>()

    public init(configuration: Configuration, context: ZMQContext) {
        self.configuration = configuration
        self.context = context
    }

    /// Waits until the recorder is subscribed and writing.
    public func waitUntilReady() async throws { try await ready.wait() }

    /// Stops the recording; `run` returns once the cassette is flushed and closed.
    public func stop() { stopping.store(true, ordering: .relaxed) }

    public func run() async throws {
        let thread = Thread { [self] in
            do {
                finished.succeed(try record())
            } catch {
                ready.fail(error)
                finished.fail(error)
            }
        }
        thread.name = "concord-recorder"
        thread.start()
        let summary = try await withGracefulShutdownHandler {
            try await finished.wait()
        } onGracefulShutdown: { [self] in
            stop()
        }
        configuration.logger.notice("recording stopped", metadata: [
            "recorder.output": "\(configuration.output)", "recorder.written": "\(summary.written)",
            "recorder.withheld": "\(summary.withheld)", "recorder.unreadable": "\(summary.unreadable)",
        ])
    }

    /// The summary of a finished recording.
    public var summary: Summary {
        get async throws { try await finished.wait() }
    }

    /// The recording loop, on its own thread: blocking receives with a short timeout so a stop
    /// is seen within one.
    private func record() throws -> Summary {
        let socket = try ZMQSocket(context, .sub, linger: 0)
        defer { socket.close() }
        try socket.setHighWaterMarks(send: 0, receive: 0)
        try socket.setReceiveTimeout(milliseconds: 100)
        try configuration.security?.connect(socket, toServer: BusSecurity.busIdentity)
        try socket.connect(configuration.capture)
        for prefix in configuration.topics.isEmpty ? [""] : configuration.topics { try socket.subscribe(prefix) }

        let started = ContinuousClock.now
        let writer = try CassetteWriter(path: configuration.output, header: CassetteHeader(
            started: Date(), concord: ConcordVersion.current, capture: configuration.capture, topics: configuration.topics,
            releasableTo: configuration.releasableTo, maxClassification: configuration.maxClassification?.rawValue))
        var summary = Summary()
        var lastFlush = started
        ready.succeed(())
        while !stopping.load(ordering: .relaxed) {
            if let frames = try socket.receive(wait: true) {
                // A connection's readiness probe carries no envelope: not traffic.
                if frames.count == 2, frames[1].isEmpty { continue }
                guard frames.count == 2, let topic = String(validating: frames[0], as: UTF8.self),
                      EnvelopeCodec.isValidJSON(frames[1]) else {
                    summary.unreadable += 1
                    continue
                }
                guard configuration.keeps(EnvelopeCodec.label(of: frames[1])) else {
                    summary.withheld += 1
                    continue
                }
                let offset = (ContinuousClock.now - started) / .milliseconds(1)
                try writer.append(CassetteEntry(offset: Int64(offset), topic: topic, envelope: frames[1]))
                summary.written += 1
            }
            if ContinuousClock.now - lastFlush >= configuration.flushInterval {
                try writer.flush()
                lastFlush = .now
            }
        }
        try writer.close()
        return summary
    }
}

/// The version recorded in cassette headers.
public enum ConcordVersion {
    public static let current = "0.5.0"
}
