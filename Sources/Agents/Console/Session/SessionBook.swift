import Foundation
import Logging
import Synchronization

/// Every live session by its cookie value. Work a session needs for as long as it lasts (its
/// live feed, the watch on its gateway connection) is handed to the console service's task
/// group through `jobs`, so nothing runs outside the service's lifetime.
final class SessionBook: Sendable {
    typealias Job = @Sendable () async -> Void

    private let sessions = Mutex<[String: ConsoleSession]>([:])
    let jobs: AsyncStream<Job>
    private let jobSink: AsyncStream<Job>.Continuation
    let maxSessions: Int
    let logger: Logger

    init(maxSessions: Int, logger: Logger) {
        (jobs, jobSink) = AsyncStream.makeStream(of: Job.self)
        self.maxSessions = maxSessions
        self.logger = logger
    }

    /// A new cookie value: 256 bits from the system's random source, base64url.
    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    var count: Int { sessions.withLock { $0.count } }

    /// Room for one more session?
    var hasRoom: Bool { count < maxSessions }

    func add(_ session: ConsoleSession) {
        sessions.withLock { $0[session.id] = session }
    }

    /// The session a cookie names, if it still lasts. An expired one is ended on the way.
    func session(_ id: String?) async -> ConsoleSession? {
        guard let id, let session = sessions.withLock({ $0[id] }) else { return nil }
        if let reason = session.endedBecause {
            await end(session, reason)
            return nil
        }
        return session
    }

    /// Ends and forgets a session.
    func end(_ session: ConsoleSession, _ reason: String) async {
        sessions.withLock { _ = $0.removeValue(forKey: session.id) }
        if await session.end(reason) {
            logger.info("console session ended", metadata: ["console.role": "\(session.role)", "console.reason": "\(reason)"])
        }
    }

    /// Ends every session past its expiry; the console service calls this every few seconds.
    func sweep() async {
        let now = Date()
        for session in sessions.withLock({ Array($0.values) }) where session.expires <= now {
            await end(session, "the session expired")
        }
    }

    /// No more jobs: the console is stopping.
    func closeJobs() { jobSink.finish() }

    func endAll(_ reason: String) async {
        for session in sessions.withLock({ Array($0.values) }) { await end(session, reason) }
    }

    func run(_ job: @escaping Job) { jobSink.yield(job) }
}
