import Foundation
import KringCore
import Testing
@testable import KringStore

/// Values bound to statements arrive whole: text from the string's UTF-8 with its length (empty
/// text is text, not NULL; a NUL byte does not end it), and a statement run again with fewer
/// values does not keep the last run's.
struct StatementBindTests {
    @Test("text, empty text, multi-byte letters and a NUL byte are stored as given; a shorter run leaves no value behind")
    func valuesArriveWhole() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bind-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try Connection(path: path)
        try db.execute("CREATE TABLE t(n INTEGER PRIMARY KEY, a, b)")
        let insert = try db.cached("INSERT INTO t(n, a, b) VALUES (?, ?, ?)")
        let texts = ["", "zoë", "a\u{0}b", String(repeating: "é", count: 300), "vzw-repair-cafe-west"]
        for (i, s) in texts.enumerated() { try insert.run(.int(Int64(i)), .text(s), .text(s)) }
        let read = try db.cached("SELECT hex(a), typeof(a), length(CAST(a AS BLOB)) FROM t WHERE n = ?")
        for (i, s) in texts.enumerated() {
            try read.bind([.int(Int64(i))])
            #expect(try read.step())
            #expect(read.text(1) == "text", "\(s.debugDescription) is text, not NULL")
            #expect(read.int(2) == Int64(s.utf8.count), "\(s.debugDescription) keeps all \(s.utf8.count) bytes")
            #expect(read.text(0) == s.utf8.map { String(format: "%02X", $0) }.joined())
            read.reset()
        }
        // The same statement with two of its three values: the third is NULL, not "zoë".
        try insert.run(.int(10), .text("x"))
        #expect(try db.scalarInt("SELECT b IS NULL FROM t WHERE n = 10") == 1)
    }

    @Test("a kind, status or state is read from its column's bytes: each case's text exactly; anything else, a NUL inside or NULL is an integrity error naming the value")
    func enumerationsReadExactly() throws {
        let db = try Connection(path: ":memory:")
        try db.execute("CREATE TABLE t(n INTEGER PRIMARY KEY, v)")
        let insert = try db.cached("INSERT INTO t(n, v) VALUES (?, ?)")
        let read = try db.cached("SELECT v FROM t WHERE n = ?")
        func kind(_ value: SQLValue) throws(StoreError) -> MemberKind {
            try db.execute("DELETE FROM t")
            try insert.run(.int(1), value)
            try read.bind([.int(1)])
            defer { read.reset() }
            _ = try read.step()
            return try read.value(0)
        }
        for k in MemberKind.allCases { #expect(try kind(.text(k.rawValue)) == k) }
        for bad in ["", "persons", "perso", "Person", "person\u{0}x", "company ", "pool\u{0}"] {
            #expect(throws: StoreError.self, "\(bad.debugDescription)") { try kind(.text(bad)) }
        }
        #expect(throws: StoreError.self) { try kind(.null) }
        do { _ = try kind(.text("alien")); Issue.record("alien was read as a kind") } catch { #expect(error.description.contains("\"alien\", not a known MemberKind")) }
    }

    @Test("a cached statement is the one its text names, also when texts built at run time come and go at one address")
    func cachedStatementsFollowTheirText() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cache-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try Connection(path: path)
        // Each text is built for one call and freed after it, so the allocator hands the next
        // text of its size the same address: a statement found by that address alone would
        // answer the number of the text before. Texts of equal length, known and new ones in
        // turn, and more of them than the addresses kept, so the table is cleared on the way.
        func value(_ n: Int) throws -> Int64? { try db.scalarInt("SELECT \(n) AS n, 'long enough to live outside the string itself'") }
        for round in 0..<3 {
            for j in 0..<Connection.addressesKept {
                #expect(try value(100_000) == 100_000)
                #expect(try value(100_001 + j) == Int64(100_001 + j), "round \(round)")
            }
        }
        // A literal is found again, and answers its own value.
        for _ in 0..<3 { #expect(try db.scalarInt("SELECT 41 + 1 AS answer, 'a literal text'") == 42) }
    }
}
