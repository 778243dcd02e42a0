import BusCore
import Contracts
import GRDB
import ServiceKit

/// Units: registration and changes of strength, readiness, availability and location.
enum UnitCommands {
    typealias Messages = RegistryMessages

    static func register(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(Messages.RegisterUnit.self)
        guard !input.unit.isEmpty, input.unit.count <= 40 else {
            throw CommandError(.invalidCommand, "unit code must be 1 to 40 characters")
        }
        try checkStrength(input.strength)
        let partner = try PartnerCommands.existing(input.partner, in: context.db)
        guard partner.status == .joining || partner.status == .member else {
            throw CommandError(.illegalTransition, "partner '\(partner.code)' is \(partner.status.rawValue); only joining or member partners register units")
        }
        guard try MissionUnit.fetchOne(context.db, key: input.unit) == nil else {
            throw CommandError(.duplicate, "unit '\(input.unit)' is already registered")
        }
        let unit = MissionUnit(unit: input.unit, partner: partner.code, type: input.type, strength: input.strength,
                               readiness: input.readiness ?? .unknown, availability: input.availability ?? .available,
                               location: input.location)
        try unit.insert(context.db)
        try context.emit("registry.unit.registered", unit, label: unit.label)
        return try CommandResult("registry.unit.registered", unit)
    }

    static func update(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(Messages.UpdateUnit.self)
        guard var unit = try MissionUnit.fetchOne(context.db, key: input.unit) else {
            throw CommandError(.notFound, "no unit with code '\(input.unit)'")
        }
        if let strength = input.strength {
            try checkStrength(strength)
            unit.strength = strength
        }
        if let readiness = input.readiness { unit.readiness = readiness }
        if let availability = input.availability { unit.availability = availability }
        if let location = input.location { unit.location = location }
        try unit.update(context.db)
        try context.emit("registry.unit.updated", unit, label: unit.label)
        return try CommandResult("registry.unit.updated", unit)
    }

    private static func checkStrength(_ strength: Int) throws {
        guard (0...100_000).contains(strength) else {
            throw CommandError(.invalidCommand, "strength must be between 0 and 100000")
        }
    }
}
