import BusCore
import ServiceKit

/// What training publishes that other parts read: certified units (the registry marks them
/// ready). Labelled unclassified, for the unit's partner.
public enum TrainingContract {
    public static let source = "concord/training"

    public static let unitCertified = MessageType(
        "training.unit.certified", summary: "A unit was certified; the registry marks it ready.", data: Certification.self,
        examples: [1: #"{"unit":"RWA-INF-2","partner":"RWA","exercise":"EX-SHIELD","expires":"2027-11-21"}"#]).labelled("unclassified, releasable to the unit's partner")

    /// Every type of this contract.
    public static let types = [unitCertified]

    /// Following certifications.
    public static let certifications = Consumer.Follow(source: source, topicPrefix: "training.unit.", types: [unitCertified.name])
}

extension Certification {
    public var label: Label { Label(.unclassified, releasableTo: [partner]) }
}
