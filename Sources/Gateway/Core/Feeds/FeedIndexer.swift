import BusCore
import Foundation
import GRDB
import Logging
import Synchronization

/// Builds each partner's view of each stream: follows every service's journal like any other
/// consumer (exactly once, in order, through catch-up after a gap or restart) and appends each
/// event to the view of every partner its label releases it to, densely numbered, in the
/// transaction that moves the cursor. Partners not yet known to the directory see only what is
/// indexed after they are.
final class FeedIndexer: Sendable {
    struct ViewKey: Hashable, Sendable {
        let stream: String
        let partner: String
    }

    let consumer: Consumer
    private let touched: Touched

    /// The views that grew since last asked, filled inside the indexing transactions.
    final class Touched: Sendable {
        let keys = Mutex<Set<ViewKey>>([])
    }

    init(streams: [FeedStream], store: FeedStore, bodies: FeedBodies, directory: PartnerDirectory, connection: BusConnection,
         logger: Logger) {
        let bySource = Dictionary(uniqueKeysWithValues: streams.map { ($0.source, $0) })
        let touched = Touched()
        self.touched = touched
        consumer = Consumer(part: "gateway-feeds", follows: streams.map { .init(source: $0.source, topicPrefix: $0.topicPrefix) },
                            connection: connection, database: store.database, catalog: nil, logger: logger) { event, db in
            guard let stream = bySource[event.source], let sequence = event.sequence else { return }
            let bytes = EnvelopeCodec.encode(event)
            bodies.keep(source: event.source, seq: sequence, bytes: bytes)
            let timeNs = ConsumerConfig.nanoseconds(ofRFC3339: event.time ?? "") ?? 0
            try FeedStore.noteStream(stream.name, timeNs: timeNs, in: db)
            for partner in Self.audience(of: event, directory: directory) {
                try FeedStore.append(stream: stream.name, partner: partner, sourceSeq: sequence, subject: event.type, timeNs: timeNs,
                                     size: bytes.count, in: db)
                _ = touched.keys.withLock { $0.insert(ViewKey(stream: stream.name, partner: partner)) }
            }
        }
    }

    /// The partners an event goes to: those named in its label, cleared for it, and allowed to
    /// take its subject, as the live feed decides.
    static func audience(of event: Envelope, directory: PartnerDirectory) -> [String] {
        let releasableTo = event.releasableTo
        return releasableTo.filter { code in
            guard let entry = directory.entry(code) else { return false }
            return Releasability.allows(classification: event.classification, releasableTo: releasableTo, partner: code,
                                        clearance: entry.clearance)
                && entry.subscribe.contains { Subject.matches(event.type, pattern: $0) }
        }
    }

    /// Handles a burst of the streams' events and heartbeats; returns the views that grew.
    func handle(_ messages: [BusMessage]) async -> Set<ViewKey> {
        await consumer.handle(messages)
        return touched.keys.withLock { touched in
            defer { touched.removeAll() }
            return touched
        }
    }
}
