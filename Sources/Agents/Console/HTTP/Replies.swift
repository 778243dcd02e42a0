import Foundation
import HTTPTypes
import Hummingbird

/// The console's responses: JSON for the API, the assets as they are, and the headers every
/// response carries (no framing by other sites, no sniffing, nothing loaded from elsewhere but
/// the operator's tile server).
enum Replies {
    static let cookieName = "concord_session"

    static func json(_ object: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONEncoder().encode(object)) ?? Data("{}".utf8)
        return raw(status, contentType: "application/json", Array(data))
    }

    static func raw(_ status: HTTPResponse.Status = .ok, contentType: String, _ bytes: [UInt8], filename: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: contentType, .cacheControl: "no-store"]
        if let filename { headers[.contentDisposition] = #"attachment; filename="\#(filename)""# }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func asset(_ text: String, contentType: String) -> Response {
        Response(status: .ok, headers: [.contentType: contentType, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func refusal(_ error: ConsoleError) -> Response {
        json(["error": error.message], status: error.status)
    }

    /// The session cookie: not readable by scripts, sent over secure channels only (browsers
    /// count loopback as one), never with requests started by other sites, gone at expiry.
    static func sessionCookie(_ session: ConsoleSession) -> Cookie {
        Cookie(name: cookieName, value: session.id, maxAge: max(0, Int(session.expires.timeIntervalSinceNow)), path: "/",
               secure: true, httpOnly: true, sameSite: .strict)
    }

    static let clearedCookie = Cookie(name: cookieName, value: "", maxAge: 0, path: "/", secure: true, httpOnly: true, sameSite: .strict)

    /// Headers on every response. The tile server, if one is configured, is the one other origin
    /// the page may load images from.
    static func securityHeaders(tileURL: String?) -> HTTPFields {
        let tiles = tileURL.flatMap { URL(string: $0.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")) }
            .flatMap { url in url.scheme.flatMap { scheme in url.host.map { "\(scheme)://\($0)" } } }
        return [
            .contentSecurityPolicy: "default-src 'self'; img-src 'self' data:\(tiles.map { " \($0)" } ?? ""); style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "no-referrer",
        ]
    }
}

/// Adds the security headers to every response.
struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    let headers: HTTPFields

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        for field in headers { response.headers[field.name] = field.value }
        return response
    }
}
