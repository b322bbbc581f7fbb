import KringCore

/// The first storage error a `SQLiteView` met. The rules' view of the ledger cannot throw, so
/// a failed read answers "nothing" and is recorded here; the writer then fails the command as a
/// storage error instead of trusting a decision taken on a read that failed.
final class StorageFault {
    var error: StoreError?
    func record(_ e: StoreError) { if error == nil { error = e } }
}

/// Members already read by one view: a decision looks at each party several times (status,
/// limits, warnings), and nothing changes while it decides.
final class MemberMemo {
    var members: [String: MemberState?] = [:]
}

/// The ledger as the rules see it, read from the projections inside the write transaction.
/// A view serves one decision: it remembers the members it read.
struct SQLiteView: LedgerView {
    let db: Connection
    let policy: Policy
    let fault = StorageFault()
    private let memo = MemberMemo()

    /// Runs a read; a storage error is recorded in `fault` and the read answers `fallback`.
    private func guarded<T>(_ fallback: T, _ read: () throws(StoreError) -> T) -> T {
        do {
            return try read()
        } catch {
            fault.record(error)
            return fallback
        }
    }

    /// The next number of a table's `num` counter.
    private func next(_ table: String) -> Int64 {
        guarded(0) { () throws(StoreError) in (try db.scalarInt("SELECT MAX(num) FROM \(table)") ?? 0) + 1 }
    }

    func member(_ id: String) -> MemberState? {
        if let known = memo.members[id] { return known }
        let found = guarded(nil) { () throws(StoreError) -> MemberState? in
            let s = try db.cached(SQLiteView.memberByID)
            defer { s.reset() }
            try s.bind([.text(id)])
            return try s.step() ? SQLiteView.memberState(s) : nil
        }
        if fault.error == nil { memo.members[id] = .some(found) }
        return found
    }

    static let memberByID = "SELECT \(memberColumns) WHERE m.id = ?"

    /// The columns `memberState` reads, with their FROM clause.
    static let memberColumns = """
        m.id, m.name, m.kind, m.status, m.neighbourhood, m.domains, m.joined, m.floor_override, m.ceiling_override, a.balance, a.given
        FROM members m JOIN accounts a ON a.member = m.id
        """

    /// A member from a row of `memberColumns`.
    static func memberState(_ s: Statement) -> MemberState {
        MemberState(
            info: MemberInfo(id: s.text(0), name: s.text(1), kind: MemberKind(rawValue: s.text(2)) ?? .person, neighbourhood: s.optionalText(4),
                             domains: s.text(5).split(separator: ",").map(String.init), joined: Day(iso: s.text(6)) ?? Day(0)),
            status: MemberStatus(rawValue: s.text(3)) ?? .suspended, balance: Minutes(s.int(9)), given: Minutes(s.int(10)),
            floorOverride: s.optionalInt(7).map(Minutes.init), ceilingOverride: s.optionalInt(8).map(Minutes.init))
    }

    func exchange(_ id: String) -> ExchangeRecord? { guarded(nil) { () throws(StoreError) in try SQLiteView.exchange(id, db: db) } }

    static func exchange(_ id: String, db: Connection) throws(StoreError) -> ExchangeRecord? {
        let num = ExchangeNumber.parse(id)
        guard num > 0 else { return nil }
        let s = try db.cached("""
            SELECT proposer, kind, domain, what, credits, quantity, date, expires_at, state, recorded, reversal_reason, links
            FROM exchanges WHERE num = ?
            """)
        try s.bind([.int(num)])
        defer { s.reset() }
        guard try s.step() else { return nil }
        var providers = [String](), receivers = [String](), consents = [String]()
        let parties = try db.cached("SELECT member, role, consented FROM exchange_parties WHERE exchange = ? ORDER BY position")
        try parties.bind([.int(num)])
        while try parties.step() {
            if parties.text(1) == "provider" { providers.append(parties.text(0)) } else { receivers.append(parties.text(0)) }
            if parties.int(2) == 1 { consents.append(parties.text(0)) }
        }
        parties.reset()
        let info = ExchangeInfo(id: id, proposer: s.optionalText(0), providers: providers, receivers: receivers,
                                kind: ExchangeKind(rawValue: s.text(1)) ?? .time, domain: s.text(2), what: s.text(3),
                                credits: Minutes(s.int(4)), quantity: s.int(5), date: Day(iso: s.text(6)) ?? Day(0), expiresAt: s.optionalInt(7),
                                links: s.text(11).split(separator: ",").map(String.init))
        return ExchangeRecord(info: info, state: ExchangeState(rawValue: s.text(8)) ?? .proposed, consents: consents.sorted(),
                              recorded: s.int(9) == 1, reversalReason: s.optionalText(10))
    }

    func pairMinutes(_ a: String, _ b: String, since: Day) -> Minutes {
        let sql = """
            SELECT COALESCE(SUM(t.minutes), 0) FROM transfers t JOIN exchanges e ON e.num = t.exchange
            WHERE t.kind = 'exchange' AND e.state = 'confirmed' AND t.day >= ?
              AND ((t.payer = ? AND t.payee = ?) OR (t.payer = ? AND t.payee = ?))
            """
        return guarded(.zero) { () throws(StoreError) in Minutes(try db.scalarInt(sql, .int(since.number), .text(a), .text(b), .text(b), .text(a)) ?? 0) }
    }

