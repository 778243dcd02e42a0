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
