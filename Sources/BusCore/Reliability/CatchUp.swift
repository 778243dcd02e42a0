import Foundation

/// A consumer's request for a range of a source's journal, as received by the source's ROUTER.
///
/// Wire: the DEALER sends `[request id][{"from":N,"limit":M}]`; the source answers
/// `[request id][{"epoch":E,"last":L}][envelope]…` with at most `limit` journaled envelopes
/// from sequence `from` on, in order. Envelopes travel as the exact bytes that were journaled.
public struct CatchUpRequest: Sendable {
    let routingID: [UInt8]
    let requestID: [UInt8]
    /// First sequence number wanted.
    public let from: Int64
    /// Most envelopes wanted in one answer.
    public let limit: Int

    struct Body: Codable {
        var from: Int64
        var limit: Int
    }

    init?(routerFrames frames: [[UInt8]]) {
        guard frames.count == 3,
              let body = try? JSONCoding.decoder.decode(Body.self, from: Data(frames[2])),
              body.from > 0, body.limit > 0 else { return nil }
        routingID = frames[0]
        requestID = frames[1]
        from = body.from
        limit = min(body.limit, CatchUpBatch.maxLimit)
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
    /// Encoded envelopes, in sequence order.
    public let envelopes: [[UInt8]]

    public init(epoch: String, last: Int64, envelopes: [[UInt8]]) {
        self.epoch = epoch
        self.last = last
        self.envelopes = envelopes
    }

    struct Header: Codable {
        var epoch: String
        var last: Int64
    }
}

extension BusConnection {
    /// Asks the source serving catch-up at `endpoint` for envelopes from sequence `from` on.
    public func fetch(from endpoint: String, after cursor: Int64, limit: Int = CatchUpBatch.maxLimit,
                      timeout: Duration = .seconds(5)) async throws -> CatchUpBatch {
        let requestID = makeInbox()
        let body = try JSONCoding.encoder.encode(CatchUpRequest.Body(from: cursor + 1, limit: limit))
        fetches.register(requestID)
        mailbox.post(.fetch(endpoint: endpoint, frames: [Array(requestID.utf8), Array(body)]))
        let frames = try await fetches.wait(
            for: requestID, timeout: timeout,
            timeoutError: BusError(.timeout, "no catch-up answer from \(endpoint) within \(timeout)"))
        guard let headerFrame = frames.first,
              let header = try? JSONCoding.decoder.decode(CatchUpBatch.Header.self, from: Data(headerFrame)) else {
            throw BusError(.invalidReply, "catch-up answer from \(endpoint) has no valid header")
        }
        return CatchUpBatch(epoch: header.epoch, last: header.last, envelopes: Array(frames.dropFirst()))
    }

    /// Sends `batch` back to the consumer that asked `request`.
    public func answer(_ request: CatchUpRequest, with batch: CatchUpBatch) {
        let header = (try? JSONCoding.encoder.encode(CatchUpBatch.Header(epoch: batch.epoch, last: batch.last))) ?? Data()
        mailbox.post(.routerSend([request.routingID, request.requestID, Array(header)] + batch.envelopes))
    }
}
