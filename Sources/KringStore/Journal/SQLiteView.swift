import KringCore

/// Members already read by one view: a decision looks at each party several times (status,
/// limits, warnings), and nothing changes while it decides.
final class MemberMemo {
    var members: [MemberID: MemberState?] = [:]
}

/// The ledger as the rules see it, read from the projections inside the write transaction.
/// A view serves one decision: it remembers the members it read.
struct SQLiteView: LedgerView {
    let db: Connection
    let policy: Policy
    /// The writer's cache, when the view decides inside the writer's transaction.
    var cache: WriterCache? = nil
    private let memo = MemberMemo()

    /// Runs a read; a storage error becomes the decision's `Refusal.unreadable`, so no rule is
    /// judged on a read that failed.
    private func read<T>(_ body: () throws(StoreError) -> T) throws(Refusal) -> T {
        do {
            return try body()
        } catch {
            throw .unreadable(error)
        }
    }

    /// The next number of a table's `num` counter.
    private func next(_ table: String) throws(Refusal) -> Int64 {
        try read { () throws(StoreError) in (try db.scalarInt("SELECT MAX(num) FROM \(table)") ?? 0) + 1 }
    }

    func member(_ id: MemberID) throws(Refusal) -> MemberState? {
        if let known = memo.members[id] { return known }
        if let kept = cache?.member(id) {
            memo.members[id] = .some(kept)
            return kept
        }
        let found = try read { () throws(StoreError) in try SQLiteView.member(id, db: db) }
        memo.members[id] = .some(found)
        if let found { cache?.keep(found) }
        return found
    }

    static func member(_ id: MemberID, db: Connection) throws(StoreError) -> MemberState? {
        let s = try db.cached(SQLiteView.memberByID)
        defer { s.reset() }
        try s.bind([.id(id)])
        return try s.step() ? try SQLiteView.memberState(s) : nil
    }

    static let memberByID = "SELECT \(memberColumns) WHERE m.id = ?"

    /// The columns `memberState` reads, with their FROM clause.
    static let memberColumns = """
        m.id, m.name, m.kind, m.status, m.neighbourhood, m.domains, m.joined, m.floor_override, m.ceiling_override, a.balance, a.given
        FROM members m JOIN accounts a ON a.member = m.id
        """

    /// A member from a row of `memberColumns`.
    static func memberState(_ s: Statement) throws(StoreError) -> MemberState {
        MemberState(
            info: MemberInfo(id: try s.id(0), name: try s.requiredText(1), kind: try s.value(2), neighbourhood: s.optionalText(4),
                             domains: try s.requiredText(5).split(separator: ",").map(String.init), joined: try s.isoDay(6)),
            status: try s.value(3), balance: Minutes(s.int(9)), given: Minutes(s.int(10)),
            floorOverride: s.optionalInt(7).map(Minutes.init), ceilingOverride: s.optionalInt(8).map(Minutes.init))
    }

    func exchange(_ id: ExchangeID) throws(Refusal) -> ExchangeRecord? { try read { () throws(StoreError) in try SQLiteView.exchange(id, db: db) } }

    static func exchange(_ id: ExchangeID, db: Connection) throws(StoreError) -> ExchangeRecord? {
        let num = id.number
        let s = try db.cached("""
            SELECT proposer, kind, domain, what, credits, quantity, date, expires_at, state, recorded, reversal_reason, links
            FROM exchanges WHERE num = ?
            """)
        try s.bind([.int(num)])
        defer { s.reset() }
        guard try s.step() else { return nil }
        var providers = [MemberID](), receivers = [MemberID](), consents = [MemberID]()
        let parties = try db.cached("SELECT member, role, consented FROM exchange_parties WHERE exchange = ? ORDER BY position")
        try parties.bind([.int(num)])
        defer { parties.reset() }
        while try parties.step() {
            let m: MemberID = try parties.id(0)
            switch try parties.value(1, PartyRole.self) {
            case .provider: providers.append(m)
            case .receiver: receivers.append(m)
            }
            if parties.int(2) == 1 { consents.append(m) }
        }
        let info = ExchangeInfo(id: id, proposer: try s.optionalID(0), providers: providers, receivers: receivers,
                                kind: try s.value(1), domain: try s.requiredText(2), what: try s.requiredText(3),
                                credits: Minutes(s.int(4)), quantity: s.int(5), date: try s.isoDay(6), expiresAt: s.optionalInt(7),
                                links: try s.idList(11))
        return ExchangeRecord(info: info, state: try s.value(8), consents: consents.sorted(),
                              recorded: s.int(9) == 1, reversalReason: s.optionalText(10))
    }

    func pairMinutes(_ a: MemberID, _ b: MemberID, since: Day) throws(Refusal) -> Minutes {
        if let kept = cache?.pairMinutes(a, b, since: since) { return kept }
        let window = try read { () throws(StoreError) in try SQLiteView.pairWindow(a, b, since: since, db: db) }
        cache?.keepWindow(of: window.member, since: since, window.minutes)
        return window.minutes[window.member == a ? b : a] ?? .zero
    }

