import BusCore
import ServiceKit

/// What an output meant for some partners may say of an intelligence alert: the alert itself
/// when its label releases it to all of them; otherwise its tearline, when it has one. The
/// output's label is joined with `label` (`CommandContext.emit(derivedFrom:)`), so a partner
/// that may not see what was used never receives the output.
public struct AlertDisclosure: Sendable, Equatable {
    /// How the output names the alert: its key, or through a tearline a pseudonym.
    public let reference: String
    /// What the output may say of the alert: its summary, or its tearline's.
    public let summary: String
    /// The label of what is used: the alert's, or its tearline's.
    public let label: Label
    public let throughTearline: Bool

    public init(alert: String, summary: String, label: Label, tearline: (summary: String, label: Label)?, audience: [String]) {
        if let tearline, !Set(audience).isSubset(of: label.releasableTo) {
            reference = Self.pseudonym(of: alert)
            self.summary = tearline.summary
            self.label = tearline.label
            throughTearline = true
        } else {
            reference = alert
            self.summary = summary
            self.label = label
            throughTearline = false
        }
    }

    /// How an output that used only an alert's tearline names the alert.
    public static func pseudonym(of alert: String) -> String { Pseudonym.of(alert, kind: "alert") }
}

extension Alert {
    /// What an output for `audience` may say of this alert, whose event carried `label`.
    public func disclosure(to audience: [String], label: Label) -> AlertDisclosure {
        AlertDisclosure(alert: alert, summary: summary, label: label,
                        tearline: tearline.map { ($0.summary, $0.label.label) }, audience: audience)
    }
}

extension AlertAreaReplica.Row {
    /// What an output for `audience` may say of this active alert.
    public func disclosure(to audience: [String]) -> AlertDisclosure {
        AlertDisclosure(alert: alert, summary: summary ?? "", label: label,
                        tearline: tearlineLabel.map { (tearlineSummary ?? "", $0) }, audience: audience)
    }
}
