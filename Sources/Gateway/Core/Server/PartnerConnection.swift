import BusCore
import Foundation
import NATSProtocol
import NIOCore
import Synchronization

/// The gateway's handle on one partner connection, usable from any thread: who it is, what it
/// negotiated, and a bounded outbound path. When more than `maxPending` bytes wait to be
/// written, the partner is a slow consumer and is cut off, as nats-server does.
final class PartnerConnection: Sendable {
    struct Session: Sendable {
        var identity: PartnerDirectory.Identity
        var credentialHash: String?
        var clearance: Classification
        var options: ConnectOptions
    }

    let id: UInt64
    let channel: any Channel
    let remoteAddress: String
    /// Sent in INFO; an nkey signs it to sign in.
    let nonce = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    let maxPending: Int
    private let pending = Atomic<Int>(0)
    private let closing = Atomic<Bool>(false)
    private let sessionState = Mutex<Session?>(nil)
    /// Publish decisions by subject, so a partner sending the same subjects is checked once.
    private let publishDecisions = Mutex<[String: Bool]>([:])

    init(id: UInt64, channel: any Channel, maxPending: Int) {
        self.id = id
        self.channel = channel
        self.maxPending = maxPending
        remoteAddress = channel.remoteAddress?.ipAddress ?? "unknown"
    }

    var session: Session? { sessionState.withLock { $0 } }

    func authenticated(_ session: Session) { sessionState.withLock { $0 = session } }

    /// Whether the partner may publish to `subject`, deciding with `decide` the first time.
    func mayPublish(_ subject: String, decide: () -> Bool) -> Bool {
        if let known = publishDecisions.withLock({ $0[subject] }) { return known }
        let allowed = decide()
        publishDecisions.withLock { decisions in
            if decisions.count > 1_000 { decisions.removeAll() }
            decisions[subject] = allowed
        }
        return allowed
    }

    /// Ids of what this connection published lately, for `echo: false` (bounded).
    private let published = Mutex<(ids: Set<String>, order: [String])>(([], []))

    func notePublished(_ id: String) {
        published.withLock { state in
            state.ids.insert(id)
            state.order.append(id)
            if state.order.count > 4_096 { state.ids.remove(state.order.removeFirst()) }
        }
    }

    func didPublish(_ id: String) -> Bool { published.withLock { $0.ids.contains(id) } }

    /// Forgets publish decisions after the partner's permissions changed.
    func forgetDecisions() { publishDecisions.withLock { $0.removeAll() } }

    /// Queues `bytes` for the partner; false when that made it a slow consumer (nothing queued).
    func write(_ bytes: [UInt8]) -> Bool {
        guard !closing.load(ordering: .relaxed) else { return true }
        let size = bytes.count
        if pending.add(size, ordering: .relaxed).newValue > maxPending {
            pending.subtract(size, ordering: .relaxed)
            return false
        }
        let promise = channel.eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenComplete { [self] _ in self.pending.subtract(size, ordering: .relaxed) }
        channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: promise)
        return true
    }

    /// Sends `-ERR` (when given) and closes once it is written. Safe to call more than once.
    func close(errText: String?) {
        guard !closing.exchange(true, ordering: .relaxed) else { return }
        if let errText {
            channel.writeAndFlush(channel.allocator.buffer(bytes: ServerEncoder.error(errText))).whenComplete { [channel] _ in
                channel.close(promise: nil)
            }
        } else {
            channel.close(promise: nil)
        }
    }
}
