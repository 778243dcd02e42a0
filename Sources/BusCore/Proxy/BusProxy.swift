import Logging
import Synchronization

/// The bus's hub: an XSUB socket publishers connect to, an XPUB socket subscribers connect to,
/// a capture PUB socket that carries a copy of every forwarded message for the recorder, and a
/// replay ROUTER that cassettes are played into.
///
/// The XSUB side subscribes to everything, so publishers send every message to the proxy and
/// filtering happens here: a subscriber's subscription is live as soon as it reaches the proxy,
/// with no second hop to each publisher. Messages that are not `[topic][envelope]` or exceed the
/// size limit are dropped and counted here, before any subscriber sees them.
///
/// Live traffic is forwarded as ZeroMQ does it: a subscriber whose queue is full misses the
/// message, and journals and catch-up bring it back. Replayed traffic has no catch-up behind it,
/// so it is forwarded only when every matching subscriber has room (`ZMQ_XPUB_NODROP`): the
/// proxy then stops reading the replay socket, and the replayer waits. A subscriber that takes
/// nothing for `replayPatience` ends the replay instead of holding it up forever: what was not
/// forwarded is counted and reported to the replayer, never lost silently. Live traffic keeps
/// flowing meanwhile.
public final class BusProxy: Sendable {
    /// Where and how the proxy listens.
    public struct Configuration: Sendable {
        /// Bind addresses, e.g. `tcp://127.0.0.1:7701` or `tcp://*:7701`; port `*` picks a free one.
        public var bind: BusEndpoints
        /// Further endpoints bound beside `bind`: `BusEndpoints.inProcess` lets parts in the same
        /// process skip TCP and ZeroMQ's I/O thread (what `concord up` does for its own parts).
        public var alsoBind: [BusEndpoints] = []
        /// Largest envelope frame forwarded.
        public var maxMessageBytes = EnvelopeCodec.defaultMaxBytes
        public var highWaterMark: Int32 = 100_000
        /// How long a replayed message waits for a full subscriber before the replay is ended
        /// (and what was not forwarded counted and reported to the replayer).
        public var replayPatience: Duration = .seconds(10)
        public var logger = Logger(label: "concord.proxy")
        /// CURVE keys and rights: when set, every network connection is authenticated through
        /// ZAP and every message and subscription is checked against the rights (see `BusRights`).
        public var security: BusSecurity?
        /// On a secure bus, the identities of parts in this process: each gets its own publish
        /// socket on every `alsoBind` endpoint set (`BusEndpoints.forIdentity`).
        public var localIdentities: [String] = []

        public init(bind: BusEndpoints) { self.bind = bind }
    }

    /// Counts since start, for status, metrics and tests.
    public struct Statistics: Sendable, Equatable {
        public var forwarded = 0
        public var dropped = 0
        /// Replayed messages forwarded to every matching subscriber.
        public var replayed = 0
        /// Replayed messages forwarded to no one because a subscriber stayed full past the patience.
        public var replayDropped = 0
        /// Messages refused because their sender may not publish them (topic or source).
        public var refused = 0
        /// Subscriptions refused because their sender may not read the prefix.
        public var refusedSubscriptions = 0
        /// Connections refused by the ZAP handler (unknown key, or no right to the socket).
        public var refusedConnections = 0
        /// Handshakes that failed on the proxy's sockets: peers without CURVE, broken
        /// handshakes, and those ZAP refused.
        public var failedHandshakes = 0
    }

    final class Counts: Sendable {
        let forwarded = Atomic<Int>(0)
        let dropped = Atomic<Int>(0)
        let replayed = Atomic<Int>(0)
        let replayDropped = Atomic<Int>(0)
        let refused = Atomic<Int>(0)
        let refusedSubscriptions = Atomic<Int>(0)
        let failedHandshakes = Atomic<Int>(0)
    }

    enum Command: Sendable { case stop }

    private let mailbox: Mailbox<Command>
    private let thread: OwnerThread
    private let counts = Counts()
    private let context: ZMQContext
    /// The resolved bind addresses (ports filled in when bound to `*`).
    public let endpoints: BusEndpoints

    /// Binds the four sockets and starts forwarding on the proxy's own thread. Throws at once
    /// when an address cannot be bound, naming it.
    public init(_ configuration: Configuration, context: ZMQContext) async throws {
        let mailbox = try Mailbox<Command>()
        self.mailbox = mailbox
        self.context = context
        let started = PendingReplies<BusEndpoints>()
        started.register("start")
        let loop = ProxyLoop(configuration: configuration, context: context, mailbox: mailbox,
                             started: started, counts: counts)
        let thread = OwnerThread(name: "concord-proxy") { loop.run() }
        self.thread = thread
        do {
            endpoints = try await started.wait(
                for: "start", timeout: .seconds(10),
                timeoutError: BusError(.proxyUnreachable, "the proxy did not start"))
        } catch {
            mailbox.post(.stop)
            await thread.join()
            throw error
        }
    }

    /// Messages forwarded and dropped so far.
    public var statistics: Statistics {
        Statistics(forwarded: counts.forwarded.load(ordering: .relaxed), dropped: counts.dropped.load(ordering: .relaxed),
                   replayed: counts.replayed.load(ordering: .relaxed), replayDropped: counts.replayDropped.load(ordering: .relaxed),
                   refused: counts.refused.load(ordering: .relaxed), refusedSubscriptions: counts.refusedSubscriptions.load(ordering: .relaxed),
                   refusedConnections: context.authenticator?.refused ?? 0,
                   failedHandshakes: counts.failedHandshakes.load(ordering: .relaxed))
    }

    /// Stops forwarding and closes the sockets.
    public func stop() async {
        mailbox.post(.stop)
        await thread.join()
    }
}
