import Foundation

/// Writes a cassette as messages come: lines are buffered and reach the file on `flush()`, so a
/// killed recorder leaves every flushed line whole, and a recording never sits in memory.
public final class CassetteWriter {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    public private(set) var written = 0
    /// A flush happens by itself once this much is buffered.
    private let flushBytes = 256 * 1024

    public init(path: String, header: CassetteHeader) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CassetteError(line: nil, reason: "cannot create \(path)")
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CassetteError(line: nil, reason: "cannot open \(path) for writing")
        }
        self.handle = handle
        buffer = try JSONCoding.encoder.encode(header) + [UInt8(ascii: "\n")]
        try flush()
    }

    public func append(_ entry: CassetteEntry) throws {
        buffer += entry.line
        written += 1
        if buffer.count >= flushBytes { try flush() }
    }

    /// Hands buffered lines to the file; each write ends at a line's end.
    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    public func close() throws {
        try flush()
        try handle.close()
    }
}

/// Reads a cassette line by line in fixed-size chunks: a cassette of any length replays in
/// bounded memory. A line that cannot be read is returned as an error with its line number, and
/// reading goes on with the next.
public final class CassetteReader {
    public private(set) var header: CassetteHeader
    private let handle: FileHandle
    private var pending: [UInt8] = []
    private var start = 0
    private var atEOF = false
    /// The number of the line last returned (the header is line 1).
    public private(set) var lineNumber = 1
    private static let chunkSize = 1 << 20

    /// Opens a cassette and reads its header; refuses a cassette of a newer format.
    public init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CassetteError(line: nil, reason: "cannot open \(path)")
        }
        self.handle = handle
        // A placeholder until the header is read: `nextLine` needs an initialized self.
        header = CassetteHeader(started: Date(timeIntervalSince1970: 0), concord: "")
        lineNumber = 0
        guard let first = try nextLine() else { throw CassetteError(line: 1, reason: "the cassette is empty: no header line") }
        let decoded: CassetteHeader
        do {
            decoded = try JSONTreeDecoder.decode(CassetteHeader.self, from: Array(first))
        } catch {
            throw CassetteError(line: 1, reason: "not a cassette header: \((error as? DecodingError).map(JSONCoding.describe) ?? "\(error)")")
        }
        guard decoded.cassette <= Cassette.formatVersion else {
            throw CassetteError(line: 1, reason: "cassette format \(decoded.cassette) is newer than this Concord reads (\(Cassette.formatVersion)); replay it with a newer Concord")
        }
        header = decoded
    }

    deinit { try? handle.close() }

    /// The next message, an error naming the line that could not be read, or nil at the end.
    public func next() throws -> Result<CassetteEntry, CassetteError>? {
        while let line = try nextLine() {
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do throws(CassetteError.Reason) {
                return .success(try CassetteEntry.parse(line))
            } catch {
                let truncated = atEOF && start >= pending.count && !endedWithNewline
                return .failure(CassetteError(line: lineNumber, reason: truncated ? "incomplete last line (\(error.text))" : error.text))
            }
        }
        return nil
    }

    private var endedWithNewline = true

    /// The next line without its newline; the last line may lack one.
    private func nextLine() throws -> ArraySlice<UInt8>? {
        while true {
            if let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = pending[start..<newline]
                start = newline + 1
                lineNumber += 1
                return line
            }
            if atEOF {
                guard start < pending.count else { return nil }
                let line = pending[start...]
                start = pending.count
                endedWithNewline = false
                lineNumber += 1
                return line
            }
            // Keep only the unread tail before reading on.
            if start > 0 {
                pending.removeFirst(start)
                start = 0
            }
            let chunk = try handle.read(upToCount: Self.chunkSize) ?? Data()
            if chunk.isEmpty { atEOF = true } else { pending += chunk }
        }
    }
}
