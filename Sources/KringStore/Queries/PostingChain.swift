import KringCore

/// A member's postings, newest first, along the chain each posting keeps to the same member's
/// previous one (`postings.prev`), from the last one their account names
/// (`accounts.last_posting`). No index of postings by member is kept: each of its entries cost
/// the writer a page of the WAL (schema 12).
///
/// Each step reads one posting by its id with the walk's statement, whose parameter `?1` is
/// the id and whose first two columns are the posting's member and `prev`; the other columns
/// are the caller's, readable from `row` until the next step. A chain that leaves its member,
/// or does not lead to older postings, is an integrity error: the walk always ends.
final class PostingChain {
    let member: MemberID
    /// The statement the steps read with.
    let row: Statement
    /// The posting the next step reads; nil at the chain's start.
    private(set) var next: Int64?

    /// A walk from the posting `last` (the account's `last_posting`; nil when it has none).
    init(of member: MemberID, from last: Int64?, reading row: Statement) {
        self.member = member
        self.row = row
        next = last
    }

    /// The id of a member's last posting, nil when they have none or no account.
    static func last(of member: MemberID, db: Connection) throws(StoreError) -> Int64? {
        let s = try db.cached("SELECT last_posting FROM accounts WHERE member = ?")
        defer { s.reset() }
        try s.bind([.id(member)])
        return try s.step() ? s.optionalInt(0) : nil
    }

    /// Reads the next posting into `row`; false when the chain is walked to its start.
    func step() throws(StoreError) -> Bool {
        row.reset()
        guard let id = next else { return false }
        try row.bind([.int(id)])
        guard try row.step() else { throw StoreError("the postings of \(member) lead to posting \(id), which does not exist", integrity: true) }
        guard row.textEquals(0, member.handle) else {
            throw StoreError("the postings of \(member) lead to posting \(id), which is \(row.text(0).prefix(60))'s", integrity: true)
        }
        if row.isNull(1) {
            next = nil
        } else {
            let prev = row.int(1)
            guard prev < id else { throw StoreError("posting \(id) of \(member) names posting \(prev) as its previous", integrity: true) }
            next = prev
        }
        return true
    }

    /// Ends the walk and releases its statement's read.
    func finish() {
        next = nil
        row.reset()
    }
}
