import Foundation
import Testing
import KringCore
@testable import KringStore
import KringTestSupport

/// The search answered from memory gives the SQL search's results: the same listings, in the
/// same order, with the same bm25 ranks, through posts, edits, withdrawals, renewals, requests
/// fulfilled, members suspended and leaving, listings expiring, and every filter.
@Suite(.serialized) struct SearchIndexTests {
    /// Words with accents, capitals, wide letters, digits, ligatures and decomposed accents:
    /// what SQLite's tokenizer makes of them is what the index holds.
    static let vocabulary = ["zaal", "Zaal", "zaaltje", "café", "cafe", "CAFÉ", "crème", "naïef", "fiets", "fietsen", "fietsenmaker",
                             "ｆｉｅｔｓ", "één", "een", "straße", "ǅem", "x2", "2024", "o’neil", "e\u{301}te\u{301}", "🚲", "koffie",
                             "koffiezaal", "tuin", "moestuin", "Ölkanne", "ØRESUND", "ĳs", "ﬁets", "buurt", "buurthuis", "w"]
    static let queries = ["zaal", "za", "z", "caf", "café", "CAFE", "fiets", "fietsen", "ｆｉｅ", "een", "één", "stra", "straße", "strasse",
                          "2024", "20", "o", "neil", "ete", "été", "e\u{301}te\u{301}", "koffie zaal", "zaal koffie", "tuin buurt", "ölk", "oresund",
                          "ø", "ij", "ĳ", "fi", "ﬁ", "dž", "ǅ", "x", "w", "zaal zaal", "buurt buurthuis", "nergens", "b u"]

    static func text(_ rng: inout SplitMix64, _ n: Int) -> String {
        (0..<n).map { _ in rng.pick(vocabulary) }.joined(separator: rng.chance(0.2) ? ", " : " ")
    }

    /// Both ways, every time: SQL and the index, equal to the last digit of the rank.
    static func compare(_ reader: Reader, _ index: SearchIndex, _ q: String, _ f: ListingFilter, _ today: Day, limit: Int, _ context: String) throws {
        let sql = try reader.search(q, filter: f, today: today, limit: limit)
        let kept = try reader.search(q, filter: f, today: today, limit: limit, index: index)
        let a = sql.map { "\($0.record.info.id) \($0.rank!)" }, b = kept.map { "\($0.record.info.id) \($0.rank!)" }
        #expect(a == b, "\(context) q=\(q) filter=\(f) limit=\(limit)")
        #expect(sql.map(\.json) == kept.map(\.json), "\(context) q=\(q): the rows themselves")
    }

