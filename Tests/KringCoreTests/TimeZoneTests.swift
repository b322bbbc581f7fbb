import Foundation
import Testing
@testable import KringCore
import KringTestSupport

/// The circle's time zone: days fall where the people are (Europe/Brussels by default, with
/// daylight saving), and a ledger written before the setting keeps counting in UTC.
@Suite struct TimeZoneTests {
    static func at(_ iso: String) -> Int64 {
        let f = ISO8601DateFormatter()
        return Int64(f.date(from: iso)!.timeIntervalSince1970)
    }

    @Test("days in Brussels: an hour ahead in winter, two in summer, across both daylight-saving changes")
    func brusselsDays() {
        let p = Policy.standard
        #expect(p.timeZone == "Europe/Brussels")
        for (instant, brussels, utc) in [
            ("2026-06-30T21:59:59Z", "2026-06-30", "2026-06-30"), ("2026-06-30T22:00:00Z", "2026-07-01", "2026-06-30"),
            ("2026-12-31T22:59:59Z", "2026-12-31", "2026-12-31"), ("2026-12-31T23:00:00Z", "2027-01-01", "2026-12-31"),
            // Spring forward (29 March 2026, 01:00 UTC): midnight is still at 23:00 UTC the day before.
            ("2026-03-28T23:00:00Z", "2026-03-29", "2026-03-28"), ("2026-03-29T22:00:00Z", "2026-03-30", "2026-03-29"),
            // Fall back (25 October 2026, 01:00 UTC): 22:00 UTC on the 24th is already the 25th.
            ("2026-10-24T22:00:00Z", "2026-10-25", "2026-10-24"), ("2026-10-25T22:59:59Z", "2026-10-25", "2026-10-25"),
            ("2026-10-25T23:00:00Z", "2026-10-26", "2026-10-25"),
        ] {
            #expect(p.day(Self.at(instant)).description == brussels, "\(instant)")
            #expect(Policy.day(Self.at(instant), in: Policy.utc).description == utc, "\(instant)")
        }
    }

    @Test("the policy carries its zone; one written before the setting reads as UTC; an unknown zone is refused")
    func policyJSON() throws {
        let p = Policy.standard
        #expect(Policy(json: p.json) == p)
        guard case .object(var o) = p.json else { Issue.record("not an object"); return }
        o["time_zone"] = nil
        #expect(Policy(json: .object(o))?.timeZone == "UTC")
        o["time_zone"] = .string("Mars/Olympus")
        #expect(Policy(json: .object(o)) == nil)
    }

    @Test("just after midnight in Brussels (still the day before in UTC) an exchange dated today is not in the future")
    func todayIsTheCirclesDay() {
        var brussels = Core()
        brussels.now = Self.at("2026-06-30T22:30:00Z")
        let july = Day(iso: "2026-07-01")!
        #expect(brussels.code(.record(time(["an"], ["bram"], 60, date: july), reason: nil)) == nil)
        var p = Policy.standard
        p.zone = Policy.utc
        var utc = Core(policy: p)
        utc.now = Self.at("2026-06-30T22:30:00Z")
        #expect(utc.code(.record(time(["an"], ["bram"], 60, date: july), reason: nil)) == .ruleDate)
    }

    @Test("a writer's kept offsets give the days Policy.day gives, across daylight saving, changes of standard time and a skipped day, forwards and back")
    func zoneDaysAgreeWithPolicyDay() {
        // Each zone with an instant near which its offset changed, and the kind of change.
        let cases: [(zone: String, near: String)] = [
            ("Europe/Brussels", "2026-03-29T01:00:00Z"), ("Europe/Brussels", "2026-10-25T01:00:00Z"),
            ("Asia/Pyongyang", "2015-08-14T15:00:00Z"),  // standard time from +9 to +8:30
            ("Europe/Moscow", "2014-10-25T22:00:00Z"),   // standard time from +4 to +3
            ("Pacific/Apia", "2011-12-30T10:00:00Z"),    // from -10 to +14: 30 December skipped
            ("Asia/Kolkata", "1942-05-14T17:30:00Z"),    // war time, half an hour off
            ("America/St_Johns", "2026-11-01T04:30:00Z"),
            ("UTC", "2026-03-29T01:00:00Z"),
        ]
        var rng = SplitMix64(seed: 13)
        for (name, near) in cases {
            let zone = TimeZone(identifier: name)!
            var days = ZoneDays(zone)
            var offsets = Set<Int>()
            var t = Self.at(near) - 3 * 86_400
            for step in 0..<1_500 {
                // Mostly forwards in steps of up to two hours; now and then back up to a day.
                if step % 50 == 49 { t -= Int64.random(in: 0...86_400, using: &rng) } else { t += Int64.random(in: 1...7_200, using: &rng) }
                let expected = Policy.day(t, in: zone)
                #expect(days.day(t) == expected, "\(name) at \(t)")
                offsets.insert(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t))))
                // The instants either side of the change itself.
                if step == 0 {
                    for edge in [Self.at(near) - 1, Self.at(near), Self.at(near) + 1] { #expect(days.day(edge) == Policy.day(edge, in: zone), "\(name) at \(edge)") }
                }
            }
            // The walk crossed the change (UTC has none).
            #expect(offsets.count == (name == "UTC" ? 1 : 2), "\(name): offsets \(offsets.sorted())")
        }
    }
}
