/// NATS subject rules, shared by the registry (permission lists) and the gateway (routing).
/// Tokens are separated by `.`; `*` matches one token and `>` the rest, as whole tokens only.
public enum Subject {
    /// Whether `text` is a valid subject; with `wildcards`, `*` and a final `>` are allowed.
    public static func isValid(_ text: String, wildcards: Bool) -> Bool {
        guard !text.isEmpty else { return false }
        let tokens = text.split(separator: ".", omittingEmptySubsequences: false)
        for (index, token) in tokens.enumerated() {
            guard !token.isEmpty, !token.contains(where: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }) else { return false }
            if token == ">" {
                guard wildcards, index == tokens.count - 1 else { return false }
            } else if token == "*" {
                guard wildcards else { return false }
            } else if token.contains("*") || token.contains(">") {
                return false
            }
        }
        return true
    }

    /// Whether the literal `subject` matches `pattern`.
    public static func matches(_ subject: String, pattern: String) -> Bool {
        let subjectTokens = subject.split(separator: ".", omittingEmptySubsequences: false)
        let patternTokens = pattern.split(separator: ".", omittingEmptySubsequences: false)
        for (index, token) in patternTokens.enumerated() {
            if token == ">" { return subjectTokens.count > index }
            guard index < subjectTokens.count else { return false }
            if token != "*" && token != subjectTokens[index] { return false }
        }
        return subjectTokens.count == patternTokens.count
    }

    /// Whether every subject `pattern` can match is also matched by `allowed` (both may hold
    /// wildcards), as permission checks on subscriptions need.
    public static func isSubset(_ pattern: String, of allowed: String) -> Bool {
        let tokens = pattern.split(separator: ".", omittingEmptySubsequences: false)
        let allowedTokens = allowed.split(separator: ".", omittingEmptySubsequences: false)
        for (index, token) in allowedTokens.enumerated() {
            if token == ">" { return tokens.count > index }
            guard index < tokens.count else { return false }
            if tokens[index] == ">" { return false }
            if token == "*" { continue }
            if token != tokens[index] { return false }
        }
        return tokens.count == allowedTokens.count
    }

    /// The literal tokens before the first wildcard, as a ZeroMQ prefix: `logistics.*.approved`
    /// gives `logistics.`, `>` gives the empty prefix (everything).
    public static func literalPrefix(_ pattern: String) -> String {
        var prefix = ""
        for token in pattern.split(separator: ".", omittingEmptySubsequences: false) {
            if token == "*" || token == ">" { return prefix }
            prefix += token + "."
        }
        return String(prefix.dropLast())
    }
}
