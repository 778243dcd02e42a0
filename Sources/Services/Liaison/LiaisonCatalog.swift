import BusCore
import Contracts
import ServiceKit

/// Every message type of liaison, and the types it follows.
public enum LiaisonCatalog {
    public static let catalog = MessageCatalog(
        [
            MessageType("cmd.liaison.rfa.submit", summary: "Request military assistance, with the last-resort justification.", data: LiaisonCommands.SubmitRequest.self),
            MessageType("liaison.rfa.submitted", summary: "A request for assistance was submitted.", data: AssistanceRequest.self).labelled("unclassified, releasable to the requester"),
            MessageType("cmd.liaison.notification.notify", summary: "Notify a humanitarian site or movement (notification, not permission).", data: LiaisonCommands.Notify.self),
            MessageType("liaison.notification.notified", summary: "A site or movement was notified.", data: HumanitarianNotification.self).labelled("restricted, releasable to the notifying partner; joined with what it was computed from when a reaction emits it"),
            MessageType("liaison.notice.issued", summary: "A deconfliction notice was issued for an area.", data: DeconflictionNotice.self).labelled("the notice's: its partners' (unclassified) joined with the alert or tearline it quotes"),
            MessageType("liaison.command.rejected", summary: "A liaison command or query was refused.", data: CommandError.self).labelled(Label.refusalRule),
        ]
        // What other parts read of liaison, and what liaison reads of others.
        + LiaisonContract.types + IntelligenceContract.types + LogisticsContract.convoyTypes
        + EntityQueries.transitionCommands(AssistanceRequest.self, service: "liaison")
        + EntityQueries.transitionTypes(HumanitarianNotification.self, service: "liaison")
        + EntityQueries.transitionTypes(DeconflictionNotice.self, service: "liaison")
        + EntityQueries.messageTypes(AssistanceRequest.self, service: "liaison")
        + EntityQueries.messageTypes(HumanitarianNotification.self, service: "liaison")
        + EntityQueries.messageTypes(DeconflictionNotice.self, service: "liaison")
    )
}
