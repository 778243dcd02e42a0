import Hummingbird

/// Why the console refused a request: the HTTP status and a sentence for the person in front of
/// the browser. Refusals from the gateway or a service are passed on as they were worded.
struct ConsoleError: Error, CustomStringConvertible {
    let status: HTTPResponse.Status
    let message: String

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    var description: String { message }

    static let signedOut = ConsoleError(.unauthorized, "not signed in, or the session has ended: sign in again")
}
