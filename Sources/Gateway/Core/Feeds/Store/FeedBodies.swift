import BusCore
import Synchronization

/// Event bodies for feed deliveries: the newest events of each source as they were indexed,
/// held in memory, and anything older read again from the source's journal through catch-up.
/// The journal stays the one copy of history; this is a bounded cache in front of it.
final class FeedBodies: Sendable {
    private struct Cache {
        var bodies: [Int64: [UInt8]] = [:]
        var lowest: Int64 = 0
    }

    private let caches = Mutex<[String: Cache]>([:])
    /// The last range read from each journal: a reader going through old events in order
    /// fetches one range of `CatchUpBatch.maxLimit` per that many messages.
    private let readAhead = Mutex<[String: [Int64: [UInt8]]]>([:])
    private let endpoints = Mutex<[String: String]>([:])
    let capacityPerSource: Int

    init(capacityPerSource: Int = 50_000) { self.capacityPerSource = capacityPerSource }

    /// Keeps a just-indexed event's bytes.
    func keep(source: String, seq: Int64, bytes: [UInt8]) {
        caches.withLock { caches in
            // Changed in place: a copy of the cache per event would cost its whole size.
            caches[source, default: Cache()].bodies[seq] = bytes
            if caches[source]!.lowest == 0 || seq < caches[source]!.lowest { caches[source]!.lowest = seq }
            // Sequences come in order, so the oldest are the lowest.
            while caches[source]!.bodies.count > capacityPerSource {
                let lowest = caches[source]!.lowest
                caches[source]!.bodies[lowest] = nil
                caches[source]!.lowest = lowest + 1
            }
        }
    }

    /// Where `source` serves catch-up, as its heartbeats say.
    func noteEndpoint(source: String, endpoint: String) {
        endpoints.withLock { $0[source] = endpoint }
    }

    /// The bodies of `seqs` of `source`: from memory, the rest from the journal. A body the
    /// journal no longer answers for is missing from the result.
    func bodies(source: String, seqs: [Int64], bus: BusConnection?) async -> [Int64: [UInt8]] {
        var found: [Int64: [UInt8]] = [:]
        var missing: [Int64] = []
        caches.withLock { caches in
            readAhead.withLock { readAhead in
                for seq in seqs {
                    if let bytes = caches[source]?.bodies[seq] ?? readAhead[source]?[seq] { found[seq] = bytes } else { missing.append(seq) }
                }
            }
        }
        guard !missing.isEmpty, let bus, let endpoint = endpoints.withLock({ $0[source] }) else { return found }
        missing.sort()
        var index = 0
        while index < missing.count {
            let first = missing[index]
            var last = first
            while index + 1 < missing.count, missing[index + 1] - first < Int64(CatchUpBatch.maxLimit) {
                index += 1
                last = missing[index]
            }
            index += 1
            guard let batch = try? await bus.fetch(from: endpoint, source: source, after: first - 1, limit: CatchUpBatch.maxLimit) else {
                continue
            }
            var range: [Int64: [UInt8]] = [:]
            // Unfiltered, a catch-up answer is the gap-free run of the journal from `first` on.
            for (index, bytes) in batch.envelopes.enumerated() {
                let seq = first + Int64(index)
                range[seq] = bytes
                if seq >= first, seq <= last { found[seq] = bytes }
            }
            readAhead.withLock { $0[source] = range }
        }
        return found
    }
}
