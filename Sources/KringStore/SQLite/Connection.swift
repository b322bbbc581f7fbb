import CSQLite

/// A storage failure: SQLite said no, the file is not a Kring ledger, or what is stored does
/// not read as the ledger's own values. The CLI exits 3; the API answers 500.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// Where the failure lies.
    public enum Kind: Sendable, Equatable {
        /// SQLite returned an error (`code` is its result code).
        case sqlite
        /// The file: missing, not a Kring ledger, a newer schema, already holding a ledger.
        case file
        /// The ledger's content: a row or an entry that does not read as what it must be.
        case integrity
    }

    /// SQLite's result code, when SQLite raised it (0 otherwise).
    public let code: Int32
    public let kind: Kind
    public let message: String

    /// A failure of SQLite when `code` is not 0; else of the file, or of the ledger's content
    /// when `integrity` is set.
    public init(_ message: String, code: Int32 = 0, integrity: Bool = false) {
        self.message = message
        self.code = code
        kind = code != 0 ? .sqlite : integrity ? .integrity : .file
    }

    public var description: String { message }
}

let sqliteTransient = kring_sqlite_transient()

/// One SQLite connection. Not Sendable: it belongs to one owner (the writer, a reader, a
/// test), which serialises its use. Closing happens in `deinit`.
public final class Connection {
    let handle: OpaquePointer
    private var cache: [String: Statement] = [:]
    /// The same statements by where their SQL text lies: a statement's text is nearly always a
    /// literal, whose bytes stay at one address, so a lookup hashes one word instead of up to
    /// 200 bytes of text. A hit is confirmed by comparing the texts (equal at once for the same
    /// literal), so a text freed and another written at its address finds nothing wrong.
    private var byAddress: [Int: Statement] = [:]
    /// Most addresses kept: SQL built at run time lies somewhere new on every call.
    static let addressesKept = 256
    /// The SQL of every statement compiled so far (tests read their query plans).
    var cachedSQL: [String] { Array(cache.keys) }
    /// Where the database lives.
    public let path: String
    /// SQLite configured once, before the first connection: no memory statistics (a mutex
    /// every thread takes on every allocation).
    private static let configured: Void = { _ = kring_sqlite_configure() }()

