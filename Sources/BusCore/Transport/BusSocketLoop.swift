import CZeroMQ
import Logging

/// The owner-thread side of a `BusConnection`: creates the sockets, polls them together with
/// the mailbox's wake-up descriptor, and is the only code that ever touches them.
final class BusSocketLoop: @unchecked Sendable {
    // @unchecked: the sockets are created and used inside `run()` only, on the owner thread;
    // the other stored properties are Sendable.
    private let configuration: BusConnection.Configuration
    private let context: ZMQContext
    private let mailbox: Mailbox<BusConnection.Command>
    private let inboxPrefix: String
    private let messages: BoundedQueue<BusMessage>
    private let catchUpRequests: BoundedQueue<CatchUpRequest>
    private let replies: PendingReplies<BusMessage>
    private let callbacks: ReplyCallbacks
    private let fetches: PendingReplies<[[UInt8]]>
    private let started: PendingReplies<String>
    private var logger: Logger { configuration.logger }
    private let traffic = TrafficCounters()

    /// Messages taken from one socket before looking at the others again, for fairness.
    private let burst = 512

    init(configuration: BusConnection.Configuration, context: ZMQContext, mailbox: Mailbox<BusConnection.Command>,
         inboxPrefix: String, messages: BoundedQueue<BusMessage>, catchUpRequests: BoundedQueue<CatchUpRequest>,
         replies: PendingReplies<BusMessage>, callbacks: ReplyCallbacks, fetches: PendingReplies<[[UInt8]]>,
         started: PendingReplies<String>) {
        self.callbacks = callbacks
        self.configuration = configuration
        self.context = context
        self.mailbox = mailbox
        self.inboxPrefix = inboxPrefix
        self.messages = messages
        self.catchUpRequests = catchUpRequests
        self.replies = replies
        self.fetches = fetches
        self.started = started
    }

    private struct Sockets {
        let pub: ZMQSocket
        let sub: ZMQSocket
        let router: ZMQSocket?
        /// On a secure bus, the catch-up socket's failed handshakes.
        var watch: HandshakeWatch?
        var dealers: [String: ZMQSocket] = [:]
    }

    func run() {
        let sockets: Sockets
        do {
            sockets = try openSockets()
            started.complete("start", with: .success(try sockets.router?.lastEndpoint() ?? ""))
        } catch {
            started.complete("start", with: .failure(error))
            finish()
            return
        }
        var state = sockets
        poll(&state)
        // Close in order: outgoing messages already accepted get the linger period to leave.
        state.watch?.close()
        state.dealers.values.forEach { $0.close() }
        state.router?.close()
        state.sub.close()
        state.pub.close()
        finish()
    }

    private func finish() {
        messages.finish()
        catchUpRequests.finish()
        replies.failAll(BusError(.closed, "the bus connection was closed"))
        fetches.failAll(BusError(.closed, "the bus connection was closed"))
    }

    private func openSockets() throws -> Sockets {
        let security = configuration.security
        let endpoints = security.map { configuration.endpoints.forIdentity($0.identity) } ?? configuration.endpoints
        let pub = try ZMQSocket(context, .pub, linger: configuration.linger)
        try pub.setHighWaterMarks(send: configuration.highWaterMark, receive: configuration.highWaterMark)
        try security?.connect(pub, toServer: BusSecurity.busIdentity)
        try pub.connect(endpoints.publish)
        let sub = try ZMQSocket(context, .sub, linger: 0)
        try sub.setHighWaterMarks(send: configuration.highWaterMark, receive: configuration.highWaterMark)
        try security?.connect(sub, toServer: BusSecurity.busIdentity)
        try sub.connect(endpoints.subscribe)
        var router: ZMQSocket?
        var watch: HandshakeWatch?
        if let bind = configuration.catchUpBind {
            let socket = try ZMQSocket(context, .router)
            try socket.set(ZMQ_SNDHWM, 0)
            if let security {
                _ = try ZAPHandler.start(on: context, keyring: security.keyring, rights: security.rights, logger: logger)
                try security.serve(socket, as: .catchUp(source: security.identity))
                watch = try HandshakeWatch(socket, context: context, what: "the catch-up socket of \(security.identity)", logger: logger)
            }
            do {
                try socket.bind(bind)
            } catch let error as ZMQError {
                throw ListenError(what: "the catch-up socket", address: bind, reason: error.message,
                                  hint: "set --catch-up-bind (CONCORD_CATCHUP_BIND) to a free address; port * picks one")
            }
            router = socket
        }
        return Sockets(pub: pub, sub: sub, router: router, watch: watch)
    }

