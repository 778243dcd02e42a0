import BusCore
import ServiceKit

/// What logistics publishes that other parts read: rotations (training) and convoys (the
/// registry tasks and frees escorts, liaison follows the movements it asked for). Each event
/// carries the whole entity and is labelled as it (`Rotation.label`, `Convoy.label`).
public enum LogisticsContract {
    public static let source = "concord/logistics"

    public static let rotationScheduled = MessageType(
        "logistics.rotation.scheduled", summary: "A rotation was scheduled.", data: Rotation.self,
        examples: [1: rotationExample(status: "scheduled")]).labelled("unclassified, releasable to the unit's partner")

    /// Rotations ending (`completed`, `cancelled`).
    public static let rotationEnded: [MessageType] = EntityQueries.transitionEvents(Rotation.self, service: "logistics").map { type in
        type.withExamples([1: rotationExample(status: String(type.name.split(separator: ".").last ?? ""))])
    }

    /// Every convoy move (`departed`, `halted`, `arrived`): the convoy as a whole crosses to
    /// other parts; the registry and liaison read `arrived`.
    public static let convoyMoves: [MessageType] = EntityQueries.transitionEvents(Convoy.self, service: "logistics").map { type in
        type.withExamples([1: convoyExample(status: String(type.name.split(separator: ".").last ?? ""))])
    }

    public static let convoyEscortAssigned = MessageType(
        "logistics.convoy.escort-assigned", summary: "A convoy got its escort.", data: Convoy.self,
        examples: [1: convoyExample(status: "escort-assigned")]).labelled("the convoy's: restricted, releasable to its partners, the escort's partner among them")

    public static let rotationTypes = [rotationScheduled] + rotationEnded
    public static let convoyTypes = [convoyEscortAssigned] + convoyMoves
    /// Every type of this contract.
    public static let types = rotationTypes + convoyTypes

    /// Following rotations.
    public static let rotations = Consumer.Follow(source: source, topicPrefix: "logistics.rotation.", types: Set(rotationTypes.map(\.name)))
    /// Following escorts being assigned and convoys arriving.
    public static let escorts = Consumer.Follow(source: source, topicPrefix: "logistics.convoy.",
                                                types: ["logistics.convoy.escort-assigned", "logistics.convoy.arrived"])

    static func rotationExample(status: String) -> String {
        #"{"rotation":"RT-3","unit":"RWA-INF-2","partner":"RWA","outDate":"2026-12-10","inDate":"2026-12-20","status":"\#(status)"}"#
    }

    static func convoyExample(status: String) -> String {
        #"{"convoy":"CV-RFA-1","route":"JUBA-BOR","partners":["WFP"],"request":"RFA-1","escort":"RWA-INF-2","status":"\#(status == "departed" ? "moving" : status)"}"#
    }
}
