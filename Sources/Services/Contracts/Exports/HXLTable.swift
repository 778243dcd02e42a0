/// A table as HXL-tagged CSV: the header row, then the row of hashtags
/// (`#org`, `#loc`, `#geo+lat`, …) that HXL tools read, then the data (RFC 4180 quoting).
public struct HXLTable: Sendable {
    public struct Column: Sendable {
        public var header: String
        public var tag: String

        public init(_ header: String, _ tag: String) {
            self.header = header
            self.tag = tag
        }
    }

    public var columns: [Column]
    public var rows: [[String]] = []

    public init(_ columns: [Column]) { self.columns = columns }

    public var csv: String {
        ([columns.map(\.header), columns.map(\.tag)] + rows).map { $0.map(Self.field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    private static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
