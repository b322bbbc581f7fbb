#if canImport(FoundationXML)
import FoundationXML
#endif
import Foundation
import Testing
@testable import KringCore
import KringReport
@testable import KringStore
import KringTestSupport

/// Statistics over real ledgers: the demo community and seeded random ledgers written through
/// the writer (with group exchanges, gifts, reversals, the pool, fulfilled requests).
@Suite("Statistics over ledgers", .serialized)
struct StatsStoreTests {
    /// A random ledger of `n` commands among 24 members on a moving clock.
    static func randomLedger(seed: UInt64, at path: String, n: Int = 600) throws {
        var rng = SplitMix64(seed: seed)
        let clock = TestClock(Day(iso: "2026-01-03")!)
        let ledger = try fixtureLedger(at: path, clock: clock)
        var ids = fixtureMembers.map(\.0)
        for i in 0..<12 {
            _ = try ledger.execute(.addMember(MemberDraft(id: canonical("p\(i)"), name: "P\(i)", kind: .person, neighbourhood: ["Noord", "Zuid", "Oost"][i % 3])), by: .coordinator)
            ids.append(canonical("p\(i)"))
        }
        var confirmed = [ExchangeID]()
        for _ in 0..<n {
            clock.advance(seconds: Int64(rng.below(4 * 3600)))
            let (a, b, kind, credits, quantity) = randomTerms(&rng, ids)
            let domain = rng.pick(Policy.standard.domains)
            switch rng.below(10) {
            case 0...5:
                var receivers = [b]
                if rng.chance(0.15) { receivers.append(contentsOf: ids.filter { $0 != a && $0 != b }.shuffled(using: &rng).prefix(2)) }
                let d = ExchangeDraft(providers: [a], receivers: receivers, kind: kind, domain: domain, what: "x", credits: credits, quantity: quantity)
                if let o = try? ledger.execute(.record(d, reason: nil), by: .coordinator), let id = o.event.exchangeID { confirmed.append(id) }
            case 6:
                if let o = try? ledger.execute(.postListing(ListingDraft(side: .request, author: b, kind: kind, domain: domain, title: "vraag", text: "")), by: .coordinator),
                   case .listingPosted(let e) = o.event {
                    clock.advance(days: Int64(rng.below(5)))
                    let d = ExchangeDraft(providers: [a], receivers: [b], kind: kind, domain: domain, what: "antwoord", credits: credits, quantity: quantity, links: [.listing(e.listing.id)])
                    _ = try? ledger.execute(.record(d, reason: nil), by: .coordinator)
                }
            case 7: if let x = confirmed.randomElement(using: &rng) { _ = try? ledger.execute(.reverse(x, reason: "fout"), by: .coordinator) }
            case 8: _ = try? ledger.execute(.donate(from: a, minutes: Minutes(15)), by: .coordinator)
            default: _ = try? ledger.execute(.grant(to: b, minutes: Minutes(15), reason: "steun"), by: .coordinator)
            }
            if rng.chance(0.02) { clock.advance(days: 20) }
        }
    }

    /// Two different members, and an exchange's kind, credits and quantity, at random (space
    /// and goods without credits half the time: gifts).
    static func randomTerms(_ rng: inout SplitMix64, _ ids: [MemberID]) -> (MemberID, MemberID, ExchangeKind, Minutes, Int64?) {
        let a = rng.pick(ids)
        var b = rng.pick(ids)
        if b == a { b = ids[(ids.firstIndex(of: a)! + 1) % ids.count] }
        let kind = rng.pick(ExchangeKind.allCases)
        let credits = kind == .time ? Minutes(Int64(15 * (1 + rng.below(8)))) : Minutes(rng.chance(0.5) ? 0 : Int64(15 * (1 + rng.below(4))))
        let quantity: Int64? = kind == .goods ? Int64(1 + rng.below(4)) : kind == .space ? Int64(60 * (1 + rng.below(3))) : nil
        return (a, b, kind, credits, quantity)
    }

    /// The ledger's own sum: credits posted to providers by standing exchanges between two days.
    static func postedCredits(_ path: String, _ first: Day, _ last: Day) throws -> Int64 {
        let db = try Connection(path: path, readOnly: true)
        return try db.scalarInt("""
            SELECT COALESCE(SUM(p.minutes), 0) FROM postings p JOIN transfers t ON t.id = p.transfer JOIN exchanges e ON e.num = t.exchange
            WHERE t.kind = 'exchange' AND e.state = 'confirmed' AND p.minutes > 0 AND p.day BETWEEN ? AND ?
            """, .int(first.number), .int(last.number)) ?? -1
    }

