/// The `source` of what a partner sends through the gateway: `partner/<code>`.
public enum PartnerSource {
    public static let prefix = "partner/"

    /// `partner/<code>` for a partner code.
    public static func source(for code: String) -> String { prefix + code }

    /// The partner code of a `partner/<code>` source, or nil for any other source.
    public static func code(of source: String) -> String? {
        source.hasPrefix(prefix) ? String(source.dropFirst(prefix.count)) : nil
    }
}

/// The releasability rule, failing closed: a partner receives an event only if its code is in
/// `releasableto` and its clearance is at least the event's classification. An event without a
/// known label goes to no partner.
public enum Releasability {
    public static func allows(classification: String?, releasableTo: [String], partner: String, clearance: Classification) -> Bool {
        guard let classification, let level = Classification(rawValue: classification) else { return false }
        return level <= clearance && releasableTo.contains(partner)
    }
}
