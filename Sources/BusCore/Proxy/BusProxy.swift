import CZeroMQ
import Logging
import Metrics
import Synchronization

/// The bus's hub: an XSUB socket publishers connect to, an XPUB socket subscribers connect to,
/// and a capture PUB socket that carries a copy of every forwarded message for the recorder.
///
/// The XSUB side subscribes to everything, so publishers send every message to the proxy and
/// filtering happens here: a subscriber's subscription is live as soon as it reaches the proxy,
/// with no second hop to each publisher. Messages that are not `[topic][envelope]` or exceed the
/// size limit are dropped and counted here, before any subscriber sees them.
public final class BusProxy: Sendable {
    /// Where and how the proxy listens.
    public struct Configuration: Sendable {
        /// Bind addresses, e.g. `tcp://127.0.0.1:7701` or `tcp://*:7701`.
        public var bind: BusEndpoints
        /// Further endpoints bound beside `bind`: `BusEndpoints.inProcess` lets parts in the same
        /// process skip TCP and ZeroMQ's I/O thread (what `concord up` does for its own parts).
        public var alsoBind: [BusEndpoints] = []
        /// Largest envelope frame forwarded.
        public var maxMessageBytes = EnvelopeCodec.defaultMaxBytes
        public var highWaterMark: Int32 = 100_000
        public var logger = Logger(label: "concord.proxy")

        public init(bind: BusEndpoints) { self.bind = bind }
    }

    /// Counts since start, for status, metrics and tests.
    public struct Statistics: Sendable, Equatable {
        public var forwarded = 0
        public var dropped = 0
    }

    final class Counts: Sendable {
        let forwarded = Atomic<Int>(0)
        let dropped = Atomic<Int>(0)
    }

    enum Command: Sendable { case stop }

    private let mailbox: Mailbox<Command>
    private let thread: OwnerThread
    private let counts = Counts()
    /// The resolved bind addresses (ports filled in when bound to port 0 / `*`).
    public let endpoints: BusEndpoints

    /// Binds the three sockets and starts forwarding on the proxy's own thread.
    public init(_ configuration: Configuration, context: ZMQContext) async throws {
        let mailbox = try Mailbox<Command>()
        self.mailbox = mailbox
        let started = PendingReplies<BusEndpoints>()
        started.register("start")
        let loop = ProxyLoop(configuration: configuration, context: context, mailbox: mailbox,
                             started: started, counts: counts)
        thread = OwnerThread(name: "concord-proxy") { loop.run() }
        endpoints = try await started.wait(
            for: "start", timeout: .seconds(10),
            timeoutError: BusError(.proxyUnreachable, "the proxy did not start"))
    }

    /// Messages forwarded and dropped so far.
    public var statistics: Statistics {
        Statistics(forwarded: counts.forwarded.load(ordering: .relaxed), dropped: counts.dropped.load(ordering: .relaxed))
    }

    /// Stops forwarding and closes the sockets.
    public func stop() async {
        mailbox.post(.stop)
        await thread.join()
    }
}

/// The proxy's owner-thread loop.
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

    func run() {
        let xsub: ZMQSocket, xpub: ZMQSocket, capture: ZMQSocket
        do {
            xsub = try ZMQSocket(context, .xsub, linger: 0)
            xpub = try ZMQSocket(context, .xpub, linger: 1_000)
            capture = try ZMQSocket(context, .pub, linger: 1_000)
            for socket in [xsub, xpub, capture] {
                try socket.setHighWaterMarks(send: configuration.highWaterMark, receive: configuration.highWaterMark)
            }
            try xsub.bind(configuration.bind.publish)
            try xpub.bind(configuration.bind.subscribe)
            try capture.bind(configuration.bind.capture)
            // lastEndpoint reports the last bind, so the extra ones are resolved before them.
            let resolved = BusEndpoints(publish: try xsub.lastEndpoint(), subscribe: try xpub.lastEndpoint(),
                                        capture: try capture.lastEndpoint())
            for extra in configuration.alsoBind {
                try xsub.bind(extra.publish)
                try xpub.bind(extra.subscribe)
                try capture.bind(extra.capture)
            }
            // Subscribe upstream to everything: see the type's comment.
            try xsub.send([[1]], wait: true)
            started.complete("start", with: .success(resolved))
        } catch {
            started.complete("start", with: .failure(error))
            return
        }
        defer { [xsub, xpub, capture].forEach { $0.close() } }
        var items = [mailbox.signal.pollItem, xsub.pollItem(), xpub.pollItem()]
        while true {
            if zmq_poll(&items, 3, 1_000) < 0 {
                if zmq_errno() == ETERM { return }
                continue
            }
            if items[0].revents != 0, mailbox.drain().contains(where: { if case .stop = $0 { true } else { false } }) {
                return
            }
            if items[1].revents != 0 {
                var forwarded = 0, dropped = 0
                for _ in 0..<1_024 {
                    guard let outcome = forwardOne(from: xsub, to: xpub, capture: capture) else { break }
                    if outcome { forwarded += 1 } else { dropped += 1 }
                }
                if forwarded + dropped > 0 {
                    counts.forwarded.add(forwarded, ordering: .relaxed)
                    counts.dropped.add(dropped, ordering: .relaxed)
                    forwardedCounter.increment(by: forwarded)
                    if dropped > 0 {
                        droppedCounter.increment(by: dropped)
                        configuration.logger.warning("dropped malformed or oversized bus messages", metadata: ["proxy.dropped": "\(dropped)"])
                    }
                }
            }
            if items[2].revents != 0 {
                // Subscriptions stop here: upstream already receives everything.
                while (try? xpub.receive()) != nil {}
            }
        }
    }

    /// Moves one whole message without copying its bytes. Returns nil when none is waiting,
    /// true when forwarded, false when dropped as malformed or oversized.
    private func forwardOne(from xsub: ZMQSocket, to xpub: ZMQSocket, capture: ZMQSocket) -> Bool? {
        var frames: [zmq_msg_t] = []
        defer { for index in frames.indices { zmq_msg_close(&frames[index]) } }
        var valid = true
        repeat {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            if zmq_msg_recv(&message, xsub.handle, frames.isEmpty ? ZMQ_DONTWAIT : 0) < 0 {
                zmq_msg_close(&message)
                return frames.isEmpty ? nil : false
            }
            frames.append(message)
            if frames.count > 2 || zmq_msg_size(&message) > configuration.maxMessageBytes { valid = false }
        } while zmq_msg_more(&frames[frames.count - 1]) == 1
        guard valid, frames.count == 2, zmq_msg_size(&frames[0]) > 0 else { return false }
        for index in 0..<2 {
            var copy = zmq_msg_t()
            zmq_msg_init(&copy)
            zmq_msg_copy(&copy, &frames[index])
            if zmq_msg_send(&copy, capture.handle, index == 0 ? ZMQ_SNDMORE | ZMQ_DONTWAIT : ZMQ_DONTWAIT) < 0 {
                zmq_msg_close(&copy)
            }
        }
        for index in 0..<2 {
            if zmq_msg_send(&frames[index], xpub.handle, index == 0 ? ZMQ_SNDMORE | ZMQ_DONTWAIT : ZMQ_DONTWAIT) < 0 {
                break
            }
        }
        return true
    }
}
