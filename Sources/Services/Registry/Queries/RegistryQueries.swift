import BusCore
import Contracts
import GRDB
import ServiceKit

/// Read-only answers from the registry.
enum RegistryQueries {
    typealias Messages = RegistryMessages

    static func partner(_ context: QueryContext) throws -> CommandResult {
        let input = try context.input(Messages.GetPartner.self)
        // A partner sees its own record only (the policy answers any other as not found).
        guard let partner = try Partner.fetchOne(context.db, key: input.code) else {
            throw CommandError(.notFound, "no partner with code '\(input.code)'")
        }
        let credentials = try Credential.filter(Column("partner") == partner.code).order(Column("user")).fetchAll(context.db)
        let details = Messages.PartnerDetails(
            partner: partner, permissions: try PermissionSet.fetchOne(context.db, key: partner.code),
            credentials: credentials.map(AccessCommands.summary))
        return try CommandResult("registry.partner.found", details)
    }

    static func partners(_ context: QueryContext) throws -> CommandResult {
        let input = try context.input(Messages.ListPartners.self)
        var request = Partner.order(Column("code"))
        if let status = input.status { request = request.filter(Column("status") == status.rawValue) }
        if let asker = context.audience.partner { request = request.filter(Column("code") == asker) }
        return try CommandResult("registry.partners.listed", Messages.PartnerList(partners: try request.fetchAll(context.db)))
    }

    /// The mission's named areas: the same for everyone, unclassified (MissionAreas).
    static func areas(_ context: QueryContext) throws -> CommandResult {
        let input = try context.input([String: String].self)
        for field in input.keys where field != "kind" {
            throw CommandError(.invalidCommand, "'\(field)' is not a filter here; filters: kind")
        }
        let areas = MissionAreas.all.filter { area in input["kind"].map { $0 == area.kind.rawValue } ?? true }
        return try CommandResult("registry.areas.listed", ["areas": areas])
    }

    /// Units as one layer: a partner's own units, as the list gives them; staff see all.
    static func exportUnits(_ context: QueryContext) throws -> CommandResult {
        var input = try context.input([String: String].self)
        let format = try EntityExports.format(input.removeValue(forKey: "format"), offered: MissionUnit.formats)
        for field in input.keys where field != "partner" && field != "type" {
            throw CommandError(.invalidCommand, "'\(field)' is not a filter here; filters: format, partner, type")
        }
        var request = MissionUnit.order(Column("unit"))
        for (field, value) in input { request = request.filter(Column(field) == value) }
        if let asker = context.audience.partner { request = request.filter(Column("partner") == asker) }
        let units = try request.limit(EntityExports.maxRecords).fetchAll(context.db)
        return try EntityExports.answer(units, format: format, labels: units.map(\.label), service: "registry", entity: "unit", context)
    }

    static func units(_ context: QueryContext) throws -> CommandResult {
        let input = try context.input(Messages.ListUnits.self)
        var request = MissionUnit.all()
        if let type = input.type { request = request.filter(Column("type") == type.rawValue) }
        if let readiness = input.readiness { request = request.filter(Column("readiness") == readiness.rawValue) }
        if let available = input.available {
            let isAvailable = Column("availability") == MissionUnit.Availability.available.rawValue
            request = request.filter(available ? isAvailable : !isAvailable)
        }
        if let partner = input.partner { request = request.filter(Column("partner") == partner) }
        // A partner lists its own units: the others' go only to their own partners.
        if let asker = context.audience.partner { request = request.filter(Column("partner") == asker) }
        let page = try Paging.page(request, keyColumn: "unit", key: \.unit, after: input.after,
                                   limit: try Paging.limit(input.limit.map(String.init)), in: context.db)
        return try CommandResult("registry.units.listed", Messages.UnitList(units: page.items, next: page.next))
    }
}
