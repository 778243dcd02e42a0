import Foundation
import NATSProtocol
import NIOCore
import NIOPosix
import Synchronization

/// A raw NATS connection for load: writes pre-built protocol bytes with TCP backpressure and
/// counts the messages it receives. The same client drives Concord's gateway and nats-server.
final class LoadConnection: Sendable {
    let channel: any Channel
    let counter: MessageCounter

    private init(channel: any Channel, counter: MessageCounter) {
        self.channel = channel
        self.counter = counter
    }

    /// Connects, sends CONNECT (with `token` when given) and waits for the PONG to its PING.
    static func open(port: Int, token: String?) async throws -> LoadConnection {
        let counter = MessageCounter()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(CountingHandler(counter: counter)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        let connection = LoadConnection(channel: channel, counter: counter)
        let auth = token.map { #","auth_token":"\#($0)""# } ?? ""
        try await connection.write(Array(#"CONNECT {"verbose":false,"pedantic":false,"headers":true,"protocol":1\#(auth)}"#.utf8) + [0x0D, 0x0A])
        try await connection.ping()
        return connection
    }

    func write(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).get()
    }

    /// A PING/PONG round trip.
    func ping() async throws {
        let before = counter.pongs
        try await write(ServerEncoder.ping)
        let deadline = ContinuousClock.now + .seconds(10)
        while counter.pongs == before {
            guard ContinuousClock.now < deadline else { throw LoadError("no PONG from port \(channel.remoteAddress?.port ?? 0)") }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    func close() async { try? await channel.close() }
}

struct LoadError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Counts what a `LoadConnection` receives; answers requests when asked to.
final class MessageCounter: Sendable {
    private let messages = Atomic<Int>(0)
    private let pongCount = Atomic<Int>(0)
    /// When set, every message with a reply subject is answered with this payload (a responder).
    let replyPayload = Mutex<[UInt8]?>(nil)

    var count: Int { messages.load(ordering: .relaxed) }
    var pongs: Int { pongCount.load(ordering: .relaxed) }
    func received() { messages.add(1, ordering: .relaxed) }
    func pong() { pongCount.add(1, ordering: .relaxed) }
}

final class CountingHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: the decoder is used on the channel's event loop only.
    typealias InboundIn = ByteBuffer
    private var decoder = ServerDecoder()
    private let counter: MessageCounter

    init(counter: MessageCounter) { self.counter = counter }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        decoder.append(unwrapInboundIn(data).readableBytesView)
        var replies: [UInt8] = []
        while let operation = try? decoder.next() {
            switch operation {
            case .msg(_, _, let replyTo, _, _):
                counter.received()
                if let replyTo, let payload = counter.replyPayload.withLock({ $0 }) {
                    replies += Array("PUB \(replyTo) \(payload.count)\r\n".utf8) + payload + [0x0D, 0x0A]
                }
            case .pong: counter.pong()
            case .ping: replies += ServerEncoder.pong
            default: break
            }
        }
        if !replies.isEmpty { context.writeAndFlush(NIOAny(context.channel.allocator.buffer(bytes: replies)), promise: nil) }
    }
}

/// Sends `total` messages in chunks, keeping at most `window` ahead of what has arrived, and
/// returns the rate at which they arrived (per second).
func measureRate(total: Int, chunk: Int, window: Int, timeout: Duration = .seconds(120),
                 arrived: @escaping @Sendable () -> Int, send: @Sendable (Int) async throws -> Void) async throws -> Double {
    try await measureRate(total: total, chunk: chunk, window: window, timeout: timeout, arrivals: PolledArrivals(read: arrived), send: send)
}

func measureRate(total: Int, chunk: Int, window: Int, timeout: Duration = .seconds(120),
                 arrivals: some Arrivals, send: @Sendable (Int) async throws -> Void) async throws -> Double {
    let started = ContinuousClock.now
    let deadline = started + timeout
    func waitFor(_ target: Int) async throws {
        guard try await arrivals.wait(atLeast: target, deadline: deadline) else {
            throw LoadError("timed out after \(arrivals.value) of \(total)")
        }
    }
    var sent = 0
    while sent < total {
        try await waitFor(sent - window + 1)
        let size = min(chunk, total - sent)
        try await send(size)
        sent += size
    }
    try await waitFor(total)
    let elapsed = ContinuousClock.now - started
    return Double(arrivals.value) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

/// What a load generator has seen arrive, and a way to wait for more.
protocol Arrivals: Sendable {
    var value: Int { get }
    /// True once at least `target` have arrived; false at `deadline`.
    func wait(atLeast target: Int, deadline: ContinuousClock.Instant) async throws -> Bool
}

/// Arrivals read off counters that cannot signal (the slowest of several connections): checked
/// every 200 µs.
struct PolledArrivals: Arrivals {
    let read: @Sendable () -> Int
    var value: Int { read() }

    func wait(atLeast target: Int, deadline: ContinuousClock.Instant) async throws -> Bool {
        while read() < target {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .microseconds(200))
        }
        return true
    }
}

/// Messages counted by a reading task; the sender waits on the count without polling, so the
/// load generator takes no timer wake-ups from the cores it shares with what it measures.
final class ArrivalCount: Arrivals {
    private struct State {
        var count = 0
        var waiter: (target: Int, continuation: CheckedContinuation<Bool, Never>)?
        var expired = false
    }
    private let state = Mutex(State())
    private let watchdog = Mutex<Task<Void, Never>?>(nil)

    var value: Int { state.withLock { $0.count } }

    func add() {
        let ready = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            state.count += 1
            guard let waiter = state.waiter, state.count >= waiter.target else { return nil }
            state.waiter = nil
            return waiter.continuation
        }
        ready?.resume(returning: true)
    }

    /// One waiter at a time (the sender). One watchdog per count resumes it at the deadline:
    /// a timer per wait would bring back the wake-ups this type exists to avoid.
    func wait(atLeast target: Int, deadline: ContinuousClock.Instant) async throws -> Bool {
        startWatchdog(until: deadline)
        return await withCheckedContinuation { continuation in
            let reached: Bool? = state.withLock { state in
                if state.count >= target { return true }
                if state.expired { return false }
                state.waiter = (target, continuation)
                return nil
            }
            if let reached { continuation.resume(returning: reached) }
        }
    }

    private func startWatchdog(until deadline: ContinuousClock.Instant) {
        watchdog.withLock { watchdog in
            guard watchdog == nil else { return }
            watchdog = Task { [weak self] in
                try? await Task.sleep(until: deadline)
                guard !Task.isCancelled, let self else { return }
                let waiter = state.withLock { state in
                    state.expired = true
                    defer { state.waiter = nil }
                    return state.waiter?.continuation
                }
                waiter?.resume(returning: false)
            }
        }
    }

    deinit { watchdog.withLock { $0?.cancel() } }
}
