import BusCore

/// Who sent a command or query, as its `source` names it. The gateway stamps partners'
/// sources; the bus will bind the others to keys.
public enum Principal: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// A partner organisation, `partner/<code>`.
    case partner(String)
    /// A member of the mission's staff, `operator/<name>`.
    case staff(String)
    /// Anything else (one of Concord's own parts, a test, a forgery): no policy lets it act.
    case other(String)

    /// The source prefix of staff identities.
    public static let staffPrefix = "operator/"

    public init(source: String) {
        if let code = PartnerSource.code(of: source), !code.isEmpty {
            self = .partner(code)
        } else if source.hasPrefix(Self.staffPrefix), source.count > Self.staffPrefix.count {
            self = .staff(String(source.dropFirst(Self.staffPrefix.count)))
        } else {
            self = .other(source)
        }
    }

    /// The `source` attribute that names this principal.
    public var source: String {
        switch self {
        case .partner(let code): PartnerSource.source(for: code)
        case .staff(let name): Self.staffPrefix + name
        case .other(let source): source
        }
    }

    /// The partner's code, for a partner.
    public var partnerCode: String? {
        if case .partner(let code) = self { return code }
        return nil
    }

    public var description: String { source }
}
