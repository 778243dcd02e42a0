import BusCore
import Contracts
import Foundation
import GRDB
import Logging

/// Keeps a `PartnerDirectory` up to date by following the registry's journal: a consumer whose
/// cursor lives in an in-memory database, so a gateway that starts replays the registry's
/// history through catch-up and then follows it live.
enum RegistryFollower {
    static let source = RegistryContract.source

    /// The registry's events as the registry declares them, upcasters included.
    static let catalog = MessageCatalog(RegistryContract.types)

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
        case RegistryContract.partnerRegistered.name:
            let partner = try event.decodeData(Partner.self)
            let entry = PartnerDirectory.Entry(code: partner.code, clearance: partner.clearance, status: partner.status.rawValue)
            directory.update(partner.code, create: entry) { $0 = entry }
        case let type where RegistryContract.partnerStatusChanges.contains(where: { $0.name == type }):
            let change = try event.decodeData(PartnerStatusChanged.self)
            directory.update(change.code) { $0.status = change.status.rawValue }
        case RegistryContract.credentialIssued.name:
            let credential = try event.decodeData(Credential.self)
            directory.update(credential.partner) { $0.credentials[credential.user] = credential.hash }
        case RegistryContract.credentialRevoked.name:
            let credential = try event.decodeData(CredentialSummary.self)
            directory.update(credential.partner) { $0.credentials[credential.user] = nil }
        case RegistryContract.permissionsGranted.name:
            let permissions = try event.decodeData(PermissionSet.self)
            directory.update(permissions.partner) {
                $0.publish = permissions.publish
                $0.subscribe = permissions.subscribe
            }
        default:
            break
        }
    }
}
