import BusCore
import Contracts

/// One service's journal offered to partners as a read-only JetStream stream: `LOGISTICS` over
/// `logistics.>`, read from `concord/logistics` through catch-up.
public struct FeedStream: Sendable, Equatable {
    /// The stream's name, the service's in capitals.
    public let name: String
    /// The journaled source whose events the stream holds.
    public let source: String
    /// The subject the stream covers.
    public let subject: String

    public init(service: String) {
        name = service.uppercased()
        source = "concord/\(service)"
        subject = "\(service).>"
    }

    /// The topic prefix of the stream's events on the bus.
    var topicPrefix: String { String(subject.dropLast()) }

    /// Whether `pattern` (a consumer's filter or a stream-names query) lies within the stream.
    func covers(_ pattern: String) -> Bool { Subject.isSubset(pattern, of: subject) }

    /// The five services of a mission, each one stream.
    public static let mission: [FeedStream] = [
        RegistryContract.source, LogisticsContract.source, IntelligenceContract.source, TrainingContract.source, LiaisonContract.source,
    ].map { FeedStream(service: String($0.split(separator: "/").last!)) }
}
