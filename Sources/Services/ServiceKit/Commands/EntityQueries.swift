import BusCore
import GRDB

/// The get and list queries every entity has: `query.<service>.<entity>.get {<key>}` answered by
/// `<service>.<entity>.found`, and `query.<service>.<entity>.list {<filter>: value, …}` answered
/// by `<service>.<entity>s.listed` with `{"<entity>s": [...]}`.
public enum EntityQueries {
    public static func handlers<Record: StatefulRecord>(_: Record.Type, service: String, filters: [String]) -> [String: QueryHandler] {
        let entity = Record.lifecycle.entity
        return [
            "query.\(service).\(entity).get": { context in
                let input = try context.input(TransitionInput.self, userInfo: [.transitionKeyField: Record.keyField])
                let record = try Transitions.existing(Record.self, input.key, in: context.db)
                return try CommandResult("\(service).\(entity).found", record, label: record.label)
            },
            "query.\(service).\(entity).list": { context in
                var records = try list(Record.self, context, filters: filters)
                // A partner lists only what is releasable to it; the answer carries the highest
                // classification among them, so the gateway still checks the partner's clearance.
                if let partner = PartnerSource.code(of: context.query.source) {
                    records = records.filter { $0.label.releasableTo.contains(partner) }
                }
                let level = records.map(\.label.classification).max() ?? .unclassified
                let releasable = PartnerSource.code(of: context.query.source).map { [$0] } ?? []
                return try CommandResult("\(service).\(entity)s.listed", Listed(name: "\(entity)s", items: records),
                                         label: Label(level, releasableTo: releasable))
            },
        ]
    }

    /// Rows of `Record` matching the query's filters (each a column compared for equality).
    public static func list<Record: FetchableRecord & TableRecord>(_: Record.Type, _ context: QueryContext, filters: [String]) throws -> [Record] {
        let input = try context.input([String: String].self)
        var request = Record.all()
        for (field, value) in input {
            guard filters.contains(field) else {
                throw CommandError(.invalidCommand, "'\(field)' is not a filter here; filters: \(filters.joined(separator: ", "))")
            }
            request = request.filter(Column(field) == value)
        }
        return try request.fetchAll(context.db)
    }

    /// The types these handlers take and answer with, for a service's catalog.
    public static func messageTypes<Record: StatefulRecord>(_: Record.Type, service: String) -> [MessageType] {
        let entity = Record.lifecycle.entity
        return [
            MessageType("query.\(service).\(entity).get", summary: "A \(entity) by its key.", data: TransitionInput.self,
                        userInfo: [.transitionKeyField: Record.keyField]),
            MessageType("query.\(service).\(entity).list", summary: "\(entity.capitalized)s, filtered by field.", data: [String: String].self),
            MessageType("\(service).\(entity).found", summary: "Answer to query.\(service).\(entity).get.", data: Record.self),
            MessageType("\(service).\(entity)s.listed", summary: "Answer to query.\(service).\(entity).list.", data: [String: [Record]].self),
        ]
    }

    /// The command and event types of a lifecycle's steps, for a service's catalog.
    public static func transitionTypes<Record: StatefulRecord>(_: Record.Type, service: String) -> [MessageType] {
        transitionCommands(Record.self, service: service) + transitionEvents(Record.self, service: service)
    }

    /// `cmd.<service>.<entity>.<verb>` for each step of the lifecycle.
    public static func transitionCommands<Record: StatefulRecord>(_: Record.Type, service: String) -> [MessageType] {
        let entity = Record.lifecycle.entity
        return Record.lifecycle.steps.map { step in
            MessageType("cmd.\(service).\(entity).\(step.verb)", summary: "Move a \(entity) to \(step.to.rawValue).",
                        data: TransitionInput.self, userInfo: [.transitionKeyField: Record.keyField])
        }
    }

    /// `<service>.<entity>.<event>` for each step of the lifecycle, carrying the whole entity.
    public static func transitionEvents<Record: StatefulRecord>(_: Record.Type, service: String) -> [MessageType] {
        let entity = Record.lifecycle.entity
        return Record.lifecycle.steps.map { step in
            MessageType("\(service).\(entity).\(step.event)", summary: "A \(entity) became \(step.to.rawValue).", data: Record.self)
        }
    }
}

/// `{"<name>": [items]}`.
struct Listed<Item: Encodable>: Encodable {
    let name: String
    let items: [Item]

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: TransitionInput.Key.self)
        try container.encode(items, forKey: TransitionInput.Key(stringValue: name))
    }
}
