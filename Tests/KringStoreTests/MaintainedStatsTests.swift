import Foundation
import Testing
@testable import KringCore
@testable import KringStore
import KringTestSupport

/// The maintained statistics (`StatsFollower`) against the statistics computed from scratch:
/// the same report, figure for figure, at many heads of random ledgers.
@Suite("Maintained statistics", .serialized)
struct MaintainedStatsTests {
    /// The same report: head, range, columns, and every table's categories, measures and cells
    /// (values, members described, withheld or not).
    static func expectSame(_ a: StatsReport, _ b: StatsReport, _ context: String) {
        #expect(a.headSeq == b.headSeq && a.headHash == b.headHash, "\(context): head")
        #expect(a.from == b.from && a.to == b.to && a.columns == b.columns, "\(context): \(a.columns) against \(b.columns)")
        #expect(a.periods.map(\.first) == b.periods.map(\.first) && a.periods.map(\.last) == b.periods.map(\.last), "\(context): periods")
        #expect(a.tables.map(\.name) == b.tables.map(\.name), "\(context): tables")
        for (x, y) in zip(a.tables, b.tables) {
            #expect(x.categories == y.categories, "\(context): \(x.name) categories \(x.categories) against \(y.categories)")
            #expect(x.measures == y.measures, "\(context): \(x.name) measures")
            guard x.categories == y.categories else { continue }
            for (r, category) in x.categories.enumerated() where x.cells[r] != y.cells[r] {
                Issue.record("\(context): \(x.name) \(category): maintained \(x.cells[r]) against recomputed \(y.cells[r])")
            }
        }
    }

    /// Every period and two values of k: the maintained report equals the recomputed one.
    static func expectMaintained(_ follower: StatsFollower, _ path: String, _ context: String) throws {
        let reader = try Reader(path: path)
        for period in StatsPeriod.allCases {
            for k in [1, 5] {
                let maintained = try follower.report(reader, period: period, k: k)
                let input = try reader.statsInput()
                let scratch = Statistics.report(input, period: period, from: nil, to: nil, k: k)
                expectSame(maintained, scratch, "\(context), by \(period), k = \(k)")
                // The periods split in two runs, on two threads as `kring stats` adds them, and
                // one after the other, the second run first: the same report (k only withholds).
                guard k == 5 else { continue }
                let both = Statistics.report(input, period: period, from: nil, to: nil, k: k,
                                             concurrently: { DispatchQueue.concurrentPerform(iterations: $0, execute: $1) })
                expectSame(both, scratch, "\(context), by \(period), k = \(k), on two threads")
                var order = [Int]()
                let backwards = Statistics.report(input, period: period, from: nil, to: nil, k: k,
                                                  concurrently: { n, run in for i in (0..<n).reversed() { order.append(i); run(i) } })
                expectSame(backwards, scratch, "\(context), by \(period), k = \(k), the second run first")
                #expect(order == [1, 0])
            }
        }
    }

