import BusCore
import GRDB

/// The get and list queries every entity has: `query.<service>.<entity>.get {<key>}` answered by
/// `<service>.<entity>.found`, and `query.<service>.<entity>.list {<filter>: value, …}` answered
/// by `<service>.<entity>s.listed` with `{"<entity>s": [...]}`.
public enum EntityQueries {
    /// `get` and `list` for `Record`, for staff with `roles`; a partner sees an entity only when
    /// its label releases it to the partner at the partner's clearance (the rule the gateway
    /// applies to events), and an entity it may not see does not exist for it.
    public static func handlers<Record: StatefulRecord>(_: Record.Type, service: String, filters: [String],
                                                        roles: Set<MissionRole>) -> QueryTable {
        let entity = Record.lifecycle.entity
        let partners = Policy.PartnerRule.filtered(by: "the \(entity)s whose label releases them to it")
        return [
            "query.\(service).\(entity).get": Guarded(Policy(roles: roles, partners: partners)) { context in
                let input = try context.input(TransitionInput.self, userInfo: [.transitionKeyField: Record.keyField])
                let record = try Transitions.existing(Record.self, input.key, in: context.db)
                guard context.audience.maySee(record.label) else { throw CommandError(.notFound, "no \(entity) '\(input.key)'") }
                return try CommandResult("\(service).\(entity).found", record, label: record.label)
            },
            "query.\(service).\(entity).list": Guarded(Policy(roles: roles, partners: partners)) { context in
                let page = try list(Record.self, context, filters: filters)
                let level = page.items.map(\.label.classification).max() ?? .unclassified
                let releasable = context.audience.partner.map { [$0] } ?? []
                return try CommandResult("\(service).\(entity)s.listed", Listed(name: "\(entity)s", items: page.items, next: page.next),
                                         label: Label(level, releasableTo: releasable))
            },
        ]
    }

    /// One page of what a list query may show its audience: rows matching the filters (each a
    /// column compared for equality), paged by `after` and `limit` (`Paging`).
    public static func list<Record: StatefulRecord>(_: Record.Type, _ context: QueryContext, filters: [String]) throws -> Page<Record> {
        var input = try context.input([String: String].self)
        let after = input.removeValue(forKey: "after")
        let limit = try Paging.limit(input.removeValue(forKey: "limit"))
        let request = try filtered(Record.self, input, filters: filters, alsoTaken: ["after", "limit"])
        return try Paging.page(request, keyColumn: Record.keyField, key: \.key, after: after, limit: limit,
                               visible: { context.audience.maySee($0.label) }, in: context.db)
    }

    /// `Record`'s rows whose columns equal the given filters; a field that is not one of
    /// `filters` is refused, naming every field the query takes (`alsoTaken` besides).
    public static func filtered<Record: StatefulRecord>(_: Record.Type, _ input: [String: String], filters: [String],
                                                        alsoTaken: [String]) throws -> QueryInterfaceRequest<Record> {
        var request = Record.all()
        for (field, value) in input {
            guard filters.contains(field) else {
                throw CommandError(.invalidCommand, "'\(field)' is not a filter here; filters: \((filters + alsoTaken).joined(separator: ", "))")
            }
            request = request.filter(Column(field) == value)
        }
        return request
    }

    /// The types these handlers take and answer with, for a service's catalog.
    public static func messageTypes<Record: StatefulRecord>(_: Record.Type, service: String) -> [MessageType] {
        let entity = Record.lifecycle.entity
        return [
            MessageType("query.\(service).\(entity).get", summary: "A \(entity) by its key.", data: TransitionInput.self,
                        userInfo: [.transitionKeyField: Record.keyField]),
            MessageType("query.\(service).\(entity).list", summary: "\(entity.capitalized)s, filtered by field.", data: [String: String].self),
            MessageType("\(service).\(entity).found", summary: "Answer to query.\(service).\(entity).get.", data: Record.self)
                .labelled("the \(entity)'s: \(Record.labelRule)"),
            MessageType("\(service).\(entity)s.listed", summary: "Answer to query.\(service).\(entity).list.", data: [String: [Record]].self)
                .labelled(Label.listRule),
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
                .labelled("the \(entity)'s: \(Record.labelRule)\(Label.derivedRule)")
        }
    }
}

/// `{"<name>": [items], "next": "<key>"}` (`next` only when there are more).
struct Listed<Item: Encodable>: Encodable {
    let name: String
    let items: [Item]
    var next: String? = nil

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: TransitionInput.Key.self)
        try container.encode(items, forKey: TransitionInput.Key(stringValue: name))
        if let next { try container.encode(next, forKey: TransitionInput.Key(stringValue: "next")) }
    }
}
