import BusCore
import Contracts
import Foundation
import Intelligence
import Liaison
import Logistics
import Registry
import ServiceKit
import Testing
import Training

/// Every message type that crosses a service boundary is declared once, in Contracts; these
/// tests hold its recorded examples and its users to that declaration.
@Suite("Contracts between the services")
struct ContractCatalogTests {
    static func envelope(_ type: MessageType, version: Int, data: String) -> Envelope {
        Envelope(id: "x-\(type.name)-\(version)", source: "test/contract", type: type.name, dataVersion: version,
                 classification: "UNCLASSIFIED", releasableTo: ["NLD"], data: Array(data.utf8))
    }

    @Test("every contract type has a recorded example of every version, and each decodes through the contracts catalog as the type that reads it",
          arguments: Contracts.types.map(\.name))
    func everyVersionDecodes(name: String) throws {
        let type = try #require(Contracts.catalog.types[name])
        #expect(type.checkData != nil, "\(name) must name the Swift type that reads it")
        for version in 1...max(type.version, 1) {
            let example = try #require(type.examples[version], "\(name) has no recorded example of version \(version)")
            let upcast = try Contracts.catalog.upcast(Self.envelope(type, version: version, data: example))
            #expect(upcast.dataVersion == type.version)
            try type.checkData?(upcast)
        }
    }

    @Test("a service's catalog holds each contract type as the contract declares it: same version, same upcasters, same reader")
    func servicesUseTheContract() {
        let catalogs = ["registry": RegistryCatalog.catalog, "logistics": LogisticsCatalog.catalog, "intelligence": IntelligenceCatalog.catalog,
                        "training": TrainingCatalog.catalog, "liaison": LiaisonCatalog.catalog]
        var uses = 0
        for contract in Contracts.types {
            for (service, catalog) in catalogs {
                guard let entry = catalog.types[contract.name] else { continue }
                uses += 1
                #expect(entry.version == contract.version && Set(entry.upcasters.keys) == Set(contract.upcasters.keys)
                        && entry.examples == contract.examples && entry.checkData != nil && entry.summary == contract.summary,
                        "\(service) declares \(contract.name) its own way")
            }
        }
        // Each type at least in its owner's catalog and one reader's.
        #expect(uses >= 2 * Contracts.types.count)
    }

    @Test("what a service follows is a contract type")
    func followsAreContracts() {
        let services: [any DomainService] = [RegistryService(), LogisticsService(), IntelligenceService(), TrainingService(), LiaisonService()]
        let declared = Set(Contracts.types.map(\.name))
        for service in services {
            for follow in service.follows {
                let types = follow.types ?? []
                #expect(!types.isEmpty && types.isSubset(of: declared), "\(service.name) follows \(types.subtracting(declared)) outside the contracts")
            }
        }
    }

    @Test("a newer version of a contract type is refused with a reason, not decoded")
    func newerVersionRefused() {
        #expect {
            try Contracts.catalog.upcast(Self.envelope(RegistryContract.unitRegistered, version: 4, data: "{}"))
        } throws: { error in
            (error as? EnvelopeError)?.code == .newerVersion
        }
    }
}

/// Older versions of every service's own types keep decoding, and name-only places of version 1
/// come out on the map through the mission's areas.
@Suite("Recorded versions of every service's types")
struct RecordedVersionTests {
    static let catalogs = [RegistryCatalog.catalog, LogisticsCatalog.catalog, IntelligenceCatalog.catalog, TrainingCatalog.catalog, LiaisonCatalog.catalog]

    @Test("every event past version 1 has a recorded example of every version, and each decodes through its service's catalog")
    func everyVersionDecodes() throws {
        var checked = 0
        for catalog in Self.catalogs {
            // Events: what journals and cassettes hold. (An old command may be refused on
            // purpose: version 1 of cmd.registry.credential.issue carried a secret in clear.)
            for type in catalog.types.values where type.version > 1 && !type.name.hasPrefix("cmd.") && !type.name.hasPrefix("query.") {
                for version in 1...type.version {
                    let example = try #require(type.examples[version], "\(type.name) has no recorded example of version \(version)")
                    let upcast = try catalog.upcast(ContractCatalogTests.envelope(type, version: version, data: example))
                    #expect(upcast.dataVersion == type.version)
                    try type.checkData?(upcast)
                    checked += 1
                }
            }
        }
        #expect(checked >= 30)
    }

    @Test("name-only alerts, exercises and notifications of version 1 get the named area's point (and an alert its outline); unknown names stay names")
    func nameOnlyPlacesComeOutOnTheMap() throws {
        let jonglei = try #require(MissionAreas.named("Jonglei"))
        func upcast(_ catalog: MessageCatalog, _ name: String, _ data: String) throws -> [String: JSONValue] {
            let type = try #require(catalog.types[name])
            return try catalog.upcast(ContractCatalogTests.envelope(type, version: 1, data: data)).decodeData([String: JSONValue].self)
        }
        let alertType = IntelligenceContract.alertRaised
        let alert = try upcast(IntelligenceCatalog.catalog, alertType.name, try #require(alertType.examples[1]))
        #expect(alert["polygon"] == JSONValue(jonglei.geometry))
        #expect(alert["point"] == JSONValue(jonglei.point))
        let exercise = try upcast(TrainingCatalog.catalog, "training.exercise.scheduled", try #require(TrainingCatalog.examples(status: "planned")[1]))
        #expect(exercise["point"] == JSONValue(jonglei.point))
        let site = try upcast(LiaisonCatalog.catalog, "liaison.notification.notified", try #require(LiaisonCatalog.examples(status: "notified")[1]))
        #expect(site["point"] == JSONValue(jonglei.point))
        let unknown = try upcast(IntelligenceCatalog.catalog, alertType.name,
                                 try #require(alertType.examples[1]).replacingOccurrences(of: "\"Jonglei\"", with: "\"Somewhere else\""))
        #expect(unknown["polygon"] == nil && unknown["area"] == .string("Somewhere else"))
    }
}
