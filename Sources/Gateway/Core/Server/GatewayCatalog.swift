import BusCore

/// The message types the gateway itself owns.
public enum GatewayCatalog {
    public static let catalog = MessageCatalog([
        MessageType("partner.note.posted", summary: "A free-form coordination note a partner posts for the partners it names."),
        MessageType("gateway.consumer.slow", summary: "A partner connection was cut off for not reading fast enough."),
        MessageType("gateway.command.rejected", summary: "A partner's request was refused by the gateway before reaching a service."),
    ])
}
