import ConcordTestSupport
import Foundation
import Testing

extension ProcessTests {
    @Suite("Published message catalog")
    struct CatalogDocumentsTests {
        static let committed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/messages")

        @Test("docs/messages/ and docs/authorization.md are exactly what `concord catalog` writes from the code (run it after changing a message or a policy)")
        func upToDate() async throws {
            let folder = try TemporaryFolder()
            let (status, output) = try await ConcordProcess.run(["catalog", "--out", folder.path("messages"), "--authorization", folder.path("authorization.md")],
                                                               logPath: folder.path("catalog.log"))
            #expect(status == 0, "\(output)")
            let authorization = try String(contentsOfFile: folder.path("authorization.md"), encoding: .utf8)
            let committedAuthorization = try String(contentsOf: Self.committed.deletingLastPathComponent().appendingPathComponent("authorization.md"), encoding: .utf8)
            #expect(authorization == committedAuthorization, "docs/authorization.md differs from the services' policies: run `concord catalog`")
            let generated = try Self.files(in: folder.url.appendingPathComponent("messages"))
            let committed = try Self.files(in: Self.committed)
            #expect(generated.keys.sorted() == committed.keys.sorted(), "files differ: run `concord catalog`")
            for (name, contents) in generated where committed[name] != contents {
                Issue.record("docs/messages/\(name) differs from the code: run `concord catalog`")
            }
            #expect(generated.keys.contains("asyncapi.json") && generated.count > 100)
            folder.remove()
        }

        @Test("each schema names the fields its type decodes, required ones included")
        func schemaShape() throws {
            let data = try Data(contentsOf: Self.committed.appendingPathComponent("schemas/cmd.logistics.request.create.json"))
            let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let properties = try #require(schema["properties"] as? [String: Any])
            let required = try #require(schema["required"] as? [String])
            #expect(Set(properties.keys).isSuperset(of: ["request", "requester", "items", "destination", "neededBy", "priority"]))
            #expect(required.contains("neededBy"))
            #expect(!required.contains("priority"))
            let priority = try #require(properties["priority"] as? [String: Any])
            #expect(priority["enum"] as? [String] == ["low", "normal", "high", "critical"])
        }

        static func files(in folder: URL) throws -> [String: Data] {
            var files: [String: Data] = [:]
            let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL {
                guard !url.hasDirectoryPath else { continue }
                files[url.path.replacingOccurrences(of: folder.path + "/", with: "")] = try Data(contentsOf: url)
            }
            return files
        }
    }
}
