import Foundation
import Testing
@testable import KringCore
import KringTestSupport

/// A small circle whose every figure was worked out by hand (docs/statistics.md).
@Suite("Statistics")
struct StatisticsTests {
    static func d(_ s: String) -> Day { Day(iso: s)! }

    /// Five members, five exchanges over January and February 2026 (one a group), two
    /// fulfilled requests, a donation and a grant.
    static var fixture: StatsInput {
        typealias M = StatsInput.Member
        let members = [
            M(kind: .person, neighbourhood: "Noord", joined: d("2026-01-05"), present: true, floor: -1200, ceiling: 3600),
            M(kind: .person, neighbourhood: "Noord", joined: d("2026-01-10"), present: true, floor: -1200, ceiling: 3600),
            M(kind: .company, neighbourhood: "Zuid", joined: d("2026-02-01"), present: true, floor: -600, ceiling: 3600),
            M(kind: .association, neighbourhood: "Zuid", joined: d("2026-01-01"), present: true, floor: 0, ceiling: 3600),
            M(kind: .municipality, neighbourhood: nil, joined: d("2025-12-01"), present: true, floor: -9000, ceiling: 3600),
            M(kind: .pool, neighbourhood: nil, joined: d("2025-12-01"), present: true, floor: 0, ceiling: nil),
        ]
        typealias X = StatsInput.Exchange
        let exchanges = [
            X(day: d("2026-01-15"), kind: .time, domain: "care", credits: 60, quantity: 60, providers: [0], receivers: [1]),
            X(day: d("2026-01-20"), kind: .time, domain: "care", credits: 90, quantity: 90, providers: [1], receivers: [0]),
            X(day: d("2026-02-03"), kind: .space, domain: "culture", credits: 0, quantity: 120, providers: [2], receivers: [3]),
            X(day: d("2026-02-10"), kind: .goods, domain: "food", credits: 0, quantity: 3, providers: [3], receivers: [0, 1]),
            X(day: d("2026-02-20"), kind: .time, domain: "education", credits: 120, quantity: 120, providers: [4], receivers: [0, 1]),
        ]
        let requests = [StatsInput.Request(author: 1, posted: d("2026-01-12"), fulfilled: exchanges[0].day),
                        StatsInput.Request(author: 3, posted: d("2026-01-25"), fulfilled: exchanges[2].day)]
        let pool = [StatsInput.PoolMove(day: d("2026-01-31"), donation: true, member: 0, minutes: 30),
                    StatsInput.PoolMove(day: d("2026-02-15"), donation: false, member: 1, minutes: 15)]
        typealias P = StatsInput.Posting
        let postings = [
            P(member: 1, day: d("2026-01-15"), minutes: -60), P(member: 0, day: d("2026-01-15"), minutes: 60),
            P(member: 0, day: d("2026-01-20"), minutes: -90), P(member: 1, day: d("2026-01-20"), minutes: 90),
            P(member: 0, day: d("2026-01-31"), minutes: -30), P(member: 5, day: d("2026-01-31"), minutes: 30),
            P(member: 5, day: d("2026-02-15"), minutes: -15), P(member: 1, day: d("2026-02-15"), minutes: 15),
            P(member: 0, day: d("2026-02-20"), minutes: -120), P(member: 1, day: d("2026-02-20"), minutes: -120), P(member: 4, day: d("2026-02-20"), minutes: 240),
        ]
        return StatsInput(members: members, exchanges: exchanges, requests: requests, pool: pool, postings: postings,
                          headSeq: 42, headHash: "ab", headDay: d("2026-03-01"), policy: .standard)
    }

