import Foundation
import Testing
import KringCore
@testable import KringStore
import KringTestSupport

/// The bulk loader checks the rows it wrote against the schema's CHECKs once, at the end, on a
/// second connection while its own builds the indexes. The indexes commit only if the checks
/// pass.
@Suite struct BulkLoaderTests {
    /// Loads three members into `path` and finishes.
    private func load(_ path: String) throws -> LedgerHead {
        let loader = try BulkLoader(path: path, genesisAt: TestClock().now)
        for handle in ["anna", "bert", "cafe-oost"] {
            let draft = MemberDraft(id: MemberID(canonical: handle)!, name: handle, kind: .person, neighbourhood: "Oost", domains: ["care"])
            guard case .success = try loader.execute(.addMember(draft), by: .coordinator, at: TestClock().now) else {
                Issue.record("\(handle) was refused")
                continue
            }
        }
        return try loader.finish()
    }

    private func indexes(_ db: Connection) throws -> Set<String> {
        Set(try db.strings("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"))
    }

    @Test func aFinishedLoadHasEveryIndexAndVerifies() throws {
        let dir = TempDir("bulk-ok"); defer { dir.remove() }
        let head = try load(dir.file("ledger.sqlite"))
        #expect(head.seq == 4)
        let db = try Connection(path: dir.file("ledger.sqlite"))
        #expect(try indexes(db).isSuperset(of: Schema.indexes.map(\.name)))
        #expect(try db.scalarText("PRAGMA journal_mode") == "wal")
        let report = try Verifier.verify(path: dir.file("ledger.sqlite"))
        #expect(report.divergence == nil)
        #expect(report.entries == 4)
    }

    /// A database without a file of its own cannot be opened a second time: the loader checks
    /// it on its own connection, and finishes.
    @Test func aLoadInMemoryFinishes() throws {
        #expect(try load(":memory:").seq == 4)
    }

    /// A row that breaks a CHECK (written here beforehand, with the checks switched off, since
    /// the loader writes only typed values) is found by the checking connection: `finish`
    /// throws, names the table and the count, and leaves the indexes uncommitted.
    @Test func aRowBreakingACheckStopsTheFinish() throws {
        let dir = TempDir("bulk-bad"); defer { dir.remove() }
        let path = dir.file("ledger.sqlite")
        do {
            let db = try Ledger.openConnection(path)
            try db.execute("PRAGMA ignore_check_constraints = ON")
            try db.execute("INSERT INTO members(id, name, kind, status, neighbourhood, domains, joined, added_seq) "
                           + "VALUES ('Not A Handle', 'x', 'person', 'active', NULL, '[]', '2026-01-01', 1)")
        }
        #expect {
            _ = try load(path)
        } throws: { error in
            guard let e = error as? StoreError else { return false }
            return e.kind == .integrity && e.message.contains("rows the ledger does not know") && e.message.contains("1 in members")
        }
        let db = try Connection(path: path)
        #expect(try indexes(db).isDisjoint(with: Schema.indexes.map(\.name)))
        // The rows were committed batch by batch before the checks; only the indexes wait on them.
        #expect(try db.scalarInt("SELECT COUNT(*) FROM members WHERE id IN ('anna', 'bert', 'cafe-oost', 'Not A Handle')") == 4)
    }
}
