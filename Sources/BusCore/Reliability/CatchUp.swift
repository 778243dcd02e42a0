import Foundation

/// A consumer's request for a range of a source's journal, as received by the source's ROUTER.
///
/// Wire: the DEALER sends `[request id][{"from":N,"limit":M,"types":[…]}]`; the source looks at
/// up to `limit` journaled events from sequence `from` on and answers
/// `[request id][{"epoch":E,"last":L,"through":T}][envelope]…` with those whose type is in
/// `types` (all when absent), in order; `through` is the last sequence it looked at, so the
/// consumer's cursor moves past what it does not want without fetching it. Envelopes travel as
/// the exact bytes that were journaled.
public struct CatchUpRequest: Sendable {
    let routingID: [UInt8]
    let requestID: [UInt8]
    /// First sequence number wanted.
    public let from: Int64
    /// Most events looked at for one answer.
    public let limit: Int
    /// Only these types, when given.
    public let types: Set<String>?

    struct Body: Codable {
        var from: Int64
        var limit: Int
        var types: [String]?
    }

    init?(routerFrames frames: [[UInt8]]) {
        guard frames.count == 3,
              let body = try? JSONCoding.decoder.decode(Body.self, from: Data(frames[2])),
              body.from > 0, body.limit > 0 else { return nil }
        routingID = frames[0]
        requestID = frames[1]
        from = body.from
        types = body.types.map(Set.init)
        // A filtered request reads only the wanted rows, so it may look over a wider range.
        limit = min(body.limit, types == nil ? CatchUpBatch.maxLimit : CatchUpBatch.maxLimit * 5)
    }
}

/// One answer to a catch-up request.
public struct CatchUpBatch: Sendable {
    /// Largest batch a source sends, whatever was asked.
    public static let maxLimit = 2_000

    /// The source journal's epoch; a different epoch than a consumer remembers means the journal was reset.
    public let epoch: String
    /// The last sequence number the source holds.
    public let last: Int64
    /// The last sequence number looked at for this answer.
    public let through: Int64
    /// Encoded envelopes of the wanted types, in sequence order.
    public let envelopes: [[UInt8]]

    public init(epoch: String, last: Int64, through: Int64, envelopes: [[UInt8]]) {
        self.epoch = epoch
        self.last = last
        self.through = through
        self.envelopes = envelopes
    }

    struct Header: Codable {
        var epoch: String
        var last: Int64
        var through: Int64
    }
}

extension BusConnection {
    /// Asks `source`, serving catch-up at `endpoint`, for envelopes from sequence `from` on. On a
    /// secure bus the answer is taken only from a server holding `source`'s key.
    public func fetch(from endpoint: String, source: String, after cursor: Int64, types: Set<String>? = nil, limit: Int? = nil,
                      timeout: Duration = .seconds(5)) async throws -> CatchUpBatch {
        let requestID = makeInbox()
        let range = limit ?? (types == nil ? CatchUpBatch.maxLimit : CatchUpBatch.maxLimit * 5)
        let body = try JSONCoding.encoder.encode(CatchUpRequest.Body(from: cursor + 1, limit: range, types: types.map { $0.sorted() }))
        fetches.register(requestID)
        mailbox.post(.fetch(endpoint: endpoint, source: source, frames: [Array(requestID.utf8), Array(body)]))
        let frames = try await fetches.wait(
            for: requestID, timeout: timeout,
            timeoutError: BusError(.timeout, "no catch-up answer from \(endpoint) within \(timeout)"))
        guard let headerFrame = frames.first,
              let header = try? JSONCoding.decoder.decode(CatchUpBatch.Header.self, from: Data(headerFrame)) else {
            throw BusError(.invalidReply, "catch-up answer from \(endpoint) has no valid header")
        }
        return CatchUpBatch(epoch: header.epoch, last: header.last, through: header.through, envelopes: Array(frames.dropFirst()))
    }

    /// Sends `batch` back to the consumer that asked `request`.
    public func answer(_ request: CatchUpRequest, with batch: CatchUpBatch) {
        let header = (try? JSONCoding.encoder.encode(CatchUpBatch.Header(epoch: batch.epoch, last: batch.last, through: batch.through))) ?? Data()
        mailbox.post(.routerSend([request.routingID, request.requestID, Array(header)] + batch.envelopes))
    }
}
