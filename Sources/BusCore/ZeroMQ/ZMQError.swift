import CZeroMQ

/// A failed libzmq call: the operation that failed, its `errno` and libzmq's own text for it.
public struct ZMQError: Error, CustomStringConvertible, Sendable {
    /// The libzmq operation that failed, for example `bind tcp://127.0.0.1:7701`.
    public let operation: String
    /// The `errno` value libzmq reported.
    public let code: Int32
    /// `zmq_strerror` for `code`.
    public let message: String

    /// Captures the current `zmq_errno()` for `operation`.
    public static func last(_ operation: String) -> ZMQError {
        let code = zmq_errno()
        return ZMQError(operation: operation, code: code, message: String(cString: zmq_strerror(code)))
    }

    /// True when the call would have blocked (EAGAIN): not a failure for non-blocking calls.
    public var wouldBlock: Bool { code == EAGAIN }
    /// True when the context was terminated under the socket (ETERM).
    public var contextTerminated: Bool { code == ETERM }

    public var description: String { "\(operation): \(message) (errno \(code))" }
}
