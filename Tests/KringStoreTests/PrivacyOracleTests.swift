import Foundation
import Testing
import KringCore
@testable import KringStore
import KringTestSupport

/// The privacy rule checked by an oracle that shares nothing with the code it checks: for every
/// published cell, the distinct givers and receivers behind it are counted straight from the
/// ledger's tables with SQL (exchanges, their parties, transfers, members, postings), never
/// from the counts the statistics computed. The ledger has cells of exactly k − 1 and exactly k
/// members on each side, in every table.
/// One integer from `sql` with its arguments bound.
func scalar(_ db: Connection, _ sql: String, _ args: [SQLValue]) throws -> Int64 {
    let s = try db.prepare(sql)
    try s.bind(args)
    return try s.step() ? s.int(0) : 0
}

@Suite(.serialized) struct PrivacyOracleTests {
    static let k = 5

    /// Who took part in a cell, by SQL: the providers and receivers of the standing exchanges
    /// whose credits were posted in `days`, with the flow filter of the table.
    static func oracle(_ db: Connection, table: String, category: String, days: ClosedRange<Int64>) throws -> (givers: Int, takers: Int) {
        var filter = "1"
        var args: [SQLValue] = [.int(days.lowerBound), .int(days.upperBound)]
        switch table {
        case "total": break
        case "kind": filter = "e.kind = ?3"; args.append(.text(category))
        case "domain": filter = "e.domain = ?3"; args.append(.text(category))
        case "given_by": filter = "gm.kind = ?3"; args.append(.text(category))
        case "received_by": filter = "rm.kind = ?3"; args.append(.text(category))
        case "who_helps_whom":
            let kinds = category.split(separator: ">").map(String.init)
            filter = "gm.kind = ?3 AND rm.kind = ?4"; args += [.text(kinds[0]), .text(kinds[1])]
        case "neighbourhood": filter = "COALESCE(rm.neighbourhood, '-') = ?3"; args.append(.text(category))
        default: Issue.record("no oracle for \(table)")
        }
        let flows = """
            FROM exchanges e
            JOIN exchange_parties g ON g.exchange = e.num AND g.role = 'provider' JOIN members gm ON gm.id = g.member
            JOIN exchange_parties r ON r.exchange = e.num AND r.role = 'receiver' JOIN members rm ON rm.id = r.member
            WHERE e.state = 'confirmed' AND (SELECT MIN(t.day) FROM transfers t WHERE t.exchange = e.num AND t.kind = 'exchange') BETWEEN ?1 AND ?2
              AND \(filter)
            """
        let givers = try scalar(db, "SELECT COUNT(DISTINCT g.member) \(flows)", args)
        let takers = try scalar(db, "SELECT COUNT(DISTINCT r.member) \(flows)", args)
        return (Int(givers), Int(takers))
    }

    /// Members with a balance in `bin` at the end of `day`, by SQL over postings.
    static func oracleBin(_ db: Connection, upTo: Int64?, above: Int64?, day: Int64) throws -> Int {
        let sql = """
            SELECT COUNT(*) FROM (
              SELECT m.id, COALESCE((SELECT SUM(p.minutes) FROM postings p WHERE p.member = m.id AND p.day <= ?1), 0) AS b
              FROM members m WHERE m.kind != 'pool' AND m.status != 'left' AND m.joined <= ?2)
            WHERE (?3 IS NULL OR b <= ?3) AND (?4 IS NULL OR b > ?4)
            """
        return Int(try scalar(db, sql, [.int(day), .text(Day(day).description), .int(upTo), .int(above)]))
    }

    /// The ledger: in January 4 persons give to 5 (k − 1 givers in every flow table); in
    /// February 5 give to 5 (exactly k on each side); in March 5 companies give to 4 persons
    /// (k − 1 receivers); in April 2 give to 2 (k − 1 active members).
    static func ledger(at path: String) throws {
        let clock = TestClock(Day(iso: "2026-01-02")!)
        var policy = Policy.standard
        policy.pairCapMinutes = 1_000 * 60
        let ledger = try Ledger.create(path: path, policy: policy, clock: clock.clock)
        for i in 1...20 {
            _ = try ledger.execute(.addMember(MemberDraft(id: canonical("p\(i)"), name: "P\(i)", kind: .person, neighbourhood: i % 2 == 0 ? "Noord" : "Zuid")), by: .coordinator)
        }
        for i in 1...6 { _ = try ledger.execute(.addMember(MemberDraft(id: canonical("c\(i)"), name: "C\(i)", kind: .company, neighbourhood: "Noord")), by: .coordinator) }
        func give(_ providers: [String], _ receivers: [String], domain: String) throws {
            for (n, p) in providers.enumerated() {
                for r in receivers {
                    _ = try ledger.execute(.record(ExchangeDraft(providers: [canonical(p)], receivers: [canonical(r)], kind: .time, domain: domain,
                                                                 what: "help \(n)", credits: .hours(1)), reason: nil), by: .coordinator)
                }
            }
        }
        // Each month holds one kind of flow only, so every cell of its column has the same
        // counts and nothing else in the column is withheld: a cell at k − 1 is withheld by the
        // primary rule alone, and a cell at k is published.
        clock.advance(days: 3)  // January: 4 givers (Zuid) to 5 receivers (Noord)
        try give(["p1", "p3", "p5", "p7"], ["p2", "p4", "p6", "p8", "p10"], domain: "care")
        clock.advance(days: 31)  // February: 5 to 5
        try give(["p1", "p3", "p5", "p7", "p9"], ["p2", "p4", "p6", "p8", "p10"], domain: "food")
        clock.advance(days: 28)  // March: 5 companies to 4 persons (Zuid)
        try give(["c1", "c2", "c3", "c4", "c5"], ["p11", "p13", "p15", "p17"], domain: "culture")
        clock.advance(days: 31)  // April: 2 to 2, four active members
        try give(["p19", "p20"], ["p12", "p14"], domain: "care")
    }