    /// Opens (and creates, unless `readOnly`) the database at `path`.
    public init(path: String, readOnly: Bool = false) throws(StoreError) {
        _ = Connection.configured
        var db: OpaquePointer?
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let msg = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw StoreError("cannot open \(path): \(msg)", code: rc)
        }
        handle = db
        self.path = path
        sqlite3_busy_timeout(db, 10_000)
        sqlite3_extended_result_codes(db, 1)
    }

    deinit {
        byAddress.removeAll()
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements without results.
    public func execute(_ sql: String) throws(StoreError) {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let msg = err.map { String(cString: $0) }
            sqlite3_free(err)
            throw failure(rc, msg)
        }
    }

    /// Runs a statement without results through the statement cache (BEGIN, COMMIT,
    /// SAVEPOINT…: `execute` would compile their text again on every call).
    public func run(_ sql: String) throws(StoreError) {
        let s = try cached(sql)
        defer { s.reset() }
        try s.step()
    }

    /// A prepared statement, compiled once per connection and reused.
    public func cached(_ sql: String) throws(StoreError) -> Statement {
        // Short texts (BEGIN, COMMIT) live inside the string itself, not at an address of their own.
        let address = sql.utf8.count > 15 ? sql.utf8.withContiguousStorageIfAvailable { Int(bitPattern: $0.baseAddress) } ?? 0 : 0
        if address != 0, let s = byAddress[address], s.sql == sql {
            s.reset()
            return s
        }
        let s: Statement
        if let found = cache[sql] {
            found.reset()
            s = found
        } else {
            s = try prepare(sql)
            cache[sql] = s
        }
        if address != 0 {
            if byAddress.count >= Connection.addressesKept { byAddress.removeAll(keepingCapacity: true) }
            byAddress[address] = s
        }
        return s
    }

    /// A new prepared statement.
    public func prepare(_ sql: String) throws(StoreError) -> Statement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw StoreError("\(lastError) in: \(sql)", code: rc) }
        return Statement(stmt, sql: sql, connection: self)
    }

    var lastError: String { String(cString: sqlite3_errmsg(handle)) }

    /// The failure SQLite reported with `rc`. When it lies with the file (an I/O error, a full
    /// disk, a file it cannot open or write), the message names the file and the extended
    /// code: "disk I/O error" alone does not tell an operator where to look.
    func failure(_ rc: Int32, _ message: String? = nil) -> StoreError {
        let text = message ?? lastError
        switch rc & 0xff {
        case SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_READONLY:
            return StoreError("\(text) (\(path), SQLite result code \(rc))", code: rc)
        default:
            return StoreError(text, code: rc)
        }
    }

    /// Whether a transaction is open on this connection.
    public var inTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Rows changed by every statement since the connection opened (a cheap "did anything
    /// write" check).
    public var totalChanges: Int64 { Int64(sqlite3_total_changes64(handle)) }

    /// Pages this connection's cache has written out since it opened: in WAL mode, the frames
    /// each COMMIT appends to the WAL (SQLite's `SQLITE_DBSTATUS_CACHE_WRITE`; a checkpoint's
    /// copies into the database are not counted).
    public var pagesWritten: Int64 {
        var current: Int32 = 0, highest: Int32 = 0
        sqlite3_db_status(handle, SQLITE_DBSTATUS_CACHE_WRITE, &current, &highest, 0)
        return Int64(current)
    }

    /// Rows changed by the last statement.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// The first column of the first row, as text (nil when no row or NULL).
    public func scalarText(_ sql: String, _ args: SQLValue...) throws(StoreError) -> String? {
        let s = try cached(sql)
        defer { s.reset() }
        try s.bind(args)
        guard try s.step() else { return nil }
        return s.optionalText(0)
    }

    /// The first column of the first row, as an integer (nil when no row or NULL).
    /// The first column of every row, as text.
    public func strings(_ sql: String, _ args: SQLValue...) throws(StoreError) -> [String] {
        let s = try prepare(sql)
        try s.bind(args)
        var out = [String]()
        while try s.step() { out.append(s.text(0)) }
        return out
    }

    public func scalarInt(_ sql: String, _ args: SQLValue...) throws(StoreError) -> Int64? {
        let s = try cached(sql)
        defer { s.reset() }
        try s.bind(args)
        guard try s.step() else { return nil }
        return s.isNull(0) ? nil : s.int(0)
    }
}

/// A value bound to a statement parameter.
public enum SQLValue: Sendable {
    case int(Int64)
    case text(String)
    case blob([UInt8])
    /// Text given as its UTF-8 bytes.
    case utf8([UInt8])
    case null

    /// An optional integer, NULL when nil.
    public static func int(_ v: Int64?) -> SQLValue { v.map { .int($0) } ?? .null }
    /// An optional text, NULL when nil.
    public static func text(_ v: String?) -> SQLValue { v.map { .text($0) } ?? .null }
}

/// A prepared statement: bind, step, read columns. Values are always bound, never spliced
/// into SQL text.
public final class Statement {
    let stmt: OpaquePointer
    /// The text it was compiled from.
    let sql: String
    unowned let connection: Connection

    init(_ stmt: OpaquePointer, sql: String, connection: Connection) {
        self.stmt = stmt
        self.sql = sql
        self.connection = connection
    }

    deinit { sqlite3_finalize(stmt) }

