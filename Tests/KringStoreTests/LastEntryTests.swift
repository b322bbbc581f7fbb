import Foundation
import Testing
import KringCore
@testable import KringStore
import KringTestSupport

/// The entry that last changed each row (`updated_seq`, `created_seq`, an account's `last_seq`,
/// a challenge member's and an introduction's `seq`). The search index follows
/// `listings.updated_seq` and the statistics date a gift by its exchange's last entry, so
/// `verify` holds each to the journal.
@Suite("Each row's last entry", .serialized)
struct LastEntryTests {
    /// Two requests fulfilled and reopened by a reversal, one of them fulfilled again; a booking
    /// settled by the use of its room and reopened. The projector stamps each of these on the listing and the booking, and so must
    /// the replay: an untouched ledger verifies, and a stamp put back to an earlier entry is
    /// found at that entry.
    @Test func fulfilmentAndReversalStampTheRowsTheyChange() throws {
        let dir = TempDir("last-entry"); defer { dir.remove() }
        let path = dir.file("l.sqlite")
        let clock = TestClock(Day(iso: "2026-06-01")!)
        let ledger = try fixtureLedger(at: path, clock: clock)
        let request = try #require(try ledger.execute(.postListing(ListingDraft(side: .request, author: "an", kind: .time, domain: "care", title: "Hulp")),
                                                      by: .member("an")).event.listingID)
        let other = try #require(try ledger.execute(.postListing(ListingDraft(side: .request, author: "an", kind: .time, domain: "care", title: "Nog meer hulp")),
                                                    by: .member("an")).event.listingID)
        let room = try #require(try ledger.execute(.postListing(ListingDraft(side: .offer, author: "coworking", kind: .space, domain: "work", title: "Zaal")),
                                                   by: .member("coworking")).event.listingID)
        _ = try ledger.execute(.setSpaceHours(room, SpaceHours(capacity: 9, weekly: SpaceHours.parseWeek("mon-fri 09:00-17:00")!)), by: .member("coworking"))
        let booked = try ledger.execute(.book(BookingDraft(offer: room, member: "an", date: Day(iso: "2026-06-02")!, start: 540, end: 600, people: 2)), by: .member("an"))
        guard case .spaceBooked(let b) = booked.event else { Issue.record("not booked: \(booked.event)"); return }
        clock.advance(days: 2)
        func record(_ draft: ExchangeDraft) throws -> (ExchangeID, Int64) {
            let o = try ledger.execute(.record(draft, reason: nil), by: .coordinator)
            return (try #require(o.event.exchangeID), o.seq)
        }
        let help = ExchangeDraft(providers: ["bram"], receivers: ["an"], kind: .time, domain: "care", what: "hulp", credits: .hours(1), links: [.listing(request)])
        let (first, _) = try record(ExchangeDraft(providers: ["bram"], receivers: ["an"], kind: .time, domain: "care", what: "hulp", credits: .hours(1),
                                                  links: [.listing(request), .listing(other)]))
        let (roomUse, roomSeq) = try record(ExchangeDraft(providers: ["coworking"], receivers: ["an"], kind: .space, domain: "work", what: "zaal",
                                                          credits: .zero, quantity: 60, links: [.booking(b.booking.id)]))
        let reversal = try ledger.execute(.reverse(first, reason: "fout"), by: .coordinator).seq
        let roomReversal = try ledger.execute(.reverse(roomUse, reason: "fout"), by: .coordinator).seq
        let (_, secondSeq) = try record(help)
        #expect(try Verifier.verify(path: path).ok)

        let db = try Connection(path: path)
        #expect(try db.scalarInt("SELECT updated_seq FROM listings WHERE num = ?", .int(request.number)) == secondSeq)
        #expect(try db.scalarInt("SELECT updated_seq FROM listings WHERE num = ?", .int(other.number)) == reversal)
        #expect(try db.scalarInt("SELECT updated_seq FROM bookings WHERE num = ?", .int(b.booking.id.number)) == roomReversal)
        #expect(try db.scalarInt("SELECT updated_seq FROM exchanges WHERE num = ?", .int(first.number)) == reversal)

        try db.execute("UPDATE bookings SET updated_seq = \(roomSeq) WHERE num = \(b.booking.id.number)")
        var report = try Verifier.verify(path: path)
        #expect(report.divergence?.reason == "booking \(b.booking.id) differs from the journal in its last entry")
        #expect(report.divergence?.seq == roomSeq)
        try db.execute("UPDATE bookings SET updated_seq = \(roomReversal) WHERE num = \(b.booking.id.number)")
        try db.execute("UPDATE listings SET updated_seq = \(reversal) WHERE num = \(request.number)")
        report = try Verifier.verify(path: path)
        #expect(report.divergence?.reason == "listing \(request) differs from the journal in its last entry")
        #expect(report.divergence?.seq == reversal)
    }

    /// Seeded random ledgers with fulfilled requests, group exchanges and reversals verify: the
    /// replay stamps every row as the projector did.
    @Test(arguments: [UInt64(3), 17, 41])
    func randomLedgersVerify(seed: UInt64) throws {
        let dir = TempDir("last-entry-random"); defer { dir.remove() }
        let path = dir.file("r.sqlite")
        try StatsStoreTests.randomLedger(seed: seed, at: path, n: 500)
        let db = try Connection(path: path)
        #expect(try db.scalarInt("SELECT COUNT(*) FROM listings WHERE fulfilled_by IS NOT NULL") ?? 0 > 0, "the ledger fulfils a request")
        #expect(try db.scalarInt("SELECT COUNT(*) FROM exchanges WHERE state = 'reversed'") ?? 0 > 0, "the ledger reverses an exchange")
        let report = try Verifier.verify(path: path)
        #expect(report.ok, "\(String(describing: report.divergence))")
    }

    static let person = "(SELECT id FROM members WHERE kind = 'person' AND id IN (SELECT member FROM postings) ORDER BY id LIMIT 1)"

    /// Each stamp moved on the demo: the finding names the row and the earlier of the two entries.
    @Test(arguments: [
        ("UPDATE listings SET updated_seq = updated_seq - 1 WHERE num = 3", "listing of-3 differs from the journal in its last entry", "SELECT updated_seq - 1 FROM listings WHERE num = 3"),
        ("UPDATE listings SET updated_seq = updated_seq + 1 WHERE num = 4", "differs from the journal in its last entry", "SELECT updated_seq FROM listings WHERE num = 4"),
        ("UPDATE loans SET updated_seq = updated_seq + 1 WHERE num = 1", "loan ln-1 differs from the journal in its last entry", "SELECT updated_seq FROM loans WHERE num = 1"),
        ("UPDATE bookings SET updated_seq = created_seq WHERE num = (SELECT MIN(num) FROM bookings WHERE settled_by IS NOT NULL)", "differs from the journal in its last entry",
         "SELECT created_seq FROM bookings WHERE settled_by IS NOT NULL ORDER BY num LIMIT 1"),
        ("UPDATE challenges SET updated_seq = updated_seq + 1 WHERE num = 1", "challenge ch-1 differs from the journal in its last entry", "SELECT updated_seq FROM challenges WHERE num = 1"),
        ("UPDATE exchanges SET updated_seq = updated_seq + 1 WHERE num = 10", "exchange ex-10 differs from the journal in its last entry", "SELECT updated_seq FROM exchanges WHERE num = 10"),
        ("UPDATE exchanges SET updated_seq = created_seq WHERE num = (SELECT MIN(num) FROM exchanges WHERE created_seq < updated_seq)", "differs from the journal in its last entry",
         "SELECT created_seq FROM exchanges WHERE created_seq < updated_seq ORDER BY num LIMIT 1"),
        ("UPDATE exchanges SET created_seq = created_seq - 1 WHERE num = (SELECT MIN(num) FROM exchanges WHERE created_seq < updated_seq)",
         "'s description, parties or first entry differ from the journal", "SELECT updated_seq FROM exchanges WHERE created_seq < updated_seq ORDER BY num LIMIT 1"),
        ("UPDATE accounts SET last_seq = last_seq - 1 WHERE member = \(person)", "differs from the journal in its last entry", nil),
        ("UPDATE accounts SET last_seq = (SELECT added_seq FROM members WHERE id = \(person)) WHERE member = \(person)", "differs from the journal in its last entry", nil),
        ("UPDATE challenge_members SET seq = seq + 1 WHERE challenge = 1 AND seq = (SELECT MIN(seq) FROM challenge_members WHERE challenge = 1)",
         "the members of challenge ch-1 differ from the journal", "SELECT MIN(seq) FROM challenge_members WHERE challenge = 1"),
        ("UPDATE spaces SET updated_seq = updated_seq - 1 WHERE offer = (SELECT MIN(offer) FROM spaces)", "differ from the journal", "SELECT updated_seq - 1 FROM spaces ORDER BY offer LIMIT 1"),
        ("UPDATE introductions SET seq = seq + 1 WHERE seq = (SELECT MIN(seq) FROM introductions)", "differs from the journal in who made it or its entry",
         "SELECT MIN(seq) FROM introductions"),
        ("UPDATE introductions SET by = 'an' WHERE seq = (SELECT MIN(seq) FROM introductions)", "differs from the journal in who made it or its entry",
         "SELECT MIN(seq) FROM introductions"),
    ] as [(String, String, String?)])
    func verifyNamesAMovedStamp(sql: String, reason: String, seqSQL: String?) throws {
        let dir = TempDir("tamper-stamps"); defer { dir.remove() }
        let (report, seq) = try verifyDemo(changedBy: sql, naming: seqSQL, in: dir)
        let found = report.divergence?.reason ?? ""
        #expect(found.hasSuffix(reason) || found.contains(reason + " ("), "\(sql): \(found)")
        if let seq { #expect(report.divergence?.seq == seq, "\(sql): \(String(describing: report.divergence))") }
    }
}
