import Foundation

/// RFC 3339 times for envelopes, formatted without a `DateFormatter` on the hot path.
public enum Timestamp {
    /// `2026-11-21T14:45:03.123Z` for `date`.
    public static func rfc3339(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var days = millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000
        let dayMillis = millis - days * 86_400_000
        // Civil-from-days, Howard Hinnant's algorithm.
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        var text = [UInt8]()
        text.reserveCapacity(24)
        func put(_ value: Int64, _ width: Int) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            while divisor > 0 {
                text.append(UInt8(value / divisor % 10) + 0x30)
                divisor /= 10
            }
        }
        put(year, 4); text.append(UInt8(ascii: "-"))
        put(month, 2); text.append(UInt8(ascii: "-"))
        put(day, 2); text.append(UInt8(ascii: "T"))
        put(dayMillis / 3_600_000, 2); text.append(UInt8(ascii: ":"))
        put(dayMillis / 60_000 % 60, 2); text.append(UInt8(ascii: ":"))
        put(dayMillis / 1000 % 60, 2); text.append(UInt8(ascii: "."))
        put(dayMillis % 1000, 3); text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
    }

    /// Parses RFC 3339 text with or without fractional seconds and with `Z` or an offset.
    public static func parse(_ text: String) -> Date? {
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        if let date = try? withFraction.parse(text) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }
}
