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
        var user = input.user ?? ""
        switch input.kind {
        case .nkey:
            guard NKey.userPublicKey(input.hash) != nil else {
                throw CommandError(.invalidCommand, "an nkey credential's hash is the user's public nkey (U…, 56 characters)")
            }
            guard user.isEmpty || user == input.hash else { throw CommandError(.invalidCommand, "an nkey credential has no user of its own") }
            user = input.hash
        case .token:
            guard user.isEmpty else { throw CommandError(.invalidCommand, "a token credential has no user") }
            guard SecretHasher.kind(of: input.hash) == .token else {
                throw CommandError(.invalidCommand, "a token's hash is sha256$<64 lowercase hex> (SecretHasher.hashToken)")
            }
        case .password:
            guard !user.isEmpty else { throw CommandError(.invalidCommand, "a password credential needs a user") }
            guard SecretHasher.kind(of: input.hash) == .password else {
                throw CommandError(.invalidCommand, "a password's hash is pbkdf2-sha256$<rounds, at least \(SecretHasher.minimumRounds)>$<salt, 32 hex>$<64 hex> (SecretHasher.hashPassword)")
            }
        }
        let credential = Credential(partner: partner.code, kind: input.kind, user: user, hash: input.hash,
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
