import BusCore
import Contracts
import GRDB
import ServiceKit

/// Credentials and subject permissions: what the gateway checks partners against.
enum AccessCommands {
    typealias Messages = RegistryMessages

    static func issue(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(Messages.IssueCredential.self)
        let partner = try PartnerCommands.existing(input.partner, in: context.db)
        guard partner.status != .exited else {
            throw CommandError(.illegalTransition, "partner '\(partner.code)' has exited; it cannot get credentials")
        }
        let user = input.user ?? ""
        switch input.kind {
        case .token:
            guard user.isEmpty else { throw CommandError(.invalidCommand, "a token credential has no user") }
            guard input.secret.count >= 16 else { throw CommandError(.invalidCommand, "a token must be at least 16 characters") }
        case .password:
            guard !user.isEmpty else { throw CommandError(.invalidCommand, "a password credential needs a user") }
            guard input.secret.count >= 8 else { throw CommandError(.invalidCommand, "a password must be at least 8 characters") }
        }
        let hash = input.kind == .token ? SecretHasher.hashToken(input.secret) : SecretHasher.hashPassword(input.secret)
        let credential = Credential(partner: partner.code, kind: input.kind, user: user, hash: hash,
                                    issuedAt: Timestamp.rfc3339(context.commandTime))
        try credential.save(context.db)
        try context.emit("registry.credential.issued", credential, label: .accessControl)
        return try CommandResult("registry.credential.issued", summary(credential))
    }

    static func revoke(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(Messages.RevokeCredential.self)
        let key: [String: any DatabaseValueConvertible] = ["partner": input.partner, "user": input.user ?? ""]
        guard let credential = try Credential.fetchOne(context.db, key: key) else {
            throw CommandError(.notFound, "partner '\(input.partner)' has no credential for user '\(input.user ?? "")'")
        }
        try credential.delete(context.db)
        let revoked = summary(credential)
        try context.emit("registry.credential.revoked", revoked, label: .accessControl)
        return try CommandResult("registry.credential.revoked", revoked)
    }

    static func grant(_ context: CommandContext) throws -> CommandResult {
        let input = try context.input(PermissionSet.self)
        _ = try PartnerCommands.existing(input.partner, in: context.db)
        for subject in input.publish + input.subscribe where !Subject.isValid(subject, wildcards: true) {
            throw CommandError(.invalidCommand, "'\(subject)' is not a valid subject (tokens separated by '.', '*' and a final '>' as whole tokens)")
        }
        try input.save(context.db)
        try context.emit("registry.permissions.granted", input, label: .accessControl)
        return try CommandResult("registry.permissions.granted", input)
    }

    static func summary(_ credential: Credential) -> CredentialSummary {
        .init(partner: credential.partner, kind: credential.kind, user: credential.user, issuedAt: credential.issuedAt)
    }
}
