import BusCore
import Foundation
import GRDB
import Logging

/// Keeps a `PartnerDirectory` up to date by following the registry's journal: a consumer whose
/// cursor lives in an in-memory database, so a gateway that starts replays the registry's
/// history through catch-up and then follows it live.
enum RegistryFollower {
    static let source = "concord/registry"

    /// The registry events the gateway reads, with only the fields it needs.
    struct PartnerEvent: Decodable { var code: String; var clearance: Classification?; var status: String? }
    struct CredentialEvent: Decodable { var partner: String; var user: String; var hash: String? }
    struct PermissionsEvent: Decodable { var partner: String; var publish: [String]; var subscribe: [String] }

    static let catalog = MessageCatalog([
        "registry.partner.registered", "registry.partner.admitted", "registry.partner.suspended",
        "registry.partner.reinstated", "registry.partner.withdrawn", "registry.partner.exited",
        "registry.credential.issued", "registry.credential.revoked", "registry.permissions.granted",
        "registry.unit.registered", "registry.unit.updated",
    ].map { MessageType($0, version: $0 == "registry.unit.registered" ? 3 : 1, summary: "registry event",
                        upcasters: $0 == "registry.unit.registered" ? [1: { _ in }, 2: { _ in }] : [:]) })

    static func consumer(directory: PartnerDirectory, connection: BusConnection, logger: Logger) throws -> Consumer {
        let database = try DatabaseQueue()
        var migrator = DatabaseMigrator()
        Consumer.registerMigrations(&migrator)
        try migrator.migrate(database)
        return Consumer(part: "gateway", follows: [.init(source: source, topicPrefix: "registry.")], connection: connection,
                        database: database, catalog: catalog, logger: logger) { event, _ in
            try apply(event, to: directory)
        }
    }

    static func apply(_ event: Envelope, to directory: PartnerDirectory) throws {
        switch event.type {
        case "registry.partner.registered":
            let partner = try event.decodeData(PartnerEvent.self)
            let entry = PartnerDirectory.Entry(code: partner.code, clearance: partner.clearance ?? .unclassified,
                                               status: partner.status ?? "joining")
            directory.update(partner.code, create: entry) { $0 = entry }
        case let type where type.hasPrefix("registry.partner."):
            let change = try event.decodeData(PartnerEvent.self)
            directory.update(change.code) { if let status = change.status { $0.status = status } }
        case "registry.credential.issued":
            let credential = try event.decodeData(CredentialEvent.self)
            directory.update(credential.partner) { $0.credentials[credential.user] = credential.hash }
        case "registry.credential.revoked":
            let credential = try event.decodeData(CredentialEvent.self)
            directory.update(credential.partner) { $0.credentials[credential.user] = nil }
        case "registry.permissions.granted":
            let permissions = try event.decodeData(PermissionsEvent.self)
            directory.update(permissions.partner) {
                $0.publish = permissions.publish
                $0.subscribe = permissions.subscribe
            }
        default:
            break
        }
    }
}
