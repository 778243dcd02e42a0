import BusCore
import Geography
import ServiceKit

/// What intelligence publishes that other parts read: alerts on areas (logistics halts convoys
/// and marks routes, training flags exercises, liaison issues deconfliction notices). Each alert
/// event carries the whole alert and is labelled as the alert (`Alert.label`).
public enum IntelligenceContract {
    public static let source = "concord/intelligence"

    /// Version 1 named its area only; version 2 carries its point and polygon, which the step
    /// from version 1 takes from the mission's areas (`MissionAreas`).
    public static let alertRaised = MessageType(
        "intelligence.alert.raised", version: 2, summary: "An alert was raised (labelled as the alert).", data: Alert.self,
        upcasters: [1: placeAlert], examples: alertExamples(status: "active")).labelled("the alert's own label, as raised")

    /// The alert's lifecycle events (`lifted`, `expired`), versioned as `alertRaised`.
    public static let alertEnded: [MessageType] = EntityQueries.transitionEvents(Alert.self, service: "intelligence").map { type in
        MessageType(type.name, version: 2, summary: type.summary, data: Alert.self, upcasters: [1: placeAlert],
                    examples: alertExamples(status: String(type.name.split(separator: ".").last ?? ""))).labelled(type.labelRule ?? Alert.labelRule)
    }

    /// Version 1 to 2: the named area's point and outline, when the mission knows the name.
    @Sendable static func placeAlert(_ data: inout JSONValue) {
        guard let place = MissionAreas.geography(of: data["area"]) else { return }
        data["point"] = place.point
        data["polygon"] = place.area
    }

    /// Every type of this contract.
    public static let types = [alertRaised] + alertEnded

    /// Following intelligence's alerts.
    public static let alerts = Consumer.Follow(source: source, topicPrefix: "intelligence.alert.", types: Set(types.map(\.name)))

    static func alertExamples(status: String) -> [Int: String] {
        let common = #""severity":"high","summary":"Armed group on the Juba-Bor road","expires":"2026-11-22T08:00:00Z","securityLabel":{"policy":"UN-MISSION","classification":"SECRET","releasableTo":["NLD"]},"tearline":{"summary":"Avoid the Juba-Bor road","label":{"policy":"UN-MISSION","classification":"RESTRICTED","releasableTo":["NLD","WFP"]}},"status":"\#(status)""#
        return [
            1: #"{"alert":"AL-7","report":"RP-12","area":"Jonglei",\#(common)}"#,
            2: #"{"alert":"AL-7","report":"RP-12","area":"Juba-Bor road near Mongalla","point":[31.785,5.325],"polygon":{"type":"Polygon","coordinates":[[[31.74,5.28],[31.83,5.28],[31.83,5.37],[31.74,5.37],[31.74,5.28]]]},\#(common)}"#,
        ]
    }
}
