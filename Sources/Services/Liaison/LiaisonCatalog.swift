import BusCore
import Contracts
import ServiceKit

/// Every message type of liaison, and the types it follows.
public enum LiaisonCatalog {
    /// Notification events, version 2: the site's point, which the step from version 1 takes
    /// from the mission's area its location names.
    static let placed = MissionAreas.placing(from: "location")

    /// A notification event as recorded: version 1 named its place only.
    public static func examples(status: String) -> [Int: String] {
        let common = #""notification":"HN-1","partner":"WFP","kind":"site","location":"Jonglei","from":"2026-11-01","until":"2099-01-31","status":"\#(status)""#
        return [1: "{\(common)}", 2: #"{\#(common),"point":[31.62,6.02]}"#]
    }

    public static let catalog = MessageCatalog(
        [
            MessageType("cmd.liaison.rfa.submit", summary: "Request military assistance, with the last-resort justification.", data: LiaisonCommands.SubmitRequest.self),
            MessageType("liaison.rfa.submitted", summary: "A request for assistance was submitted.", data: AssistanceRequest.self).labelled("unclassified, releasable to the requester"),
            MessageType("cmd.liaison.notification.notify", summary: "Notify a humanitarian site or movement (notification, not permission).", data: LiaisonCommands.Notify.self),
            MessageType("liaison.notification.notified", summary: "A site or movement was notified.", data: HumanitarianNotification.self)
                .labelled("restricted, releasable to the notifying partner; joined with what it was computed from when a reaction emits it")
                .nextVersion(placed, examples: examples(status: "notified")),
            MessageType("liaison.notice.issued", summary: "A deconfliction notice was issued for an area.", data: DeconflictionNotice.self).labelled("the notice's: its partners' (unclassified) joined with the alert or tearline it quotes"),
            MessageType("liaison.command.rejected", summary: "A liaison command or query was refused.", data: CommandError.self).labelled(Label.refusalRule),
        ]
        // What other parts read of liaison, and what liaison reads of others.
        + LiaisonContract.types + IntelligenceContract.types + LogisticsContract.convoyTypes
        + EntityQueries.transitionCommands(AssistanceRequest.self, service: "liaison")
        + EntityQueries.transitionCommands(HumanitarianNotification.self, service: "liaison")
        + EntityQueries.transitionEvents(HumanitarianNotification.self, service: "liaison").map { type in
            type.nextVersion(placed, examples: examples(status: String(type.name.split(separator: ".").last ?? "")))
        }
        + EntityQueries.transitionTypes(DeconflictionNotice.self, service: "liaison")
        + EntityQueries.messageTypes(AssistanceRequest.self, service: "liaison")
        + EntityQueries.messageTypes(HumanitarianNotification.self, service: "liaison")
        + EntityExports.messageTypes(HumanitarianNotification.self, service: "liaison")
        + EntityQueries.messageTypes(DeconflictionNotice.self, service: "liaison")
    )
}
