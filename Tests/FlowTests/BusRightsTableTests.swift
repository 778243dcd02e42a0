import BusCore
import Foundation
import Gateway
import ServiceKit
import Testing

/// The proxy's rights table against every message type the parts declare: a new event a
/// service cannot publish, a command nobody may send, or a followed source whose events or
/// catch-up the follower may not reach fails here, before the proxy refuses it at run time.
@Suite("The bus's rights table, from the catalogs")
struct BusRightsTableTests {
    static let rights = BusRights.mission(
        services: FlowBed.domains.map { BusRights.ServiceRole(name: $0.name, follows: $0.followedSources) }, operators: ["admin"])

    static func mayPublish(_ identity: String, _ type: String, as source: String) -> String? {
        let bytes = EnvelopeCodec.encode(Envelope(id: "1", source: source, type: type))
        return bytes.withUnsafeBytes { rights.publishRefusal(identity, topic: type, payload: $0) }
    }

    @Test("every event and answer a service declares is its own to publish, and no one else's")
    func serviceEvents() {
        for service in FlowBed.domains {
            let own = service.catalog.types.keys.filter { $0.hasPrefix(service.name + ".") }
            #expect(!own.isEmpty)
            for type in own.sorted() {
                #expect(Self.mayPublish(service.source, type, as: service.source) == nil, "\(service.name) cannot publish \(type)")
                for other in FlowBed.domains where other.name != service.name {
                    #expect(Self.mayPublish(other.source, type, as: service.source) != nil, "\(other.name) may publish \(type)")
                }
                #expect(Self.mayPublish(BusRights.gatewayIdentity, type, as: service.source) != nil)
                #expect(Self.mayPublish("operator/admin", type, as: service.source) != nil)
            }
            // Nothing a service declares lies outside every service's topics.
            for type in service.catalog.types.keys where !type.hasPrefix("cmd.") && !type.hasPrefix("query.") && type != Heartbeat.type {
                #expect(FlowBed.domains.contains { type.hasPrefix($0.name + ".") }, "\(type) belongs to no service's topic")
            }
        }
    }

    @Test("every command and query reaches its service, from partners through the gateway and from operators as themselves")
    func commandsAndQueries() {
        for service in FlowBed.domains {
            for type in service.catalog.types.keys.sorted() where type.hasPrefix("cmd.\(service.name).") || type.hasPrefix("query.\(service.name).") {
                #expect(Self.mayPublish(BusRights.gatewayIdentity, type, as: "partner/WFP") == nil, "\(type) from a partner")
                #expect(Self.mayPublish(BusRights.gatewayIdentity, type, as: "operator/admin") != nil, "the gateway may not speak as staff")
                #expect(Self.mayPublish("operator/admin", type, as: "operator/admin") == nil, "\(type) from an operator")
                #expect(Self.mayPublish("operator/admin", type, as: "operator/other") != nil, "an operator speaks only as itself")
                #expect(Self.rights.mayRead(service.source, prefix: type), "\(service.name) cannot read \(type)")
                for other in FlowBed.domains where other.name != service.name {
                    #expect(!Self.rights.mayRead(other.source, prefix: type), "\(other.name) reads \(type)")
                }
            }
        }
    }

    @Test("each follower reads the events of what it follows and may fetch their catch-up; the gateway its own types")
    func followers() {
        for service in FlowBed.domains {
            for follow in service.followedSources {
                for prefix in follow.topicPrefixes { #expect(Self.rights.mayRead(service.source, prefix: prefix)) }
                #expect(Self.rights.mayConnect(service.source, to: .catchUp(source: follow.source)))
            }
            #expect(Self.rights.mayConnect(BusRights.gatewayIdentity, to: .catchUp(source: service.source)))
            #expect(!Self.rights.mayConnect("operator/admin", to: .catchUp(source: service.source)))
        }
        for type in GatewayCatalog.catalog.types.keys.sorted() {
            let source = type.hasPrefix("partner.") ? "partner/WFP" : BusRights.gatewayIdentity
            #expect(Self.mayPublish(BusRights.gatewayIdentity, type, as: source) == nil, "the gateway cannot publish \(type)")
        }
    }

    @Test("nobody reads everything or another identity's inbox")
    func nobodyReadsEverything() {
        let identities = Array(Self.rights.grants.keys)
        for identity in identities {
            #expect(!Self.rights.mayRead(identity, prefix: ""))
            #expect(!Self.rights.mayRead(identity, prefix: "_INBOX."))
            #expect(Self.rights.mayRead(identity, prefix: BusRights.inboxPrefix(of: identity) + "abc."))
            for other in identities where other != identity {
                #expect(!Self.rights.mayRead(identity, prefix: BusRights.inboxPrefix(of: other)))
            }
        }
    }
}
