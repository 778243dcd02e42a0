import BusCore
import Foundation
import GRDB

/// What a command handler works with: the command, the open write transaction, and a way to
/// emit events into the service's journal inside that transaction.
public struct CommandContext {
    /// The command as received (data upcast to the current version).
    public let command: Envelope
    /// The write transaction; everything done here commits or rolls back together.
    public let db: Database
    let source: EventSource
    let environment: ServiceEnvironment
    let outbox: Outbox
    /// The service's catalog: every event is stamped with its type's current schema version.
    let catalog: MessageCatalog
    /// The command's data, parsed before the transaction began (nil: parse it here).
    var parsedData: JSONValue? = nil
    /// For a reaction, the label of the event reacted to: what it emits was computed from it.
    var trigger: Label? = nil
    /// Whom the command was authorized for: a staff member or one partner.
    public var audience: Audience = .staff(name: "", roles: [])

    /// The command's data decoded as `T`, or an `invalid_command` error naming the field.
    public func input<T: Decodable>(_: T.Type = T.self, userInfo: [CodingUserInfoKey: any Sendable] = [:]) throws -> T {
        do {
            if let parsedData { return try JSONTreeDecoder.decode(T.self, from: parsedData, userInfo: userInfo) }
            return try command.decodeData(T.self, userInfo: userInfo)
        } catch let error as DecodingError {
            throw CommandError(.invalidCommand, JSONCoding.describe(error), command: command.type)
        } catch let error as EnvelopeError {
            throw CommandError(.invalidCommand, error.reason, command: command.type)
        }
    }

    /// The service clock's current time.
    public var now: Date { environment.clock() }

    /// When the command was given: its own `time` (the sender's clock, or the gateway's for a
    /// partner), else now. What a command records as its moment uses this, so replaying the
    /// command reproduces the record.
    public var commandTime: Date { command.time.flatMap(Timestamp.parse) ?? now }

    /// Journals an event in this transaction; it is published once the transaction commits.
    ///
    /// Its label is `label` joined with the label of every input it was computed from (the
    /// one rule of docs/security.md, applied here so that no event can forget it):
    /// `derivedFrom` names them, each the label of what the event's content uses of an input (a
    /// replica row's label, or its tearline's when only the tearline is used). Without it, a
    /// reaction's event is computed from the event reacted to, and a command's from the command.
    @discardableResult
    public func emit<T: Encodable>(_ type: String, _ data: T, label: Label = .internalOnly, derivedFrom inputs: [Label]? = nil) throws -> Envelope {
        let label = Label.join([label] + (inputs ?? trigger.map { [$0] } ?? [])) ?? label
        var envelope = environment.makeEnvelope(type: type, source: source.journal.source)
        envelope.dataVersion = catalog.version(of: type) ?? 1
        envelope.classification = label.classification.rawValue
        envelope.releasableTo = label.releasableTo
        envelope.traceparent = command.traceparent
        try envelope.setData(data)
        let (stamped, message) = try source.journal(envelope, in: db)
        outbox.messages.append(message)
        return stamped
    }
}

/// The events one command journaled, published only if its savepoint and transaction commit.
final class Outbox {
    var messages: [BusMessage] = []
}
