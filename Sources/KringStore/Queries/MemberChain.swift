import KringCore

/// A member's rows of a table, newest first, along the chain each row keeps to the same
/// member's previous one (`prev`), from the last one their account names. Two tables are read
/// so (schema 12), instead of through an index by member, each of whose entries cost the
/// writer a page of the WAL:
/// - postings, by their id, from `accounts.last_posting` (`MemberChain.postings`);
/// - exchange parties, by their exchange, from `accounts.last_exchange` (`MemberChain.exchangeNumbers`).
///
/// Each step reads one row with the walk's statement, whose parameters are the row's link
/// (`?1`) and the member (`?2`), and whose first column is the row's `prev`; the other columns
/// are the caller's, readable from `row` until the next step. A chain that leads to a row that
/// is not the member's, or not to an older one, is an integrity error: the walk always ends.
final class MemberChain {
    let member: MemberID
    /// What the links name, for errors: "posting" or "exchange".
    let noun: String
    /// The statement the steps read with.
    let row: Statement
    /// The link the next step reads; nil at the chain's start.
    private(set) var next: Int64?
    /// The link of the row the last step read.
    private(set) var current: Int64 = 0

    /// A walk from the row `last` (nil when the member has none).
    init(of member: MemberID, _ noun: String, from last: Int64?, reading row: Statement) {
        self.member = member
        self.noun = noun
        self.row = row
        next = last
    }

    /// A walk of a member's postings, from their account's last; nil when there is no account.
    /// The statement's `?1` is a posting's id, `?2` its member.
    static func postings(of member: MemberID, reading sql: String, db: Connection) throws(StoreError) -> MemberChain? {
        guard let last = try link("SELECT last_posting FROM accounts WHERE member = ?", of: member, db: db) else { return nil }
        return MemberChain(of: member, "posting", from: last, reading: try db.cached(sql))
    }

    /// The numbers of the exchanges `member` is a party to, newest first: those in `state`
    /// (any when nil) numbered below `before` (any when nil), at most `limit`; nil when there
    /// is no account. A page after an exchange of the member's starts at the exchange that
    /// one names as the member's previous; any other `before` is found by walking from the last.
    static func exchangeNumbers(of member: MemberID, state: ExchangeState?, before: Int64?, limit: Int, db: Connection) throws(StoreError) -> [Int64]? {
        guard var start = try link("SELECT last_exchange FROM accounts WHERE member = ?", of: member, db: db) else { return nil }
        if let before {
            let s = try db.cached("SELECT prev FROM exchange_parties WHERE exchange = ?1 AND member = ?2")
            defer { s.reset() }
            try s.bind([.int(before), .id(member)])
            if try s.step() { start = s.optionalInt(0) }
        }
        let chain = MemberChain(of: member, "exchange", from: start, reading: try db.cached("""
            SELECT p.prev, e.state FROM exchange_parties p JOIN exchanges e ON e.num = p.exchange WHERE p.exchange = ?1 AND p.member = ?2
            """))
        defer { chain.finish() }
        var out = [Int64]()
        while out.count < limit, try chain.step() {
            if let before, chain.current >= before { continue }
            if let state, !chain.row.textEquals(1, state.rawValue) { continue }
            out.append(chain.current)
        }
        return out
    }

    /// The account's link to its last row: nil without an account, `.some(nil)` without rows.
    private static func link(_ sql: String, of member: MemberID, db: Connection) throws(StoreError) -> Int64?? {
        let s = try db.cached(sql)
        defer { s.reset() }
        try s.bind([.id(member)])
        return try s.step() ? .some(s.optionalInt(0)) : nil
    }

    /// Reads the next row into `row` (its link in `current`); false when the chain is walked
    /// to its start.
    func step() throws(StoreError) -> Bool {
        row.reset()
        guard let link = next else { return false }
        try row.bind([.int(link), .id(member)])
        guard try row.step() else {
            throw StoreError("the chain of \(member)'s \(noun)s leads to \(noun) \(link), which is not theirs", integrity: true)
        }
        if row.isNull(0) {
            next = nil
        } else {
            let prev = row.int(0)
            guard prev < link else { throw StoreError("\(noun) \(link) of \(member) names \(noun) \(prev) as their previous", integrity: true) }
            next = prev
        }
        current = link
        return true
    }

    /// Ends the walk and releases its statement's read.
    func finish() {
        next = nil
        row.reset()
    }
}