    @Test("every figure of the hand-built circle, exactly")
    func handComputed() {
        let r = Statistics.report(Self.fixture, period: .month, from: Self.d("2026-01-01"), to: Self.d("2026-02-28"), k: 1)
        #expect(r.columns == ["2026-01", "2026-02", "all"])
        func v(_ t: String, _ c: String, _ m: String) -> [Int64?] { (0..<3).map { r.value(t, c, $0, m) } }
        #expect(v("total", "all", "exchanges") == [2, 3, 5])
        #expect(v("total", "all", "flows") == [2, 5, 7])
        #expect(v("total", "all", "credits") == [150, 240, 390])
        #expect(v("kind", "time", "credits") == [150, 240, 390])
        #expect(v("kind", "time", "quantity") == [150, 240, 390])
        #expect(v("kind", "space", "quantity") == [0, 120, 120])
        #expect(v("kind", "goods", "flows") == [0, 2, 2])
        #expect(v("kind", "goods", "quantity") == [0, 6, 6])
        #expect(v("domain", "care", "exchanges") == [2, 0, 2])
        #expect(v("domain", "education", "credits") == [0, 240, 240])
        #expect(v("domain", "food", "flows") == [0, 2, 2])
        #expect(v("domain", "health", "credits") == [0, 0, 0])
        #expect(v("given_by", "person", "credits") == [150, 0, 150])
        #expect(v("given_by", "municipality", "flows") == [0, 2, 2])
        #expect(v("given_by", "association", "flows") == [0, 2, 2])
        #expect(v("received_by", "person", "flows") == [2, 4, 6])
        #expect(v("received_by", "person", "credits") == [150, 240, 390])
        #expect(v("received_by", "association", "flows") == [0, 1, 1])
        #expect(v("who_helps_whom", "person>person", "credits") == [150, 0, 150])
        #expect(v("who_helps_whom", "company>association", "flows") == [0, 1, 1])
        #expect(v("who_helps_whom", "municipality>person", "credits") == [0, 240, 240])
        #expect(v("neighbourhood", "Noord", "flows") == [2, 4, 6])
        #expect(v("neighbourhood", "Zuid", "flows") == [0, 1, 1])
        #expect(v("gifts", "space", "quantity") == [0, 120, 120])
        #expect(v("gifts", "goods", "exchanges") == [0, 1, 1])
        #expect(v("members", "active", "members") == [2, 5, 5])
        #expect(v("members", "new", "members") == [3, 1, 4])
        #expect(v("members", "gave_and_received", "members") == [2, 1, 3])
        #expect(v("connections", "pairs", "pairs") == [1, 5, 6])
        #expect(v("connections", "largest_group", "permille") == [1000, 1000, 1000])
        #expect(v("requests", "fulfilled", "requests") == [1, 1, 2])
        #expect(v("requests", "median_days", "days") == [3, 9, 3])
        #expect(v("pool_donations", "all", "credits") == [30, 0, 30])
        #expect(v("pool_grants", "all", "count") == [0, 1, 1])
        #expect(v("balances", "members", "members") == [4, 5, 5])
        #expect(v("balances", "at_floor", "members") == [1, 1, 1])
        #expect(v("balances", "at_ceiling", "members") == [0, 0, 0])
        #expect(v("balances", "gini", "permille") == [750, 739, 739])
        #expect(v("balance_bins", "-2h..2h", "members") == [4, 3, 3])
        #expect(v("balance_bins", "-10h..-2h", "members") == [0, 1, 1])
        #expect(v("balance_bins", "2h..10h", "members") == [0, 1, 1])
        #expect(r.headSeq == 42 && r.headHash == "ab")
    }

