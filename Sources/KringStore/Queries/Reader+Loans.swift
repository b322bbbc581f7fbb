import KringCore

extension LoanRecord {
    public var json: JSON {
        .object(["id": .id(info.id), "lender": .id(info.lender), "borrower": .id(info.borrower), "what": .string(info.what),
                 "offer": .id(info.offer), "lent": .string(info.lent.description), "due": .string(info.due.description),
                 "returned": returned.map { .string($0.description) } ?? .null])
    }
}

extension Reader {
    /// One loan, or nil.
    public func loan(_ id: LoanID) throws(StoreError) -> LoanRecord? { try SQLiteView.loan(id, db: db) }

    /// Loans, newest first: all, or those a member lent or borrowed, or only those still out.
    public func loans(member: MemberID? = nil, outOnly: Bool = false, before: Int64? = nil, limit: Int = Reader.maxRows) throws(StoreError) -> [LoanRecord] {
        // A member's loans through the lender and borrower indexes; open loans through their
        // partial index (named, so the planner cannot prefer walking every loan by number).
        // Pages continue below the loan number `before`.
        let sql: String
        switch (member, outOnly) {
        case (nil, false): sql = "SELECT num FROM loans WHERE num < ?4 ORDER BY num DESC LIMIT ?3"
        case (nil, true): sql = "SELECT num FROM loans INDEXED BY loans_open WHERE returned IS NULL AND ?2 = 1 AND num < ?4 ORDER BY num DESC LIMIT ?3"
        default: sql = "SELECT num FROM loans WHERE (lender = ?1 OR borrower = ?1) AND (?2 = 0 OR returned IS NULL) AND num < ?4 ORDER BY num DESC LIMIT ?3"
        }
        return try loanRows(sql, [.text(member?.handle ?? ""), .int(outOnly ? 1 : 0), .int(Int64(max(0, min(limit, Reader.maxRows)))), .int(before ?? Int64.max)])
    }

    /// Loans not returned and past their due day on `today`, longest overdue first: the
    /// coordinator's list.
    public func overdueLoans(today: Day) throws(StoreError) -> [LoanRecord] {
        try loanRows("SELECT num FROM loans WHERE returned IS NULL AND due < ?1 ORDER BY due, num LIMIT ?2",
                     [.int(today.number), .int(Int64(Reader.maxRows))])
    }

    private func loanRows(_ sql: String, _ args: [SQLValue]) throws(StoreError) -> [LoanRecord] {
        let s = try db.cached(sql)
        try s.bind(args)
        var nums = [Int64]()
        while try s.step() { nums.append(s.int(0)) }
        s.reset()
        var out = [LoanRecord]()
        for n in nums { if let l = try loan(LoanID(uncheckedNumber: n)) { out.append(l) } }
        return out
    }
}
