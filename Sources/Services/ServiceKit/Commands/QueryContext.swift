import BusCore
import GRDB

/// What a query handler works with: the query and a read-only snapshot of the database.
public struct QueryContext {
    public let query: Envelope
    public let db: Database
    /// Whom the query is answered for: a list holds only what this audience may see.
    public let audience: Audience

    public init(query: Envelope, db: Database, audience: Audience) {
        self.query = query
        self.db = db
        self.audience = audience
    }

    /// The query's data decoded as `T`; a query without data decodes from `{}`.
    public func input<T: Decodable>(_: T.Type = T.self, userInfo: [CodingUserInfoKey: any Sendable] = [:]) throws -> T {
        var query = query
        if query.data == nil { query.data = Array("{}".utf8) }
        do {
            return try query.decodeData(T.self, userInfo: userInfo)
        } catch let error as EnvelopeError {
            throw CommandError(.invalidCommand, error.reason, command: query.type)
        }
    }
}
