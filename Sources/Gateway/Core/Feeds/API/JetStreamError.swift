/// A JetStream API error as nats-server reports it: an HTTP-like `code`, a stable `err_code`
/// and its description (server/errors.json), so clients raise the error they know.
struct JetStreamError: Error, Sendable, Equatable {
    let code: Int
    let errCode: Int
    let description: String

    var json: GoJSON {
        .object([("code", .int(code)), ("err_code", .int(errCode)), ("description", .string(description))])
    }

    static let badRequest = JetStreamError(code: 400, errCode: 10003, description: "bad request")
    static let consumerNotFound = JetStreamError(code: 404, errCode: 10014, description: "consumer not found")
    static let streamNotFound = JetStreamError(code: 404, errCode: 10059, description: "stream not found")
    static let streamSealed = JetStreamError(code: 400, errCode: 10109, description: "invalid operation on sealed stream")
    static let maximumStreams = JetStreamError(code: 400, errCode: 10027, description: "maximum number of streams reached")
    static let maximumConsumers = JetStreamError(code: 400, errCode: 10026, description: "maximum consumers limit reached")
    static let consumerNameExists = JetStreamError(code: 400, errCode: 10013, description: "consumer name already in use")
    static let filterNotSubset = JetStreamError(
        code: 400, errCode: 10093, description: "consumer filter subject is not a valid subset of the interest subjects")
    static let noMessage = JetStreamError(code: 404, errCode: 10037, description: "no message found")
    static let configRequired = JetStreamError(code: 400, errCode: 10078, description: "consumer config required")

    static func invalidJSON(_ reason: String) -> JetStreamError {
        JetStreamError(code: 400, errCode: 10025, description: reason.isEmpty ? "invalid JSON" : "invalid JSON: \(reason)")
    }

    static func invalidPolicy(_ reason: String) -> JetStreamError {
        JetStreamError(code: 400, errCode: 10094, description: reason)
    }

    static func createFailed(_ reason: String) -> JetStreamError {
        JetStreamError(code: 500, errCode: 10012, description: reason)
    }
}
