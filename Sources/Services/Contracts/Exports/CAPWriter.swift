import BusCore
import Foundation
import Geography

/// Alerts as OASIS CAP 1.2 messages: a raised alert is an `Alert`, a lifted one an `Update`
/// (all clear), an expired one a `Cancel`; both name the raising message in `references`.
/// Exercise traffic has status `Exercise`. CAP's scope is `Restricted`, its restriction the
/// alert's label: what reaches a partner is already filtered by that label.
public enum CAPWriter {
    public static let sender = "concord-intelligence@un-mission"

    public static func message(_ alert: Alert) -> String {
        let raised = capTime(alert.raisedAt) ?? capTime(alert.expires)!
        let raiseIdentifier = identifier(alert.alert, "raised")
        let (msgType, identifier, sent): (String, String, String) = switch alert.status {
        case .active: ("Alert", raiseIdentifier, raised)
        case .lifted: ("Update", Self.identifier(alert.alert, "lifted"), capTime(alert.endedAt) ?? raised)
        case .expired: ("Cancel", Self.identifier(alert.alert, "expired"), capTime(alert.endedAt) ?? capTime(alert.expires)!)
        }
        let label = alert.label
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n" + #"<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">"#
        xml += XMLText.element("identifier", identifier) + XMLText.element("sender", sender) + XMLText.element("sent", sent)
        xml += XMLText.element("status", alert.exercise == true ? "Exercise" : "Actual") + XMLText.element("msgType", msgType)
        xml += XMLText.element("scope", "Restricted")
        xml += XMLText.element("restriction", "\(alert.securityLabel.policy) \(label.classification.rawValue), releasable to "
                                   + (label.releasableTo.isEmpty ? "no partner" : label.releasableTo.joined(separator: " ")))
        if msgType != "Alert" { xml += XMLText.element("references", "\(sender),\(raiseIdentifier),\(raised)") }
        xml += "<info>" + XMLText.element("language", "en-GB") + XMLText.element("category", "Security")
        xml += XMLText.element("event", "Security alert")
        if alert.status == .lifted { xml += XMLText.element("responseType", "AllClear") }
        xml += XMLText.element("urgency", alert.status == .active ? "Expected" : "Past")
        xml += XMLText.element("severity", severity(alert.severity)) + XMLText.element("certainty", "Likely")
        xml += XMLText.element("expires", capTime(alert.expires) ?? raised)
        xml += XMLText.element("headline", alert.summary)
        xml += "<area>" + XMLText.element("areaDesc", alert.area)
        for ring in outerRings(alert.polygon) { xml += XMLText.element("polygon", ring.map { "\($0.lat),\($0.lon)" }.joined(separator: " ")) }
        return xml + "</area></info></alert>\n"
    }

    /// CAP writes times to the second with a numeric offset, never `Z`.
    static func capTime(_ rfc3339: String?) -> String? {
        guard let date = rfc3339.flatMap(Timestamp.parse) else { return nil }
        return String(Timestamp.rfc3339(date).prefix(19)) + "+00:00"
    }

    /// CAP identifiers hold no spaces, commas, `<` or `&`.
    static func identifier(_ alert: String, _ event: String) -> String {
        let safe = alert.map { " ,<&".contains($0) ? "-" : String($0) }.joined()
        return "concord-alert-\(safe)-\(event)"
    }

    static func severity(_ severity: Alert.Severity) -> String {
        switch severity {
        case .low: "Minor"
        case .medium: "Moderate"
        case .high: "Severe"
        case .critical: "Extreme"
        }
    }

    /// CAP polygons are simple rings: holes are left out.
    private static func outerRings(_ polygon: Geometry?) -> [[Position]] {
        switch polygon {
        case .polygon(let rings): [rings[0]]
        case .multiPolygon(let polygons): polygons.map { $0[0] }
        default: []
        }
    }
}
