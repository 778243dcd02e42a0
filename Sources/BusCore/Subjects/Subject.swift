/// NATS subject rules, shared by the registry (permission lists) and the gateway (routing).
/// Tokens are separated by `.`; `*` matches one token and `>` the rest, as whole tokens only.
public enum Subject {
    /// Whether `text` is a valid subject; with `wildcards`, `*` and a final `>` are allowed.
    public static func isValid(_ text: String, wildcards: Bool) -> Bool {
        // One pass over the bytes: every partner publish is checked here.
        var text = text
        return text.withUTF8 { bytes in
            guard !bytes.isEmpty else { return false }
            var tokenStart = 0
            var wildcard: UInt8 = 0  // the wildcard the current token began with, if any
            for index in 0...bytes.count {
                let byte = index < bytes.count ? bytes[index] : UInt8(ascii: ".")
                switch byte {
                case UInt8(ascii: "."):
                    guard index > tokenStart else { return false }
                    if wildcard != 0 {
                        guard wildcards, index - tokenStart == 1 else { return false }
                        if wildcard == UInt8(ascii: ">"), index != bytes.count { return false }
                    }
                    tokenStart = index + 1
                    wildcard = 0
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                    return false
                case UInt8(ascii: "*"), UInt8(ascii: ">"):
                    guard index == tokenStart else { return false }
                    wildcard = byte
                default:
                    if wildcard != 0 { return false }
                }
            }
            return true
        }
    }

    /// Whether the literal `subject` matches `pattern`.
    public static func matches(_ subject: String, pattern: String) -> Bool {
        // Token by token over the bytes, without splitting: every feed delivery and every
        // routed message checks permissions here.
        var subject = subject
        var pattern = pattern
        return subject.withUTF8 { subject in
            pattern.withUTF8 { pattern in
                var subjectStart = 0
                var patternStart = 0
                // A start one past the end means that side has no tokens left.
                while patternStart <= pattern.count {
                    let patternEnd = tokenEnd(pattern, from: patternStart)
                    let patternLength = patternEnd - patternStart
                    if patternLength == 1, pattern[patternStart] == UInt8(ascii: ">") { return subjectStart <= subject.count }
                    guard subjectStart <= subject.count else { return false }
                    let subjectEnd = tokenEnd(subject, from: subjectStart)
                    if !(patternLength == 1 && pattern[patternStart] == UInt8(ascii: "*")) {
                        guard patternLength == subjectEnd - subjectStart else { return false }
                        for offset in 0..<patternLength where pattern[patternStart + offset] != subject[subjectStart + offset] {
                            return false
                        }
                    }
                    patternStart = patternEnd + 1
                    subjectStart = subjectEnd + 1
                }
                return subjectStart > subject.count
            }
        }
    }

    /// The index of the dot ending the token that starts at `start`, or the end.
    private static func tokenEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        while index < bytes.count, bytes[index] != UInt8(ascii: ".") { index += 1 }
        return index
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
