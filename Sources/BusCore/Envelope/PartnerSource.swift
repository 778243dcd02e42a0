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
