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
}
