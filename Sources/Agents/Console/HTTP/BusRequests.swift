import Agents
import Foundation
import Hummingbird

/// Commands, queries and exports from a partner's browser, sent as the partner through its own
/// gateway connection. The gateway checks the partner's publish permissions and the service
/// checks the command's policy, as for any other client; the answer or refusal comes back as
/// the service worded it.
enum BusRequests {
    /// `POST /api/request {"subject": "cmd.…" | "query.…", "data": {…}, "idempotencyKey": …}`.
    static func send(_ request: Request, session: ConsoleSession) async throws -> Response {
        let body = try await request.body.collect(upTo: 256 * 1024)
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
              let subject = object["subject"] as? String else {
            throw ConsoleError(.badRequest, #"send {"subject": "cmd.… or query.…", "data": {…}}"#)
        }
        guard isCommandOrQuery(subject) else {
            throw ConsoleError(.badRequest, "the console sends commands (cmd.…) and queries (query.…) only, not '\(subject)'")
        }
        let data = object["data"] ?? [String: Any]()
        guard JSONSerialization.isValidJSONObject(data), data is [String: Any] else { throw ConsoleError(.badRequest, "data is a JSON object") }
        let payload = try JSONSerialization.data(withJSONObject: data)
        let key = (object["idempotencyKey"] as? String).map { [("Concord-Idempotency-Key", String($0.prefix(128)))] } ?? []
        return answer(try await ask(session, subject, Array(payload), headers: key))
    }

    /// `GET /api/export/<service>/<entity>?format=…&<filter>=…`: the export query as the partner.
    /// One file comes back as itself (GeoJSON, KML, HXL CSV); CAP's one file per alert as JSON.
    static func export(service: String, entity: String, filters: [String: String], session: ConsoleSession) async throws -> Response {
        guard isName(service), isName(entity) else { throw ConsoleError(.notFound, "no such layer") }
        let payload = try JSONEncoder().encode(filters)
        let reply = try await ask(session, "query.\(service).\(entity).export", Array(payload), headers: [])
        struct Exported: Decodable {
            struct File: Decodable, Encodable { var name: String; var mediaType: String; var content: String }
            struct Layer: Decodable { var files: [File] }
            var type: String
            var data: Layer?
        }
        guard let exported = try? JSONDecoder().decode(Exported.self, from: Data(reply.payload)), exported.type.hasSuffix(".exported"),
              let files = exported.data?.files else { return answer(reply) }
        if files.count == 1, let file = files.first {
            return Replies.raw(contentType: file.mediaType, Array(file.content.utf8), filename: file.name)
        }
        return Replies.json(["files": files])
    }

    private static func ask(_ session: ConsoleSession, _ subject: String, _ payload: [UInt8], headers: [(String, String)]) async throws -> PartnerClient.Message {
        guard let client = session.client else { throw ConsoleError.signedOut }
        do {
            return try await client.request(subject, payload: payload, headers: headers)
        } catch let failure as PartnerClient.Failure {
            // The gateway's own refusal (a publish permission, a full queue), or its silence.
            throw ConsoleError(.forbidden, failure.message)
        }
    }

    /// The service's answer for the browser: `{"type", "data"}`, with 422 for a refusal.
    private static func answer(_ reply: PartnerClient.Message) -> Response {
        guard let envelope = try? JSONSerialization.jsonObject(with: Data(reply.payload)) as? [String: Any],
              let type = envelope["type"] as? String else {
            return Replies.json(["error": "the answer was not an envelope"], status: .badGateway)
        }
        let body: [String: Any] = ["type": type, "data": envelope["data"] ?? NSNull()]
        let bytes = (try? JSONSerialization.data(withJSONObject: body)).map(Array.init) ?? Array("{}".utf8)
        return Replies.raw(type.hasSuffix(".command.rejected") ? .unprocessableContent : .ok, contentType: "application/json", bytes)
    }

    static func isCommandOrQuery(_ subject: String) -> Bool {
        (subject.hasPrefix("cmd.") || subject.hasPrefix("query.")) && subject.count <= 128
            && subject.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0.allSatisfy(isNameCharacter) }
    }

    private static func isName(_ text: String) -> Bool { !text.isEmpty && text.count <= 40 && text.allSatisfy(isNameCharacter) }

    private static func isNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLowercase || character.isNumber || character == "-")
    }
}
