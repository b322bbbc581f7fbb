import Foundation
import Testing
import KringCore
@testable import KringStore
import KringTestSupport

/// `Tests/Fixtures/legacy-ids.sqlite` was written by the version before typed identities (commit
/// 43bd34c) through its CLI, with ids typed as that version accepted them: `exchange cancel
/// ex-01`, `confirm ex-+2`, `reverse ex-002`, `offer withdraw of-01`, `request renew rq-02`,
/// `goods return ln-01`, `challenge join ch-01`, `pledge ch-01`, `record --links rq-02,ch-1`,
/// `challenge close ch-001`, `space hours of-03`; and a member registered as `auto` confirmed an
/// exchange (that version dropped the consent). That version's own verify failed on it at seq 7.
@Suite(.serialized) struct LegacyLedgerTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/legacy-ids.sqlite").path
    static let legacySeqs: [Int64] = [7, 9, 10, 15, 17, 19, 21, 22, 23, 25, 26]

    func copy(_ dir: TempDir) throws -> String {
        let path = dir.file("legacy.sqlite")
        try FileManager.default.copyItem(atPath: LegacyLedgerTests.fixture, toPath: path)
        return path
    }

    @Test func aLedgerWithLegacyIDsVerifiesAndSaysWhere() throws {
        let dir = TempDir("legacy"); defer { dir.remove() }
        let path = try copy(dir)
        let report = try Verifier.verify(path: path)
        #expect(report.ok, "\(String(describing: report.divergence))")
        #expect(report.entries == 27)
        #expect(report.legacyIDs == LegacyLedgerTests.legacySeqs)
        #expect(report.json["legacy_ids"]?["entries"]?.intValue == 11)
        // The upgrade made the projections canonical; the ledger reads as the journal says.
        let r = try Reader(path: path)
        #expect(try r.exchange("ex-1")?.record.state == .cancelled)
        #expect(try r.exchange("ex-2")?.record.state == .reversed)
        #expect(try r.exchange("ex-5")?.record.info.links == [.listing("rq-2"), .challenge("ch-1")])
        #expect(try r.exchange("ex-4")?.record.consents == ["bram"], "the consent of the member called auto was dropped then and stays dropped")
        #expect(try r.listing("of-1")?.record.withdrawn == true)
        #expect(try r.challengeReport("ch-1")?.record.closed == true)
        #expect(try r.balance("an") == .hours(1) && r.balance("bram") == .hours(-2) && r.balance("auto") == .hours(1))
        // Schema 11 dropped the index of transfers by pair that schema 1 made, and schema 12
        // the index of postings by member, for a chain through each member's postings.
        let raw = try Connection(path: path, readOnly: true)
        #expect(try raw.scalarInt("SELECT COUNT(*) FROM sqlite_master WHERE name = 'transfers_pair'") == 0)
        #expect(try raw.scalarInt("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('postings_member', 'parties_member')") == 0)
        // Every party names the member's previous exchange, and every account their last.
        let parties = try raw.scalarInt("SELECT COUNT(*) FROM exchange_parties") ?? 0
        #expect(parties >= 10)
        #expect(try raw.scalarInt("""
            SELECT COUNT(*) FROM exchange_parties p
            WHERE p.prev IS (SELECT MAX(q.exchange) FROM exchange_parties q WHERE q.member = p.member AND q.exchange < p.exchange)
            """) == parties)
        #expect(try raw.scalarInt("SELECT COUNT(*) FROM exchange_parties WHERE prev IS NOT NULL") ?? 0 > 0)
        #expect(try raw.scalarInt("""
            SELECT COUNT(*) FROM accounts a WHERE a.last_exchange IS NOT (SELECT MAX(exchange) FROM exchange_parties WHERE member = a.member)
            """) == 0)
        #expect(try Reader(path: path).exchanges(member: "bram").map(\.record.info.id.number)
                == (try raw.strings("SELECT exchange FROM exchange_parties WHERE member = 'bram' ORDER BY exchange DESC").compactMap { Int64($0) }))
        // Every posting names its member's previous one, and every account its last.
        let postings = try raw.scalarInt("SELECT COUNT(*) FROM postings") ?? 0
        #expect(postings >= 6)
        #expect(try raw.scalarInt("""
            SELECT COUNT(*) FROM postings p
            WHERE p.prev IS (SELECT MAX(q.id) FROM postings q WHERE q.member = p.member AND q.id < p.id)
            """) == postings)
        #expect(try raw.scalarInt("SELECT COUNT(*) FROM postings WHERE prev IS NULL") == 3, "an, bram and auto each have a first posting")
        #expect(try raw.scalarInt("""
            SELECT COUNT(*) FROM accounts a WHERE a.last_posting IS NOT (SELECT MAX(id) FROM postings WHERE member = a.member)
            """) == 0)
        // Bram's statement reads his chain: every posting, oldest first, the running balance,
        // and a page after his second posting opens with the balance after it.
        let statement = try #require(try Reader(path: path).statement("bram", from: nil, to: nil))
        #expect(statement.lines.map(\.postingID) == [1, 4, 5, 7])
        #expect(statement.lines.map(\.balance.value) == [-120, 0, -60, -120] && statement.opening == .zero)
        let page = try #require(try Reader(path: path).statement("bram", from: nil, to: nil, afterPosting: 4, limit: 1))
        #expect(page.lines.map(\.postingID) == [5] && page.opening == .zero && page.closing.value == -60)
    }

    @Test func theUpgradedLedgerTakesNewEntriesWithCanonicalIDsOnly() throws {
        let dir = TempDir("legacy"); defer { dir.remove() }
        let path = try copy(dir)
        let clock = TestClock(Day(iso: "2026-11-03")!)
        let ledger = try Ledger(path: path, clock: clock.clock)
        let o = try ledger.execute(.record(ExchangeDraft(providers: ["bram"], receivers: ["an"], kind: .time, domain: "care", what: "na de upgrade",
                                                         credits: .hours(1)), reason: nil), by: .coordinatorToken("tk-1"))
        #expect(o.event.exchangeID == "ex-6")
        // A member can no longer be registered under a name the journal uses for actors.
        #expect(throws: LedgerError.self) { try ledger.execute(.addMember(MemberDraft(id: "system", name: "S", kind: .person)), by: .coordinator) }
        let report = try Verifier.verify(path: path)
        #expect(report.ok && report.entries == 28 && report.legacyIDs == LegacyLedgerTests.legacySeqs)
        // The new entry names who acted: the coordinator's token, by id.
        let raw = try Connection(path: path, readOnly: true)
        let payload = try raw.scalarText("SELECT payload FROM journal WHERE seq = 28") ?? ""
        #expect(payload.hasPrefix("{\"actor\":\"coordinator:tk-1\","))
    }
}

@Suite struct RowDecodingTests {
    /// A value the ledger does not know is refused on the way in (the CHECKs of schema 7),
    /// and, written past them, fails the read with the table and column named.
    @Test func unknownValuesAreRefusedAndFailTheRead() throws {
        let dir = TempDir("rows"); defer { dir.remove() }
        let path = dir.file("rows.sqlite")
        _ = try fixtureLedger(at: path, clock: TestClock())
        let raw = try Connection(path: path)
        #expect(throws: StoreError.self) { try raw.execute("UPDATE members SET kind = 'wizard' WHERE id = 'an'") }
        #expect(throws: StoreError.self) { try raw.execute("UPDATE members SET status = 'asleep' WHERE id = 'an'") }
        #expect(throws: StoreError.self) {
            try raw.execute("INSERT INTO exchange_links(exchange, target) VALUES (1, 'rq-02')")
        }
        #expect(throws: StoreError.self) {
            try raw.execute("INSERT INTO members(id, name, kind, status, domains, joined, added_seq) VALUES ('An', 'X', 'person', 'active', '', '2026-01-01', 1)")
        }
        // Past the checks (as a hand-edited file could be), the read fails clearly.
        try raw.execute("PRAGMA ignore_check_constraints = ON")
        try raw.execute("UPDATE members SET kind = 'wizard' WHERE id = 'an'")
        let reader = try Reader(path: path)
        do {
            _ = try reader.member("an")
            Issue.record("an unknown kind was read")
        } catch {
            #expect(error.kind == .integrity)
            #expect(error.message.contains("members.kind") && error.message.contains("wizard") && error.message.contains("\"an\""), "\(error.message)")
        }
        try raw.execute("UPDATE members SET kind = 'person', neighbourhood = NULL, domains = 'care' WHERE id = 'an'")
        #expect(try reader.member("an")?.state.info.kind == .person)
    }

    /// The statistics read every row they count strictly too: a party role they do not know,
    /// or a posting naming no member, fails the read with the column named, not a row passed over.
    @Test func statisticsRefuseRowsTheyCannotPlace() throws {
        let dir = TempDir("stats-rows"); defer { dir.remove() }
        let path = dir.file("rows.sqlite")
        let ledger = try fixtureLedger(at: path, clock: TestClock())
        _ = try ledger.execute(.record(ExchangeDraft(providers: ["an"], receivers: ["bram"], kind: .time, domain: "care", what: "shopping",
                                                     credits: .hours(1)), reason: nil), by: .coordinator)
        let reader = try Reader(path: path)
        let counted = try reader.statsInput()
        #expect(!counted.exchanges.isEmpty && !counted.postings.isEmpty)
        let raw = try Connection(path: path)
        try raw.execute("PRAGMA ignore_check_constraints = ON")
        try raw.execute("UPDATE exchange_parties SET role = 'bystander' WHERE role = 'provider' AND exchange = (SELECT min(num) FROM exchanges WHERE state = 'confirmed')")
        /// The read fails as an integrity error naming `column` and the `value` it holds.
        func expectRefused(_ column: String, _ value: String) {
            do {
                _ = try reader.statsInput()
                Issue.record("\(column) holding \(value) was read")
            } catch {
                #expect(error.kind == .integrity && error.message.contains(column) && error.message.contains(value), "\(error.message)")
            }
        }
        expectRefused("exchange_parties.role", "bystander")
        try raw.execute("UPDATE exchange_parties SET role = 'provider' WHERE role = 'bystander'")
        #expect(try reader.statsInput().postings.count == counted.postings.count)
        try raw.execute("INSERT INTO postings(seq, transfer, member, minutes, day) SELECT seq, transfer, 'ghost', 0, day FROM postings LIMIT 1")
        expectRefused("postings.member", "ghost")
    }
}