    /// The credits of confirmed exchanges between `a` and `b` on or after `since`.
    static func pairMinutes(_ a: MemberID, _ b: MemberID, since: Day, db: Connection) throws(StoreError) -> Minutes {
        let window = try pairWindow(a, b, since: since, db: db)
        return window.minutes[window.member == a ? b : a] ?? .zero
    }

    /// The credits of confirmed exchanges on or after `since` between one of `a` and `b` and
    /// every member it had them with (one absent had none), read from their postings along each
    /// member's chain (`MemberChain`; transfers keep no index by pair, and postings none by
    /// member: each cost the writer a page of the WAL for every row).
    ///
    /// Each transfer between the two is a posting in both accounts, so either member's postings
    /// give their sum. Both are read newest first, in turns, and the first to leave the window
    /// answers: the work is that of the member with fewer postings in the window. A member's
    /// postings leave it at the first one dated two days before `since`. No later entry is
    /// earlier in time, and the days of one instant in two time zones differ by at most two
    /// (offsets span 26 hours), so no earlier posting, whatever zone the circle had then, falls on
    /// or after `since`.
    static func pairWindow(_ a: MemberID, _ b: MemberID, since: Day, db: Connection) throws(StoreError) -> (member: MemberID, minutes: [MemberID: Minutes]) {
        let members = [a, b]
        let chains = [try MemberChain.postings(of: a, reading: pairStepSQL + " -- a", db: db), try MemberChain.postings(of: b, reading: pairStepSQL + " -- b", db: db)]
        defer { for c in chains { c?.finish() } }
        var sums: [[MemberID: Minutes]] = [[:], [:]]
        while true {
            for i in 0..<2 {
                guard let c = chains[i], try c.step(), c.row.int(1) >= since.number - 2 else { return (members[i], sums[i]) }
                let s = c.row, minutes = s.int(4)
                if s.int(1) >= since.number, minutes > 0 {
                    sums[i][try s.id(s.textEquals(2, members[i].handle) ? 3 : 2), default: .zero] += Minutes(minutes)
                }
            }
        }
    }

    /// One posting of a member's chain: its previous posting, its day, the transfer's payer and
    /// payee, and its minutes when it is a confirmed exchange's (0 otherwise).
    static let pairStepSQL = """
        SELECT p.prev, p.day, t.payer, t.payee,
               CASE WHEN t.kind = 'exchange' AND e.state = 'confirmed' THEN t.minutes ELSE 0 END
        FROM postings p JOIN transfers t ON t.id = p.transfer LEFT JOIN exchanges e ON e.num = t.exchange
        WHERE p.id = ?1 AND p.member = ?2
        """

    func openExchanges(of member: MemberID) throws(Refusal) -> [ExchangeID] {
        try read { () throws(StoreError) in
            let numbers = try MemberChain.exchangeNumbers(of: member, state: .proposed, before: nil, limit: .max, db: db) ?? []
            return numbers.reversed().map(ExchangeID.init(uncheckedNumber:))
        }
    }

    func listing(_ id: ListingID) throws(Refusal) -> ListingRecord? { try read { () throws(StoreError) in try SQLiteView.listing(id, db: db) } }

    /// The listing with this number and side (`of-4` does not find the request `rq-4`).
    static func listing(_ id: ListingID, db: Connection) throws(StoreError) -> ListingRecord? {
        let s = try db.cached("""
            SELECT side, author, kind, domain, title, text, place, availability, expires, version, state, fulfilled_by, challenge FROM listings WHERE num = ?
            """)
        defer { s.reset() }
        try s.bind([.int(id.number)])
        guard try s.step(), try s.value(0, ListingSide.self) == id.side else { return nil }
        let info = ListingInfo(id: id, author: try s.id(1), kind: try s.value(2), domain: try s.requiredText(3),
                               title: try s.requiredText(4), text: try s.requiredText(5), place: s.optionalText(6), availability: s.optionalText(7),
                               expires: Day(s.int(8)), version: s.int(9), challenge: try s.optionalID(12))
        return ListingRecord(info: info, withdrawn: try s.value(10, ListingState.self) == .withdrawn,
                             fulfilledBy: s.optionalInt(11).map(ExchangeID.init(uncheckedNumber:)))
    }

    var nextListingNumber: Int64 { get throws(Refusal) { try next("listings") } }

    func loan(_ id: LoanID) throws(Refusal) -> LoanRecord? { try read { () throws(StoreError) in try SQLiteView.loan(id, db: db) } }

    static func loan(_ id: LoanID, db: Connection) throws(StoreError) -> LoanRecord? {
        let s = try db.cached("SELECT lender, borrower, what, offer, lent, due, returned FROM loans WHERE num = ?")
        defer { s.reset() }
        try s.bind([.int(id.number)])
        guard try s.step() else { return nil }
        let info = LoanInfo(id: id, lender: try s.id(0), borrower: try s.id(1), what: try s.requiredText(2), offer: try s.optionalID(3),
                            lent: Day(s.int(4)), due: Day(s.int(5)))
        return LoanRecord(info: info, returned: s.optionalInt(6).map { Day($0) })
    }

