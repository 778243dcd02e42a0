import BusCore
import ServiceKit
import Geography

/// Alerts on the map: their area (or point), with what the alert says; as CAP 1.2 too.
extension Alert: CAPExportable {
    public static let layer = "alerts"

    /// For a partner who may see only the tearline, an active alert becomes its tearline: under
    /// the pseudonym the tearline event uses, with the tearline's summary, label and named area
    /// (that area's outline, never the alert's own point or polygon), and the alert's severity,
    /// times and exercise flag. A lifted or expired alert's tearline leaves the map.
    public func disclosed(to audience: Audience, label: Label) -> Alert? {
        if audience.maySee(label) { return self }
        guard let tearline, status == .active, audience.maySee(tearline.label.label) else { return nil }
        let area = tearline.area.flatMap(MissionAreas.named)
        return Alert(alert: AlertDisclosure.pseudonym(of: alert), report: nil, area: area?.area ?? "", point: area?.point,
                     polygon: area?.geometry, severity: severity, summary: tearline.summary, expires: expires,
                     securityLabel: tearline.label, tearline: tearline, status: status, raisedAt: raisedAt, exercise: exercise)
    }

    /// A tearline standing for its alert (see `disclosed`): its own summary and label.
    public var isTearlineOnly: Bool { tearline.map { $0.label == securityLabel && $0.summary == summary } ?? false }

    public var feature: Feature? {
        guard let geometry = polygon ?? point.map(Geometry.point) else { return nil }
        return Feature(id: alert, name: summary, geometry: geometry, properties: [
            .init("area", area), .init("severity", severity.rawValue), .init("status", status.rawValue), .init("expires", expires),
            .init("classification", label.classification.rawValue), .init("tearline", "\(isTearlineOnly)"),
        ])
    }

    public var capMessage: String? { CAPWriter.message(self) }
}

/// Convoys at their last reported position.
extension Convoy: Exportable {
    public static let layer = "convoys"

    public var feature: Feature? {
        guard let position else { return nil }
        return Feature(id: convoy, name: convoy, geometry: .point(position), properties: [
            .init("route", route), .init("status", status.rawValue), .init("partners", partners.joined(separator: " ")),
            .init("escort", escort ?? ""),
        ])
    }
}
