import BusCore

/// Every message type that crosses a service boundary, from the contracts of each source.
public enum Contracts {
    public static let types: [MessageType] = RegistryContract.types + IntelligenceContract.types + LogisticsContract.types
        + LiaisonContract.types + TrainingContract.types

    /// All of them as one catalog.
    public static let catalog = MessageCatalog(types)
}
