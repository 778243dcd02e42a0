/// The releasability rule, failing closed: a partner receives an event only if its code is in
/// `releasableto` and its clearance is at least the event's classification. An event without a
/// known label goes to no partner.
public enum Releasability {
    public static func allows(classification: String?, releasableTo: [String], partner: String, clearance: Classification) -> Bool {
        guard let classification, let level = Classification(rawValue: classification) else { return false }
        return level <= clearance && releasableTo.contains(partner)
    }
}
