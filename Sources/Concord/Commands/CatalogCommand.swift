import ArgumentParser
import BusCore
import Foundation
import Gateway
import ServiceKit

/// `concord catalog`: every message type as JSON Schema and one AsyncAPI 3 document.
struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "Write every message type's JSON Schema and the AsyncAPI 3 document of the bus.",
        discussion: "The schemas are derived from the Swift types that decode each message, so they match the code. docs/messages/ holds the committed copy; a test fails when it differs from what this writes.")

    @Option(help: "Folder to write into (its schemas/ folder is replaced).") var out = "docs/messages"

    @Option(help: "Where to write who may send each command and query, from the services' policies.")
    var authorization = "docs/authorization.md"

    func run() async throws {
        let catalog = Parts.catalog.merging(GatewayCatalog.catalog).merging(MessageCatalog([Heartbeat.messageType]))
        let files = CatalogDocuments.render(catalog, version: GatewayConfiguration.version)
        let folder = URL(fileURLWithPath: out)
        try? FileManager.default.removeItem(at: folder.appendingPathComponent("schemas"))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("schemas"), withIntermediateDirectories: true)
        for (name, bytes) in files {
            try Data(bytes).write(to: folder.appendingPathComponent(name))
        }
        try Data(AuthorizationDocument.render(Parts.services, parts: [("gateway", GatewayCatalog.catalog)]).utf8).write(to: URL(fileURLWithPath: authorization))
        print("wrote \(files.count) files (\(catalog.types.count) message types) to \(out), and \(authorization)")
    }
}
