import BusCore
import Contracts
import ServiceKit

/// Every message type of intelligence.
public enum IntelligenceCatalog {
    public static let catalog = MessageCatalog(
        [
            MessageType("cmd.intelligence.report.file", summary: "File a labelled report, optionally with a tearline.", data: IntelligenceCommands.FileReport.self),
            MessageType("intelligence.report.filed", summary: "A report was filed (labelled as the report).", data: Report.self).labelled("the report's own label, as filed"),
            IntelligenceCommands.tearlineType("intelligence.report.tearline-issued", summary: "A report's tearline summary (labelled as the tearline).", kind: "report"),
            MessageType("cmd.intelligence.alert.raise", summary: "Raise an alert on an area, with an expiry.", data: IntelligenceCommands.RaiseAlert.self),
            IntelligenceCommands.tearlineType("intelligence.alert.tearline-issued", summary: "An alert's tearline summary.", kind: "alert"),
            MessageType("cmd.intelligence.release.decide", summary: "Grant or deny a report's release to a partner.", data: IntelligenceCommands.DecideRelease.self),
            MessageType("intelligence.release.decided", summary: "A release decision was recorded.", data: ReleaseDecision.self).labelled("releasable to no partner: a release decision is the J2's record"),
            MessageType("intelligence.report.released", summary: "A report released to one partner by decision.", data: Report.self).labelled("the report's classification, releasable to the partner the decision released it to"),
            MessageType("intelligence.command.rejected", summary: "An intelligence command or query was refused.", data: CommandError.self).labelled(Label.refusalRule),
        ]
        + EntityQueries.transitionTypes(Report.self, service: "intelligence")
        // Alert events are what other services read: declared in the contract.
        + IntelligenceContract.types + EntityQueries.transitionCommands(Alert.self, service: "intelligence")
        + EntityQueries.messageTypes(Report.self, service: "intelligence") + EntityQueries.messageTypes(Alert.self, service: "intelligence")
        + EntityExports.messageTypes(Alert.self, service: "intelligence")
    )
}
