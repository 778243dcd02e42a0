import Metrics

/// Messages in and out of one connection by topic family (`logistics`, `cmd`, `query`, `bus`,
/// `inbox`, …). Families are the topic's first segment when it is one Concord knows, `other`
/// otherwise, so the label stays bounded whatever partners publish. Counters are made once and
/// a family is found by prefix comparison: this runs for every message, on the owner thread.
final class TrafficCounters {
    static let families = ["registry", "logistics", "intelligence", "training", "liaison", "gateway", "partner",
                           "cmd", "query", "bus", "bench", "test"]
    private static let prefixes = families.map { $0 + "." }
    private let incoming: [Counter]
    private let outgoing: [Counter]

    init() {
        let names = Self.families + ["inbox", "other"]
        incoming = names.map { Counter(label: "concord_bus_messages_total", dimensions: [("family", $0), ("direction", "in")]) }
        outgoing = names.map { Counter(label: "concord_bus_messages_total", dimensions: [("family", $0), ("direction", "out")]) }
    }

    func countIn(_ topic: String) { incoming[Self.family(of: topic)].increment() }
    func countOut(_ topic: String) { outgoing[Self.family(of: topic)].increment() }

    /// The index of the topic's family in `families`, then `inbox`, then `other`.
    static func family(of topic: String) -> Int {
        if topic.hasPrefix("_INBOX.") { return families.count }
        return prefixes.firstIndex { topic.hasPrefix($0) } ?? families.count + 1
    }
}
