import BusCore
import GRDB

/// A service entity with a lifecycle: stored as one row, moved by `cmd.<service>.<entity>.<verb>`
/// commands, each move reported as `<service>.<entity>.<event>` carrying the whole entity.
public protocol StatefulRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    associatedtype Status: RawRepresentable & Hashable & Sendable & Codable where Status.RawValue == String
    static var lifecycle: Lifecycle<Status> { get }
    /// The field naming the entity in commands, e.g. `request`; also its primary key column.
    static var keyField: String { get }
    var key: String { get }
    var status: Status { get set }
    /// Who the entity's events are for.
    var label: Label { get }
    /// `label` in words, for docs/authorization.md: e.g. "unclassified, releasable to the requester".
    static var labelRule: String { get }
}

/// The data of a transition command: the entity's key and an optional reason.
public struct TransitionInput: Decodable, Sendable {
    public let key: String
    public let reason: String?

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        let field = decoder.userInfo[.transitionKeyField] as? String ?? "id"
        key = try container.decode(String.self, forKey: Key(stringValue: field))
        reason = try container.decodeIfPresent(String.self, forKey: Key(stringValue: "reason"))
    }
}

extension CodingUserInfoKey {
    static let transitionKeyField = CodingUserInfoKey(rawValue: "concord.transitionKeyField")!
}

/// Builds the transition commands of a `StatefulRecord`.
public enum Transitions {
    /// A side effect run once the entity's move is stored, in the same transaction; throwing undoes the move.
    public typealias After<Record: StatefulRecord> = @Sendable (inout Record, CommandContext) throws -> Void

    /// Handlers for the steps of `Record.lifecycle` that `policies` names (by verb), each guarded
    /// by its policy. A step without a policy gets no handler: the generated policy test then
    /// finds its command type without one and fails.
    public static func handlers<Record: StatefulRecord>(
        _: Record.Type, service: String, policies: [String: Policy], after: [String: After<Record>] = [:]
    ) -> CommandTable {
        var handlers: CommandTable = [:]
        let entity = Record.lifecycle.entity
        for step in Record.lifecycle.steps {
            guard let policy = policies[step.verb] else { continue }
            handlers["cmd.\(service).\(entity).\(step.verb)"] = Guarded(policy) { context in
                let input = try context.input(TransitionInput.self, userInfo: [.transitionKeyField: Record.keyField])
                var record = try existing(Record.self, input.key, in: context.db)
                let move = try Record.lifecycle.step(step.verb, from: record.status, id: input.key)
                record.status = move.to
                try EntityRow.update(try JSONTreeEncoder.encode(record), in: Record.databaseTableName, key: Record.keyField, in: context.db)
                try after[step.verb]?(&record, context)
                let type = "\(service).\(entity).\(move.event)"
                return CommandResult(answering: try context.emit(type, record, label: record.label), label: record.label)
            }
        }
        return handlers
    }

    /// The stored entity, or `not_found`.
    public static func existing<Record: StatefulRecord>(_: Record.Type, _ key: String, in db: Database) throws -> Record {
        guard let record = try Record.fetchOne(db, key: [Record.keyField: key]) else {
            throw CommandError(.notFound, "no \(Record.lifecycle.entity) '\(key)'")
        }
        return record
    }

    /// Stores a new entity, refusing a key that exists, and reports it as `<service>.<entity>.<event>`.
    public static func create<Record: StatefulRecord>(_ record: Record, service: String, event: String,
                                                      in context: CommandContext, derivedFrom inputs: [Label]? = nil) throws -> CommandResult {
        guard !record.key.isEmpty, record.key.count <= 64 else {
            throw CommandError(.invalidCommand, "\(Record.keyField) must be 1 to 64 characters")
        }
        // One encoding serves the row and the event.
        let entity = try JSONTreeEncoder.encode(record)
        do {
            try EntityRow.insert(entity, into: Record.databaseTableName, in: context.db)
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            // The key's primary-key index answers "does it exist?" as part of the insert.
            throw CommandError(.duplicate, "\(Record.lifecycle.entity) '\(record.key)' already exists")
        }
        let type = "\(service).\(Record.lifecycle.entity).\(event)"
        return CommandResult(answering: try context.emit(type, entity, label: record.label, derivedFrom: inputs), label: record.label)
    }
}
