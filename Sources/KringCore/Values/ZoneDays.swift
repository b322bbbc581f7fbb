import Foundation

/// The days instants fall on in one time zone, as `Policy.day(_:in:)` gives them, asking the
/// calendar less often. A zone's offset from UTC is constant between its transitions, and
/// asking for it goes through ICU behind a lock, so the offset is kept with the span it holds
/// over: from the instant it was asked for to the zone's next transition, and at most a day.
/// An instant outside the span asks again. Each writer, loader or replay keeps its own.
public struct ZoneDays: Sendable {
    public let zone: TimeZone
    private let isUTC: Bool
    /// Instants in `from..<until` are `offset` seconds from UTC (empty at first).
    private var from: Int64 = 1, until: Int64 = 0, offset: Int64 = 0

    public init(_ zone: TimeZone) {
        self.zone = zone
        isUTC = zone == Policy.utc
    }

    /// The day `timestamp` (Unix seconds) falls on in the zone.
    public mutating func day(_ timestamp: Int64) -> Day {
        if isUTC { return Day(timestamp: timestamp) }
        if timestamp < from || timestamp >= until { learn(timestamp) }
        return Day(timestamp: timestamp + offset)
    }

    private mutating func learn(_ timestamp: Int64) {
        let date = Date(timeIntervalSince1970: TimeInterval(timestamp))
        offset = Int64(zone.secondsFromGMT(for: date))
        from = timestamp
        // The transition's own instant has the new offset, so the span ends before it.
        let next = zone.nextDaylightSavingTimeTransition(after: date).map { Int64(exactly: $0.timeIntervalSince1970.rounded(.down)) ?? .max } ?? .max
        let dayLater = timestamp.addingReportingOverflow(86_400)
        until = min(next, dayLater.overflow ? .max : dayLater.partialValue)
    }
}
