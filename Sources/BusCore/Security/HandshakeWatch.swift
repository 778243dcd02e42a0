import CZeroMQ
import Foundation
import Logging
import Metrics

/// Counts the failed handshakes of one CURVE server socket: peers that spoke no CURVE or broke
/// the protocol (they never reach ZAP), and peers ZAP refused. Read on the socket's owner
/// thread, polled beside the socket itself.
final class HandshakeWatch {
    private let monitor: ZMQSocket
    private let what: String
    private let logger: Logger
    private static let failedCounter = Counter(label: "concord_bus_handshakes_failed_total")

    /// Starts watching `socket` (call on its owner thread, before it binds).
    init(_ socket: ZMQSocket, context: ZMQContext, what: String, logger: Logger) throws {
        let endpoint = "inproc://concord-handshakes-\(RandomID.uuid())"
        let events = ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
        guard zmq_socket_monitor(socket.handle, endpoint, Int32(events)) == 0 else { throw ZMQError.last("zmq_socket_monitor") }
        monitor = try ZMQSocket(context, .pair, linger: 0)
        try monitor.connect(endpoint)
        self.what = what
        self.logger = logger
    }

    func pollItem() -> zmq_pollitem_t { monitor.pollItem() }

    /// Reads the events waiting; returns how many handshakes failed.
    func drain() -> Int {
        var failed = 0
        var lastPeer = ""
        while let frames = try? monitor.receive(), frames.count == 2 {
            failed += 1
            lastPeer = String(decoding: frames[1], as: UTF8.self)
        }
        guard failed > 0 else { return 0 }
        Self.failedCounter.increment(by: failed)
        // A peer retrying without end makes one log line a second, with the count since the last.
        log.record(failed) { count in
            logger.warning("bus handshakes failed", metadata: ["bus.socket": "\(what)", "bus.failed": "\(count)", "bus.endpoint": "\(lastPeer)"])
        }
        return failed
    }

    private var log = ThrottledLog()

    func close() { monitor.close() }
}
