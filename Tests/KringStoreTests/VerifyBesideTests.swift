import Foundation
import Testing
import KringCore
@testable import KringStore
import KringTestSupport

/// `verify` on both cores reads the exchanges' rows on a second connection beside the replay
/// (`ExchangeRowPrints`), only when that connection sees the replay's very snapshot.
@Suite("verify reads the exchanges beside the replay", .serialized)
struct VerifyBesideTests {
    @Test func anUntouchedLedgerIsComparedByItsPrint() throws {
        let dir = TempDir("beside"); defer { dir.remove() }
        let path = dir.file("d.sqlite")
        _ = try DemoCommunity.build(at: path, options: DemoOptions(members: 200, months: 4, endDay: Day(iso: "2026-11-29")!))
        let both = try Verifier.verify(path: path)
        #expect(both.ok && both.exchangesReadBeside)
        let one = try Verifier.verify(path: path, parallel: false)
        #expect(one.ok && !one.exchangesReadBeside, "the server verifies on one thread and one connection")
    }

    /// A row that differs makes the prints differ; the rows are then read again one by one and
    /// the finding is the one the single-threaded verify gives.
    @Test(arguments: [
        "UPDATE exchanges SET what = 'iets anders' WHERE num = 40",
        "UPDATE exchanges SET updated_seq = updated_seq + 1 WHERE num = 41",
        "UPDATE exchange_parties SET consented = 1 - consented WHERE exchange = (SELECT MIN(num) FROM exchanges WHERE state = 'proposed')",
        "DELETE FROM exchange_links WHERE exchange = (SELECT MIN(exchange) FROM exchange_links)",
        "INSERT INTO exchange_parties(exchange, member, role, position, consented) SELECT MAX(num) + 1, 'pool', 'receiver', 0, 1 FROM exchanges",
        "DELETE FROM exchanges WHERE num = (SELECT MAX(num) FROM exchanges WHERE num NOT IN (SELECT exchange FROM transfers WHERE exchange IS NOT NULL))",
    ])
    func aChangedRowIsFoundRowByRow(sql: String) throws {
        let dir = TempDir("beside-tamper"); defer { dir.remove() }
        let path = dir.file("d.sqlite")
        _ = try DemoCommunity.build(at: path, options: DemoOptions(members: 200, months: 4, endDay: Day(iso: "2026-11-29")!))
        let db = try Connection(path: path)
        try db.execute(sql)
        #expect(db.changes >= 1, "\(sql) changed nothing")
        let both = try Verifier.verify(path: path)
        let one = try Verifier.verify(path: path, parallel: false)
        #expect(!both.ok && !both.exchangesReadBeside, "\(sql): \(String(describing: both.divergence))")
        #expect(both.divergence?.seq == one.divergence?.seq && both.divergence?.reason == one.divergence?.reason,
                "\(sql): \(String(describing: both.divergence)) against \(String(describing: one.divergence))")
    }

    /// A commit between the second connection's first reading and the replay's snapshot: the
    /// two would not see the same rows, so the second connection is not used.
    @Test func aCommitBetweenTheTwoSnapshotsLeavesTheRowsToTheReplay() throws {
        let dir = TempDir("beside-commit"); defer { dir.remove() }
        let path = dir.file("l.sqlite")
        let clock = TestClock()
        let ledger = try fixtureLedger(at: path, clock: clock)
        func record() throws {
            _ = try ledger.execute(.record(ExchangeDraft(providers: ["an"], receivers: ["bram"], kind: .time, domain: "care", what: "hulp",
                                                         credits: .hours(1)), reason: nil), by: .coordinator)
        }
        for _ in 0..<3 { try record() }

        // A write in between: refused.
        let late = try #require(ExchangeRowPrints(path: path))
        try record()
        let replay = try Connection(path: path)
        try replay.execute("BEGIN")
        #expect(try replay.scalarInt("SELECT COUNT(*) FROM exchanges") == 4)
        #expect(!late.start())
        try replay.execute("COMMIT")

        // A write after the replay's snapshot began, before the second one's: refused too.
        let after = try #require(ExchangeRowPrints(path: path))
        try replay.execute("BEGIN")
        #expect(try replay.scalarInt("SELECT COUNT(*) FROM exchanges") == 4)
        try record()
        #expect(!after.start())
        try replay.execute("COMMIT")

        // No write in between: the same snapshot, kept while the writer goes on.
        let side = try #require(ExchangeRowPrints(path: path))
        try replay.execute("BEGIN")
        #expect(try replay.scalarInt("SELECT COUNT(*) FROM exchanges") == 5)
        #expect(side.start())
        try record()
        #expect(side.wait()?.count == 5)
        #expect(try replay.scalarInt("SELECT COUNT(*) FROM exchanges") == 5)
        try replay.execute("COMMIT")
        #expect(try Verifier.verify(path: path).exchangesReadBeside)
    }
}
