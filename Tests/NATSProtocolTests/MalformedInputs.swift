import Testing

/// Inputs a NATS server must refuse, with the `-ERR` text nats-server sends (limits: control
/// line 256, payload 1,024).
enum MalformedInputs {
    struct Case: Sendable, CustomTestStringConvertible {
        let bytes: String
        let errText: String
        var testDescription: String { bytes.debugDescription }
    }

    static let unknown = "Unknown Protocol Operation"
    static let controlLine = "Maximum Control Line Exceeded"
    static let payload = "Maximum Payload Violation"

    static let all: [Case] = [
        // Operations that do not exist, or that only servers send.
        .init(bytes: "FOO\r\n", errText: unknown),
        .init(bytes: "MSG a 1 2\r\nhi\r\n", errText: unknown),
        .init(bytes: "HMSG a 1 2 2\r\nhi\r\n", errText: unknown),
        .init(bytes: "INFO {}\r\n", errText: unknown),
        .init(bytes: "+OK\r\n", errText: unknown),
        .init(bytes: "-ERR 'x'\r\n", errText: unknown),
        .init(bytes: "PINGX\r\n", errText: unknown),
        .init(bytes: "PING extra\r\n", errText: unknown),
        .init(bytes: "PONG extra\r\n", errText: unknown),
        .init(bytes: "PUBX a 1\r\n", errText: unknown),
        .init(bytes: "\r\n", errText: unknown),
        .init(bytes: " PING\r\n", errText: unknown),
        .init(bytes: "\u{0}\u{1}\u{2}\r\n", errText: unknown),
        .init(bytes: "GET / HTTP/1.1\r\n", errText: unknown),
        // CONNECT with something other than a JSON object of options.
        .init(bytes: "CONNECT\r\n", errText: unknown),
        .init(bytes: "CONNECT {\r\n", errText: unknown),
        .init(bytes: "CONNECT []\r\n", errText: unknown),
        .init(bytes: "CONNECT {\"verbose\":\"yes\"}\r\n", errText: unknown),
        .init(bytes: "CONNECT {\"protocol\":\"one\"}\r\n", errText: unknown),
        // PUB arguments.
        .init(bytes: "PUB\r\n", errText: unknown),
        .init(bytes: "PUB a\r\n", errText: unknown),
        .init(bytes: "PUB a b c 1\r\n", errText: unknown),
        .init(bytes: "PUB a x\r\n", errText: unknown),
        .init(bytes: "PUB a -1\r\n", errText: unknown),
        .init(bytes: "PUB a 99999999999999999999999\r\n", errText: unknown),
        .init(bytes: "PUB a 2\r\nhello\r\n", errText: unknown),
        .init(bytes: "PUB a 5\r\nhi\r\n\r\n\r\n", errText: unknown),
        .init(bytes: "PUB a 2\r\nhiXY", errText: unknown),
        // HPUB arguments.
        .init(bytes: "HPUB a 5\r\n", errText: unknown),
        .init(bytes: "HPUB a 10 5\r\n", errText: unknown),
        .init(bytes: "HPUB a b c 1 2\r\n", errText: unknown),
        .init(bytes: "HPUB a x 5\r\n", errText: unknown),
        // SUB and UNSUB arguments.
        .init(bytes: "SUB\r\n", errText: unknown),
        .init(bytes: "SUB a\r\n", errText: unknown),
        .init(bytes: "SUB a q 1 extra\r\n", errText: unknown),
        .init(bytes: "UNSUB\r\n", errText: unknown),
        .init(bytes: "UNSUB 1 x\r\n", errText: unknown),
        .init(bytes: "UNSUB 1 -3\r\n", errText: unknown),
        .init(bytes: "UNSUB 1 2 3\r\n", errText: unknown),
        // Limits.
        .init(bytes: "PUB a 1025\r\n", errText: payload),
        .init(bytes: "HPUB a 10 2000\r\n", errText: payload),
        .init(bytes: "PUB " + String(repeating: "a", count: 300) + " 1\r\n", errText: controlLine),
        .init(bytes: "SUB " + String(repeating: "b.", count: 200), errText: controlLine),
        .init(bytes: String(repeating: "x", count: 400), errText: controlLine),
    ]
}
