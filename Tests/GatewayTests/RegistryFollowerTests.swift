import BusCore
import Contracts
@testable import Gateway
import Testing

/// The gateway reads the registry's events through the registry's own contract: every recorded
/// version decodes on its path and builds the partner directory.
@Suite("The gateway's registry follower")
struct RegistryFollowerTests {
    static func event(_ type: MessageType, version: Int, _ data: String) throws -> Envelope {
        try RegistryFollower.catalog.upcast(Envelope(id: "e-\(type.name)", source: RegistryContract.source, type: type.name,
                                                     dataVersion: version, data: Array(data.utf8)))
    }

    @Test("every recorded version of every registry type the gateway reads decodes on the gateway's path")
    func everyExampleDecodes() throws {
        let directory = PartnerDirectory()
        // The partner first: the other events change a partner the directory knows.
        let ordered = [RegistryContract.partnerRegistered] + RegistryContract.types.filter { $0.name != RegistryContract.partnerRegistered.name }
        for type in ordered {
            #expect(RegistryFollower.catalog.types[type.name]?.version == type.version, "\(type.name)")
            for (version, example) in type.examples.sorted(by: { $0.key < $1.key }) {
                try RegistryFollower.apply(try Self.event(type, version: version, example), to: directory)
            }
        }
        let wfp = try #require(directory.entry("WFP"))
        #expect(wfp.clearance == .restricted && wfp.subscribe == ["logistics.request.*"])
        // The examples issue a token and then revoke it.
        #expect(wfp.credentials.isEmpty)
    }

    @Test("a partner's directory entry follows registration, credential, permissions and suspension")
    func directoryFollows() throws {
        let directory = PartnerDirectory()
        let issued = try #require(RegistryContract.credentialIssued.examples[1])
        let suspended = try #require(RegistryContract.partnerStatusChanges.first { $0.name == "registry.partner.suspended" })
        try RegistryFollower.apply(try Self.event(RegistryContract.partnerRegistered, version: 1, try #require(RegistryContract.partnerRegistered.examples[1])), to: directory)
        try RegistryFollower.apply(try Self.event(RegistryContract.credentialIssued, version: 1, issued), to: directory)
        let token = "sha256$9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
        #expect(directory.entry("WFP")?.credentials[""] == token && directory.entry("WFP")?.mayConnect == true)
        try RegistryFollower.apply(try Self.event(suspended, version: 1, #"{"code":"WFP","status":"suspended","previous":"member"}"#), to: directory)
        #expect(directory.entry("WFP")?.status == "suspended" && directory.entry("WFP")?.mayConnect == false)
    }
}