    /// Resets the statement for another run and clears its bindings.
    public func reset() {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    /// Binds values to parameters 1…n.
    public func bind(_ values: [SQLValue]) throws(StoreError) {
        for (i, v) in values.enumerated() {
            let idx = Int32(i + 1)
            let rc: Int32
            switch v {
            case .int(let n): rc = sqlite3_bind_int64(stmt, idx, n)
            case .text(var s):
                // The string's own UTF-8 with its length: no C string made of it, no strlen.
                rc = s.withUTF8 { u in
                    guard let p = u.baseAddress else { return sqlite3_bind_text(stmt, idx, "", 0, sqliteTransient) }
                    return sqlite3_bind_text(stmt, idx, UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self), Int32(u.count), sqliteTransient)
                }
            case .blob(let b): rc = b.withUnsafeBytes { sqlite3_bind_blob(stmt, idx, $0.baseAddress, Int32(b.count), sqliteTransient) }
            case .utf8(let b): rc = b.withUnsafeBytes { sqlite3_bind_text(stmt, idx, $0.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(b.count), sqliteTransient) }
            case .null: rc = sqlite3_bind_null(stmt, idx)
            }
            guard rc == SQLITE_OK else { throw StoreError(connection.lastError, code: rc) }
        }
    }

    /// Advances; true when a row is available.
    @discardableResult
    public func step() throws(StoreError) -> Bool {
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw connection.failure(rc)
    }

    /// Binds, runs to completion, and resets.
    public func run(_ values: SQLValue...) throws(StoreError) {
        sqlite3_reset(stmt)
        // Bindings left from the last run are cleared only when these values do not replace
        // them all.
        if values.count != Int(sqlite3_bind_parameter_count(stmt)) { sqlite3_clear_bindings(stmt) }
        try bind(values)
        while try step() {}
        sqlite3_reset(stmt)
    }

    public func int(_ col: Int32) -> Int64 { sqlite3_column_int64(stmt, col) }
    public func isNull(_ col: Int32) -> Bool { sqlite3_column_type(stmt, col) == SQLITE_NULL }
    public func optionalInt(_ col: Int32) -> Int64? { isNull(col) ? nil : int(col) }
    public func text(_ col: Int32) -> String {
        guard let p = sqlite3_column_text(stmt, col) else { return "" }
        return String(cString: p)
    }
    public func optionalText(_ col: Int32) -> String? { isNull(col) ? nil : text(col) }
    /// Whether the column's text is `s`, byte for byte (a NUL inside included), without making
    /// a string of it.
    public func textEquals(_ col: Int32, _ s: String) -> Bool {
        guard let p = sqlite3_column_text(stmt, col) else { return false }
        let n = Int(sqlite3_column_bytes(stmt, col))
        var s = s
        return s.withUTF8 { u in
            guard u.count == n else { return false }
            for k in 0..<n where u[k] != p[k] { return false }
            return true
        }
    }
    public func blob(_ col: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(stmt, col))
        guard n > 0, let p = sqlite3_column_blob(stmt, col) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }
    /// The column's bytes in place, as text (`text: true`) or as a blob: valid only until the
    /// statement steps or resets, so for copying at once.
    func columnBytes(_ col: Int32, text: Bool) -> UnsafeRawBufferPointer {
        let p = text ? UnsafeRawPointer(sqlite3_column_text(stmt, col)) : sqlite3_column_blob(stmt, col)
        let n = Int(sqlite3_column_bytes(stmt, col))
        guard let p, n > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: p, count: n)
    }
    /// The column's bytes as text would be stored (for hashing exactly what is on disk).
    public func textBytes(_ col: Int32) -> [UInt8] {
        guard let p = sqlite3_column_text(stmt, col) else { return [] }
        let n = Int(sqlite3_column_bytes(stmt, col))
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }
}

/// The rowid of the last insert on `db`.
func sqlite3LastInsertRowID(_ db: Connection) -> Int64 { sqlite3_last_insert_rowid(db.handle) }

/// A REAL column.
func sqlite3Double(_ s: Statement, _ col: Int32) -> Double { sqlite3_column_double(s.stmt, col) }
