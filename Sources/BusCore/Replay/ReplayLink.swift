import CZeroMQ
import DequeModule
import Foundation
import Synchronization

/// A replayer's link to the proxy's replay socket: a DEALER on its own owner thread. Sending
/// waits while `window` messages are not yet taken by ZeroMQ, and ZeroMQ takes them only as
/// fast as the proxy forwards them, so a replay is paced by its slowest subscriber and its
/// memory stays bounded whatever the cassette's length.
public final class ReplayLink: Sendable {
    enum Command: Sendable {
        case send(BusMessage)
        case requestReport
        case stop
    }

    /// The proxy's replay endpoint this link is connected to.
    public let endpoint: String
    private let mailbox: Mailbox<Command>
    private let thread: OwnerThread
    private let room: RoomSignal
    private let reports = PendingReplies<ReplayReport>()
    private static let reportKey = "report"

    /// Connects and waits until the proxy answers on its replay endpoint.
    public static func connect(endpoint: String, context: ZMQContext, window: Int = 4_096,
                               timeout: Duration = .seconds(15)) async throws -> ReplayLink {
        let link = try ReplayLink(endpoint: endpoint, context: context, window: window)
        do {
            _ = try await link.report(timeout: timeout, timeoutError: BusError(
                .proxyUnreachable,
                "no bus proxy answered on its replay endpoint \(endpoint) within \(timeout); is `concord up` or `concord run bus` running, and does --bus-replay (CONCORD_BUS_REPLAY) name it?"))
        } catch {
            await link.close()
            throw error
        }
        return link
    }

    private init(endpoint: String, context: ZMQContext, window: Int) throws {
        self.endpoint = endpoint
        let mailbox = try Mailbox<Command>()
        self.mailbox = mailbox
        let room = RoomSignal(window: window)
        self.room = room
        let loop = ReplayLinkLoop(endpoint: endpoint, context: context, mailbox: mailbox, room: room, reports: reports)
        thread = OwnerThread(name: "concord-replay") { loop.run() }
    }

    /// Hands one message to the link, waiting first while the window is full. Throws
    /// `CancellationError` when the calling task is cancelled while it waits.
    public func send(topic: String, payload: [UInt8]) async throws {
        try await room.reserve()
        mailbox.post(.send(BusMessage(topic: topic, payload: payload)))
    }

    /// Waits until the proxy has dealt with everything sent so far, and returns what became of
    /// it since the last report: forwarded to every subscriber, dropped for a subscriber that
    /// stayed full, or refused as malformed.
    public func finish(timeout: Duration = .seconds(120)) async throws -> ReplayReport {
        let endpoint = endpoint
        return try await report(timeout: timeout, timeoutError: BusError(
            .timeout, "the proxy did not confirm the end of the replay within \(timeout) (\(endpoint))"))
    }

    private func report(timeout: Duration, timeoutError: @autoclosure @escaping @Sendable () -> any Error) async throws -> ReplayReport {
        reports.register(Self.reportKey)
        mailbox.post(.requestReport)
        return try await reports.wait(for: Self.reportKey, timeout: timeout, timeoutError: timeoutError())
    }

    /// Closes the socket; what was not yet taken by ZeroMQ is dropped (call `finish` first).
    public func close() async {
        mailbox.post(.stop)
        await thread.join()
        room.close()
    }
}

/// How many messages may wait between a sender and ZeroMQ, and a waiter for room.
final class RoomSignal: Sendable {
    private struct State {
        var used = 0
        var waiter: CheckedContinuation<Void, any Error>?
        var closed = false
    }

    private let state = Mutex(State())
    private let window: Int

    init(window: Int) { self.window = max(window, 1) }

    /// Takes one place, waiting while the window is full.
    func reserve() async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, any Error>? = state.withLock { state in
                    if state.closed { return .failure(BusError(.closed, "the replay link was closed")) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state.used < window {
                        state.used += 1
                        return .success(())
                    }
                    state.waiter = continuation
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Gives back `count` places (on the owner thread, as ZeroMQ takes messages); a waiter
    /// resumes once half the window is free, so it is woken once per half window, not per message.
    func release(_ count: Int) {
        let waiter: CheckedContinuation<Void, any Error>? = state.withLock { state in
            state.used -= count
            guard let waiter = state.waiter, state.used <= window / 2 else { return nil }
            state.waiter = nil
            state.used += 1
            return waiter
        }
        waiter?.resume()
    }

    func close() {
        let waiter = state.withLock { state in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(throwing: BusError(.closed, "the replay link was closed"))
    }
}

/// The owner-thread side of a `ReplayLink`.
final class ReplayLinkLoop: @unchecked Sendable {
    // @unchecked: the socket and the pending queue are used inside `run()` only, on the owner thread.
    private let endpoint: String
    private let context: ZMQContext
    private let mailbox: Mailbox<ReplayLink.Command>
    private let room: RoomSignal
    private let reports: PendingReplies<ReplayReport>

    private enum Outgoing {
        case message(BusMessage)
        case reportRequest
    }

    init(endpoint: String, context: ZMQContext, mailbox: Mailbox<ReplayLink.Command>, room: RoomSignal,
         reports: PendingReplies<ReplayReport>) {
        self.endpoint = endpoint
        self.context = context
        self.mailbox = mailbox
        self.room = room
        self.reports = reports
    }

    func run() {
        let dealer: ZMQSocket
        do {
            dealer = try ZMQSocket(context, .dealer, linger: 0)
            try dealer.setHighWaterMarks(send: 1_000, receive: 1_000)
            try dealer.connect(endpoint)
        } catch {
            reports.failAll(error)
            return
        }
        defer {
            dealer.close()
            reports.failAll(BusError(.closed, "the replay link was closed"))
        }
        var pending = Deque<Outgoing>()
        while true {
            var items = [mailbox.signal.pollItem,
                         zmq_pollitem_t(socket: dealer.handle, fd: 0,
                                        events: Int16(ZMQ_POLLIN) | (pending.isEmpty ? 0 : Int16(ZMQ_POLLOUT)), revents: 0)]
            if zmq_poll(&items, 2, 1_000) < 0 {
                if zmq_errno() == ETERM { return }
                continue
            }
            if items[0].revents != 0 {
                for command in mailbox.drain() {
                    switch command {
                    case .send(let message): pending.append(.message(message))
                    case .requestReport: pending.append(.reportRequest)
                    case .stop: return
                    }
                }
            }
            var taken = 0
            while let next = pending.first {
                let frames: [[UInt8]]
                switch next {
                case .message(let message): frames = [Array(message.topic.utf8), message.payload]
                case .reportRequest: frames = [[]]
                }
                guard (try? dealer.send(frames)) == true else { break }
                pending.removeFirst()
                if case .message = next { taken += 1 }
            }
            if taken > 0 { room.release(taken) }
            while let frames = try? dealer.receive(), let json = frames.last {
                let report = (try? JSONDecoder().decode(ReplayReport.self, from: Data(json))) ?? ReplayReport()
                reports.complete("report", with: .success(report))
            }
        }
    }
}
