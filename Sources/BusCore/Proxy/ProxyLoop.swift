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
    private let refusedCounter = Counter(label: "concord_proxy_messages_total", dimensions: [("outcome", "refused")])
    private let refusedSubscriptionCounter = Counter(label: "concord_proxy_subscriptions_refused_total")

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
        /// On a secure bus, one publish socket per in-process part, with the identity it serves.
        var localPublishers: [(socket: ZMQSocket, identity: String)] = []
        /// On a secure bus, the failed handshakes of each network socket.
        var watches: [HandshakeWatch] = []
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
        defer {
            sockets.watches.forEach { $0.close() }
            ([sockets.xsub, sockets.xpub, sockets.capture, sockets.replay] + sockets.localPublishers.map(\.socket)).forEach { $0.close() }
        }
        var replay = ReplayForwarder(sockets: sockets, configuration: configuration, counts: counts)
        while true {
            var items = [mailbox.signal.pollItem, sockets.xsub.pollItem(), sockets.xpub.pollItem(),
                         sockets.replay.pollItem(readable: !replay.isHolding)] + sockets.localPublishers.map { $0.socket.pollItem() }
                + sockets.watches.map { $0.pollItem() }
            // While a replayed message waits for a full subscriber, look again every millisecond.
            if zmq_poll(&items, Int32(items.count), replay.isHolding ? 1 : 1_000) < 0 {
                if zmq_errno() == ETERM { return }
                continue
            }
            if items[0].revents != 0, mailbox.drain().contains(where: { if case .stop = $0 { true } else { false } }) {
                return
            }
            if items[1].revents != 0 { forwardLive(from: sockets.xsub, identity: nil, sockets) }
            for (index, local) in sockets.localPublishers.enumerated() where items[4 + index].revents != 0 {
                forwardLive(from: local.socket, identity: local.identity, sockets)
            }
            let watched = 4 + sockets.localPublishers.count
            for (index, watch) in sockets.watches.enumerated() where items[watched + index].revents != 0 {
                counts.failedHandshakes.add(watch.drain(), ordering: .relaxed)
            }
            if items[2].revents != 0 { takeSubscriptions(sockets.xpub) }
            if replay.isHolding || items[3].revents != 0 { replay.pump() }
        }
    }

    /// Reads subscription messages. Upstream already receives everything, so they stop here; on
    /// a secure bus (`ZMQ_XPUB_MANUAL`) each is applied only when its sender may read the prefix.
    private func takeSubscriptions(_ xpub: ZMQSocket) {
        guard let rights = configuration.security?.rights else {
            while (try? xpub.receive()) != nil {}
            return
        }
        var refused = 0, lastRefusal = ""
        for _ in 0..<1_024 {
            var frames = ZMQFrames()
            defer { frames.close() }
            guard frames.receive(from: xpub, maxFrames: 1) == true else { if frames.count == 0 { break } else { continue } }
            let bytes = frames.bytes(at: 0)
            guard let kind = bytes.first, kind <= 1 else { continue }
            let prefix = String(decoding: bytes.dropFirst(), as: UTF8.self)
            guard kind == 1 else {
                try? xpub.set(ZMQ_UNSUBSCRIBE, bytes: Array(bytes.dropFirst()))
                continue
            }
            // In-process parts have no handshake and hence no metadata; their own connection
            // narrowed the subscription by the same rights. A network peer always has a User-Id.
            let identity = frames.property("User-Id", at: 0)
            let local = identity == nil && frames.property("Peer-Address", at: 0) == nil
            if local || identity.map({ rights.mayRead($0, prefix: prefix) }) == true {
                try? xpub.set(ZMQ_SUBSCRIBE, bytes: Array(bytes.dropFirst()))
            } else {
                refused += 1
                lastRefusal = "\(identity ?? "an unauthenticated peer") may not read '\(prefix)'"
            }
        }
        guard refused > 0 else { return }
        counts.refusedSubscriptions.add(refused, ordering: .relaxed)
        refusedSubscriptionCounter.increment(by: refused)
        configuration.logger.warning("refused bus subscriptions", metadata: ["proxy.refused": "\(refused)", "proxy.reason": "\(lastRefusal)"])
    }

    /// Binds the sockets; an address that cannot be bound fails the start, naming it.
    private func open() throws -> (Sockets, BusEndpoints) {
        var sockets = Sockets(xsub: try ZMQSocket(context, .xsub, linger: 0), xpub: try ZMQSocket(context, .xpub, linger: 1_000),
                              capture: try ZMQSocket(context, .pub, linger: 1_000), replay: try ZMQSocket(context, .router, linger: 1_000))
        for socket in [sockets.xsub, sockets.xpub, sockets.capture] {
            try socket.setHighWaterMarks(send: configuration.highWaterMark, receive: configuration.highWaterMark)
        }
        // The replay socket's own queue stays small: back-pressure reaches the replayer sooner.
        try sockets.replay.setHighWaterMarks(send: 1_000, receive: 1_000)
        if let security = configuration.security {
            // ZAP answers every handshake from here on: no socket is served before it listens.
            _ = try ZAPHandler.start(on: context, keyring: security.keyring, rights: security.rights, logger: configuration.logger)
            try security.serve(sockets.xsub, as: .publish)
            try security.serve(sockets.xpub, as: .subscribe)
            try security.serve(sockets.capture, as: .capture)
            try security.serve(sockets.replay, as: .replay)
            try sockets.xpub.set(ZMQ_XPUB_MANUAL, 1)
            sockets.watches = try [(sockets.xsub, "publish"), (sockets.xpub, "subscribe"), (sockets.capture, "capture"), (sockets.replay, "replay")]
                .map { try HandshakeWatch($0.0, context: context, what: "the bus's \($0.1) socket", logger: configuration.logger) }
        }
        let bind = configuration.bind
        try Self.bind(sockets.xsub, bind.publish, "the bus's publish socket")
        try Self.bind(sockets.xpub, bind.subscribe, "the bus's subscribe socket")
        try Self.bind(sockets.capture, bind.capture, "the bus's capture socket")
        try Self.bind(sockets.replay, bind.replay, "the bus's replay socket")
        // lastEndpoint reports the last bind, so the extra ones are resolved before them.
        let resolved = BusEndpoints(publish: try sockets.xsub.lastEndpoint(), subscribe: try sockets.xpub.lastEndpoint(),
                                    capture: try sockets.capture.lastEndpoint(), replay: try sockets.replay.lastEndpoint())
        for extra in configuration.alsoBind {
            if configuration.security != nil {
                for identity in configuration.localIdentities {
                    let socket = try ZMQSocket(context, .xsub, linger: 0)
                    try socket.setHighWaterMarks(send: configuration.highWaterMark, receive: configuration.highWaterMark)
                    let endpoint = extra.forIdentity(identity).publish
                    try Self.bind(socket, endpoint, "the bus's publish socket for \(identity)")
                    try socket.send([[1]], wait: true)
                    sockets.localPublishers.append((socket, identity))
                }
            } else {
                try Self.bind(sockets.xsub, extra.publish, "the bus's publish socket")
            }
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

    enum Outcome { case forwarded, dropped, refused(String) }

    /// Forwards up to a burst of live messages from `socket`, counting what was dropped as
    /// malformed and what was refused as not its sender's to say. `identity` is the sender
    /// of an in-process socket; network senders are named by ZAP on each message.
    private func forwardLive(from socket: ZMQSocket, identity: String?, _ sockets: Sockets) {
        var forwarded = 0, dropped = 0, refused = 0, lastRefusal = ""
        for _ in 0..<1_024 {
            guard let outcome = forwardOne(from: socket, identity: identity, sockets) else { break }
            switch outcome {
            case .forwarded: forwarded += 1
            case .dropped: dropped += 1
            case .refused(let reason):
                refused += 1
                lastRefusal = reason
            }
        }
        guard forwarded + dropped + refused > 0 else { return }
        counts.forwarded.add(forwarded, ordering: .relaxed)
        counts.dropped.add(dropped, ordering: .relaxed)
        forwardedCounter.increment(by: forwarded)
        if dropped > 0 {
            droppedCounter.increment(by: dropped)
            configuration.logger.warning("dropped malformed or oversized bus messages", metadata: ["proxy.dropped": "\(dropped)"])
        }
        if refused > 0 {
            counts.refused.add(refused, ordering: .relaxed)
            refusedCounter.increment(by: refused)
            configuration.logger.warning("refused bus messages", metadata: ["proxy.refused": "\(refused)", "proxy.reason": "\(lastRefusal)"])
        }
    }

    /// Moves one whole message without copying its bytes. Returns nil when none is waiting.
    private func forwardOne(from socket: ZMQSocket, identity: String?, _ sockets: Sockets) -> Outcome? {
        var frames = ZMQFrames()
        defer { frames.close() }
        guard let complete = frames.receive(from: socket, maxFrames: 2) else { return nil }
        guard complete, frames.isTopicAndEnvelope(maxBytes: configuration.maxMessageBytes) else { return .dropped }
        if let rights = configuration.security?.rights {
            guard let sender = identity ?? frames.property("User-Id", at: 0), !sender.isEmpty else {
                return .refused("a message from an unauthenticated peer")
            }
            let topic = frames.withBytes(at: 0) { String(decoding: $0, as: UTF8.self) }
            if let refusal = frames.withBytes(at: 1, { rights.publishRefusal(sender, topic: topic, payload: $0) }) {
                return .refused(refusal)
            }
        }
        var capture = frames.duplicate()
        _ = capture.send(to: sockets.capture)
        capture.close()
        _ = frames.send(to: sockets.xpub)
        return .forwarded
    }
}
