import CZeroMQ

/// What a part needs to be on a CURVE-protected bus: who it is, its key pair, everyone's public
/// keys, and the rights table the proxy and catch-up servers enforce.
public struct BusSecurity: Sendable {
    /// The identity the proxy and catch-up servers run as.
    public static let busIdentity = "concord/bus"

    public let identity: String
    public let keyPair: CurveKeyPair
    public let keyring: BusKeyring
    public let rights: BusRights

    public init(identity: String, keyPair: CurveKeyPair, keyring: BusKeyring, rights: BusRights) {
        self.identity = identity
        self.keyPair = keyPair
        self.keyring = keyring
        self.rights = rights
    }

    /// Reads `identity`'s key and the public keys from a key folder.
    public static func load(folder: String, identity: String, rights: BusRights) throws -> BusSecurity {
        let keyring = try BusKeyring.load(folder: folder)
        return BusSecurity(identity: identity, keyPair: try keyring.keyPair(of: identity, folder: folder), keyring: keyring, rights: rights)
    }

    /// The public key a connection to `identity`'s server must find there.
    func serverKey(of identity: String) throws -> String {
        guard let key = keyring.publicKeys[identity] else { throw CurveKeyError("no public key for \(identity) in the key list") }
        return key
    }

    /// Makes `socket` a CURVE server whose peers ZAP checks for `domain`.
    public func serve(_ socket: ZMQSocket, as domain: BusRights.Domain) throws {
        try socket.set(ZMQ_CURVE_SERVER, 1)
        try socket.set(ZMQ_CURVE_SECRETKEY, key: keyPair.secretKey)
        try socket.set(ZMQ_ZAP_DOMAIN, bytes: Array(domain.description.utf8))
    }

    /// Makes `socket` a CURVE client that accepts only `server`'s key.
    public func connect(_ socket: ZMQSocket, toServer server: String) throws {
        try socket.set(ZMQ_CURVE_SERVERKEY, key: try serverKey(of: server))
        try socket.set(ZMQ_CURVE_PUBLICKEY, key: keyPair.publicKey)
        try socket.set(ZMQ_CURVE_SECRETKEY, key: keyPair.secretKey)
    }
}

extension ZMQSocket {
    /// Sets a CURVE key option from its Z85 text (libzmq reads 41 bytes: 40 characters and a NUL).
    func set(_ option: Int32, key: String) throws {
        try set(option, bytes: Array(key.utf8) + [0])
    }
}
