import CZeroMQ

/// One libzmq socket. Not thread-safe: it is created, used and closed on its owner thread only.
public final class ZMQSocket {
    /// The socket types Concord uses.
    public enum Kind: Int32, Sendable {
        case pair = 0, pub = 1, sub = 2, rep = 4, dealer = 5, router = 6, xpub = 9, xsub = 10
        var zmqType: Int32 { rawValue }
    }

    let handle: UnsafeMutableRawPointer
    private var isClosed = false

    /// Opens a socket of `kind` in `context` with a bounded linger so close never hangs.
    public convenience init(_ context: ZMQContext, _ kind: Kind, linger: Int32 = 2_000) throws {
        try self.init(contextHandle: context.handle, kind, linger: linger)
    }

    /// The same from the context's raw handle, for a thread that must not keep the context
    /// alive (the ZAP handler ends when its context is terminated).
    init(contextHandle: UnsafeMutableRawPointer, _ kind: Kind, linger: Int32) throws {
        guard let handle = zmq_socket(contextHandle, kind.zmqType) else {
            throw ZMQError.last("zmq_socket \(kind)")
        }
        self.handle = handle
        try set(ZMQ_LINGER, linger)
    }

    deinit { close() }

    /// Closes the socket; pending outgoing messages get up to the linger period to leave.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        zmq_close(handle)
    }

    public func bind(_ endpoint: String) throws {
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError.last("bind \(endpoint)") }
    }

    public func connect(_ endpoint: String) throws {
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError.last("connect \(endpoint)") }
    }

    /// Sets an integer socket option.
    public func set(_ option: Int32, _ value: Int32) throws {
        var value = value
        guard zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQError.last("setsockopt \(option)")
        }
    }

    /// Sets a binary socket option such as a subscription prefix or a routing id.
    public func set(_ option: Int32, bytes: [UInt8]) throws {
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw ZMQError.last("setsockopt \(option)") }
    }

    /// The endpoint the socket last bound to, with the port resolved when bound to `*`.
    public func lastEndpoint() throws -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        var size = buffer.count
        guard zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else {
            throw ZMQError.last("getsockopt ZMQ_LAST_ENDPOINT")
        }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Sends a multipart message. Returns false when it would block and `wait` is false.
    @discardableResult
    public func send(_ frames: [[UInt8]], wait: Bool = false) throws -> Bool {
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = wait ? 0 : ZMQ_DONTWAIT
            if index < frames.count - 1 { flags |= ZMQ_SNDMORE }
            let rc = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
            if rc < 0 {
                let error = ZMQError.last("send")
                // Only the first frame can block; later frames of a message are always accepted.
                if error.wouldBlock && index == 0 { return false }
                throw error
            }
        }
        return true
    }

    /// Receives one whole multipart message, or nil when none is waiting and `wait` is false.
    public func receive(wait: Bool = false) throws -> [[UInt8]]? {
        var frames: [[UInt8]] = []
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        defer { zmq_msg_close(&message) }
        repeat {
            let rc = zmq_msg_recv(&message, handle, (wait || !frames.isEmpty) ? 0 : ZMQ_DONTWAIT)
            if rc < 0 {
                let error = ZMQError.last("receive")
                if error.wouldBlock && frames.isEmpty { return nil }
                throw error
            }
            let size = zmq_msg_size(&message)
            let frame = [UInt8](UnsafeRawBufferPointer(start: zmq_msg_data(&message), count: size))
            frames.append(frame)
        } while zmq_msg_more(&message) == 1
        return frames
    }

    /// A poll item asking for readability of this socket.
    func pollItem(readable: Bool = true) -> zmq_pollitem_t {
        zmq_pollitem_t(socket: handle, fd: 0, events: readable ? Int16(ZMQ_POLLIN) : 0, revents: 0)
    }
}

extension ZMQSocket {
    /// Subscribes a SUB socket to a topic prefix ("" for everything).
    public func subscribe(_ prefix: String) throws { try set(ZMQ_SUBSCRIBE, bytes: Array(prefix.utf8)) }
    /// Removes one earlier subscription to `prefix`.
    public func unsubscribe(_ prefix: String) throws { try set(ZMQ_UNSUBSCRIBE, bytes: Array(prefix.utf8)) }

    /// How long a waiting receive blocks before it returns nil.
    public func setReceiveTimeout(milliseconds: Int32) throws { try set(ZMQ_RCVTIMEO, milliseconds) }

    /// Sets send and receive high-water marks (0 means unlimited).
    public func setHighWaterMarks(send: Int32, receive: Int32) throws {
        try set(ZMQ_SNDHWM, send)
        try set(ZMQ_RCVHWM, receive)
    }
}
