import BusCore
import Contracts
import GRDB
import ServiceKit

/// Partner registration and membership transitions.
enum PartnerCommands {
    typealias Messages = RegistryMessages

    static func register(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(Messages.RegisterPartner.self)
        guard Partner.isValidCode(input.code) else {
            throw CommandError(.invalidCommand, "partner code '\(input.code)' must be 2 to 16 upper-case letters, digits, '-' or '_'")
        }
        let name = input.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 200 else {
            throw CommandError(.invalidCommand, "partner name must be 1 to 200 characters")
        }
        guard try Partner.fetchOne(context.db, key: input.code) == nil else {
            throw CommandError(.duplicate, "partner '\(input.code)' is already registered")
        }
        let partner = Partner(code: input.code, name: name, kind: input.kind, clearance: input.clearance, status: .joining)
        try partner.insert(context.db)
        try context.emit("registry.partner.registered", partner, label: partner.label)
        return try CommandResult("registry.partner.registered", partner)
    }

    /// A handler for one membership transition.
    static func transition(_ transition: Membership.Transition) -> CommandHandler {
        { context in
            let input = try context.input(Messages.PartnerTransition.self)
            var partner = try existing(input.code, in: context.db)
            guard let next = partner.status.applying(transition) else {
                throw CommandError(.illegalTransition,
                                   "partner '\(partner.code)' is \(partner.status.rawValue) and cannot be \(transition.eventVerb); allowed from: \(transition.allowedFrom)")
            }
            let change = PartnerStatusChanged(code: partner.code, status: next, previous: partner.status, reason: input.reason)
            partner.status = next
            try partner.update(context.db)
            let type = "registry.partner.\(transition.eventVerb)"
            try context.emit(type, change, label: change.label)
            return try CommandResult(type, change)
        }
    }

    static func existing(_ code: String, in db: Database) throws -> Partner {
        guard let partner = try Partner.fetchOne(db, key: code) else {
            throw CommandError(.notFound, "no partner with code '\(code)'")
        }
        return partner
    }
}

extension Membership.Transition {
    var allowedFrom: String { from.map(\.rawValue).sorted().joined(separator: ", ") }
}
