import Agents
import Crypto
import Foundation

/// Signing in: a partner with its own gateway credential, or an operator with the console's
/// operator token. A partner's sign-in is a gateway connection; the gateway decides whether the
/// credential is good, and the registry confirms the code it belongs to.
struct SignIn: Decodable, Sendable {
    var partner: String?
    var token: String?
    var user: String?
    var password: String?
    var operatorToken: String?

    /// A partner's code as the registry spells it: capitals and digits.
    static func isPartnerCode(_ code: String) -> Bool {
        (2...16).contains(code.count) && code.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }

    func session(_ configuration: ConsoleConfiguration, book: SessionBook) async throws -> ConsoleSession {
        guard book.hasRoom else { throw ConsoleError(.serviceUnavailable, "the console has as many sessions as it may hold; try again later") }
        let expires = Date().addingTimeInterval(Double(configuration.sessionLifetime.components.seconds))
        if let operatorToken {
            guard let expected = configuration.operatorTokenHash,
                  Self.constantTimeEqual(Array(SHA256.hash(data: Array(operatorToken.utf8))), expected) else {
                throw ConsoleError(.unauthorized, "the operator token is not the console's")
            }
            return ConsoleSession(id: SessionBook.newID(), role: .operator, client: nil,
                                  permissions: .init(publish: [], subscribe: []), expires: expires)
        }
        guard let partner, Self.isPartnerCode(partner) else {
            throw ConsoleError(.badRequest, "a partner code is capitals and digits, e.g. WFP")
        }
        guard token != nil || (user != nil && password != nil) else {
            throw ConsoleError(.badRequest, "sign in with the partner's token, or its user and password")
        }
        let client: PartnerClient
        do {
            let port = try await configuration.gatewayPortSource?() ?? configuration.gatewayPort
            client = try await PartnerClient.connect(host: configuration.gatewayHost, port: port,
                                                     credentials: .init(token: token, user: user, password: password),
                                                     name: "concord-console \(partner)", tls: configuration.gatewayTLS)
        } catch {
            throw ConsoleError(.unauthorized, "the gateway refused the sign-in: \(error)")
        }
        do {
            let permissions = try await Self.confirm(partner, client)
            return ConsoleSession(id: SessionBook.newID(), role: .partner(partner), client: client, permissions: permissions, expires: expires)
        } catch {
            await client.close()
            throw error
        }
    }

    /// Asks the registry for the partner's own record: only the partner itself is answered, so
    /// an answer proves the credential is this partner's, and says what it may subscribe to.
    static func confirm(_ partner: String, _ client: PartnerClient) async throws -> ConsoleSession.Permissions {
        struct Found: Decodable {
            struct Details: Decodable { var permissions: ConsoleSession.Permissions? }
            var type: String
            var data: Details?
        }
        let answer: PartnerClient.Message
        do {
            answer = try await client.request("query.registry.partner.get", payload: Array(#"{"code":"\#(partner)"}"#.utf8))
        } catch {
            throw ConsoleError(.unauthorized, "could not confirm the partner code with the registry: \(error)")
        }
        guard let found = try? JSONDecoder().decode(Found.self, from: Data(answer.payload)), found.type == "registry.partner.found" else {
            throw ConsoleError(.unauthorized, "this credential is not \(partner)'s")
        }
        return found.data?.permissions ?? .init(publish: [], subscribe: [])
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
