import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing

/// The circle's time zone in the projections: a posting made at 23:30 UTC on New Year's Eve
/// is on the statement on 1 January in Brussels; a zone changed halfway moves only what comes
/// after; and the ledger still verifies against its journal.
@Suite struct ZoneStoreTests {
    @Test("postings fall on the circle's day; a change of zone applies from then on; verify agrees")
    func postingsFallOnTheCirclesDay() throws {
        let dir = TempDir("kring-zone")
        defer { dir.remove() }
        let path = dir.file("zone.sqlite")
        let clock = TestClock(Day(iso: "2026-12-31")!)
        clock.advance(seconds: 14 * 3_600 + 1_800)  // 23:30 UTC, 00:30 on 1 January in Brussels
        let ledger = try fixtureLedger(at: path, clock: clock)
        let newYear = Day(iso: "2027-01-01")!
        _ = try ledger.execute(.record(ExchangeDraft(providers: ["an"], receivers: ["bram"], kind: .time, domain: "care", what: "nieuwjaarsbrunch",
                                                     credits: Minutes(90), date: newYear), reason: nil), by: .coordinator)
        var utc = Policy.standard
        utc.zone = Policy.utc
        _ = try ledger.execute(.setPolicy(utc), by: .coordinator)
        _ = try ledger.execute(.record(ExchangeDraft(providers: ["an"], receivers: ["bram"], kind: .time, domain: "care", what: "oudejaar",
                                                     credits: Minutes(60)), reason: nil), by: .coordinator)
        let lines = try #require(try Reader(path: path).statement("an", from: nil, to: nil)).lines
        #expect(lines.map(\.description) == ["nieuwjaarsbrunch", "oudejaar"])
        #expect(lines.map(\.day.description) == ["2027-01-01", "2026-12-31"])
        let report = try Verifier.verify(path: path)
        #expect(report.ok, "\(report)")
    }
}
