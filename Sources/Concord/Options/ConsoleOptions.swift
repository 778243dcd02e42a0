import ArgumentParser
import Console
import Crypto
import Foundation

/// The console's options, for `up` and `run console`.
struct ConsoleOptions: ParsableArguments {
    @Option(help: "Port the console serves browsers on; 0 picks a free one, 'off' serves none. Env: CONCORD_CONSOLE_PORT.")
    var consolePort = EnvironmentKey.consolePort.value(or: "8080")

    @Option(help: "Interface the console listens on (default: the gateway's). Env: CONCORD_CONSOLE_HOST.")
    var consoleHost = EnvironmentKey.consoleHost.value

    @Option(help: "Tile server URL template for the map, e.g. https://tiles.example/{z}/{x}/{y}.png (default: a graticule and the mission's areas, no network). Env: CONCORD_CONSOLE_TILES.")
    var consoleTiles = EnvironmentKey.consoleTiles.value

    @Option(help: "File holding the operator token for the console's operator page. Env: CONCORD_CONSOLE_OPERATOR_TOKEN_FILE. `up` creates <keys>/console-operator.token.")
    var consoleOperatorTokenFile = EnvironmentKey.consoleOperatorTokenFile.value

    @Option(help: "Hours a console session lasts after sign-in. Env: CONCORD_CONSOLE_SESSION_HOURS.")
    var consoleSessionHours = Double(EnvironmentKey.consoleSessionHours.value(or: "8")) ?? 8

    @Option(help: "PEM file of the CA that signed the gateway's certificate, when the gateway requires TLS (default for up: the gateway's own certificate). Env: CONCORD_TLS_CA.")
    var consoleGatewayCa = EnvironmentKey.tlsCA.value

    var isOff: Bool { consolePort == "off" }

    func validate() throws {
        guard isOff || Int(consolePort).map({ (0...65535).contains($0) }) == true else {
            throw ValidationError("--console-port is a port number, 0 for a free one, or 'off'")
        }
        guard consoleSessionHours > 0 else { throw ValidationError("--console-session-hours must be more than 0") }
    }

    /// The console's configuration, signing partners in to the gateway at `gatewayHost:gatewayPort`.
    func configuration(host: String, gatewayHost: String, gatewayPort: Int, gatewayTLS: Bool, operatorTokenFile: String?) throws -> ConsoleConfiguration {
        var configuration = ConsoleConfiguration()
        configuration.host = consoleHost ?? host
        configuration.port = Int(consolePort) ?? 8080
        configuration.gatewayHost = gatewayHost == "0.0.0.0" ? "127.0.0.1" : gatewayHost
        configuration.gatewayPort = gatewayPort
        configuration.tileURL = consoleTiles
        if gatewayTLS || consoleGatewayCa != nil { configuration.gatewayTLS = .init(caFile: consoleGatewayCa) }
        configuration.sessionLifetime = .seconds(Int(consoleSessionHours * 3600))
        if let file = consoleOperatorTokenFile ?? operatorTokenFile {
            let token: String
            do {
                token = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw CommandFailure("cannot read the console's operator token at \(file) (\(error.localizedDescription)): concord keys init writes one, or point CONCORD_CONSOLE_OPERATOR_TOKEN_FILE at yours")
            }
            guard !token.isEmpty else { throw CommandFailure("the console's operator token file \(file) is empty") }
            configuration.operatorTokenHash = Array(SHA256.hash(data: Array(token.utf8)))
        }
        return configuration
    }

    /// Makes `<keys>/console-operator.token` (readable by its owner only) if it is missing.
    static func createOperatorToken(folder: String) throws -> String {
        let file = "\(folder)/console-operator.token"
        if !FileManager.default.fileExists(atPath: file) {
            var generator = SystemRandomNumberGenerator()
            let token = (0..<24).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
            FileManager.default.createFile(atPath: file, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600])
        }
        return file
    }
}
