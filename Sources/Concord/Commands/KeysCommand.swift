import ArgumentParser
import BusCore
import Foundation

/// `concord keys init`: the mission's bus keys.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create the mission's bus keys (CURVE): one key pair per part and per operator.",
        subcommands: [Init.self])

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a key folder: identities.json (every public key) and one key file per identity.",
            discussion: """
                Keys already in the folder are kept; missing ones are added, so the command also adds operators. \
                Give each part identities.json and its own key file only (compose mounts them as secrets; see \
                docs/security.md). `concord up` creates its own folder in its data folder.
                """)

        @Argument(help: "The key folder to create or complete. Env: CONCORD_KEYS.")
        var folder = EnvironmentKey.keys.value(or: "./data/keys")

        @Option(name: .customLong("operator"), help: "An operator to make a key for (repeatable); admin is always made.")
        var operators: [String] = []

        @Option(help: "Give the folder and its files to this user id, e.g. 10001, the user Concord's image runs as (compose mounts the files as they are).")
        var owner: Int?

        func validate() throws {
            for name in operators where name.isEmpty || name.contains("/") || name.contains(where: \.isWhitespace) {
                throw ValidationError("operator names are one word without '/': not '\(name)'")
            }
        }

        func run() throws {
            let identities = Parts.identities(operators: Array(Set(["admin"] + operators)).sorted())
            let created: [String]
            do {
                created = try BusKeyring.create(folder: folder, identities: identities).created
            } catch let error as CurveKeyError {
                throw CommandFailure(error.description)
            }
            // The console's operator page signs in with this token (compose mounts it as a secret).
            let tokenFile = try ConsoleOptions.createOperatorToken(folder: folder)
            if let owner {
                let manager = FileManager.default
                let files = ((try? manager.contentsOfDirectory(atPath: folder)) ?? []).map { (folder as NSString).appendingPathComponent($0) }
                do {
                    for path in [folder] + files { try manager.setAttributes([.ownerAccountID: owner], ofItemAtPath: path) }
                } catch {
                    throw CommandFailure("could not give \(folder) to user \(owner): \(error.localizedDescription)")
                }
            }
            print("\(folder): \(created.count) keys created, \(identities.count - created.count) kept")
            for identity in created { print("  \(identity)  \(BusKeyring.secretFileName(of: identity))") }
            print("  console operator token  \((tokenFile as NSString).lastPathComponent)")
            print("Every part needs \(folder)/identities.json and its own key file; keep the key files secret.")
        }
    }
}