    @Test("with k = 2 the company's single gift is withheld, with complements, and no withheld value can be worked out")
    func smallCellsWithheld() {
        let r = Statistics.report(Self.fixture, period: .month, from: Self.d("2026-01-01"), to: Self.d("2026-02-28"), k: 2)
        #expect(r.value("who_helps_whom", "company>association", 1, "flows") == nil)
        #expect(r.value("given_by", "company", 1, "flows") == nil)
        for t in r.tables { for row in t.cells { for c in row where !c.suppressed { #expect(!c.tooFew(2), "\(t.name)") } } }
        let (refs, eqs) = Suppression.equations(r)
        let hidden = refs.map { r.tables[$0.t].cells[$0.r][$0.c].suppressed }
        #expect(hidden.contains(true))
        #expect(Suppression.determined(hidden: hidden, equations: eqs).isEmpty)
        #expect(ExactCheck.recoverable(hidden: hidden, equations: eqs.map { ($0.parts, $0.total) }).isEmpty)
    }

    @Test("a neighbourhood written as the none category's `-` is counted with none, in one row")
    func dashNeighbourhood() {
        var input = Self.fixture
        input.members[3].neighbourhood = "-"
        let r = Statistics.report(input, period: .month, from: Self.d("2026-01-01"), to: Self.d("2026-02-28"), k: 1)
        #expect(r.table("neighbourhood")?.categories == ["Noord", "Zuid", "-"])
        // The association's room (its neighbourhood now `-`) with the none row; Zuid's company
        // received nothing.
        #expect(r.value("neighbourhood", "-", 2, "flows") == 1)
        #expect(r.value("neighbourhood", "Zuid", 2, "flows") == 0 && r.value("neighbourhood", "Noord", 2, "flows") == 6)
    }

    @Test("the periods split in two runs at the point that leaves the larger run the fewest exchanges")
    func halves() {
        #expect(Statistics.halves([]) == [0..<0, 0..<0])
        #expect(Statistics.halves([5]) == [0..<0, 0..<1])
        #expect(Statistics.halves([1, 1, 1, 1]) == [0..<2, 2..<4])
        #expect(Statistics.halves([10, 1, 1, 1]) == [0..<1, 1..<4])
        #expect(Statistics.halves([1, 1, 1, 10]) == [0..<3, 3..<4])
        #expect(Statistics.halves([0, 4, 0, 0, 3, 2, 0]) == [0..<2, 2..<7])
    }

    @Test("the radix sort behind the Gini coefficient orders as the standard library does: negatives, extremes, repeats, short and long")
    func radixSort() {
        var rng = SplitMix64(seed: 2026)
        for n in [0, 1, 2, 63, 64, 65, 1000, 20_000] {
            for spread in [Int64(0), 1, 600, 1 << 20, .max] {
                var values = (0..<n).map { _ in spread == 0 ? 0 : Int64.random(in: -spread...spread, using: &rng) }
                if n > 3 { values[0] = .min; values[1] = .max; values[2] = -1 }
                #expect(Statistics.radixSorted(values) == values.sorted(), "\(n) values within ±\(spread)")
            }
        }
    }

    @Test("the Gini coefficient: equal balances 0, one holder of everything near 1, zero-sum sets defined")
    func gini() {
        #expect(Statistics.giniPerMille([5, 5, 5]) == 0)
        #expect(Statistics.giniPerMille([0, 0, 0, 100]) == 750)
        #expect(Statistics.giniPerMille([-30, 30]) == 500)
        #expect(Statistics.giniPerMille([]) == 0 && Statistics.giniPerMille([0, 0]) == 0)
    }

    @Test("a sum with one withheld term gets a second; a withheld cell fixed by two sums gets more")
    func suppressionEdges() {
        // Cells 0, 1, 2 add up to 3. Hiding 0 alone is recoverable; the test finds it.
        let eq = [Suppression.Equation(parts: [0, 1, 2], total: 3)]
        #expect(Suppression.determined(hidden: [true, false, false, false], equations: eq) == [0])
        #expect(Suppression.determined(hidden: [true, true, false, false], equations: eq).isEmpty)
        // A 2x2 table with margins: hiding a rectangle of four cells leaves each undetermined.
        // cells a b / c d; rows a+b=4, c+d=5; columns a+c=6, b+d=7.
        let eqs = [Suppression.Equation(parts: [0, 1], total: 4), Suppression.Equation(parts: [2, 3], total: 5),
                   Suppression.Equation(parts: [0, 2], total: 6), Suppression.Equation(parts: [1, 3], total: 7)]
        let rect = [true, true, true, true, false, false, false, false]
        #expect(Suppression.determined(hidden: rect, equations: eqs).isEmpty)
        #expect(ExactCheck.recoverable(hidden: rect, equations: eqs.map { ($0.parts, $0.total) }).isEmpty)
        // Three cells hidden in that table: the fourth's margins give them all away.
        let three = [true, true, true, false, false, false, false, false]
        #expect(Set(Suppression.determined(hidden: three, equations: eqs)) == [0, 1, 2])
        #expect(Set(ExactCheck.recoverable(hidden: three, equations: eqs.map { ($0.parts, $0.total) })) == [0, 1, 2])
    }
}