    var nextLoanNumber: Int64 { get throws(Refusal) { try next("loans") } }

    func spaceHours(_ offer: ListingID) throws(Refusal) -> SpaceHours? { try read { () throws(StoreError) in try SQLiteView.spaceHours(offer, db: db) } }

    static func spaceHours(_ offer: ListingID, db: Connection) throws(StoreError) -> SpaceHours? {
        guard offer.side == .offer, let text = try db.scalarText("SELECT hours FROM spaces WHERE offer = ?", .int(offer.number)) else { return nil }
        guard let json = try? JSON.parse(text), let h = SpaceHours(json: json) else { throw StoreError("the hours of \(offer) are unreadable", integrity: true) }
        return h
    }

    func booking(_ id: BookingID) throws(Refusal) -> BookingRecord? {
        try read { () throws(StoreError) in
            try SQLiteView.bookingRows(db, "SELECT \(SQLiteView.bookingColumns) FROM bookings WHERE num = ?",
                                       [.int(id.number)]).first
        }
    }

    func bookings(of offer: ListingID, on day: Day) throws(Refusal) -> [BookingRecord] {
        guard offer.side == .offer else { return [] }
        return try read { () throws(StoreError) in
            try SQLiteView.bookingRows(db, "SELECT \(SQLiteView.bookingColumns) FROM bookings WHERE offer = ? AND day = ? ORDER BY num",
                                       [.int(offer.number), .int(day.number)])
        }
    }

    /// The columns `bookingRows` reads, in its order (qualified, so a join with listings reads them too).
    static let bookingColumns = "bookings.num, bookings.offer, bookings.member, bookings.day, bookings.start, bookings.end, bookings.people, "
        + "bookings.state, bookings.settled_by, bookings.end_reason, bookings.question"

    static func bookingRows(_ db: Connection, _ sql: String, _ args: [SQLValue]) throws(StoreError) -> [BookingRecord] {
        let s = try db.cached(sql)
        defer { s.reset() }
        try s.bind(args)
        var out = [BookingRecord]()
        while try s.step() {
            let info = BookingInfo(id: BookingID(uncheckedNumber: s.int(0)), offer: ListingID(side: .offer, uncheckedNumber: s.int(1)),
                                   member: try s.id(2), date: Day(s.int(3)), start: s.int(4), end: s.int(5), people: s.int(6), question: s.optionalText(10))
            out.append(BookingRecord(info: info, cancelled: try s.value(7, BookingState.self) == .cancelled,
                                     settledBy: s.optionalInt(8).map(ExchangeID.init(uncheckedNumber:)), endReason: s.optionalText(9)))
        }
        return out
    }

    var nextBookingNumber: Int64 { get throws(Refusal) { try next("bookings") } }

    func challenge(_ id: ChallengeID) throws(Refusal) -> ChallengeRecord? { try read { () throws(StoreError) in try SQLiteView.challenge(id, db: db) } }

    func introduced(_ request: ListingID, _ offer: ListingID) throws(Refusal) -> Bool {
        try read { () throws(StoreError) in
            let s = try db.cached("SELECT 1 FROM introductions WHERE request = ? AND offer = ?")
            defer { s.reset() }
            try s.bind([.int(request.number), .int(offer.number)])
            return try s.step()
        }
    }

    static func challenge(_ id: ChallengeID, db: Connection) throws(StoreError) -> ChallengeRecord? {
        let n = id.number
        let s = try db.cached("SELECT author, title, text, domains, ends, state FROM challenges WHERE num = ?")
        defer { s.reset() }
        try s.bind([.int(n)])
        guard try s.step() else { return nil }
        let info = ChallengeInfo(id: id, author: try s.id(0), title: try s.requiredText(1), text: try s.requiredText(2),
                                 domains: try s.requiredText(3).split(separator: ",").map(String.init), ends: Day(s.int(4)))
        let m = try db.cached("SELECT member FROM challenge_members WHERE challenge = ? ORDER BY seq")
        defer { m.reset() }
        try m.bind([.int(n)])
        var members = [MemberID]()
        while try m.step() { members.append(try m.id(0)) }
        return ChallengeRecord(info: info, members: members, closed: try s.value(5, ChallengeState.self) == .closed)
    }

    var nextChallengeNumber: Int64 { get throws(Refusal) { try next("challenges") } }

    var nextExchangeNumber: Int64 { get throws(Refusal) { try next("exchanges") } }
}

/// The states the projections store as text; a row holding anything else fails to read.
enum PartyRole: String { case provider, receiver }
enum ListingState: String { case active, withdrawn }
enum BookingState: String { case booked, cancelled }
enum ChallengeState: String { case open, closed }