    @Test func everyPublishedCellHasKOrMoreOnEachSideByTheLedgersOwnTables() throws {
        let dir = TempDir("oracle"); defer { dir.remove() }
        let path = dir.file("o.sqlite")
        try PrivacyOracleTests.ledger(at: path)
        let reader = try Reader(path: path)
        let report = Statistics.report(try reader.statsInput(), period: .month, from: Day(iso: "2026-01-01"), to: Day(iso: "2026-04-30"), k: PrivacyOracleTests.k)
        let db = try Connection(path: path, readOnly: true)
        let k = PrivacyOracleTests.k
        let spans: [ClosedRange<Int64>] = report.periods.map { $0.first.number...$0.last.number } + [report.from.number...report.to.number]
        var checked = 0, published = 0, exactlyK = 0, justUnder = 0
        for name in ["total", "kind", "domain", "given_by", "received_by", "who_helps_whom", "neighbourhood"] {
            let table = try #require(report.table(name))
            for (r, category) in table.categories.enumerated() {
                for (c, cell) in table.cells[r].enumerated() {
                    let (g, t) = try PrivacyOracleTests.oracle(db, table: name, category: category, days: spans[c])
                    checked += 1
                    if !cell.suppressed {
                        published += 1
                        #expect((g == 0 && t == 0) || (g >= k && t >= k), "\(name)/\(category)/\(report.columns[c]) is published with \(g) givers and \(t) receivers")
                    }
                    if (g == k - 1 && t >= k - 1) || (t == k - 1 && g >= k - 1) { justUnder += 1; #expect(cell.suppressed, "\(name)/\(category)/\(report.columns[c]): \(g) and \(t)") }
                    // February: exactly k on each side, and nothing in that column is withheld by
                    // the primary rule, so nothing needs complementary withholding either.
                    if report.columns[c] == report.columns[1], g == k, t == k {
                        exactlyK += 1
                        #expect(!cell.suppressed, "\(name)/\(category)/\(report.columns[c]) has exactly \(k) on each side and is withheld")
                    }
                }
            }
        }
        #expect(justUnder >= 7 && exactlyK >= 7, "the ledger has cells at the edge in every table (\(justUnder) under, \(exactlyK) at k)")
        #expect(published > 0 && checked > published)

        // Member figures: active members by SQL, at the edge in April (4) and February (10).
        let members = try #require(report.table("members"))
        let active = try #require(members.categories.firstIndex(of: "active"))
        var activeAtEdge = 0
        for (c, cell) in members.cells[active].enumerated() {
            let n = try scalar(db, """
                SELECT COUNT(DISTINCT m) FROM (SELECT p.member AS m FROM exchange_parties p JOIN exchanges e ON e.num = p.exchange
                  WHERE e.state = 'confirmed' AND (SELECT MIN(t.day) FROM transfers t WHERE t.exchange = e.num) BETWEEN ?1 AND ?2)
                """, [.int(spans[c].lowerBound), .int(spans[c].upperBound)])
            #expect(cell.suppressed || n == 0 || n >= k, "active in \(report.columns[c]): \(n) members, suppressed \(cell.suppressed)")
            if n == k - 1 { #expect(cell.suppressed, "active in \(report.columns[c]): \(n) members") }
            if n == k - 1 { activeAtEdge += 1 }
            if !cell.suppressed { #expect(cell.values["members"] == n) }
        }
        #expect(activeAtEdge == 1, "April has k - 1 active members")
        // Balance bins at the end of each period, by SQL over postings.
        let bins = try #require(report.table("balance_bins"))
        let bounds: [(upTo: Int64?, above: Int64?)] = [(-600, nil), (-120, -600), (120, -120), (600, 120), (nil, 600)]
        for (r, _) in bins.categories.enumerated() {
            for (c, cell) in bins.cells[r].enumerated() where !cell.suppressed {
                let day = c < report.periods.count ? report.periods[c].last.number : report.to.number
                let n = try PrivacyOracleTests.oracleBin(db, upTo: bounds[r].upTo, above: bounds[r].above, day: day)
                #expect(n == 0 || n >= k, "bin \(bins.categories[r]) in \(report.columns[c]) is published with \(n) members")
            }
        }
    }
}