    /// The totals invariant on an unsuppressed report, against the postings.
    static func expectExactTotals(_ path: String, period: StatsPeriod) throws {
        let r = Statistics.report(try Reader(path: path).statsInput(), period: period, from: nil, to: nil, k: 1)
        #expect(r.tables.allSatisfy { $0.cells.allSatisfy { $0.allSatisfy { !$0.suppressed } } })
        for c in r.columns.indices {
            let total = r.value("total", "all", c, "credits")!
            for t in ["kind", "domain", "given_by", "received_by", "who_helps_whom", "neighbourhood"] {
                let sum = r.table(t)!.categories.reduce(Int64(0)) { $0 + r.value(t, $1, c, "credits")! }
                #expect(sum == total, "\(t) column \(r.columns[c]): \(sum) != \(total)")
            }
            let (first, last) = c < r.periods.count ? (r.periods[c].first, r.periods[c].last) : (r.from, r.to)
            #expect(total == (try postedCredits(path, first, last)), "column \(r.columns[c])")
        }
        // Every sum the suppression relies on holds, for every measure the cells share.
        let (refs, eqs) = Suppression.equations(r)
        for e in eqs {
            let tc = refs[e.total]
            let totalCell = r.tables[tc.t].cells[tc.r][tc.c]
            for (m, v) in totalCell.values {
                let parts = e.parts.map { refs[$0] }.map { r.tables[$0.t].cells[$0.r][$0.c].values[m] }
                guard !parts.contains(where: { $0 == nil }) else { continue }
                #expect(parts.reduce(0) { $0 + $1! } == v, "\(r.tables[tc.t].name)/\(m)")
            }
        }
    }

    /// The privacy rule on a report: no published cell under k, none withheld recoverable.
    static func expectPrivate(_ path: String, k: Int, period: StatsPeriod) throws {
        let r = Statistics.report(try Reader(path: path).statsInput(), period: period, from: nil, to: nil, k: k)
        var published = 0
        for t in r.tables { for row in t.cells { for c in row where !c.suppressed { published += 1; #expect(!c.tooFew(k), "\(t.name) publishes a cell under k") } } }
        let (refs, eqs) = Suppression.equations(r)
        let hidden = refs.map { r.tables[$0.t].cells[$0.r][$0.c].suppressed }
        #expect(published > 0)
        let recoverable = ExactCheck.recoverable(hidden: hidden, equations: eqs.map { ($0.parts, $0.total) })
        #expect(recoverable.isEmpty, "\(recoverable.count) withheld cells can be worked out")
        // The published JSON names no member.
        let json = r.json.canonicalString
        for (id, _) in fixtureMembers where id.handle.count > 3 { #expect(!json.contains("\"\(id)\"")) }
    }

    @Test("sessions with an expert are counted by the offer's domain, with their hours; a room's settlement is not a session")
    func expertSessions() throws {
        let dir = TempDir("stats-sessions"); defer { dir.remove() }
        let path = dir.file("l.sqlite")
        let clock = TestClock(Day(iso: "2026-06-01")!)  // Monday, 11:00 in Brussels
        let ledger = try fixtureLedger(at: path, clock: clock)
        let expert = try #require(try ledger.execute(.postListing(ListingDraft(side: .offer, author: "bakkerij", kind: .time, domain: "work", title: "Boekhouder")),
                                                     by: .member("bakkerij")).event.listingID)
        let room = try #require(try ledger.execute(.postListing(ListingDraft(side: .offer, author: "coworking", kind: .space, domain: "work", title: "Zaal")),
                                                   by: .member("coworking")).event.listingID)
        _ = try ledger.execute(.setSpaceHours(expert, SpaceHours(capacity: 1, weekly: SpaceHours.parseWeek("mon-fri 09:00-17:00")!, session: 60)), by: .member("bakkerij"))
        _ = try ledger.execute(.setSpaceHours(room, SpaceHours(capacity: 9, weekly: SpaceHours.parseWeek("mon-fri 09:00-17:00")!)), by: .member("coworking"))
        let tuesday = Day(iso: "2026-06-02")!
        var bookings = [BookingID]()
        for (who, start) in [("an", Int64(540)), ("bram", 600), ("chloe", 660)] as [(MemberID, Int64)] {
            let o = try ledger.execute(.book(BookingDraft(offer: expert, member: who, date: tuesday, start: start, end: start + 60, people: 1, question: "Btw?")), by: .member(who))
            if case .spaceBooked(let e) = o.event { bookings.append(e.booking.id) }
        }
        let roomBooking = try ledger.execute(.book(BookingDraft(offer: room, member: "an", date: tuesday, start: 540, end: 600, people: 2)), by: .member("an"))
        // The maintained statistics, read whole before the sessions, then following the journal.
        let follower = StatsFollower()
        _ = try follower.report(try Reader(path: path), period: .month, k: 1)
        clock.advance(days: 1)
        clock.advance(seconds: 6 * 3600)  // Tuesday 17:00 in Brussels: all over
        for (b, who) in zip(bookings.prefix(2), ["an", "bram"] as [MemberID]) {
            let d = ExchangeDraft(providers: ["bakkerij"], receivers: [who], kind: .time, domain: "work", what: "advies", credits: .hours(1), links: [.booking(b)])
            _ = try ledger.execute(.record(d, reason: nil), by: .coordinator)
        }
        if case .spaceBooked(let e) = roomBooking.event {
            let d = ExchangeDraft(providers: ["coworking"], receivers: ["an"], kind: .space, domain: "work", what: "zaal", credits: .zero, quantity: 60, links: [.booking(e.booking.id)])
            _ = try ledger.execute(.record(d, reason: nil), by: .coordinator)
        }
        let r = Statistics.report(try Reader(path: path).statsInput(), period: .month, from: nil, to: nil, k: 1)
        let all = r.columns.count - 1
        #expect(r.value("expert_sessions", "all", all, "exchanges") == 2 && r.value("expert_sessions", "all", all, "credits") == 120)
        #expect(r.value("expert_sessions", "work", all, "exchanges") == 2 && r.value("expert_sessions", "care", all, "exchanges") == 0)
        #expect(r.value("domain", "work", all, "exchanges") == 3, "the room's settlement is work too, but no session")
        try Self.expectExactTotals(path, period: .month)
        try MaintainedStatsTests.expectMaintained(follower, path, "sessions")
        #expect(follower.paths.rebuilds == 1 && follower.paths.catchUps == 1, "the sessions were followed from the journal")
        #expect(try Verifier.verify(path: path).ok)
    }

