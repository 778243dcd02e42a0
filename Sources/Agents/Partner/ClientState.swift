import Synchronization

/// What the client's handler and its callers share.
final class ClientState: Sendable {
    private struct Inner {
        var subscriptions: [String: AsyncStream<PartnerClient.Message>.Continuation] = [:]
        /// Requests waiting for their answer on the muxed inbox, by reply subject.
        var replies: [String: AsyncStream<PartnerClient.Message>.Continuation] = [:]
        var muxSid: String?
        var pongs: [Int: CheckedContinuation<Void, any Error>] = [:]
        var expected: [Int] = []
        var nextPong = 0
        var nextSid = 0
        var nextRequest = 0
        var lastError: String?
        var sawInfo = false
        var closed = false
    }

    private let inner = Mutex(Inner())

    var lastError: String? { inner.withLock { $0.lastError } }

    func infoReceived() { inner.withLock { $0.sawInfo = true } }

    /// Waits for the gateway's INFO (TLS starts after it); false if the connection closed or
    /// none came in time.
    func waitInfo(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (seen, closed) = inner.withLock { ($0.sawInfo, $0.closed) }
            if seen || closed { return seen }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    func add(_ continuation: AsyncStream<PartnerClient.Message>.Continuation) -> String {
        inner.withLock { inner in
            inner.nextSid += 1
            inner.subscriptions[String(inner.nextSid)] = continuation
            return String(inner.nextSid)
        }
    }

    /// Registers a request's reply subject; returns its stream, and the SUB bytes of the muxed
    /// inbox the first time.
    func expectReply(_ subject: String, muxSubject: String) -> (AsyncStream<PartnerClient.Message>, [UInt8]?) {
        let (stream, continuation) = AsyncStream.makeStream(of: PartnerClient.Message.self, bufferingPolicy: .bufferingNewest(1))
        let sub: [UInt8]? = inner.withLock { inner in
            inner.replies[subject] = continuation
            guard inner.muxSid == nil else { return nil }
            inner.nextSid += 1
            inner.muxSid = String(inner.nextSid)
            return Array("SUB \(muxSubject) \(inner.nextSid)\r\n".utf8)
        }
        return (stream, sub)
    }

    /// Ends a subscription's stream; false if there was none.
    func remove(_ sid: String) -> Bool {
        let continuation = inner.withLock { $0.subscriptions.removeValue(forKey: sid) }
        continuation?.finish()
        return continuation != nil
    }

    func forgetReply(_ subject: String) { inner.withLock { _ = $0.replies.removeValue(forKey: subject) } }

    func nextRequest() -> Int { inner.withLock { $0.nextRequest += 1; return $0.nextRequest } }

    func deliver(_ sid: String, _ message: PartnerClient.Message) {
        let target = inner.withLock { inner in
            sid == inner.muxSid ? inner.replies.removeValue(forKey: message.subject) : inner.subscriptions[sid]
        }
        target?.yield(message)
    }

    func expectPong() -> Int {
        inner.withLock { inner in
            inner.nextPong += 1
            inner.expected.append(inner.nextPong)
            return inner.nextPong
        }
    }

    func waitPong(_ key: Int, timeout: Duration) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await withCheckedThrowingContinuation { continuation in
                    let failed: String?? = self.inner.withLock { inner in
                        guard inner.expected.contains(key) else { return .some(inner.lastError) }
                        inner.pongs[key] = continuation
                        return .none
                    }
                    if let failed {
                        if let failed { continuation.resume(throwing: PartnerClient.Failure(message: failed)) } else { continuation.resume() }
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw PartnerClient.Failure(message: self.lastError ?? "the gateway did not answer within \(timeout)")
            }
            defer { group.cancelAll() }
            try await group.next()
            self.fail(key)
        }
    }

    private func fail(_ key: Int) {
        let waiter = inner.withLock { inner -> CheckedContinuation<Void, any Error>? in
            inner.expected.removeAll { $0 == key }
            return inner.pongs.removeValue(forKey: key)
        }
        waiter?.resume(throwing: PartnerClient.Failure(message: lastError ?? "timed out"))
    }

    func pong() {
        let waiter = inner.withLock { inner -> CheckedContinuation<Void, any Error>? in
            guard !inner.expected.isEmpty else { return nil }
            let key = inner.expected.removeFirst()
            return inner.pongs.removeValue(forKey: key)
        }
        waiter?.resume()
    }

    func error(_ text: String) { inner.withLock { $0.lastError = text } }

    func finishAll() {
        let (streams, waiters, reason) = inner.withLock { inner in
            inner.closed = true
            defer {
                inner.subscriptions.removeAll(); inner.replies.removeAll()
                inner.pongs.removeAll(); inner.expected.removeAll()
            }
            return (Array(inner.subscriptions.values) + Array(inner.replies.values), Array(inner.pongs.values),
                    inner.lastError ?? "connection closed")
        }
        streams.forEach { $0.finish() }
        waiters.forEach { $0.resume(throwing: PartnerClient.Failure(message: reason)) }
    }
}
