/// Time credits as whole minutes. One credit is one hour of anyone's time (60 minutes).
/// Never floating point: every sum in the ledger is exact.
public struct Minutes: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, BitwiseCopyable {
    /// The signed number of minutes.
    public var value: Int64

    /// Wraps a number of minutes.
    public init(_ value: Int64) { self.value = value }
    /// Whole hours.
    public static func hours(_ h: Int64) -> Minutes { Minutes(h * 60) }
    /// Zero credits.
    public static let zero = Minutes(0)

    public static func < (a: Minutes, b: Minutes) -> Bool { a.value < b.value }
    public static func + (a: Minutes, b: Minutes) -> Minutes { Minutes(a.value + b.value) }
    public static func - (a: Minutes, b: Minutes) -> Minutes { Minutes(a.value - b.value) }
    public static prefix func - (a: Minutes) -> Minutes { Minutes(-a.value) }
    public static func += (a: inout Minutes, b: Minutes) { a.value += b.value }
    public static func -= (a: inout Minutes, b: Minutes) { a.value -= b.value }

    /// Human form in hours: `3 h`, `1.5 h`, `1.25 h`, `-20 h`, or `1 h 07 min` when no short
    /// decimal is exact.
    public var description: String { Minutes.format(value) }

    /// Formats minutes as hours for people (see `description`).
    public static func format(_ minutes: Int64) -> String { format(minutes, point: ".", hour: "h") }

    /// Formats minutes as hours with a language's decimal sign and hour symbol (`1,5 u`).
    static func format(_ minutes: Int64, point: String, hour: String) -> String {
        let sign = minutes < 0 ? "-" : ""
        let m = minutes.magnitude
        let h = m / 60, r = m % 60
        if r == 0 { return "\(sign)\(h) \(hour)" }
        if (r * 100) % 60 == 0 {
            let hundredths = r * 100 / 60
            var frac = hundredths < 10 ? "0\(hundredths)" : "\(hundredths)"
            if frac.hasSuffix("0") { frac.removeLast() }
            return "\(sign)\(h)\(point)\(frac) \(hour)"
        }
        return "\(sign)\(h) \(hour) \(r < 10 ? "0" : "")\(r) min"
    }

    /// Clock form `H:MM` (`1:30`, `-20:00`), as time banks print statements.
    public var clock: String {
        let sign = value < 0 ? "-" : ""
        let m = value.magnitude
        let r = m % 60
        return "\(sign)\(m / 60):\(r < 10 ? "0" : "")\(r)"
    }

    /// Parses an amount a person types: `1.5`, `1.5h`, `90m`, `1:30`, `2 h`. Hours may have at
    /// most as many decimals as resolve to whole minutes. Negative amounts are refused.
    public static func parse(_ text: String) -> Minutes? {
        var s = text.lowercased().filter { $0 != " " }
        guard !s.isEmpty, s.count <= 24 else { return nil }
        if s.hasSuffix("min") { s.removeLast(3); return wholeNumber(s).map(Minutes.init) }
        if s.hasSuffix("m") { s.removeLast(); return wholeNumber(s).map(Minutes.init) }
        if s.hasSuffix("h") { s.removeLast() }
        if let colon = s.firstIndex(of: ":") {
            let hs = String(s[..<colon]), ms = String(s[s.index(after: colon)...])
            guard ms.count == 2, let h = wholeNumber(hs), let m = wholeNumber(ms), m < 60 else { return nil }
            let (t, o) = h.multipliedReportingOverflow(by: 60)
            guard !o else { return nil }
            return Minutes(t + m)
        }
        // Decimal hours, exact: parse into minutes with integer arithmetic.
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return nil }
        let intPart = parts[0].isEmpty && parts.count == 2 ? "0" : String(parts[0])
        guard let h = wholeNumber(intPart) else { return nil }
        let (hm, o) = h.multipliedReportingOverflow(by: 60)
        guard !o else { return nil }
        guard parts.count == 2 else { return Minutes(hm) }
        let frac = String(parts[1])
        guard !frac.isEmpty, frac.count <= 6, let f = wholeNumber(frac) else { return nil }
        var scale: Int64 = 1
        for _ in 0..<frac.count { scale *= 10 }
        guard (f * 60) % scale == 0 else { return nil }
        return Minutes(hm + f * 60 / scale)
    }

    private static func wholeNumber(_ s: String) -> Int64? {
        guard !s.isEmpty, s.count <= 15, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(s)
    }
}