    @Test("at many heads of random ledgers (reversals, group exchanges, gifts, proposals, members joining and leaving, a policy change), the maintained report is the recomputed one",
          arguments: [UInt64(31), 32, 33])
    func equalsRecomputed(seed: UInt64) throws {
        let dir = TempDir("stats-maintained"); defer { dir.remove() }
        let path = dir.file("l.sqlite")
        var rng = SplitMix64(seed: seed)
        let clock = TestClock(Day(iso: "2026-01-27")!)
        let ledger = try fixtureLedger(at: path, clock: clock)
        let follower = StatsFollower()
        var ids = fixtureMembers.map(\.0)
        var confirmed = [ExchangeID](), proposed = [(ExchangeID, MemberID)](), requests = [ListingID](), offers = [ListingID]()
        var checks = 0, policyChanged = false
        try Self.expectMaintained(follower, path, "seed \(seed), empty")
        for step in 0..<720 {
            clock.advance(seconds: Int64(rng.below(5 * 3600)))
            let (a, b, kind, credits, quantity) = StatsStoreTests.randomTerms(&rng, ids)
            let domain = rng.pick(Policy.standard.domains)
            var receivers = [b]
            if rng.chance(0.15) { receivers.append(contentsOf: ids.filter { $0 != a && $0 != b }.shuffled(using: &rng).prefix(2)) }
            var links = [ExchangeLink]()
            if !requests.isEmpty, rng.chance(0.2) { links.append(.listing(rng.pick(requests))) }
            let draft = ExchangeDraft(providers: [a], receivers: receivers, kind: kind, domain: domain, what: "x", credits: credits, quantity: quantity, links: links)
            switch rng.below(20) {
            case 0..<7:
                if let o = try? ledger.execute(.record(draft, reason: nil), by: .coordinator), let id = o.event.exchangeID { confirmed.append(id) }
            case 7..<9:
                if let o = try? ledger.execute(.propose(draft), by: .member(a)), let id = o.event.exchangeID { proposed.append((id, b)) }
            case 9..<11:
                if !proposed.isEmpty {
                    let (x, party) = proposed.remove(at: rng.below(proposed.count))
                    if (try? ledger.execute(.confirm(x), by: .member(party))) != nil { confirmed.append(x) }
                }
            case 11:
                if !confirmed.isEmpty { _ = try? ledger.execute(.reverse(confirmed.remove(at: rng.below(confirmed.count)), reason: "fout"), by: .coordinator) }
            case 12: _ = try? ledger.execute(.donate(from: a, minutes: Minutes(15)), by: .coordinator)
            case 13: _ = try? ledger.execute(.grant(to: b, minutes: Minutes(15), reason: "steun"), by: .coordinator)
            case 14:
                let side: ListingSide = rng.chance(0.5) ? .request : .offer
                if let l = try? ledger.execute(.postListing(ListingDraft(side: side, author: a, kind: kind, domain: domain, title: "t")), by: .member(a)).event.listingID {
                    if side == .request { requests.append(l) } else { offers.append(l) }
                }
            case 15:
                if !requests.isEmpty, !offers.isEmpty { _ = try? ledger.execute(.introduce(request: rng.pick(requests), offer: rng.pick(offers)), by: .coordinator) }
            case 16:
                let id: MemberID = canonical("n\(step)")
                let kinds: [MemberKind] = [.person, .person, .company, .association, .initiative]
                if (try? ledger.execute(.addMember(MemberDraft(id: id, name: "N\(step)", kind: rng.pick(kinds),
                                                               neighbourhood: rng.chance(0.8) ? rng.pick(["Noord", "Zuid", "Oost", "West"]) : nil)), by: .coordinator)) != nil {
                    ids.append(id)
                }
            case 17:
                if rng.chance(0.3), ids.count > 14 {
                    let who = rng.pick(Array(ids.dropFirst(12)))
                    if (try? ledger.execute(.leave(who), by: .coordinator)) != nil { ids.removeAll { $0 == who } }
                } else {
                    _ = try? ledger.execute(.setLimits(a, floor: .set(.hours(-Int64(rng.below(30)))), ceiling: .keep), by: .coordinator)
                }
            case 18:
                if step > 360, !policyChanged {
                    var p = Policy.standard
                    p.domains.removeAll { $0 == "care" }
                    p.pairCapMinutes = 40 * 60
                    _ = try ledger.execute(.setPolicy(p), by: .coordinator)
                    policyChanged = true
                }
            default: clock.advance(days: Int64(rng.below(12)))
            }
            if step % 24 == 23 {
                try Self.expectMaintained(follower, path, "seed \(seed), step \(step)")
                checks += 1
            }
        }
        let paths = follower.paths
        #expect(paths.rebuilds <= 2, "read whole only at first and after the policy change: \(paths)")
        #expect(paths.catchUps >= checks - 2, "caught up from the journal: \(paths) over \(checks) heads")
        #expect(confirmed.count > 100)
    }

    @Test("another ledger put at the same path, as long or longer: the follower notices the head it reflected is gone and reads every fact again")
    func anotherLedger() throws {
        let dir = TempDir("stats-replaced"); defer { dir.remove() }
        let path = dir.file("l.sqlite")
        let follower = StatsFollower()
        func ledger(_ pairs: [(MemberID, MemberID)]) throws {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            let l = try fixtureLedger(at: path, clock: TestClock(Day(iso: "2026-03-02")!))
            for (p, r) in pairs {
                _ = try l.execute(.record(ExchangeDraft(providers: [p], receivers: [r], kind: .time, domain: "care", what: "x", credits: .hours(1)), reason: nil), by: .coordinator)
            }
        }
        try ledger([("an", "bram"), ("chloe", "daan")])
        try Self.expectMaintained(follower, path, "the first ledger")
        try ledger([("els", "fatima"), ("bakkerij", "an"), ("stad", "bram")])
        try Self.expectMaintained(follower, path, "the second ledger at the same path")
        #expect(follower.paths.rebuilds == 2 && follower.paths.catchUps == 0, "\(follower.paths)")
    }
}
