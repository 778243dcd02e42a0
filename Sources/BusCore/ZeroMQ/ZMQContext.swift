import CZeroMQ
import Synchronization

/// A libzmq context. libzmq contexts are thread-safe, so one is shared by every socket owner.
public final class ZMQContext: @unchecked Sendable {
    // @unchecked: zmq_ctx_* functions are documented as thread-safe; the pointer never changes.
    let handle: UnsafeMutableRawPointer
    /// This context's ZAP handler, once a CURVE server socket needed one.
    let zap = Mutex<ZAPHandler?>(nil)

    /// The ZAP handler serving this context's CURVE sockets, if one was started.
    public var authenticator: ZAPHandler? { zap.withLock { $0 } }

    /// Creates a context with libzmq's default I/O thread count.
    public init() throws {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.handle = handle
    }

    deinit {
        // Sockets are closed by their owners first; term then returns at once.
        zmq_ctx_term(handle)
    }

    /// Whether libzmq was built with a capability such as `curve`.
    public static func has(_ capability: String) -> Bool {
        zmq_has(capability) == 1
    }
}
