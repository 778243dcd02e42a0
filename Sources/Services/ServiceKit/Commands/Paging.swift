import BusCore
import GRDB

/// One page of a list answer: rows in key order after the `after` key, at most `limit`
/// (default 100, at most 1,000), and no more than half the bus's message size encoded, so an
/// answer always fits the bus with its envelope. Every list query pages this way.
public enum Paging {
    public static let defaultLimit = 100
    public static let maxLimit = 1_000

    /// `limit` as a list query's input gives it, checked.
    public static func limit(_ text: String?) throws -> Int {
        guard let text else { return defaultLimit }
        guard let value = Int(text), (1...maxLimit).contains(value) else {
            throw CommandError(.invalidCommand, "limit must be a number from 1 to \(maxLimit)")
        }
        return value
    }

    /// The page of `request` (ordered by `keyColumn`) after `after`, holding only rows the
    /// audience may see (`visible`).
    public static func page<Record: FetchableRecord & TableRecord & Encodable & Sendable>(
        _ request: QueryInterfaceRequest<Record>, keyColumn: String, key: (Record) -> String, after: String?, limit: Int,
        visible: (Record) -> Bool = { _ in true }, in db: Database
    ) throws -> Page<Record> {
        var request = request.order(Column(keyColumn))
        if let after { request = request.filter(Column(keyColumn) > after) }
        var items: [Record] = [], bytes = 0
        let cursor = try request.fetchCursor(db)
        while let record = try cursor.next() {
            guard visible(record) else { continue }
            let size = try JSONTreeEncoder.encode(record).bytes.count
            if items.count == limit || (bytes + size > Page<Record>.maxBytes && !items.isEmpty) {
                return Page(items: items, next: items.last.map(key))
            }
            items.append(record)
            bytes += size
        }
        return Page(items: items, next: nil)
    }
}

/// One page of a list: the items and, when there are more, the key to ask `after` next.
public struct Page<Record>: Sendable where Record: Sendable {
    /// Half the bus's largest message: an answer always fits, with its envelope.
    static var maxBytes: Int { EnvelopeCodec.defaultMaxBytes / 2 }
    public var items: [Record]
    public var next: String?
}
