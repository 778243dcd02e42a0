import Agents
import Foundation
import Synchronization

/// One signed-in browser session. A partner's session is one gateway connection made with the
/// partner's own credential: everything the browser sees or sends goes through it, so the
/// gateway's rules (permissions, labels, refusals) are the console's rules. It ends at its
/// expiry, at sign-out, or when the gateway closes the connection (a suspended partner's).
public final class ConsoleSession: Sendable {
    public enum Role: Sendable, Equatable {
        case partner(String)
        case `operator`
    }

    /// What the partner may publish and subscribe to, as the registry holds it.
    public struct Permissions: Sendable, Codable, Equatable {
        public var publish: [String]
        public var subscribe: [String]
    }

    /// The cookie's value: 256 random bits.
    let id: String
    let role: Role
    let client: PartnerClient?
    let permissions: Permissions
    let expires: Date

    private struct Sockets {
        var open: [Int: AsyncStream<String>.Continuation] = [:]
        var next = 0
        var endedBecause: String?
    }
    private let sockets = Mutex(Sockets())

    init(id: String, role: Role, client: PartnerClient?, permissions: Permissions, expires: Date) {
        self.id = id
        self.role = role
        self.client = client
        self.permissions = permissions
        self.expires = expires
    }

    /// The partner's code, nil for an operator.
    var partner: String? {
        if case .partner(let code) = role { return code }
        return nil
    }

    /// Why the session ended, or nil while it lasts.
    var endedBecause: String? {
        if let reason = sockets.withLock({ $0.endedBecause }) { return reason }
        return Date() >= expires ? "the session expired" : nil
    }

    /// A browser's WebSocket joins: it gets every live message from now on, until it leaves or
    /// the session ends. Nil once the session has ended. A browser too slow to take 10,000
    /// messages loses the oldest and resumes from the feed when it reconnects.
    func attach() -> (id: Int, messages: AsyncStream<String>)? {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(10_000))
        let id: Int? = sockets.withLock { sockets in
            guard sockets.endedBecause == nil else { return nil }
            sockets.next += 1
            sockets.open[sockets.next] = continuation
            return sockets.next
        }
        guard let id else { return nil }
        return (id, stream)
    }

    func detach(_ socket: Int) {
        sockets.withLock { $0.open.removeValue(forKey: socket) }?.finish()
    }

    /// Sends one message to every open WebSocket of this session.
    func broadcast(_ text: String) {
        for socket in sockets.withLock({ Array($0.open.values) }) { socket.yield(text) }
    }

    /// Ends the session: every WebSocket gets the reason and closes, and the gateway connection
    /// closes. Returns false if it had ended already.
    @discardableResult
    func end(_ reason: String) async -> Bool {
        let open: [AsyncStream<String>.Continuation]? = sockets.withLock { sockets in
            guard sockets.endedBecause == nil else { return nil }
            sockets.endedBecause = reason
            defer { sockets.open.removeAll() }
            return Array(sockets.open.values)
        }
        guard let open else { return false }
        let notice = LiveMessage.ended(reason)
        for socket in open {
            socket.yield(notice)
            socket.finish()
        }
        await client?.close()
        return true
    }
}
