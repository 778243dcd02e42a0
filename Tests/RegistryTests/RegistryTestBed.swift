import BusCore
import ConcordTestSupport
import Contracts
import Registry

/// The registry on an in-process bus (the shared `ServiceTestBed`), with registry helpers.
typealias RegistryTestBed = ServiceTestBed

extension ServiceTestBed {
    static func start() async throws -> ServiceTestBed { try await start(RegistryService()) }

    func addPartner(_ code: String, kind: Partner.Kind = .troopContributingCountry, admit: Bool = true) async throws {
        _ = try await client.send("cmd.registry.partner.register",
                                  RegistryMessages.RegisterPartner(code: code, name: "Partner \(code)", kind: kind, clearance: .restricted))
        if admit { _ = try await client.send("cmd.registry.partner.admit", RegistryMessages.PartnerTransition(code: code)) }
    }
}
