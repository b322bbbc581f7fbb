import Foundation
@testable import KringHTTP
@testable import KringStore
import Testing

/// Tables that grow with the ledger: a statement run per request or per write must never scan
/// one of them whole.
let growingTables = ["journal", "exchanges", "exchange_parties", "transfers", "postings", "listings", "idempotency",
                     "api_tokens", "members", "accounts", "bookings", "loans", "exchange_links", "pledges", "challenge_members"]

/// Checks the query plan of every statement the API's writer and readers compiled while
/// serving: SQLite's planner picks plans at prepare time with parameters unbound, where it
/// can prefer walking a whole table in order to using an index (the sweep of due proposals
/// did, on every write, until this test).
func expectIndexedPlans(_ api: API, path: String) throws {
    let sql = Set(api.ledger.db.cachedSQL + api.readers.compiledSQL)
    #expect(sql.count > 40, "only \(sql.count) statements were compiled")
    let db = try Connection(path: path, readOnly: true)
    for text in sql where !text.hasPrefix("SAVEPOINT") && !text.hasPrefix("RELEASE") && !text.hasPrefix("ROLLBACK") {
        let s = try db.prepare("EXPLAIN QUERY PLAN " + text)
        var scans = [String]()
        // A walk of an index or the primary key in the order asked, stopped by a LIMIT, reads
        // only the rows it returns (the newest listings, the chain head, the coordinator's
        // newest exchanges).
        let bounded = text.range(of: #"ORDER BY [a-z_.]+( DESC)? LIMIT"#, options: .regularExpression) != nil
        while try s.step() {
            let detail = s.text(3)
            guard detail.hasPrefix("SCAN ") else { continue }
            if bounded && (detail.contains("USING INDEX") || detail.contains("USING COVERING INDEX") || !text.contains("WHERE")) { continue }
            let table = detail.dropFirst(5).split(separator: " ").first.map(String.init) ?? ""
            // Aliases: the table named in the statement's FROM clause after the alias.
            if growingTables.contains(table) || aliasTable(table, in: text).map(growingTables.contains) == true { scans.append(detail) }
        }
        #expect(scans.isEmpty, "\(text.replacingOccurrences(of: "\n", with: " ")) → \(scans)")
    }
}

/// The table `alias` stands for in `sql` (`FROM exchanges e` → exchanges).
func aliasTable(_ alias: String, in sql: String) -> String? {
    let words = sql.replacingOccurrences(of: "\n", with: " ").split(separator: " ").map(String.init)
    for i in words.indices.dropFirst() where words[i] == alias || words[i] == alias + "," { return words[i - 1] }
    return nil
}
