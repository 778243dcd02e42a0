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
    /// The range after it, being fetched while the last one is delivered.
    private let nextRange = Mutex<[String: (first: Int64, fetch: Task<JournalRange, Never>)]>([:])
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
            let range = await range(source: source, containing: missing[index], bus: bus, endpoint: endpoint)
            // A body the journal did not answer for: delivery stops there, so the rest can wait.
            guard range.bodies[missing[index]] != nil else { break }
            while index < missing.count, let bytes = range.bodies[missing[index]] {
                found[missing[index]] = bytes
                index += 1
            }
        }
        return found
    }

    /// A run of the journal: `CatchUpBatch.maxLimit` sequences from `first`, as far as it answered.
    private struct JournalRange: Sendable {
        var first: Int64
        var bodies: [Int64: [UInt8]] = [:]
        var isFull: Bool { bodies.count == CatchUpBatch.maxLimit }
    }

    /// The journal's run holding `seq`: the range fetched ahead when it holds it, else a fresh
    /// fetch from `seq`. A full range starts the fetch of the one after it, so a reader going
    /// through old events in order seldom waits for the journal.
    private func range(source: String, containing seq: Int64, bus: BusConnection, endpoint: String) async -> JournalRange {
        let ahead = nextRange.withLock { next in
            next[source].flatMap { seq >= $0.first && seq < $0.first + Int64(CatchUpBatch.maxLimit) ? $0.fetch : nil }
        }
        var range = await ahead?.value ?? JournalRange(first: seq)
        if range.bodies[seq] == nil { range = await Self.fetch(source: source, from: seq, bus: bus, endpoint: endpoint) }
        readAhead.withLock { $0[source] = range.bodies }
        if range.isFull {
            let next = range.first + Int64(CatchUpBatch.maxLimit)
            // Unstructured on purpose: it outlives this call to be ready for the next one. At most
            // one per source, and it ends with its fetch (answered or timed out after 5 s).
            let fetch = Task { await Self.fetch(source: source, from: next, bus: bus, endpoint: endpoint) }
            nextRange.withLock { $0[source] = (next, fetch) }
        }
        return range
    }

    private static func fetch(source: String, from first: Int64, bus: BusConnection, endpoint: String) async -> JournalRange {
        var range = JournalRange(first: first)
        guard let batch = try? await bus.fetch(from: endpoint, source: source, after: first - 1, limit: CatchUpBatch.maxLimit) else {
            return range
        }
        // Unfiltered, a catch-up answer is the gap-free run of the journal from `first` on.
        for (offset, bytes) in batch.envelopes.enumerated() { range.bodies[first + Int64(offset)] = bytes }
        return range
    }
}
