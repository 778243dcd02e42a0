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
    /// On a secure bus, `security` names the operator playing the cassette.
    public static func connect(endpoint: String, context: ZMQContext, window: Int = 4_096, security: BusSecurity? = nil,
                               timeout: Duration = .seconds(15)) async throws -> ReplayLink {
        let link = try ReplayLink(endpoint: endpoint, context: context, window: window, security: security)
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

    private init(endpoint: String, context: ZMQContext, window: Int, security: BusSecurity?) throws {
        self.endpoint = endpoint
        let mailbox = try Mailbox<Command>()
        self.mailbox = mailbox
        let room = RoomSignal(window: window)
        self.room = room
        let loop = ReplayLinkLoop(endpoint: endpoint, context: context, security: security, mailbox: mailbox, room: room, reports: reports)
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
