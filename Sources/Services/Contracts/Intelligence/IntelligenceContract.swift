import BusCore
import ServiceKit

/// What intelligence publishes that other parts read: alerts on areas (logistics halts convoys
/// and marks routes, training flags exercises, liaison issues deconfliction notices). Each alert
/// event carries the whole alert and is labelled as the alert (`Alert.label`).
public enum IntelligenceContract {
    public static let source = "concord/intelligence"

    public static let alertRaised = MessageType(
        "intelligence.alert.raised", summary: "An alert was raised (labelled as the alert).", data: Alert.self,
        examples: [1: alertExample(status: "active")]).labelled("the alert's own label, as raised")

    /// The alert's lifecycle events (`lifted`, `expired`).
    public static let alertEnded: [MessageType] = EntityQueries.transitionEvents(Alert.self, service: "intelligence").map { type in
        type.withExamples([1: alertExample(status: String(type.name.split(separator: ".").last ?? ""))])
    }

    /// Every type of this contract.
    public static let types = [alertRaised] + alertEnded

    /// Following intelligence's alerts.
    public static let alerts = Consumer.Follow(source: source, topicPrefix: "intelligence.alert.", types: Set(types.map(\.name)))

    static func alertExample(status: String) -> String {
        #"{"alert":"AL-7","report":"RP-12","area":"Jonglei","severity":"high","summary":"Armed group on the Juba-Bor road","expires":"2026-11-22T08:00:00Z","securityLabel":{"policy":"UN-MISSION","classification":"SECRET","releasableTo":["NLD"]},"tearline":{"summary":"Avoid the Juba-Bor road","label":{"policy":"UN-MISSION","classification":"RESTRICTED","releasableTo":["NLD","WFP"]}},"status":"\#(status)"}"#
    }
}
