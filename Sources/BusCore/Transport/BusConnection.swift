import Foundation
import Logging
import Synchronization

/// A part's connection to the bus: one PUB and one SUB socket to the proxy, an optional ROUTER
/// serving catch-up for a journaled source, and DEALERs fetching catch-up from other sources.
///
/// All sockets live on one owner thread (see `BusSocketLoop`); this `Sendable` facade posts
/// commands to it and hands out what it receives through bounded queues.
public final class BusConnection: Sendable {
    /// How a connection is set up.
    public struct Configuration: Sendable {
        public var endpoints: BusEndpoints
        /// Bind a catch-up ROUTER here (e.g. `tcp://127.0.0.1:*`) when this part is a journaled source.
        public var catchUpBind: String?
        /// Received messages waiting for the consumer at most; beyond it the SUB socket is left unread.
        public var receiveCapacity = 8_192
        /// ZeroMQ high-water marks for the PUB and SUB sockets.
        public var highWaterMark: Int32 = 100_000
        /// Milliseconds closing waits for published messages still queued in ZeroMQ to leave; a
        /// replay, which queues a lot at once, waits longer.
        public var linger: Int32 = 2_000
        /// How long `connect` waits for its own probe to come back through the proxy.
        public var readyTimeout: Duration = .seconds(15)
        public var logger = Logger(label: "concord.bus")
        /// This part's identity, keys and the bus's rights: when set, every socket speaks CURVE,
        /// the catch-up socket serves only the source's followers, and subscriptions stay within
        /// the identity's read rights.
        public var security: BusSecurity?

        public init(endpoints: BusEndpoints, catchUpBind: String? = nil) {
            self.endpoints = endpoints
            self.catchUpBind = catchUpBind
        }
    }

    enum Command: Sendable {
        case publish(BusMessage)
        case subscribe(String)
        case unsubscribe(String)
        case fetch(endpoint: String, source: String, frames: [[UInt8]])
        case routerSend([[UInt8]])
        case stop
    }

    /// A unique id for this connection, used in its inbox topics.
    public let connectionID: String
    /// Messages for this connection's subscriptions, in arrival order, except its own inbox replies.
    public let messages: BoundedQueue<BusMessage>
    /// Catch-up requests reaching this source's ROUTER, for the source to answer with `answer(_:with:)`.
    public let catchUpRequests: BoundedQueue<CatchUpRequest>
    /// The resolved catch-up endpoint, when one was bound.
    public let catchUpEndpoint: String?

    let mailbox: Mailbox<Command>
    let replies = PendingReplies<BusMessage>()
    let callbacks = ReplyCallbacks()
    let fetches = PendingReplies<[[UInt8]]>()
    private let thread: OwnerThread
    private let counter = Atomic<Int>(0)
    private let logger: Logger

    /// The inbox prefix every reply to this connection carries: on a secure bus under its
    /// identity's inbox tag, the only inboxes the proxy lets it read.
    public let inboxPrefix: String

    /// Connects to the proxy and returns once a probe has made the round trip through it, so
    /// subscriptions made afterwards are live and nothing published is lost to a slow join.
    public static func connect(_ configuration: Configuration, context: ZMQContext) async throws -> BusConnection {
        let connection = try await BusConnection(configuration, context: context)
        do {
            try await connection.awaitProbe(timeout: configuration.readyTimeout, endpoints: configuration.endpoints)
        } catch {
            await connection.close()
            throw error
        }
        return connection
    }

