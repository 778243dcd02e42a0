import CBenchReference
import Foundation

/// NATS subscriber connections read by the C load client (one thread, epoll), so the reading
/// side of a bench keeps up with nats-server itself. The same client reads from Concord's
/// gateway, so both columns are measured the same way.
final class NATSReaders: @unchecked Sendable {
    // @unchecked: the C side reads its counters atomically; `stop` is called once, last.
    private let handle: OpaquePointer

    init(port: Int, token: String?, subject: String, connections: Int) throws {
        var error = [CChar](repeating: 0, count: 512)
        let capacity = error.count
        guard let handle = concord_nats_readers_start("127.0.0.1", Int32(port), token, subject, Int32(connections), &error, capacity) else {
            throw BenchFailure("NATS subscribers on port \(port): \(error.text)")
        }
        self.handle = handle
    }

    /// The fewest messages any connection has received.
    var least: Int { Int(concord_nats_readers_min(handle)) }
    /// Messages received by every connection together.
    var total: Int { Int(concord_nats_readers_total(handle)) }

    func stop() { concord_nats_readers_stop(handle) }
}

/// A NATS publisher in the C load client: writes one pre-built `PUB` as fast as the window
/// allows, on a thread of its own (it blocks in `write`).
final class NATSWriter: @unchecked Sendable {
    // @unchecked: the handle is used by one send at a time and closed once, last.
    private let handle: OpaquePointer

    init(port: Int, token: String?) throws {
        var error = [CChar](repeating: 0, count: 512)
        let capacity = error.count
        guard let handle = concord_nats_writer_open("127.0.0.1", Int32(port), token, &error, capacity) else {
            throw BenchFailure("NATS publisher on port \(port): \(error.text)")
        }
        self.handle = handle
    }

    /// Writes `message` `total` times, at most `window` ahead of `arrived()`; returns the time
    /// from the first write to when `arrived()` reached `total`. Fails with the counts on a stall.
    func send(_ message: [UInt8], total: Int, window: Int, limits: BenchLimits, what: String,
              arrived: @escaping @Sendable () -> Int) async throws -> Double {
        let source = ArrivalSource(arrived)
        let started = ContinuousClock.now
        let stallMs = Int32(limits.stall.seconds * 1000)
        let written: Int64 = await onOwnThread { [self] in
            let context = Unmanaged.passRetained(source).toOpaque()
            defer { Unmanaged<ArrivalSource>.fromOpaque(context).release() }
            return message.withUnsafeBufferPointer { bytes in
                concord_nats_writer_send(self.handle, bytes.baseAddress, bytes.count, Int64(total), Int64(window),
                                         { context in Int64(Unmanaged<ArrivalSource>.fromOpaque(context!).takeUnretainedValue().read()) },
                                         context, stallMs)
            }
        }
        guard written == total else {
            throw BenchFailure("\(what): the publisher wrote \(max(written, 0)) of \(total) while \(arrived()) arrived; nothing new for \(limits.stall)")
        }
        guard try await PolledArrivals(read: arrived).wait(atLeast: total, deadline: limits.deadline(), stall: limits.stall) else {
            throw BenchFailure("\(what): \(arrived()) of \(total) arrived, then nothing for \(limits.stall)")
        }
        return (ContinuousClock.now - started).seconds
    }

    func close() { concord_nats_writer_close(handle) }
}

/// The count a C publisher paces itself by.
final class ArrivalSource: Sendable {
    let read: @Sendable () -> Int
    init(_ read: @escaping @Sendable () -> Int) { self.read = read }
}

/// Runs blocking work on a thread of its own, never on a Swift concurrency thread.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.name = "concord-bench"
        thread.start()
    }
}

extension Array where Element == CChar {
    /// The text of a NUL-terminated C buffer the C side wrote into.
    var text: String { String(decoding: prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
}
