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
}
