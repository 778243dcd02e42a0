import BusCore
import GRDB

/// The one place a command or query is authorized, before its handler runs: who sent it (its
/// `source`), the roles the registry gave them, and the policy declared beside the handler.
enum Authorization {
    /// The audience the request is answered for, or the refusal.
    static func authorize(_ request: Envelope, data: JSONValue?, policy: Policy, in db: Database) throws -> Audience {
        switch Principal(source: request.source) {
        case .staff(let name):
            let roles = try StaffRoles.roles(of: name, in: db)
            guard !roles.isDisjoint(with: policy.roles) else {
                throw CommandError(.forbidden, "\(request.type) is for \(policy.summary); operator/\(name) holds \(Self.list(roles))",
                                   command: request.type)
            }
            return .staff(name: name, roles: roles)
        case .partner(let code):
            let audience = Audience.partner(code: code, clearance: request.extensions[clearanceAttribute].flatMap(Classification.init(rawValue:)))
            switch policy.partners {
            case .never:
                throw CommandError(.forbidden, "\(request.type) is for \(policy.summary)", command: request.type)
            case .namingItself(let field):
                // A missing or mistyped field is the handler's to report; naming another partner is not allowed.
                if let named = data?[field]?.stringValue, named != code {
                    throw CommandError(.forbidden, "\(request.type): a partner may name only itself as \(field)", command: request.type)
                }
            case .related(let relation):
                let key = data?[relation.keyField]?.stringValue ?? ""
                // An entity the partner has no relation to answers as one that does not exist.
                guard let partners = try relation.partners(key, db), partners.contains(code) else {
                    throw CommandError(.notFound, "no \(relation.entity) '\(key)'", command: request.type)
                }
            case .filtered:
                break
            }
            return audience
        case .other(let source):
            throw CommandError(.forbidden, "'\(source)' is neither a partner nor a member of the mission's staff; \(request.type) is for \(policy.summary)",
                               command: request.type)
        }
    }

    /// The extension attribute in which the gateway stamps a partner's clearance on its requests.
    static let clearanceAttribute = "clearance"

    private static func list(_ roles: Set<MissionRole>) -> String {
        roles.isEmpty ? "no role" : roles.sorted().map(\.title).joined(separator: ", ")
    }
}
