/// A second read connection that sees the very commit another connection's read transaction
/// sees, so work on that snapshot can be split between two threads (`verify` reads the
/// exchanges beside the replay; `kring stats` reads the postings beside the other facts).
///
/// SQLite here has no snapshot API (`sqlite3_snapshot_open`). Instead the twin reads
/// `PRAGMA data_version` when it is opened, before the other connection's transaction begins,
/// and again inside its own transaction, begun after the other one has read something (its
/// snapshot is taken at its first read). The value changes whenever another connection commits,
/// so equal values mean no commit fell between the two readings, and both transactions see the
/// same commit. Unequal, `begin` says no and the caller does the work on its own connection.
final class SnapshotTwin: @unchecked Sendable {
    let db: Connection
    private let before: Int64

    /// Opens the twin; call before the other connection's read transaction begins.
    init?(path: String) {
        // It reads its pages once, in order: a small page cache will do (SQLite's default is 2 MiB).
        guard let db = try? Connection(path: path), (try? db.execute("PRAGMA query_only = 1; PRAGMA cache_size = -256")) != nil,
              let v = try? db.scalarInt("PRAGMA data_version") else { return nil }
        (self.db, before) = (db, v)
    }

    /// Begins the twin's read transaction; true if it sees the other connection's commit (whose
    /// transaction must have read something by now). False leaves no transaction open.
    func begin() -> Bool {
        do {
            try db.execute("BEGIN")
            _ = try db.scalarInt("SELECT COUNT(*) FROM policies")
            guard try db.scalarInt("PRAGMA data_version") == before else {
                end()
                return false
            }
            return true
        } catch {
            end()
            return false
        }
    }

    /// Ends the twin's read transaction.
    func end() {
        try? db.execute("COMMIT")
    }
}
