/// A calendar date as days since 1970-01-01 (UTC), the unit of exchange dates and windows.
public struct Day: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Days since the Unix epoch.
    public var number: Int64

    /// Wraps a day number.
    public init(_ number: Int64) { self.number = number }

    /// The day a Unix timestamp (seconds) falls on, in UTC.
    public init(timestamp seconds: Int64) {
        number = seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400)
    }

    public static func < (a: Day, b: Day) -> Bool { a.number < b.number }
    public static func + (a: Day, n: Int64) -> Day { Day(a.number + n) }
    public static func - (a: Day, n: Int64) -> Day { Day(a.number - n) }

    /// The Unix timestamp of this day's midnight (UTC).
    public var timestamp: Int64 { number * 86_400 }

    /// Year, month (1–12) and day of month (after H. Hinnant's civil-from-days).
    public var civil: (year: Int64, month: Int64, day: Int64) {
        let z = number + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// The day for a civil date, or nil when the date does not exist.
    public init?(year: Int64, month: Int64, day: Int64) {
        guard (1...12).contains(month), day >= 1, day <= Day.daysIn(year: year, month: month) else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        number = era * 146_097 + doe - 719_468
    }

    /// Days in a month of a year (Gregorian).
    public static func daysIn(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Parses `YYYY-MM-DD`.
    public init?(iso text: String) {
        var copy = text
        let parsed = copy.withUTF8 { b -> Day? in
            guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
            func digits(_ range: Range<Int>) -> Int64? {
                var n: Int64 = 0
                for i in range {
                    guard (48...57).contains(b[i]) else { return nil }
                    n = n * 10 + Int64(b[i] - 48)
                }
                return n
            }
            guard let y = digits(0..<4), let m = digits(5..<7), let d = digits(8..<10) else { return nil }
            return Day(year: y, month: m, day: d)
        }
        guard let day = parsed else { return nil }
        self = day
    }

    /// `YYYY-MM-DD` (years 0–9999).
    public var description: String {
        let c = civil
        var out = [UInt8](repeating: UInt8(ascii: "0"), count: 10)
        out[4] = UInt8(ascii: "-")
        out[7] = UInt8(ascii: "-")
        func put(_ n: Int64, at end: Int, width: Int) {
            var v = n.magnitude
            for i in 0..<width {
                out[end - i] = UInt8(48 + v % 10)
                v /= 10
            }
        }
        put(c.year, at: 3, width: 4)
        put(c.month, at: 6, width: 2)
        put(c.day, at: 9, width: 2)
        return String(decoding: out, as: UTF8.self)
    }

    /// `YYYY-MM`, the month this day is in.
    public var monthKey: String { String(description.prefix(7)) }

    /// The first day of the following month.
    public var startOfNextMonth: Day {
        let c = civil
        return c.month == 12 ? Day(year: c.year + 1, month: 1, day: 1)! : Day(year: c.year, month: c.month + 1, day: 1)!
    }
}
