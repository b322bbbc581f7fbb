import CSQLite
import Foundation

/// Online backup through SQLite's backup API: a consistent copy of a live ledger, taken while
/// the server keeps writing (WAL lets the copy read one snapshot beside the writer).
public enum Backup {
    /// Copies the ledger at `source` to a new file `destination` (refused if it exists), then
    /// checks the copy's integrity with `PRAGMA integrity_check`. Returns the pages copied.
    @discardableResult
    public static func copy(from source: String, to destination: String) throws(StoreError) -> Int {
        guard FileManager.default.fileExists(atPath: source) else { throw StoreError("No ledger at \(source).") }
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw StoreError("\(destination) exists; a backup never overwrites a file.")
        }
        let from = try Connection(path: source, readOnly: true)
        let to = try Connection(path: destination)
        guard let backup = sqlite3_backup_init(to.handle, "main", from.handle, "main") else {
            throw StoreError("backup to \(destination) failed: \(to.lastError)")
        }
        // All pages in one step: one read snapshot of the source, however busy the writer is.
        let rc = sqlite3_backup_step(backup, -1)
        let pages = Int(sqlite3_backup_pagecount(backup))
        let finish = sqlite3_backup_finish(backup)
        guard rc == SQLITE_DONE, finish == SQLITE_OK else {
            try? FileManager.default.removeItem(atPath: destination)
            throw StoreError("backup to \(destination) failed: \(to.lastError)", code: rc)
        }
        let check = try to.scalarText("PRAGMA integrity_check")
        guard check == "ok" else { throw StoreError("the backup at \(destination) fails SQLite's integrity check: \(check ?? "?")") }
        return pages
    }
}