    func openExchanges(of member: String) -> [String] {
        var out = [String]()
        do {
            let s = try db.cached("""
                SELECT e.num FROM exchange_parties p JOIN exchanges e ON e.num = p.exchange
                WHERE p.member = ? AND e.state = 'proposed' ORDER BY e.num
                """)
            defer { s.reset() }
            try s.bind([.text(member)])
            while try s.step() { out.append(ExchangeNumber.id(s.int(0))) }
        } catch {
            fault.record(error)
        }
        return out
    }

    func listing(_ id: String) -> ListingRecord? { guarded(nil) { () throws(StoreError) in try SQLiteView.listing(id, db: db) } }

    static func listing(_ id: String, db: Connection) throws(StoreError) -> ListingRecord? {
        let s = try db.cached("""
            SELECT side, author, kind, domain, title, text, place, availability, expires, version, state, fulfilled_by, challenge FROM listings WHERE num = ?
            """)
        defer { s.reset() }
        try s.bind([.int(ListingInfo.number(id))])
        guard try s.step(), let side = ListingSide(rawValue: s.text(0)), id.hasPrefix(side.prefix) else { return nil }
        let info = ListingInfo(id: id, side: side, author: s.text(1), kind: ExchangeKind(rawValue: s.text(2)) ?? .time, domain: s.text(3),
                               title: s.text(4), text: s.text(5), place: s.optionalText(6), availability: s.optionalText(7),
                               expires: Day(s.int(8)), version: s.int(9), challenge: s.optionalText(12))
        return ListingRecord(info: info, withdrawn: s.text(10) == "withdrawn", fulfilledBy: s.optionalInt(11).map(ExchangeNumber.id))
    }

    var nextListingNumber: Int64 { next("listings") }

    func loan(_ id: String) -> LoanRecord? { guarded(nil) { () throws(StoreError) in try SQLiteView.loan(id, db: db) } }

    static func loan(_ id: String, db: Connection) throws(StoreError) -> LoanRecord? {
        let s = try db.cached("SELECT lender, borrower, what, offer, lent, due, returned FROM loans WHERE num = ?")
        defer { s.reset() }
        try s.bind([.int(LoanInfo.number(id))])
        guard try s.step() else { return nil }
        let info = LoanInfo(id: id, lender: s.text(0), borrower: s.text(1), what: s.text(2), offer: s.optionalText(3), lent: Day(s.int(4)), due: Day(s.int(5)))
        return LoanRecord(info: info, returned: s.optionalInt(6).map { Day($0) })
    }

    var nextLoanNumber: Int64 { next("loans") }

    func spaceHours(_ offer: String) -> SpaceHours? { guarded(nil) { () throws(StoreError) in try SQLiteView.spaceHours(offer, db: db) } }

    static func spaceHours(_ offer: String, db: Connection) throws(StoreError) -> SpaceHours? {
        guard let text = try db.scalarText("SELECT hours FROM spaces WHERE offer = ?", .int(ListingInfo.number(offer))) else { return nil }
        guard let json = try? JSON.parse(text), let h = SpaceHours(json: json) else { throw StoreError("the hours of \(offer) are unreadable") }
        return h
    }

    func booking(_ id: String) -> BookingRecord? {
        guarded(nil) { () throws(StoreError) in
            try SQLiteView.bookingRows(db, "SELECT num, offer, member, day, start, end, people, state, settled_by FROM bookings WHERE num = ?",
                                       [.int(BookingInfo.number(id))]).first
        }
    }

    func bookings(of offer: String, on day: Day) -> [BookingRecord] {
        guarded([]) { () throws(StoreError) in
            try SQLiteView.bookingRows(db, "SELECT num, offer, member, day, start, end, people, state, settled_by FROM bookings WHERE offer = ? AND day = ? ORDER BY num",
                                       [.int(ListingInfo.number(offer)), .int(day.number)])
        }
    }

    static func bookingRows(_ db: Connection, _ sql: String, _ args: [SQLValue]) throws(StoreError) -> [BookingRecord] {
        let s = try db.cached(sql)
        defer { s.reset() }
        try s.bind(args)
        var out = [BookingRecord]()
        while try s.step() {
            let info = BookingInfo(id: "bk-\(s.int(0))", offer: "of-\(s.int(1))", member: s.text(2), date: Day(s.int(3)), start: s.int(4),
                                   end: s.int(5), people: s.int(6))
            out.append(BookingRecord(info: info, cancelled: s.text(7) == "cancelled", settledBy: s.optionalInt(8).map(ExchangeNumber.id)))
        }
        return out
    }

    var nextBookingNumber: Int64 { next("bookings") }

    func challenge(_ id: String) -> ChallengeRecord? { guarded(nil) { () throws(StoreError) in try SQLiteView.challenge(id, db: db) } }

    static func challenge(_ id: String, db: Connection) throws(StoreError) -> ChallengeRecord? {
        let n = ChallengeInfo.number(id)
        let s = try db.cached("SELECT author, title, text, domains, ends, state FROM challenges WHERE num = ?")
        defer { s.reset() }
        try s.bind([.int(n)])
        guard try s.step() else { return nil }
        let info = ChallengeInfo(id: id, author: s.text(0), title: s.text(1), text: s.text(2), domains: s.text(3).split(separator: ",").map(String.init),
                                 ends: Day(s.int(4)))
        let m = try db.cached("SELECT member FROM challenge_members WHERE challenge = ? ORDER BY seq")
        defer { m.reset() }
        try m.bind([.int(n)])
        var members = [String]()
        while try m.step() { members.append(m.text(0)) }
        return ChallengeRecord(info: info, members: members, closed: s.text(5) == "closed")
    }

    var nextChallengeNumber: Int64 { next("challenges") }

    var nextExchangeNumber: Int64 { next("exchanges") }
}
