import Foundation
import Testing
import KringCore
@testable import KringStore
import KringReport
import KringTestSupport

/// The statistics' table of member numbers, held to a `[String: Int32]` built alongside, and the
/// statistics' refusal of a row naming no member or an exchange no entry can number.
@Suite("Member numbers")
struct MemberNumbersTests {
    /// Random ids (shared prefixes, lengths from 0 to 255 bytes, multi-byte letters) added from
    /// an empty table, so it grows many times: every id keeps its number, one by one and in
    /// runs, and ids never added are not found.
    @Test(arguments: [UInt64(1), 2, 3])
    func agreesWithADictionary(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        func randomID() -> String {
            let stems = ["", "p", "member-", "bakkerij", "zoë-", String(repeating: "x", count: 200)]
            var s = stems[rng.below(stems.count)]
            for _ in 0..<rng.below(12) { s.append(Character(UnicodeScalar(UInt8(97 + rng.below(26))))) }
            return String(decoding: Array(s.utf8.prefix(255)), as: UTF8.self)
        }
        var table = MemberNumbers()
        var oracle = [String: Int32]()
        var order = [String]()
        for _ in 0..<5_000 {
            let id = randomID()
            guard id.utf8.count < 256 else { continue }
            let n = table.append(id)
            if let known = oracle[id] { #expect(n == known, "\(id) changed its number") } else {
                #expect(n == Int32(order.count))
                oracle[id] = n
                order.append(id)
            }
        }
        #expect(table.count == order.count)
        for (id, n) in oracle { #expect(table.number(id) == n, "\(id)") }
        for _ in 0..<5_000 {
            let id = randomID() + "!"
            #expect(table.number(id) == nil, "\(id) was never added")
        }
        // In runs, with an absent id at a random place in one of them.
        for _ in 0..<20 {
            var ids = (0..<(1 + rng.below(1_500))).map { _ in order[rng.below(order.count)] }
            let hole = rng.chance(0.5) ? rng.below(ids.count) : nil
            if let hole { ids[hole] = "niet-\(hole)" }
            let bytes = ids.flatMap { Array($0.utf8) }
            var ends = [Int](), end = 0
            for id in ids { end += id.utf8.count; ends.append(end) }
            var out = [Int32]()
            let missing = bytes.withUnsafeBytes { table.numbers($0, ends: ends, into: &out) }
            #expect(missing == hole)
            #expect(out == ids.prefix(hole ?? ids.count).map { oracle[$0]! })
        }
        #expect(table.number(String(repeating: "y", count: 300)) == nil)
    }

    /// A posting or a party whose member is no member (tables edited by hand): the statistics
    /// refuse with an integrity error naming the table, the row and the text.
    @Test(arguments: [
        ("UPDATE postings SET member = 'niemand' WHERE id = 7", "postings.member in the row where postings.id is \"7\" holds \"niemand\", which is not a member"),
        ("UPDATE exchange_parties SET member = 'niemand' WHERE exchange = (SELECT MIN(num) FROM exchanges WHERE state = 'confirmed') AND role = 'receiver'",
         "exchange_parties.member in the row where exchange_parties.exchange is \"%n\" holds \"niemand\", which is not a member"),
    ])
    func aRowNamingNoMemberIsAnIntegrityError(sql: String, message: String) throws {
        let dir = TempDir("member-numbers"); defer { dir.remove() }
        let path = dir.file("d.sqlite")
        _ = try DemoCommunity.build(at: path, options: DemoOptions(members: 60, months: 2, endDay: Day(iso: "2026-11-29")!))
        _ = try Reader(path: path).statsInput()
        let db = try Connection(path: path)
        let confirmed = try #require(try db.scalarInt("SELECT MIN(num) FROM exchanges WHERE state = 'confirmed'"))
        try db.execute("DROP TRIGGER postings_no_update")
        try db.execute(sql)
        #expect(db.changes >= 1)
        // On one connection, and with the postings read on a second one (as the CLI reads).
        for parallel in [false, true] {
            do {
                _ = try Reader(path: path).statsInput(parallel: parallel)
                Issue.record("\(sql): the statistics read a member that is not one")
            } catch {
                #expect(error.kind == .integrity)
                #expect(error.message == message.replacingOccurrences(of: "%n", with: "\(confirmed)"), "parallel: \(parallel)")
            }
        }
    }

    /// The statistics read only the members' columns they use: each member's kind,
    /// neighbourhood, join day, presence and limits in force (an override, a floor earned by
    /// hours given, a ceiling) are those the writer's view of the member gives, in the order
    /// the members were added.
    @Test func theMembersAsTheWritersViewGivesThem() throws {
        let dir = TempDir("stats-members"); defer { dir.remove() }
        let path = dir.file("m.sqlite")
        var policy = Policy.standard
        policy.earnedFloor = EarnedFloor(startMinutes: 300, minutesPerHourGiven: 30, deepestMinutes: 1_200, kinds: [.person])
        let clock = TestClock(Day(iso: "2026-03-02")!)
        let ledger = try fixtureLedger(at: path, clock: clock, policy: policy)
        _ = try ledger.execute(.addMember(MemberDraft(id: "gert", name: "Gert", kind: .person, neighbourhood: "Noord")), by: .coordinator)
        for (giver, hours, receiver) in [("an", 3, "chloe"), ("bram", 4, "fatima"), ("gert", 1, "chloe"), ("bakkerij", 4, "moestuin")] {
            clock.advance(days: 1)
            let draft = ExchangeDraft(providers: [MemberID(canonical: giver)!], receivers: [MemberID(canonical: receiver)!], kind: .time, domain: "care",
                                      what: "hulp", credits: .hours(Int64(hours)))
            _ = try ledger.execute(.record(draft, reason: nil), by: .coordinator)
        }
        _ = try ledger.execute(.setLimits("daan", floor: .set(.hours(-2)), ceiling: .set(.hours(30))), by: .coordinator)
        _ = try ledger.execute(.leave("els"), by: .coordinator)
        let input = try Reader(path: path).statsInput()
        let db = try Connection(path: path)
        let ids = try db.strings("SELECT id FROM members ORDER BY added_seq")
        #expect(input.members.count == ids.count && ids.count == fixtureMembers.count + 2)  // the pool too
        var earned = 0
        for (m, handle) in zip(input.members, ids) {
            let state = try #require(try SQLiteView.member(MemberID(canonical: handle)!, db: db))
            #expect(m.kind == state.info.kind && m.neighbourhood == state.info.neighbourhood && m.joined == state.info.joined, "\(handle)")
            #expect(m.present == (state.status != .left), "\(handle)")
            #expect(m.floor == state.floor(under: policy).value && m.ceiling == state.ceiling(under: policy)?.value, "\(handle)")
            if state.info.kind == .person, state.given > .zero, state.floorOverride == nil { earned += 1 }
        }
        #expect(earned == 3)
        #expect(input.members.contains { !$0.present } && input.members.contains { $0.floor == -120 && $0.ceiling == 1_800 })
    }

    /// An exchange numbered beyond the journal's head (the statistics keep arrays by number):
    /// an integrity error, not an array the size of the number.
    @Test func anExchangeNumberedBeyondTheHeadIsAnIntegrityError() throws {
        let dir = TempDir("member-numbers-head"); defer { dir.remove() }
        let path = dir.file("d.sqlite")
        _ = try DemoCommunity.build(at: path, options: DemoOptions(members: 60, months: 2, endDay: Day(iso: "2026-11-29")!))
        let db = try Connection(path: path)
        let head = try #require(try db.scalarInt("SELECT MAX(seq) FROM journal"))
        try db.execute("UPDATE exchanges SET num = 9000000000000 WHERE num = (SELECT MAX(num) FROM exchanges)")
        do {
            _ = try Reader(path: path).statsInput()
            Issue.record("the statistics read an exchange numbered beyond the head")
        } catch {
            #expect(error.kind == .integrity)
            #expect(error.message == "the projection holds exchange 9000000000000, beyond the journal's head \(head)")
        }
    }

    private func rows(_ postings: [StatsInput.Posting]) -> [String] { postings.map { "\($0.member) \($0.day.number) \($0.minutes)" } }

    /// The CLI reads the postings on a second connection beside the other facts: the same facts
    /// as on one connection, and the caller's snapshot when a commit falls between the two.
    @Test func thePostingsReadBesideAreTheSnapshots() throws {
        let dir = TempDir("stats-beside"); defer { dir.remove() }
        let path = dir.file("r.sqlite")
        try StatsStoreTests.randomLedger(seed: 5, at: path, n: 400)
        let one = try Reader(path: path).statsInput()
        let reader = try Reader(path: path)
        let twinned = try reader.snapshot { () throws(StoreError) in try reader.statsFacts(twin: SnapshotTwin(path: path)) }
        #expect(twinned.postingsReadBeside)
        #expect(rows(twinned.input.postings) == rows(one.postings) && one.postings.count > 100)
        #expect(Statistics.report(twinned.input, period: .month, from: nil, to: nil, k: 1).csv == Statistics.report(one, period: .month, from: nil, to: nil, k: 1).csv)

        // A commit after the caller's snapshot began and before the twin's: the twin is not used,
        // and the postings are the caller's snapshot's.
        let twin = try #require(SnapshotTwin(path: path))
        let late = try reader.snapshot { () throws -> Reader.StatsFacts in
            _ = try reader.head()
            let ledger = try Ledger(path: path, clock: TestClock(Day(iso: "2027-06-01")!).clock)
            _ = try ledger.execute(.grant(to: "an", minutes: Minutes(15), reason: "steun"), by: .coordinator)
            return try reader.statsFacts(twin: twin)
        }
        #expect(!late.postingsReadBeside)
        #expect(rows(late.input.postings) == rows(one.postings))
        #expect(try Reader(path: path).statsInput().postings.count == one.postings.count + 2)
    }
}
