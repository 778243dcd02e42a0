import BusCore

/// The message types the gateway itself owns.
public enum GatewayCatalog {
    public static let catalog = MessageCatalog([
        MessageType("partner.note.posted", summary: "A free-form coordination note a partner posts for the partners it names.").labelled("what the partner set with its headers, never above its clearance; by default releasable to itself only"),
        MessageType("gateway.consumer.slow", summary: "A partner connection was cut off for not reading fast enough.").labelled("releasable to no partner: for the mission's operators"),
        MessageType("gateway.command.rejected", summary: "A partner's request was refused by the gateway before reaching a service.").labelled("unclassified, releasable to the partner that sent the request"),
    ])
}
