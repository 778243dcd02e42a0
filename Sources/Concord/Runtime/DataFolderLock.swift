import Foundation
import Glibc

/// An exclusive lock on a data folder, held for the life of the process, so two `concord up`
/// never share one set of databases.
struct DataFolderLock {
    struct Held: Error, CustomStringConvertible {
        let folder: String
        let owner: String
        var description: String {
            "another concord is already running on data folder \(folder) (\(owner)); stop it first or use --data with another folder"
        }
    }

    let descriptor: Int32

    init(folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = (folder as NSString).appendingPathComponent("concord.lock")
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let owner = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            throw Held(folder: folder, owner: owner.map { "pid \($0)" } ?? "pid unknown")
        }
        ftruncate(descriptor, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(descriptor, $0, strlen($0)) }
    }
}