    private init(_ configuration: Configuration, context: ZMQContext) async throws {
        connectionID = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16).description
        logger = configuration.logger
        let inboxPrefix = (configuration.security.map { BusRights.inboxPrefix(of: $0.identity) } ?? "_INBOX.") + connectionID + "."
        self.inboxPrefix = inboxPrefix
        let mailbox = try Mailbox<Command>()
        self.mailbox = mailbox
        messages = BoundedQueue(capacity: configuration.receiveCapacity) { mailbox.signal.wake() }
        catchUpRequests = BoundedQueue(capacity: 256) { mailbox.signal.wake() }
        let started = PendingReplies<String>()
        started.register("start")
        let loop = BusSocketLoop(
            configuration: configuration, context: context, mailbox: mailbox,
            inboxPrefix: inboxPrefix, messages: messages, catchUpRequests: catchUpRequests,
            replies: replies, callbacks: callbacks, fetches: fetches, started: started
        )
        thread = OwnerThread(name: "concord-bus-\(connectionID)") { loop.run() }
        do {
            let endpoint = try await started.wait(for: "start", timeout: .seconds(10),
                                                  timeoutError: BusError(.proxyUnreachable, "bus sockets did not start"))
            catchUpEndpoint = endpoint.isEmpty ? nil : endpoint
        } catch {
            // Cancelled while the loop runs, or the loop failed to start: either way, end it.
            mailbox.post(.stop)
            await thread.join()
            throw error
        }
    }

    /// Whether a message sent now comes back through the proxy within `timeout`: the bus
    /// answers for this connection. Health checks use it.
    public func ping(timeout: Duration = .seconds(2)) async -> Bool {
        let probe = inboxPrefix + "ping." + RandomID.uuid()
        replies.register(probe)
        mailbox.post(.publish(BusMessage(topic: probe, payload: [])))
        do {
            _ = try await replies.wait(for: probe, timeout: timeout, timeoutError: BusError(.timeout, "ping"))
            return true
        } catch {
            return false
        }
    }

    private func awaitProbe(timeout: Duration, endpoints: BusEndpoints) async throws {
        let probe = inboxPrefix + "probe"
        replies.register(probe)
        mailbox.post(.subscribe(inboxPrefix))
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            mailbox.post(.publish(BusMessage(topic: probe, payload: [])))
            do {
                _ = try await replies.wait(for: probe, timeout: .milliseconds(50),
                                           timeoutError: BusError(.timeout, "probe"))
                return
            } catch let error as BusError where error.code == .timeout {
                replies.register(probe)
            }
        }
        throw BusError(.proxyUnreachable,
                       "no bus proxy answered at \(endpoints.publish) and \(endpoints.subscribe) within \(timeout); is `concord up` or `concord run bus` running?")
    }

    /// Publishes raw bytes on `topic`. Never blocks; ZeroMQ drops at the high-water mark and
    /// the reliability layer recovers journaled events.
    public func publish(topic: String, payload: [UInt8]) {
        mailbox.post(.publish(BusMessage(topic: topic, payload: payload)))
    }

    /// Publishes and other commands not yet handed to ZeroMQ: a fast producer waits while this
    /// is high instead of growing memory (publishing itself never blocks).
    public var queuedCommands: Int { mailbox.count }

    /// Publishes an envelope on its type's topic.
    public func publish(_ envelope: Envelope) {
        publish(topic: envelope.type, payload: EnvelopeCodec.encode(envelope))
    }

    /// Starts receiving topics beginning with `prefix` on `messages`.
    public func subscribe(_ prefix: String) { mailbox.post(.subscribe(prefix)) }

    /// Drops one subscription made with `subscribe`.
    public func unsubscribe(_ prefix: String) { mailbox.post(.unsubscribe(prefix)) }

    /// A fresh inbox topic for one request.
    public func makeInbox() -> String {
        inboxPrefix + String(counter.wrappingAdd(1, ordering: .relaxed).newValue)
    }

    /// Publishes `command` with a fresh `replyto` inbox and waits for the one answer to it.
    public func request(_ command: Envelope, timeout: Duration) async throws -> Envelope {
        var command = command
        let inbox = makeInbox()
        command.replyTo = inbox
        replies.register(inbox)
        publish(command)
        let type = command.type
        let message = try await replies.wait(
            for: inbox, timeout: timeout,
            timeoutError: BusError(.timeout, "no reply to \(type) within \(timeout): is the service running?"))
        do {
            return try EnvelopeCodec.decode(message.payload)
        } catch {
            throw BusError(.invalidReply, "the reply to \(type) could not be read: \(error)")
        }
    }

    /// Publishes `command` with a fresh inbox and calls `onReply` once with the answer, on the bus
    /// thread: for callers that must not add task hops (the gateway). Returns the inbox, for
    /// `cancelRequest` when the caller's own timeout fires first.
    @discardableResult
    public func request(_ command: Envelope, onReply: @escaping @Sendable (BusMessage) -> Void) -> String {
        var command = command
        let inbox = makeInbox()
        command.replyTo = inbox
        callbacks.expect(inbox, onReply)
        publish(command)
        return inbox
    }

    /// Forgets a callback request; returns false when its answer already came.
    @discardableResult
    public func cancelRequest(_ inbox: String) -> Bool { callbacks.cancel(inbox) }

    /// Stops handing out received messages and catch-up requests (what is buffered is dropped:
    /// senders of commands retry, and journaled events come back through catch-up).
    public func finishReceiving() {
        messages.finish(discardBuffered: true)
        catchUpRequests.finish(discardBuffered: true)
    }

    /// Closes the sockets after sending everything already accepted, and waits for the owner thread.
    public func close() async {
        mailbox.post(.stop)
        await thread.join()
        callbacks.cancelAll()
    }
}