    @Test("over random ledgers: totals equal the postings, and the privacy rule holds", arguments: [UInt64(1), 2, 3])
    func randomLedgers(seed: UInt64) throws {
        let dir = TempDir("kring-stats")
        defer { dir.remove() }
        let path = dir.file("l.sqlite")
        try Self.randomLedger(seed: seed, at: path)
        #expect(try Verifier.verify(path: path).ok)
        for p in StatsPeriod.allCases { try Self.expectExactTotals(path, period: p) }
        try Self.expectPrivate(path, k: 5, period: .month)
        try Self.expectPrivate(path, k: 3, period: .quarter)
    }

    @Test("over the demo community: totals, privacy, and a self-contained, well-formed page in both languages")
    func demoCommunity() throws {
        let dir = TempDir("kring-stats-demo")
        defer { dir.remove() }
        let path = dir.file("demo.sqlite")
        _ = try DemoCommunity.build(at: path, options: DemoOptions(members: 150, months: 18, seed: 42, endDay: Day(iso: "2026-11-29")!))
        try Self.expectExactTotals(path, period: .month)
        try Self.expectPrivate(path, k: 5, period: .month)
        try Self.expectPrivate(path, k: 5, period: .year)
        let r = Statistics.report(try Reader(path: path).statsInput(), period: .month, from: nil, to: nil, k: 5)
        #expect(r.tables.contains { $0.cells.contains { $0.contains { $0.suppressed } } }, "the demo has small cells to withhold")
        for lang in StatsLanguage.allCases {
            let html = r.html(lang)
            let parser = XMLParser(data: Data(html.utf8))
            final class Count: NSObject, XMLParserDelegate {
                var svg = 0, titles = 0, descs = 0, tables = 0, cells = 0, unlabelledChartCells = 0, inChart = false
                func parser(_ p: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                    if e == "section" { inChart = attributes["class"] == "chart" }
                    if e == "td" {
                        cells += 1
                        // On a phone each chart's table reflows into "header: value" lines.
                        if inChart && (attributes["data-label"] ?? "").isEmpty { unlabelledChartCells += 1 }
                    }
                    switch e {
                    case "svg": svg += 1
                    case "title": titles += 1
                    case "desc": descs += 1
                    case "table": tables += 1
                    default: break
                    }
                }
            }
            let count = Count()
            parser.delegate = count
            #expect(parser.parse(), "not well-formed (\(lang)): \(parser.parserError.map { "\($0)" } ?? "")")
            #expect(count.svg == 5 && count.descs == 5 && count.titles == 6 && count.tables >= 6, "\(lang): \(count.svg) charts")
            #expect(count.cells > 50 && count.unlabelledChartCells == 0, "\(lang): \(count.unlabelledChartCells) of \(count.cells) cells have no label")
            for outside in ["http:", "https:", "src=", "href=", "url(", "@import", "<script", "<link", "//"] {
                #expect(!html.contains(outside), "\(lang) refers outside itself: \(outside)")
            }
            #expect(html.contains(lang == .nl ? "Wie helpt wie" : "Who helps whom"))
            #expect(html.contains(r.headHash))
        }
    }
}
