import ArgumentParser
import Foundation
import Glibc

/// `concord health`: asks a part's /healthz, for container healthchecks (the runtime image has
/// no HTTP client of its own). Exits 0 when the part is healthy, 1 otherwise.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Ask a part's /healthz; exit 0 when healthy (for container healthchecks).")

    @Option(help: "Host of the part's health server.")
    var host = "127.0.0.1"

    @Option(help: "Port of the part's health server. Env: CONCORD_METRICS_PORT.")
    var port = Int(EnvironmentKey.metricsPort.value(or: "9464")) ?? 9464

    func run() async throws {
        let (status, body) = try Self.get(host: host, port: port, path: "/healthz")
        print(body, terminator: body.hasSuffix("\n") ? "" : "\n")
        if status != 200 { throw ExitCode(1) }
    }

    /// A plain HTTP/1.0 GET over a blocking socket, with a 5-second limit.
    static func get(host: String, port: Int, path: String) throws -> (Int, String) {
        var hints = addrinfo(ai_flags: 0, ai_family: AF_INET, ai_socktype: Int32(SOCK_STREAM.rawValue), ai_protocol: 0,
                             ai_addrlen: 0, ai_addr: nil, ai_canonname: nil, ai_next: nil)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, "\(port)", &hints, &found) == 0, let address = found else {
            throw CommandFailure("cannot resolve \(host)")
        }
        defer { freeaddrinfo(found) }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CommandFailure("no socket") }
        defer { close(fd) }
        var limit = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else {
            throw CommandFailure("nothing answers at \(host):\(port)")
        }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: \(host)\r\n\r\n".utf8)
        guard send(fd, request, request.count, 0) == request.count else { throw CommandFailure("could not send to \(host):\(port)") }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while response.count < 1 << 20 {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            response += buffer.prefix(count)
        }
        let text = String(decoding: response, as: UTF8.self)
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (status, body)
    }
}
