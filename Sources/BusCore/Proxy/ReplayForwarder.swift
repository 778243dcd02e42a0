import CZeroMQ
import Foundation
import Logging
import Metrics

/// The proxy's replay path, on the proxy's thread: messages from replayers' DEALERs are
/// forwarded only when every matching subscriber has room, so a replay goes as fast as its
/// slowest subscriber and loses nothing. A subscriber still full after the patience stops
/// holding the replay up: its misses are counted per replayer and reported when the replayer
/// asks (`ReplayLink.finish`).
///
/// Wire format on the replay socket: `[topic][envelope]` to forward; one empty frame asks for
/// the report, answered with one frame of JSON (`ReplayReport`).
struct ReplayForwarder {
    private let sockets: ProxyLoop.Sockets
    private let patience: Duration
    private let maxBytes: Int
    private let counts: BusProxy.Counts
    private let logger: Logger
    private let replayedCounter = Counter(label: "concord_proxy_messages_total", dimensions: [("outcome", "replayed")])
    private let replayDroppedCounter = Counter(label: "concord_proxy_messages_total", dimensions: [("outcome", "replay_dropped")])

    /// A replayed message waiting for a full subscriber.
    private struct Held {
        var frames: ZMQFrames
        let replayer: [UInt8]
        let since: ContinuousClock.Instant
    }

    private var held: Held?
    /// Set once a subscriber outlasted the patience: until a message reaches every subscriber
    /// again, a full subscriber's copy is dropped at once instead of waited for.
    private var degraded = false
    /// What each replayer's messages came to, by its routing id, until it asks for the report.
    private var reports: [[UInt8]: ReplayReport] = [:]

    init(sockets: ProxyLoop.Sockets, configuration: BusProxy.Configuration, counts: BusProxy.Counts) {
        self.sockets = sockets
        patience = configuration.replayPatience
        maxBytes = configuration.maxMessageBytes
        self.counts = counts
        logger = configuration.logger
    }

    /// Whether a message waits for room; the replay socket is not read meanwhile.
    var isHolding: Bool { held != nil }

    /// Delivers the held message if it can, then reads and forwards until a message must wait.
    mutating func pump() {
        if var waiting = held {
            guard deliver(&waiting.frames, replayer: waiting.replayer, since: waiting.since) else {
                held = waiting
                return
            }
            waiting.frames.close()
            held = nil
        }
        for _ in 0..<1_024 {
            var frames = ZMQFrames()
            guard let complete = frames.receive(from: sockets.replay, maxFrames: 3) else { return }
            let replayer = frames.bytes(at: 0)
            if complete, frames.count == 2, frames.size(at: 1) == 0 {
                frames.close()
                sendReport(to: replayer)
                continue
            }
            guard complete, frames.isTopicAndEnvelope(from: 1, maxBytes: maxBytes) else {
                frames.close()
                update(replayer) { $0.malformed += 1 }
                counts.dropped.add(1, ordering: .relaxed)
                continue
            }
            let now = ContinuousClock.now
            guard deliver(&frames, replayer: replayer, since: now) else {
                held = Held(frames: frames, replayer: replayer, since: now)
                return
            }
            frames.close()
        }
    }

    /// Forwards one message to every matching subscriber if all have room; after the
    /// patience (or at once when degraded), to those that have room, counting the miss.
    private mutating func deliver(_ frames: inout ZMQFrames, replayer: [UInt8], since: ContinuousClock.Instant) -> Bool {
        var capture = frames.duplicate(from: 1)
        defer { capture.close() }
        try? sockets.xpub.set(ZMQ_XPUB_NODROP, 1)
        let whole = frames.send(to: sockets.xpub, from: 1)
        try? sockets.xpub.set(ZMQ_XPUB_NODROP, 0)
        if whole {
            degraded = false
            update(replayer) { $0.forwarded += 1 }
            counts.replayed.add(1, ordering: .relaxed)
            replayedCounter.increment()
        } else {
            guard degraded || ContinuousClock.now - since >= patience else { return false }
            if !degraded {
                logger.warning("a subscriber stayed full past the replay patience; what it misses of the replay is counted and reported to the replayer",
                               metadata: ["proxy.replay_patience": "\(patience)"])
            }
            degraded = true
            _ = frames.send(to: sockets.xpub, from: 1)
            update(replayer) { $0.dropped += 1 }
            counts.replayDropped.add(1, ordering: .relaxed)
            replayDroppedCounter.increment()
        }
        _ = capture.send(to: sockets.capture)
        return true
    }

    private mutating func update(_ replayer: [UInt8], _ change: (inout ReplayReport) -> Void) {
        // Bounded: replayers that vanished without asking for their report are forgotten.
        if reports[replayer] == nil, reports.count >= 1_024, let any = reports.keys.first { reports[any] = nil }
        change(&reports[replayer, default: ReplayReport()])
    }

    private mutating func sendReport(to replayer: [UInt8]) {
        let report = reports.removeValue(forKey: replayer) ?? ReplayReport()
        let json = (try? JSONEncoder().encode(report)).map { [UInt8]($0) } ?? []
        _ = try? sockets.replay.send([replayer, json])
    }
}

/// What the proxy did with one replayer's messages, since it last asked.
public struct ReplayReport: Codable, Sendable, Equatable {
    /// Forwarded to every matching subscriber.
    public var forwarded = 0
    /// Forwarded, but missed by at least one subscriber that stayed full past the patience.
    public var dropped = 0
    /// Not `[topic][envelope]` or over the size limit: forwarded to no one.
    public var malformed = 0

    public init(forwarded: Int = 0, dropped: Int = 0, malformed: Int = 0) {
        self.forwarded = forwarded
        self.dropped = dropped
        self.malformed = malformed
    }
}
