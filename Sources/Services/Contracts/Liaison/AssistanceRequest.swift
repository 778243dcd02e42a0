import GRDB
import ServiceKit

/// A humanitarian partner's request for military assistance, with the last-resort
/// justification the civil-military guidelines ask for: submitted → validated → tasked →
/// completed, or rejected.
public struct AssistanceRequest: StatefulRecord, Equatable {
    public static let databaseTableName = "assistance_request"
    public static let keyField = "rfa"

    public enum Status: String, Codable, Sendable, CaseIterable { case submitted, validated, tasked, completed, rejected }
    public enum Kind: String, Codable, Sendable, CaseIterable { case escort, transport, security, engineering, medical }

    public var rfa: String
    public var requester: String
    public var kind: Kind
    /// Why no civilian means will do.
    public var justification: String
    /// The route an escort or transport is for, if any.
    public var route: String?
    public var location: String
    public var neededBy: String
    /// The convoy that carries it out, once known.
    public var convoy: String?
    public var status: Status

    public var key: String { rfa }
    public var label: Label { Label(.unclassified, releasableTo: [requester]) }
    public static let labelRule = "unclassified, releasable to the requester"

    public static let lifecycle = Lifecycle<Status>("rfa", [
        .init("validate", from: [.submitted], to: .validated, event: "validated"),
        .init("reject", from: [.submitted, .validated], to: .rejected, event: "rejected"),
        .init("task", from: [.validated], to: .tasked, event: "tasked"),
        .init("complete", from: [.tasked], to: .completed, event: "completed"),
    ])

    public init(rfa: String, requester: String, kind: Kind, justification: String, route: String?, location: String, neededBy: String, convoy: String?, status: Status) {
        self.rfa = rfa
        self.requester = requester
        self.kind = kind
        self.justification = justification
        self.route = route
        self.location = location
        self.neededBy = neededBy
        self.convoy = convoy
        self.status = status
    }
}
