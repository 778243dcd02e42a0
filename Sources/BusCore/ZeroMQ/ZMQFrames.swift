import CZeroMQ

/// The frames of one message held as libzmq messages, so the proxy moves bytes from socket to
/// socket without copying them. Whoever holds a value closes it once with `close()`.
struct ZMQFrames {
    private var frames: [zmq_msg_t] = []

    var count: Int { frames.count }

    /// Receives one whole message without waiting for its first frame. Nil when none is
    /// waiting; false when it had more than `maxFrames` frames (all are read, so the next
    /// message starts clean).
    mutating func receive(from socket: ZMQSocket, maxFrames: Int) -> Bool? {
        repeat {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            if zmq_msg_recv(&message, socket.handle, frames.isEmpty ? ZMQ_DONTWAIT : 0) < 0 {
                zmq_msg_close(&message)
                return frames.isEmpty ? nil : false
            }
            frames.append(message)
        } while zmq_msg_more(&frames[frames.count - 1]) == 1
        return frames.count <= maxFrames
    }

    /// The size of frame `index`.
    mutating func size(at index: Int) -> Int { zmq_msg_size(&frames[index]) }

    /// A copy of frame `index`'s bytes (for small frames such as a routing id).
    mutating func bytes(at index: Int) -> [UInt8] {
        let size = zmq_msg_size(&frames[index])
        guard size > 0, let data = zmq_msg_data(&frames[index]) else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: data, count: size))
    }

    /// A metadata property of frame `index` as ZeroMQ attached it on arrival (`User-Id`, the
    /// identity ZAP gave the sender; `Peer-Address`), or nil when the connection has none.
    mutating func property(_ name: String, at index: Int) -> String? {
        guard let value = zmq_msg_gets(&frames[index], name) else { return nil }
        return String(cString: value)
    }

    /// Calls `body` with frame `index`'s bytes in place.
    mutating func withBytes<T>(at index: Int, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        let size = zmq_msg_size(&frames[index])
        return body(UnsafeRawBufferPointer(start: size > 0 ? zmq_msg_data(&frames[index]) : nil, count: size))
    }

    /// Whether the frames from `offset` on are exactly `[topic][envelope]`, with a non-empty
    /// topic and an envelope of at most `maxBytes`.
    mutating func isTopicAndEnvelope(from offset: Int = 0, maxBytes: Int) -> Bool {
        frames.count == offset + 2 && size(at: offset) > 0 && size(at: offset + 1) <= maxBytes
    }

    /// New references to the frames from `offset` on, sharing their buffers.
    mutating func duplicate(from offset: Int = 0) -> ZMQFrames {
        var copy = ZMQFrames()
        for index in offset..<frames.count {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            zmq_msg_copy(&message, &frames[index])
            copy.frames.append(message)
        }
        return copy
    }

    /// Sends the frames from `offset` on as one message without waiting. False when the first
    /// frame would block (nothing was sent and the frames are kept); sent frames are consumed.
    mutating func send(to socket: ZMQSocket, from offset: Int = 0) -> Bool {
        for index in offset..<frames.count {
            let more = index < frames.count - 1 ? ZMQ_SNDMORE : 0
            if zmq_msg_send(&frames[index], socket.handle, more | ZMQ_DONTWAIT) < 0 {
                // Later frames of a message are always accepted once the first was.
                return false
            }
        }
        return true
    }

    /// Releases every frame (sent frames are empty and release nothing).
    mutating func close() {
        for index in frames.indices { zmq_msg_close(&frames[index]) }
        frames.removeAll()
    }
}
