import CSQLite
import KringCore

extension SQLValue {
    /// An id (or an actor) as text, written by its one formatter; nil is NULL.
    public static func id(_ v: (some CustomStringConvertible)?) -> SQLValue { v.map { .text($0.description) } ?? .null }
}

extension Statement {
    /// Where a value comes from, for errors: the table and column, and the row by the first
    /// column the statement reads (its key in the queries that read ids and states).
    func origin(_ col: Int32) -> String {
        func name(_ c: Int32) -> String {
            let table = sqlite3_column_table_name(stmt, c).map { String(cString: $0) }
            let column = sqlite3_column_origin_name(stmt, c).map { String(cString: $0) } ?? sqlite3_column_name(stmt, c).map { String(cString: $0) }
            return [table, column].compactMap { $0 }.joined(separator: ".")
        }
        let row = col == 0 ? "" : " in the row where \(name(0)) is \(isNull(0) ? "NULL" : "\"\(text(0).prefix(40))\"")"
        return "\(name(col))\(row)"
    }

    /// Text that must be there: NULL is an integrity error naming the column.
    public func requiredText(_ col: Int32) throws(StoreError) -> String {
        try requireText(col)
        return text(col)
    }

    /// Refuses NULL where text is required, naming the column.
    private func requireText(_ col: Int32) throws(StoreError) {
        guard !isNull(col) else { throw StoreError("\(origin(col)) is NULL where text is required", integrity: true) }
    }

    /// A canonical id; anything else is an integrity error naming the column and the value.
    public func id<T: JournalID>(_ col: Int32, _ type: T.Type = T.self) throws(StoreError) -> T {
        let s = try requiredText(col)
        guard let v = T(canonical: s) else { throw StoreError("\(origin(col)) holds \"\(s.prefix(60))\", which is not a canonical id", integrity: true) }
        return v
    }

    /// A canonical id or NULL.
    public func optionalID<T: JournalID>(_ col: Int32, _ type: T.Type = T.self) throws(StoreError) -> T? {
        isNull(col) ? nil : try id(col, T.self)
    }

    /// One of an enumeration's values (a kind, status or state); an unknown value is an
    /// integrity error, never a default. Compared with each case's text on the column's bytes,
    /// without making a string of them (a kind or state is read for nearly every row).
    public func value<T: RawRepresentable & CaseIterable>(_ col: Int32, _ type: T.Type = T.self) throws(StoreError) -> T where T.RawValue == String {
        try requireText(col)
        for c in T.allCases where textEquals(col, c.rawValue) { return c }
        throw StoreError("\(origin(col)) holds \"\(text(col).prefix(60))\", not a known \(T.self)", integrity: true)
    }

    /// `value(_:_:)` for an enumeration that does not list its cases.
    public func value<T: RawRepresentable>(_ col: Int32, _ type: T.Type = T.self) throws(StoreError) -> T where T.RawValue == String {
        let s = try requiredText(col)
        guard let v = T(rawValue: s) else { throw StoreError("\(origin(col)) holds \"\(s.prefix(60))\", not a known \(T.self)", integrity: true) }
        return v
    }

    /// A day written as `YYYY-MM-DD`.
    public func isoDay(_ col: Int32) throws(StoreError) -> Day {
        let s = try requiredText(col)
        guard let d = Day(iso: s) else { throw StoreError("\(origin(col)) holds \"\(s.prefix(60))\", not a date", integrity: true) }
        return d
    }

    /// A comma-separated list of canonical ids (empty text is an empty list).
    public func idList<T: JournalID>(_ col: Int32, _ type: T.Type = T.self) throws(StoreError) -> [T] {
        let s = try requiredText(col)
        var out = [T]()
        for part in s.split(separator: ",") {
            guard let v = T(canonical: part) else { throw StoreError("\(origin(col)) holds \"\(part.prefix(60))\", which is not a canonical id", integrity: true) }
            out.append(v)
        }
        return out
    }
}
