import BusCore
import Testing

@Suite("NATS subjects")
struct SubjectTests {
    @Test("valid and invalid subjects, with and without wildcards")
    func validity() {
        for subject in ["a", "logistics.request.created", "_INBOX.x.1", "$JS.ACK.LOGISTICS.d.1.2.3.4.5", "a-b.c_d"] {
            #expect(Subject.isValid(subject, wildcards: false), "\(subject)")
        }
        for subject in ["logistics.*", "logistics.>", "*.x.>", ">", "*"] {
            #expect(Subject.isValid(subject, wildcards: true), "\(subject)")
            #expect(!Subject.isValid(subject, wildcards: false), "\(subject)")
        }
        for subject in ["", ".", "a.", ".a", "a..b", "a b", "a\tb", "a\r", "a\nb", "a.>.b", "a*", "a.b*", "a.*b", "a>", ">.a", "a.>>", "**"] {
            #expect(!Subject.isValid(subject, wildcards: true), "\(subject)")
            #expect(!Subject.isValid(subject, wildcards: false), "\(subject)")
        }
    }

    @Test("the one-pass check agrees with the token-by-token rule on generated subjects")
    func agreesWithTheRule() {
        let alphabet: [Character] = ["a", "b", ".", "*", ">", " ", "x", "."]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...7, using: &generator)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            for wildcards in [true, false] {
                #expect(Subject.isValid(text, wildcards: wildcards) == Self.rule(text, wildcards: wildcards), "\(text.debugDescription)")
            }
        }
    }

    @Test("matching over bytes agrees with matching token by token on generated subjects and patterns")
    func matchingAgreesWithTheTokens() {
        #expect(Subject.matches("logistics.request.created", pattern: "logistics.>"))
        #expect(Subject.matches("logistics.request.created", pattern: "*.request.*"))
        #expect(!Subject.matches("logistics", pattern: "logistics.>"))
        #expect(!Subject.matches("logistics.request", pattern: "logistics.request.created"))
        let alphabet: [Character] = ["a", "b", ".", "*", ">", "."]
        var generator = SystemRandomNumberGenerator()
        func generated() -> String {
            String((0..<Int.random(in: 0...6, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
        }
        for _ in 0..<20_000 {
            let (subject, pattern) = (generated(), generated())
            #expect(Subject.matches(subject, pattern: pattern) == Self.tokenMatch(subject, pattern),
                    "\(subject.debugDescription) against \(pattern.debugDescription)")
        }
    }

    /// Matching as NATS states it, on split tokens.
    static func tokenMatch(_ subject: String, _ pattern: String) -> Bool {
        let subjectTokens = subject.split(separator: ".", omittingEmptySubsequences: false)
        let patternTokens = pattern.split(separator: ".", omittingEmptySubsequences: false)
        for (index, token) in patternTokens.enumerated() {
            if token == ">" { return subjectTokens.count > index }
            guard index < subjectTokens.count else { return false }
            if token != "*" && token != subjectTokens[index] { return false }
        }
        return subjectTokens.count == patternTokens.count
    }

    /// The rule as NATS states it, token by token.
    static func rule(_ text: String, wildcards: Bool) -> Bool {
        guard !text.isEmpty else { return false }
        let tokens = text.split(separator: ".", omittingEmptySubsequences: false)
        for (index, token) in tokens.enumerated() {
            guard !token.isEmpty, !token.contains(where: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }) else { return false }
            if token == ">" {
                guard wildcards, index == tokens.count - 1 else { return false }
            } else if token == "*" {
                guard wildcards else { return false }
            } else if token.contains(where: { $0 == "*" || $0 == ">" }) {
                return false
            }
        }
        return true
    }
}
