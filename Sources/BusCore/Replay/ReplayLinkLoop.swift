import CZeroMQ
import DequeModule
import Foundation

/// The owner-thread side of a `ReplayLink`.
final class ReplayLinkLoop: @unchecked Sendable {
    // @unchecked: the socket and the pending queue are used inside `run()` only, on the owner thread.
    private let endpoint: String
    private let context: ZMQContext
    private let security: BusSecurity?
    private let mailbox: Mailbox<ReplayLink.Command>
    private let room: RoomSignal
    private let reports: PendingReplies<ReplayReport>

    private enum Outgoing {
        case message(BusMessage)
        case reportRequest
    }

    init(endpoint: String, context: ZMQContext, security: BusSecurity?, mailbox: Mailbox<ReplayLink.Command>, room: RoomSignal,
         reports: PendingReplies<ReplayReport>) {
        self.endpoint = endpoint
        self.context = context
        self.security = security
        self.mailbox = mailbox
        self.room = room
        self.reports = reports
    }

    func run() {
        let dealer: ZMQSocket
        do {
            dealer = try ZMQSocket(context, .dealer, linger: 0)
            try dealer.setHighWaterMarks(send: 1_000, receive: 1_000)
            try security?.connect(dealer, toServer: BusSecurity.busIdentity)
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
