import CZeroMQ
import Foundation
import Logging
import Metrics
import Synchronization

/// The ZeroMQ authentication handler (ZAP, RFC 27) of one context: every CURVE handshake on a
/// socket of the context asks it whether the client's public key may connect to that socket's
/// domain. Known keys get their identity as ZeroMQ's `User-Id`, which the proxy reads off each
/// message; unknown keys and identities without rights to the domain are refused, logged and
/// counted.
public final class ZAPHandler: Sendable {
    private final class Count: Sendable { let value = Atomic<Int>(0) }
    private let refusedCount = Count()
    private let thread: OwnerThread

    /// Handshakes refused since start.
    public var refused: Int { refusedCount.value.load(ordering: .relaxed) }

    /// The handler of `context`, started on first use: one per context, as libzmq allows one
    /// ZAP endpoint per context. Waits until it listens, so no CURVE socket of the context is
    /// ever served without it.
    public static func start(on context: ZMQContext, keyring: BusKeyring, rights: BusRights, logger: Logger) throws -> ZAPHandler {
        try context.zap.withLock { existing in
            if let existing { return existing }
            let ready = StartSignal()
            let handler = ZAPHandler(context: context, keyring: keyring, rights: rights, logger: logger, ready: ready)
            try ready.wait()
            existing = handler
            return handler
        }
    }

    private init(context: ZMQContext, keyring: BusKeyring, rights: BusRights, logger: Logger,
                 ready: StartSignal) {
        let handle = UnsafeSendableHandle(context.handle)
        let refusedCount = refusedCount
        thread = OwnerThread(name: "concord-zap") {
            let socket: ZMQSocket
            do {
                socket = try ZMQSocket(contextHandle: handle.pointer, .rep, linger: 0)
                try socket.bind("inproc://zeromq.zap.01")
            } catch {
                ready.finish(error as? ZMQError ?? ZMQError.last("start the ZAP handler"))
                return
            }
            defer { socket.close() }
            ready.finish(nil)
            let refusedCounter = Counter(label: "concord_bus_auth_refused_total")
            var log = ThrottledLog()
            while let request = Self.next(socket) {
                let answer = Self.answer(request, keyring: keyring, rights: rights)
                if answer.status != "200" {
                    refusedCount.value.add(1, ordering: .relaxed)
                    refusedCounter.increment()
                    log.record { refused in
                        logger.warning("bus connection refused", metadata: [
                            "bus.domain": "\(answer.domain)", "bus.address": "\(answer.address)", "bus.reason": "\(answer.text)",
                            "bus.refused": "\(refused)",
                        ])
                    }
                }
                _ = try? socket.send(answer.frames, wait: true)
            }
        }
    }

    /// The next request, waiting for it; nil once the context terminates. An interrupted wait
    /// is waited again: a handler that ended early would leave its sockets unguarded.
    private static func next(_ socket: ZMQSocket) -> [[UInt8]]? {
        while true {
            do {
                if let request = try socket.receive(wait: true) { return request }
            } catch let error as ZMQError where error.code == EINTR {
                continue
            } catch {
                return nil
            }
        }
    }

    struct Answer {
        var frames: [[UInt8]]
        var status: String
        var text: String
        var domain: String
        var address: String
    }

    /// The reply to one ZAP request: 200 with the identity as user id, or 400 saying why.
    static func answer(_ request: [[UInt8]], keyring: BusKeyring, rights: BusRights) -> Answer {
        guard request.count >= 6 else {
            return Answer(frames: [Array("1.0".utf8), [], Array("500".utf8), Array("malformed ZAP request".utf8), [], []],
                          status: "500", text: "malformed request", domain: "?", address: "?")
        }
        let requestID = request[1]
        let domainText = String(decoding: request[2], as: UTF8.self)
        let address = String(decoding: request[3], as: UTF8.self)
        let mechanism = String(decoding: request[5], as: UTF8.self)
        func reply(_ status: String, _ text: String, user: String = "") -> Answer {
            Answer(frames: [Array("1.0".utf8), requestID, Array(status.utf8), Array(text.utf8), Array(user.utf8), []],
                   status: status, text: text, domain: domainText, address: address)
        }
        guard mechanism == "CURVE", request.count == 7, let key = CurveKeyPair.z85(request[6]) else {
            return reply("400", "only CURVE with a known key may connect")
        }
        guard let identity = keyring.identity(of: key) else { return reply("400", "unknown key \(key)") }
        guard let domain = BusRights.Domain(domainText), rights.mayConnect(identity, to: domain) else {
            return reply("400", "\(identity) may not connect to \(domainText)")
        }
        return reply("200", "OK", user: identity)
    }

}

/// A libzmq context pointer handed to the ZAP thread: libzmq contexts are thread-safe.
struct UnsafeSendableHandle: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
}

/// Tells the starting thread whether the handler's socket listens.
final class StartSignal: Sendable {
    private let outcome = Mutex<ZMQError?>(nil)
    private let semaphore = DispatchSemaphore(value: 0)

    func finish(_ error: ZMQError?) {
        outcome.withLock { $0 = error }
        semaphore.signal()
    }

    func wait() throws {
        semaphore.wait()
        if let error = outcome.withLock({ $0 }) { throw error }
    }
}
