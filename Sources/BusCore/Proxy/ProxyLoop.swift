import CZeroMQ
import Logging
import Metrics

/// The proxy's owner-thread loop: the only code that touches its sockets.
final class ProxyLoop: @unchecked Sendable {
    // @unchecked: sockets are opened and used inside `run` only, on the proxy's thread.
    private let configuration: BusProxy.Configuration
    private let context: ZMQContext
    private let mailbox: Mailbox<BusProxy.Command>
    private let started: PendingReplies<BusEndpoints>
    private let counts: BusProxy.Counts
    private let forwardedCounter = Counter(label: "concord_proxy_messages_total", dimensions: [("outcome", "forwarded")])
    private let droppedCounter = Counter(label: "concord_proxy_messages_total", dimensions: [("outcome", "dropped")])

    init(configuration: BusProxy.Configuration, context: ZMQContext, mailbox: Mailbox<BusProxy.Command>,
         started: PendingReplies<BusEndpoints>, counts: BusProxy.Counts) {
        self.counts = counts
        self.configuration = configuration
        self.context = context
        self.mailbox = mailbox
        self.started = started
    }

    struct Sockets {
        let xsub: ZMQSocket
        let xpub: ZMQSocket
        let capture: ZMQSocket
        let replay: ZMQSocket
    }

    func run() {
        let sockets: Sockets
        do {
            let (opened, resolved) = try open()
            sockets = opened
            started.complete("start", with: .success(resolved))
        } catch {
            started.complete("start", with: .failure(error))
            return
        }
        defer { [sockets.xsub, sockets.xpub, sockets.capture, sockets.replay].forEach { $0.close() } }
        var replay = ReplayForwarder(sockets: sockets, configuration: configuration, counts: counts)
        while true {
            var items = [mailbox.signal.pollItem, sockets.xsub.pollItem(), sockets.xpub.pollItem(),
                         sockets.replay.pollItem(readable: !replay.isHolding)]
            // While a replayed message waits for a full subscriber, look again every millisecond.
            if zmq_poll(&items, 4, replay.isHolding ? 1 : 1_000) < 0 {
                if zmq_errno() == ETERM { return }
                continue
            }
            if items[0].revents != 0, mailbox.drain().contains(where: { if case .stop = $0 { true } else { false } }) {
                return
            }
            if items[1].revents != 0 { forwardLive(sockets) }
            if items[2].revents != 0 {
                // Subscriptions stop here: upstream already receives everything.
                while (try? sockets.xpub.receive()) != nil {}
            }
            if replay.isHolding || items[3].revents != 0 { replay.pump() }
        }
    }

    /// Binds the sockets; an address that cannot be bound fails the start, naming it.
    private func open() throws -> (Sockets, BusEndpoints) {
        let sockets = Sockets(xsub: try ZMQSocket(context, .xsub, linger: 0), xpub: try ZMQSocket(context, .xpub, linger: 1_000),
                              capture: try ZMQSocket(context, .pub, linger: 1_000), replay: try ZMQSocket(context, .router, linger: 1_000))
        for socket in [sockets.xsub, sockets.xpub, sockets.capture] {
            try socket.setHighWaterMarks(send: configuration.highWaterMark, receive: configuration.highWaterMark)
        }
        // The replay socket's own queue stays small: back-pressure reaches the replayer sooner.
        try sockets.replay.setHighWaterMarks(send: 1_000, receive: 1_000)
        let bind = configuration.bind
        try Self.bind(sockets.xsub, bind.publish, "the bus's publish socket")
        try Self.bind(sockets.xpub, bind.subscribe, "the bus's subscribe socket")
        try Self.bind(sockets.capture, bind.capture, "the bus's capture socket")
        try Self.bind(sockets.replay, bind.replay, "the bus's replay socket")
        // lastEndpoint reports the last bind, so the extra ones are resolved before them.
        let resolved = BusEndpoints(publish: try sockets.xsub.lastEndpoint(), subscribe: try sockets.xpub.lastEndpoint(),
                                    capture: try sockets.capture.lastEndpoint(), replay: try sockets.replay.lastEndpoint())
        for extra in configuration.alsoBind {
            try Self.bind(sockets.xsub, extra.publish, "the bus's publish socket")
            try Self.bind(sockets.xpub, extra.subscribe, "the bus's subscribe socket")
            try Self.bind(sockets.capture, extra.capture, "the bus's capture socket")
            try Self.bind(sockets.replay, extra.replay, "the bus's replay socket")
        }
        // Subscribe upstream to everything: see BusProxy's comment.
        try sockets.xsub.send([[1]], wait: true)
        return (sockets, resolved)
    }

    private static func bind(_ socket: ZMQSocket, _ endpoint: String, _ what: String) throws {
        do {
            try socket.bind(endpoint)
        } catch let error as ZMQError {
            throw ListenError(what: what, address: endpoint, reason: error.message)
        }
    }

    /// Forwards up to a burst of live messages, counting what was dropped as malformed.
    private func forwardLive(_ sockets: Sockets) {
        var forwarded = 0, dropped = 0
        for _ in 0..<1_024 {
            guard let outcome = forwardOne(sockets) else { break }
            if outcome { forwarded += 1 } else { dropped += 1 }
        }
        guard forwarded + dropped > 0 else { return }
        counts.forwarded.add(forwarded, ordering: .relaxed)
        counts.dropped.add(dropped, ordering: .relaxed)
        forwardedCounter.increment(by: forwarded)
        if dropped > 0 {
            droppedCounter.increment(by: dropped)
            configuration.logger.warning("dropped malformed or oversized bus messages", metadata: ["proxy.dropped": "\(dropped)"])
        }
    }

    /// Moves one whole message without copying its bytes. Returns nil when none is waiting,
    /// true when forwarded, false when dropped as malformed or oversized.
    private func forwardOne(_ sockets: Sockets) -> Bool? {
        var frames = ZMQFrames()
        defer { frames.close() }
        guard let complete = frames.receive(from: sockets.xsub, maxFrames: 2) else { return nil }
        guard complete, frames.isTopicAndEnvelope(maxBytes: configuration.maxMessageBytes) else { return false }
        var capture = frames.duplicate()
        _ = capture.send(to: sockets.capture)
        capture.close()
        _ = frames.send(to: sockets.xpub)
        return true
    }
}
