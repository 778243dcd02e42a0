import Agents
import Foundation
import ServiceLifecycle

/// Waits until every part of this process is ready, then says so: `announce` prints, and the
/// report goes to the ready file when one was asked for. Stays until shutdown.
struct ReadyAnnouncement: Service {
    let readyFile: String?
    let report: @Sendable () async throws -> ReadyReport
    let announce: @Sendable (ReadyReport) -> Void

    func run() async throws {
        let ready = try await report()
        announce(ready)
        if let readyFile { try ready.write(to: readyFile) }
        try? await gracefulShutdown()
    }
}

/// Writes to standard output without stdio's buffer, so the line is there at once even when
/// output is a pipe or a log file.
func writeUnbuffered(_ text: String) {
    var text = text
    text.withUTF8 { bytes in _ = Glibc.write(1, bytes.baseAddress, bytes.count) }
}
