import CZeroMQ
import Glibc

/// An eventfd that wakes an owner thread out of `zmq_poll` when another thread queued work for it.
final class WakeSignal: @unchecked Sendable {
    // @unchecked: eventfd reads and writes are atomic syscalls; the descriptor never changes.
    let descriptor: Int32

    init() throws {
        let fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard fd >= 0 else { throw ZMQError(operation: "eventfd", code: errno, message: String(cString: strerror(errno))) }
        descriptor = fd
    }

    deinit { Glibc.close(descriptor) }

    /// Wakes the owner; several wakes before it looks collapse into one.
    func wake() {
        var one: UInt64 = 1
        _ = Glibc.write(descriptor, &one, MemoryLayout<UInt64>.size)
    }

    /// Clears pending wakes; called by the owner after poll reports the descriptor readable.
    func reset() {
        var value: UInt64 = 0
        _ = Glibc.read(descriptor, &value, MemoryLayout<UInt64>.size)
    }

    var pollItem: zmq_pollitem_t {
        zmq_pollitem_t(socket: nil, fd: descriptor, events: Int16(ZMQ_POLLIN), revents: 0)
    }
}
