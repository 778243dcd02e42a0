import BusCore
import Geography
import GRDB
import ServiceKit

/// A convoy on a named route: planned → escort assigned → moving ⇄ halted → arrived.
public struct Convoy: StatefulRecord, Equatable {
    public static let databaseTableName = "convoy"
    public static let keyField = "convoy"

    public enum Status: String, Codable, Sendable, CaseIterable {
        case planned
        case escortAssigned = "escort-assigned"
        case moving, halted, arrived
    }

    public var convoy: String
    public var route: String
    /// Partners whose people or goods travel in it.
    public var partners: [String]
    public var request: String?
    /// The escorting unit, once assigned.
    public var escort: String?
    public var status: Status
    /// While halted by alerts: the join of what its partners may learn of them (each alert or
    /// its tearline). That a convoy stopped tells of the alert, so while halted the convoy is
    /// shown only under this label too; nil for a halt ordered by the logistics cell.
    public var haltedUnder: SecurityLabel?
    /// Where it was last reported (`cmd.logistics.convoy.report-position`).
    public var position: Position?

    public var key: String { convoy }
    /// Movements are restricted: only the convoy's own partners see them; a halt joins what
    /// caused it.
    public var label: Label {
        let own = Label(.restricted, releasableTo: partners)
        guard status == .halted, let haltedUnder else { return own }
        return own.joined(with: haltedUnder.label)
    }
    public static let labelRule = "restricted, releasable to the convoy's partners (the escort's partner among them once assigned); "
        + "while halted by alerts, joined with what its partners may learn of them (haltedUnder)"

    private enum CodingKeys: String, CodingKey { case convoy, route, partners, request, escort, status, haltedUnder, position }

    /// `haltedUnder` is written only while halted: leaving it out once the convoy moves clears
    /// it from the row and from every later event.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(convoy, forKey: .convoy)
        try container.encode(route, forKey: .route)
        try container.encode(partners, forKey: .partners)
        try container.encodeIfPresent(request, forKey: .request)
        try container.encodeIfPresent(escort, forKey: .escort)
        try container.encode(status, forKey: .status)
        if status == .halted { try container.encodeIfPresent(haltedUnder, forKey: .haltedUnder) }
        try container.encodeIfPresent(position, forKey: .position)
    }

    /// Assigns `unit`, of `partner`, as the escort. The escort's partner travels in the convoy
    /// too, so it joins the partners who see it: assigning an escort is the mission's decision
    /// to release the convoy to the escort's partner and the escort's name to the convoy's.
    public mutating func assign(escort unit: String, of partner: String?) {
        escort = unit
        status = .escortAssigned
        if let partner, !partners.contains(partner) { partners.append(partner) }
    }

    public static let lifecycle = Lifecycle<Status>("convoy", [
        .init("depart", from: [.escortAssigned, .halted], to: .moving, event: "departed"),
        .init("halt", from: [.moving], to: .halted, event: "halted"),
        .init("arrive", from: [.moving], to: .arrived, event: "arrived"),
    ])

    public init(convoy: String, route: String, partners: [String], request: String?, escort: String?, status: Status) {
        self.convoy = convoy
        self.route = route
        self.partners = partners
        self.request = request
        self.escort = escort
        self.status = status
    }
}
