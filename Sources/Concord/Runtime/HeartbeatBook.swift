import BusCore
import Synchronization

/// The latest heartbeat of every source heard on the bus, and when it came: what `/healthz`
/// judges freshness by and what `concord status` prints.
final class HeartbeatBook: Sendable {
    struct Entry: Sendable {
        let beat: Heartbeat
        let at: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Keeps `message` if it is a readable heartbeat; anything else is ignored.
    func record(_ message: BusMessage) {
        guard let beat = try? EnvelopeCodec.decode(message.payload).decodeData(Heartbeat.self) else { return }
        entries.withLock { $0[beat.source] = Entry(beat: beat, at: .now) }
    }

    /// By source.
    var latest: [String: Entry] { entries.withLock { $0 } }
}
