import Agents
import BusCore
import Foundation
import Hummingbird

/// The console's HTTP API and pages. Every partner request goes through the partner's own
/// gateway connection; the console adds no rule of its own and removes none.
struct ConsoleRoutes: Sendable {
    let configuration: ConsoleConfiguration
    let book: SessionBook
    let leaflet: LeafletFiles

    func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(SecurityHeaders(headers: Replies.securityHeaders(tileURL: configuration.tileURL)))
        router.get("/") { _, _ in Replies.asset(ConsolePage.html, contentType: "text/html; charset=utf-8") }
        router.get("/console.js") { _, _ in Replies.asset(ConsoleScript.text, contentType: "text/javascript; charset=utf-8") }
        router.get("/console.css") { _, _ in Replies.asset(ConsoleStyle.text, contentType: "text/css; charset=utf-8") }
        router.get("/leaflet/:file") { _, context in
            guard let file = context.parameters.get("file"), let asset = leaflet.file(file) else { return Response(status: .notFound) }
            return Replies.asset(asset.text, contentType: asset.contentType)
        }
        router.post("/api/session") { request, context in await guarded(request, csrf: true) { try await signIn(request) } }
        router.get("/api/session") { request, _ in
            await guarded(request, csrf: false) { Replies.json(SessionView(try await session(request), tileURL: configuration.tileURL)) }
        }
        router.delete("/api/session") { request, _ in
            await guarded(request, csrf: true) {
                var response = Replies.json(["signedOut": true])
                if let session = await book.session(request.cookies[Replies.cookieName]?.value) { await book.end(session, "signed out") }
                response.setCookie(Replies.clearedCookie)
                return response
            }
        }
        router.post("/api/request") { request, _ in await guarded(request, csrf: true) { try await BusRequests.send(request, session: try await partnerSession(request)) } }
        router.get("/api/export/:service/:entity") { request, context in
            await guarded(request, csrf: false) {
                try await BusRequests.export(service: context.parameters.get("service") ?? "", entity: context.parameters.get("entity") ?? "",
                                             filters: Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }) { $1 },
                                             session: try await partnerSession(request))
            }
        }
        router.get("/api/operator/status") { request, _ in
            await guarded(request, csrf: false) {
                guard try await session(request).role == .operator else { throw ConsoleError(.forbidden, "the operator page is for operators") }
                return Replies.json(await configuration.operatorStatus?() ?? [])
            }
        }
        return router
    }

    private func signIn(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 16 * 1024)
        guard let form = try? JSONDecoder().decode(SignIn.self, from: Data(buffer: body)) else {
            throw ConsoleError(.badRequest, "sign in with JSON: {\"partner\": …, \"token\": …} or {\"operatorToken\": …}")
        }
        let session: ConsoleSession
        do {
            session = try await form.session(configuration, book: book)
        } catch let error as ConsoleError {
            configuration.logger.notice("console sign-in refused", metadata: ["console.partner": "\(form.partner ?? "operator")", "console.reason": "\(error.message)"])
            throw error
        }
        book.add(session)
        LiveFeed.start(session, book: book)
        configuration.logger.info("console session started", metadata: ["console.role": "\(session.role)"])
        var response = Replies.json(SessionView(session, tileURL: configuration.tileURL))
        response.setCookie(Replies.sessionCookie(session))
        return response
    }

    private func session(_ request: Request) async throws -> ConsoleSession {
        guard let session = await book.session(request.cookies[Replies.cookieName]?.value) else { throw ConsoleError.signedOut }
        return session
    }

    private func partnerSession(_ request: Request) async throws -> ConsoleSession {
        let session = try await session(request)
        guard session.client != nil else { throw ConsoleError(.forbidden, "operators see the operator page; partners' pages need a partner's sign-in") }
        return session
    }

    /// Runs a handler and turns its refusal into a response. A request that changes something
    /// must be JSON from this console's own page: a form on another site can send neither.
    private func guarded(_ request: Request, csrf: Bool, _ body: () async throws -> Response) async -> Response {
        do {
            if csrf {
                guard request.headers[.contentType]?.hasPrefix("application/json") == true || request.method == .delete,
                      Origins.sameOrigin(request.headers[.origin], authority: request.head.authority) else {
                    throw ConsoleError(.forbidden, "requests that change something come from the console's own page, as JSON")
                }
            }
            return try await body()
        } catch let error as ConsoleError {
            return Replies.refusal(error)
        } catch {
            return Replies.refusal(ConsoleError(.badRequest, "\(error)"))
        }
    }
}

/// What the browser learns about its session.
struct SessionView: Encodable {
    var role: String
    var partner: String?
    var expires: String
    var publish: [String]
    var subscribe: [String]
    var tiles: String?

    init(_ session: ConsoleSession, tileURL: String?) {
        role = session.partner == nil ? "operator" : "partner"
        partner = session.partner
        expires = Timestamp.rfc3339(session.expires)
        publish = session.permissions.publish
        subscribe = session.permissions.subscribe
        tiles = tileURL
    }
}

/// The same-origin rule for requests that change something and for WebSockets: a browser names
/// the page's origin (`http(s)://host:port`), and it must be this console's. Programs name what
/// they like and need the cookie all the same; swift-websocket's client, for one, sends
/// `ws://host` without the port, which no browser sends as a page's origin, so a `ws`/`wss`
/// origin is compared by host alone.
enum Origins {
    static func sameOrigin(_ origin: String?, authority: String?) -> Bool {
        guard let origin else { return true }    // not a browser's cross-site request
        guard let authority, let url = URL(string: origin), let host = url.host, let scheme = url.scheme?.lowercased() else { return false }
        if scheme == "ws" || scheme == "wss" {
            return host.lowercased() == authority.split(separator: ":").first.map { $0.lowercased() }
        }
        let port = url.port.map { ":\($0)" } ?? ""
        return "\(host)\(port)".lowercased() == authority.lowercased()
    }
}
