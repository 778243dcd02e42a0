import BusCore
import ServiceKit

/// How registry events are labelled: what concerns one partner goes to that partner only,
/// unclassified; credentials and permissions are for the mission's own parts.
extension Label {
    /// Unclassified, releasable to `partner` alone.
    public static func partnerOnly(_ partner: String) -> Label { Label(.unclassified, releasableTo: [partner]) }
    /// Secret and releasable to no partner: credential hashes and subject permissions.
    public static let accessControl = Label(.secret, releasableTo: [])
}

extension Partner {
    public var label: Label { .partnerOnly(code) }
}

extension PartnerStatusChanged {
    public var label: Label { .partnerOnly(code) }
}

extension MissionUnit {
    public var label: Label { .partnerOnly(partner) }
}