    private func poll(_ sockets: inout Sockets) {
        var dealerOrder: [String] = []
        while true {
            dealerOrder = Array(sockets.dealers.keys)
            var items = [mailbox.signal.pollItem, sockets.sub.pollItem(readable: messages.hasRoom)]
            if let router = sockets.router { items.append(router.pollItem(readable: catchUpRequests.hasRoom)) }
            items.append(contentsOf: dealerOrder.map { sockets.dealers[$0]!.pollItem() })
            if let watch = sockets.watch { items.append(watch.pollItem()) }
            let rc = zmq_poll(&items, Int32(items.count), 1_000)
            if rc < 0 {
                let error = ZMQError.last("zmq_poll")
                if error.contextTerminated { return }
                continue
            }
            if items[0].revents != 0 {
                for command in mailbox.drain() {
                    if !perform(command, &sockets) { return }
                }
            }
            if items[1].revents != 0 { readSubscriptions(sockets.sub) }
            var index = 2
            if let router = sockets.router {
                if items[index].revents != 0 { readCatchUpRequests(router) }
                index += 1
            }
            for key in dealerOrder where index < items.count {
                if items[index].revents != 0, let dealer = sockets.dealers[key] { readFetchReplies(dealer) }
                index += 1
            }
            if let watch = sockets.watch, index < items.count, items[index].revents != 0 { _ = watch.drain() }
        }
    }

    /// Performs one command; false means stop.
    private func perform(_ command: BusConnection.Command, _ sockets: inout Sockets) -> Bool {
        do {
            switch command {
            case .publish(let message):
                try sockets.pub.send([Array(message.topic.utf8), message.payload])
                traffic.countOut(message.topic)
            case .subscribe(let prefix):
                for narrowed in readable(prefix) { try sockets.sub.subscribe(narrowed) }
            case .unsubscribe(let prefix):
                for narrowed in readable(prefix) { try sockets.sub.unsubscribe(narrowed) }
            case .fetch(let endpoint, let source, let frames):
                // One DEALER per source and endpoint: on a secure bus it trusts only that source's key.
                let key = source + " " + endpoint
                if sockets.dealers[key] == nil {
                    let dealer = try ZMQSocket(context, .dealer, linger: 0)
                    try configuration.security?.connect(dealer, toServer: source)
                    try dealer.connect(endpoint)
                    sockets.dealers[key] = dealer
                }
                try sockets.dealers[key]!.send(frames)
            case .routerSend(let frames):
                try sockets.router?.send(frames)
            case .stop:
                return false
            }
        } catch let error as ZMQError {
            if error.contextTerminated { return false }
            logger.warning("bus command failed", metadata: ["bus.error": "\(error)"])
        } catch {
            logger.warning("bus command failed", metadata: ["bus.error": "\(error)"])
        }
        return true
    }

    /// What to subscribe to for `prefix`: on a secure bus, only what this identity may read
    /// (the proxy refuses anything wider), so a partner's `>` at the gateway becomes each
    /// readable prefix. ZeroMQ counts repeated subscriptions, so unsubscribing the same list undoes it.
    private func readable(_ prefix: String) -> [String] {
        guard let security = configuration.security else { return [prefix] }
        let narrowed = security.rights.narrowed(security.identity, prefix: prefix)
        if narrowed != [prefix] {
            logger.debug("subscription narrowed to the part's read rights", metadata: ["bus.prefix": "\(prefix)", "bus.narrowed": "\(narrowed)"])
        }
        return narrowed
    }

    private func readSubscriptions(_ sub: ZMQSocket) {
        for _ in 0..<burst {
            guard messages.hasRoom else { return }
            guard let frames = receive(sub) else { return }
            guard frames.count == 2 else {
                logger.warning("dropped a bus message that is not [topic][envelope]", metadata: ["bus.frames": "\(frames.count)"])
                continue
            }
            let message = BusMessage(topic: String(decoding: frames[0], as: UTF8.self), payload: frames[1])
            traffic.countIn(message.topic)
            if message.topic.hasPrefix(inboxPrefix) {
                if !replies.complete(message.topic, with: .success(message)) { callbacks.answer(message) }
            } else {
                messages.offer(message)
            }
        }
    }

    private func readCatchUpRequests(_ router: ZMQSocket) {
        for _ in 0..<burst {
            guard catchUpRequests.hasRoom, let frames = receive(router) else { return }
            guard let request = CatchUpRequest(routerFrames: frames) else {
                logger.warning("ignored a malformed catch-up request", metadata: ["bus.frames": "\(frames.count)"])
                continue
            }
            catchUpRequests.offer(request)
        }
    }

    private func readFetchReplies(_ dealer: ZMQSocket) {
        for _ in 0..<burst {
            guard let frames = receive(dealer) else { return }
            guard let id = frames.first else { continue }
            fetches.complete(String(decoding: id, as: UTF8.self), with: .success(Array(frames.dropFirst())))
        }
    }

    private func receive(_ socket: ZMQSocket) -> [[UInt8]]? {
        do {
            return try socket.receive()
        } catch {
            logger.warning("bus receive failed", metadata: ["bus.error": "\(error)"])
            return nil
        }
    }
}
