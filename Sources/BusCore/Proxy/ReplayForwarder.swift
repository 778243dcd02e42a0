import CZeroMQ
import Foundation
import Logging
import Metrics

/// The proxy's replay path, on the proxy's thread: messages from replayers' DEALERs are
/// forwarded only when every matching subscriber has room, so a replay goes as fast as its
/// slowest subscriber and loses nothing. A subscriber that takes nothing for the patience period
/// ends that replay: the waiting message and every later one from the same replayer are
/// forwarded to no one and counted, and the replayer learns how many when it asks
/// (`ReplayLink.finish`).
///
/// Why not forward to the others and count what the stuck one misses: libzmq's XPUB sets a full
/// subscriber aside on a lossy send and leaves it out of every later check, so the proxy could
/// no longer tell what that subscriber misses. Refusing the rest of the replay is the only
/// outcome that is counted exactly.
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
    /// What each replayer's messages came to, by its routing id, until it asks for the report.
    /// A report with `dropped > 0` marks a replay a stuck subscriber ended.
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
            // A replay a stuck subscriber ended forwards nothing more until its replayer asks.
            if (reports[replayer]?.dropped ?? 0) > 0 {
                frames.close()
                drop(replayer)
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

    /// Forwards one message if every matching subscriber has room; after the patience, gives
    /// up on it (and on the rest of its replay). False while it should wait.
    private mutating func deliver(_ frames: inout ZMQFrames, replayer: [UInt8], since: ContinuousClock.Instant) -> Bool {
        var capture = frames.duplicate(from: 1)
        defer { capture.close() }
        try? sockets.xpub.set(ZMQ_XPUB_NODROP, 1)
        let sent = frames.send(to: sockets.xpub, from: 1)
        try? sockets.xpub.set(ZMQ_XPUB_NODROP, 0)
        if sent {
            update(replayer) { $0.forwarded += 1 }
            counts.replayed.add(1, ordering: .relaxed)
            replayedCounter.increment()
            _ = capture.send(to: sockets.capture)
            return true
        }
        guard ContinuousClock.now - since >= patience else { return false }
        logger.warning("a subscriber took nothing for the replay patience; the rest of this replay is forwarded to no one, and the replayer is told how much",
                       metadata: ["proxy.replay_patience": "\(patience)"])
        drop(replayer)
        return true
    }

    private mutating func drop(_ replayer: [UInt8]) {
        update(replayer) { $0.dropped += 1 }
        counts.replayDropped.add(1, ordering: .relaxed)
        replayDroppedCounter.increment()
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
    /// Forwarded to no one: a subscriber took nothing for the patience period, which ended the replay.
    public var dropped = 0
    /// Not `[topic][envelope]` or over the size limit: forwarded to no one.
    public var malformed = 0

    public init(forwarded: Int = 0, dropped: Int = 0, malformed: Int = 0) {
        self.forwarded = forwarded
        self.dropped = dropped
        self.malformed = malformed
    }
}