    @Test("a random market followed through its changes: every search from memory equals the SQL search, rank for rank", arguments: [7, 19])
    func sameResultsAsSQL(seed: UInt64) throws {
        let dir = TempDir("search-index"); defer { dir.remove() }
        let clock = TestClock()
        let path = dir.file("s.sqlite")
        let ledger = try fixtureLedger(at: path, clock: clock)
        var rng = SplitMix64(seed: seed)
        let hoods = ["Noord", "Zuid", "Centrum"]
        var members = fixtureMembers.map(\.0)
        for i in 0..<20 {
            let id = MemberID(canonical: "lid-\(i)")!
            _ = try ledger.execute(.addMember(MemberDraft(id: id, name: "Lid \(i)", kind: rng.chance(0.8) ? .person : .company, neighbourhood: rng.pick(hoods))), by: .coordinator)
            members.append(id)
        }
        var listings: [(id: ListingID, author: MemberID)] = []
        let index = SearchIndex(), fresh = SearchIndex()
        let reader = try Reader(path: path)
        for round in 0..<12 {
            for _ in 0..<40 {
                switch rng.below(12) {
                case 0...5:
                    let author = rng.pick(members)
                    let d = ListingDraft(side: rng.chance(0.5) ? .offer : .request, author: author, kind: rng.pick(ExchangeKind.allCases),
                                         domain: rng.pick(["care", "culture", "food", "education"]), title: Self.text(&rng, 1 + rng.below(4)),
                                         text: Self.text(&rng, rng.below(25)), place: rng.chance(0.3) ? rng.pick(hoods) : nil, days: Int64(5 + rng.below(60)))
                    if let o = try? ledger.execute(.postListing(d), by: .member(author)), let id = o.event.listingID { listings.append((id, author)) }
                case 6, 7:
                    guard let (id, author) = listings.isEmpty ? nil : rng.pick(listings) else { continue }
                    let d = ListingDraft(side: id.side, author: author, kind: rng.pick(ExchangeKind.allCases), domain: rng.pick(["care", "culture", "food"]),
                                         title: Self.text(&rng, 1 + rng.below(3)), text: Self.text(&rng, rng.below(10)), place: rng.chance(0.5) ? rng.pick(hoods) : nil)
                    _ = try? ledger.execute(.editListing(id, d), by: .member(author))
                case 8:
                    guard let (id, author) = listings.isEmpty ? nil : rng.pick(listings) else { continue }
                    _ = try? ledger.execute(rng.chance(0.5) ? .withdrawListing(id) : .renewListing(id, days: 30), by: .member(author))
                case 9:
                    // A request fulfilled by an exchange that names it.
                    guard let (id, author) = listings.filter({ $0.id.side == .request }).randomElement(using: &rng) else { continue }
                    let provider = rng.pick(members.filter { $0 != author })
                    _ = try? ledger.execute(.record(ExchangeDraft(providers: [provider], receivers: [author], kind: .time, domain: "care", what: "hulp",
                                                                  credits: .hours(1), links: [.listing(id)]), reason: nil), by: .coordinator)
                case 10:
                    let m = rng.pick(members)
                    _ = try? ledger.execute(rng.chance(0.5) ? .suspend(m) : .reinstate(m), by: .coordinator)
                default:
                    if rng.chance(0.2) {
                        let m = rng.pick(members)
                        _ = try? ledger.execute(.leave(m), by: .coordinator)
                    } else {
                        clock.advance(days: Int64(rng.below(6)))
                    }
                }
            }
            for _ in 0..<25 {
                let q = rng.chance(0.7) ? rng.pick(Self.queries) : "\(rng.pick(Self.queries)) \(rng.pick(Self.queries))"
                var f = ListingFilter()
                if rng.chance(0.2) { f.side = rng.chance(0.5) ? .offer : .request }
                if rng.chance(0.15) { f.kind = rng.pick(ExchangeKind.allCases) }
                if rng.chance(0.15) { f.domain = rng.pick(["care", "culture", "sport"]) }
                if rng.chance(0.15) { f.neighbourhood = rng.pick(hoods + ["Nergens"]) }
                if rng.chance(0.1) { f.memberKind = rng.pick([.person, .company]) }
                if rng.chance(0.1) { f.author = rng.pick(members) }
                let today = clock.today + Int64(rng.below(3)) - 1
                let limit = rng.pick([1, 3, 10, 50])
                try Self.compare(reader, index, q, f, today, limit: limit, "seed \(seed) round \(round)")
            }
            // An index built at this head from nothing agrees as well.
            fresh.reset()
            try Self.compare(reader, fresh, "zaal", ListingFilter(), clock.today, limit: 50, "seed \(seed) round \(round), built afresh")
        }
        #expect(index.answered > 250, "most searches were answered from memory (\(index.answered), \(index.fellBack) in SQL)")
        #expect(index.rebuilds == 0, "the index followed the listings without reading them all again")
    }

    @Test("the tokenizer the index runs is the one of the ledger's full-text table")
    func sameTokenizer() throws {
        let dir = TempDir("search-index-schema"); defer { dir.remove() }
        _ = try fixtureLedger(at: dir.file("s.sqlite"), clock: TestClock())
        let sql = try Connection(path: dir.file("s.sqlite")).scalarText("SELECT sql FROM sqlite_master WHERE name = 'listings_fts'") ?? ""
        #expect(sql.contains("tokenize = '\(SearchIndex.tokenizer)'"), "\(sql)")
    }

    @Test("another ledger at the same path is noticed: the index reads its listings afresh")
    func anotherLedger() throws {
        let dir = TempDir("search-index-other"); defer { dir.remove() }
        let path = dir.file("s.sqlite")
        let clock = TestClock()
        let index = SearchIndex()
        do {
            let l = try fixtureLedger(at: path, clock: clock)
            _ = try l.execute(.postListing(ListingDraft(side: .offer, author: "an", kind: .time, domain: "care", title: "zaal", text: "")), by: .member("an"))
            #expect(try Reader(path: path).search("zaal", filter: ListingFilter(), today: clock.today, index: index).count == 1)
        }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let l = try fixtureLedger(at: path, clock: clock)
        _ = try l.execute(.postListing(ListingDraft(side: .offer, author: "bram", kind: .time, domain: "care", title: "tuin", text: "")), by: .member("bram"))
        _ = try l.execute(.postListing(ListingDraft(side: .offer, author: "bram", kind: .time, domain: "care", title: "fiets", text: "")), by: .member("bram"))
        let r = try Reader(path: path)
        #expect(try r.search("zaal", filter: ListingFilter(), today: clock.today, index: index).isEmpty)
        #expect(try r.search("tuin", filter: ListingFilter(), today: clock.today, index: index).map(\.record.info.author) == ["bram"])
        #expect(index.rebuilds == 1)
    }
}
