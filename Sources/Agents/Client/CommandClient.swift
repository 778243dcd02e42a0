import BusCore
import Foundation

/// Sends commands and queries over the bus as one named source, retrying a command that got no
/// answer with the same idempotency key (safe: a repeated command changes nothing).
public struct CommandClient: Sendable {
    /// A refusal from a service, as its `<service>.command.rejected` reply says it.
    public struct Rejection: Error, CustomStringConvertible, Sendable, Decodable {
        public let code: String
        public let message: String
        public var description: String { "\(code): \(message)" }
    }

    let connection: BusConnection
    let source: String
    let catalog: MessageCatalog

    /// Sends as `source`: a member of the mission's staff, the bootstrap administrator unless named.
    public init(connection: BusConnection, source: String = staffSource(nil), catalog: MessageCatalog = MessageCatalog()) {
        self.connection = connection
        self.source = source
        self.catalog = catalog
    }

    /// `operator/<name>`, the source of the mission's staff; `operator/admin` (the administrator
    /// a fresh deployment starts with) when no name is given.
    public static func staffSource(_ name: String?) -> String { "operator/" + (name ?? "admin") }

    /// Sends `type` with `data` and returns the reply, throwing `Rejection` when refused.
    public func send<T: Encodable>(_ type: String, _ data: T, timeout: Duration = .seconds(5), attempts: Int = 3) async throws -> Envelope {
        var command = Envelope(id: RandomID.uuid(), source: source, type: type,
                               time: Timestamp.rfc3339(Date()), dataVersion: catalog.version(of: type))
        command.idempotencyKey = command.id
        try command.setData(data)
        var lastError: any Error = BusError(.timeout, "no attempt made")
        for _ in 0..<max(attempts, 1) {
            do {
                let reply = try await connection.request(command, timeout: timeout)
                if reply.type.hasSuffix(".command.rejected") { throw try reply.decodeData(Rejection.self) }
                return reply
            } catch let error as BusError where error.code == .timeout {
                lastError = error
            }
        }
        throw lastError
    }

    /// Sends and decodes the reply's data as `R`.
    public func send<T: Encodable, R: Decodable>(_ type: String, _ data: T, expecting: R.Type, timeout: Duration = .seconds(5)) async throws -> R {
        try await send(type, data, timeout: timeout).decodeData(R.self)
    }
}
