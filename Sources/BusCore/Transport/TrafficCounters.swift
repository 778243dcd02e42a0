import Metrics

/// Messages in and out of one connection by topic family (`logistics`, `cmd`, `query`, `bus`,
/// `inbox`, …). Families are the topic's first segment when it is one Concord knows, `other`
/// otherwise, so the label stays bounded whatever partners publish. Used on the owner thread only.
final class TrafficCounters {
    static let families: Set<String> = ["registry", "logistics", "intelligence", "training", "liaison", "gateway", "partner",
                                        "cmd", "query", "bus", "bench", "test"]
    private var counters: [String: Counter] = [:]

    func count(_ topic: String, direction: String) {
        let family = Self.family(of: topic)
        let key = direction + family
        if let counter = counters[key] { return counter.increment() }
        let counter = Counter(label: "concord_bus_messages_total", dimensions: [("family", family), ("direction", direction)])
        counters[key] = counter
        counter.increment()
    }

    static func family(of topic: String) -> String {
        if topic.hasPrefix("_INBOX.") { return "inbox" }
        let first = topic.prefix { $0 != "." }
        return families.contains(String(first)) ? String(first) : "other"
    }
}
