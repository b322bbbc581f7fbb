import Foundation
import KringCore

extension Reader {
    /// The facts of the statistics, read in one read transaction (one snapshot) at the head:
    /// members by number, confirmed exchanges that stand (reversed ones are left out) with the
    /// day their credits were posted, the requests they fulfilled, pool moves, and postings.
    /// `parallel` (the CLI) reads the postings on a second connection and thread beside the
    /// rest, when that connection sees the same commit (`SnapshotTwin`); the server keeps to one.
    public func statsInput(parallel: Bool = false) throws(StoreError) -> StatsInput {
        let twin = parallel && !db.inTransaction ? SnapshotTwin(path: db.path) : nil
        return try snapshot { () throws(StoreError) in try statsFacts(twin: twin).input }
    }

    /// The facts of `statsInput`, with what the maintained statistics (`StatsFollower`) keep
    /// to follow the journal from there: each exchange's number, every fulfilled request, the
    /// members' numbers by handle, and the last transfer and posting read.
    struct StatsFacts {
        var input: StatsInput
        /// The number of each of `input.exchanges`.
        var exchangeNums: [Int64]
        /// Every request marked fulfilled, by listing number, with the exchange's number.
        var requests: [Int64: StatsFollower.Fulfilled]
        var memberIndex: MemberNumbers
        var lastTransfer: Int64
        var lastPosting: Int64
        /// The postings were read on the twin connection.
        var postingsReadBeside = false
    }

    /// The members by number (in the order they were added), keyed by the handle as the
    /// projections store it (canonical: the members table is read strictly), so the loops
    /// that follow look up without parsing.
    func statsMembers(_ policy: Policy) throws(StoreError) -> (members: [StatsInput.Member], index: MemberNumbers) {
        var index = MemberNumbers()
        var members = [StatsInput.Member]()
        // Only the columns the figures use (no name, no domains, no balance), read as strictly as
        // `SQLiteView.memberState` reads them; the limits by the policy's own rules.
        let ms = try db.prepare("""
            SELECT m.id, m.kind, m.status, m.neighbourhood, m.joined, m.floor_override, m.ceiling_override, a.given
            FROM members m JOIN accounts a ON a.member = m.id ORDER BY m.added_seq
            """)
        while try ms.step() {
            let id: MemberID = try ms.id(0)
            let kind: MemberKind = try ms.value(1)
            let status: MemberStatus = try ms.value(2)
            index.append(id.handle)
            members.append(StatsInput.Member(kind: kind, neighbourhood: ms.optionalText(3), joined: try ms.isoDay(4), present: status != .left,
                                             floor: policy.floor(kind: kind, given: Minutes(ms.int(7)), override: ms.optionalInt(5).map(Minutes.init)).value,
                                             ceiling: policy.ceiling(kind: kind, override: ms.optionalInt(6).map(Minutes.init))?.value))
        }
        return (members, index)
    }

    /// The requests whose listing changed after `seq` (every one for `-1`): listing number, and
    /// the author, the day posted and the exchange that fulfilled it (nil when none does).
    func statsRequests(after seq: Int64, policy: Policy, index: MemberNumbers) throws(StoreError) -> [(Int64, StatsFollower.Fulfilled?)] {
        let rs = try db.prepare("""
            SELECT l.num, l.author, j.ts, l.fulfilled_by FROM listings l JOIN journal j ON j.seq = l.created_seq
            WHERE l.side = 'request' AND l.updated_seq > ?
            """)
        try rs.bind([.int(seq)])
        var out = [(Int64, StatsFollower.Fulfilled?)]()
        while try rs.step() {
            guard let by = rs.optionalInt(3) else { out.append((rs.int(0), nil)); continue }
            out.append((rs.int(0), StatsFollower.Fulfilled(author: try rs.member(1, in: index), posted: policy.day(rs.int(2)), by: by)))
        }
        return out
    }

    /// Introductions by the day they were made, with the two members and whether a confirmed
    /// exchange linked to both listings followed.
    func statsIntroductions(policy: Policy, index: MemberNumbers) throws(StoreError) -> [StatsInput.Introduction] {
        let ins = try db.prepare("""
            SELECT j.ts, r.author, o.author, \(Reader.introductionBecame)
            FROM introductions i JOIN journal j ON j.seq = i.seq JOIN listings r ON r.num = i.request JOIN listings o ON o.num = i.offer
            """)
        var out = [StatsInput.Introduction]()
        while try ins.step() {
            out.append(StatsInput.Introduction(day: policy.day(ins.int(0)), members: [try ins.member(1, in: index),
                                                                                     try ins.member(2, in: index)],
                                               became: ins.int(3) == 1))
        }
        return out
    }

    /// Every posting (member by number, day, minutes), in journal order, which is day order: no
    /// sort. The members are looked up 1,024 rows at a time (`MemberRun`).
    static func statsPostings(_ db: Connection, numbering index: MemberNumbers) throws(StoreError) -> [StatsInput.Posting] {
        var postings = [StatsInput.Posting]()
        let po = try db.prepare("SELECT id, member, day, minutes FROM postings ORDER BY id")
        var run = MemberRun<(id: Int64, day: Int64, minutes: Int64)>(column: "postings.member", key: "postings.id")
        func add(_ row: (id: Int64, day: Int64, minutes: Int64), _ m: Int32) {
            postings.append(StatsInput.Posting(member: m, day: Day(row.day), minutes: row.minutes))
        }
        while try po.step() {
            if run.add(po.columnBytes(1, text: true), (po.int(0), po.int(2), po.int(3))) { try run.flush(in: index, keyOf: \.id, add) }
        }
        try run.flush(in: index, keyOf: \.id, add)
        return postings
    }

    /// Whether exchange `num` settled a session of an expert's time offer.
    func statsSession(_ num: Int64) throws(StoreError) -> Bool {
        let links = try db.cached("SELECT target FROM exchange_links WHERE exchange = ?")
        defer { links.reset() }
        try links.bind([.int(num)])
        var bookings = [BookingID]()
        while try links.step() { if let b = (try links.id(0) as ExchangeLink).booking { bookings.append(b) } }
        let s = try db.cached("SELECT 1 FROM bookings b JOIN listings l ON l.num = b.offer WHERE b.num = ? AND b.settled_by = ? AND l.kind = 'time'")
        for b in bookings {
            defer { s.reset() }
            try s.bind([.int(b.number), .int(num)])
            if try s.step() { return true }
        }
        return false
    }

    /// The facts, read in the caller's snapshot (and the postings on `twin`, opened before that
    /// snapshot began, if it sees the same commit).
    func statsFacts(twin: SnapshotTwin? = nil) throws(StoreError) -> StatsFacts {
        let policy = try policy()
        let beside = twin.flatMap(PostingsBeside.init)
        defer { beside?.finish() }
        let head = try head()
        let (members, index) = try statsMembers(policy)
        beside?.read(numbering: index)
        // The day each exchange's credits were posted: its transfers' day (one pass over the
        // small transfer rows); an exchange without credits (a gift) takes the day of its
        // journal entry. Exchanges are numbered from 1 in journal order, so arrays indexed by
        // number hold this and where each exchange is (`Int64.min` and -1 for none).
        let lastNum = Int(try db.scalarInt("SELECT COALESCE(MAX(num), 0) FROM exchanges") ?? 0)
        // Each exchange has its entry, so no number is beyond the head.
        guard lastNum <= head.seq else { throw StoreError("the projection holds exchange \(lastNum), beyond the journal's head \(head.seq)", integrity: true) }
        var postedDay = [Int64](repeating: .min, count: lastNum + 1)
        let ts = try db.prepare("SELECT exchange, day FROM transfers WHERE kind = 'exchange'")
        while try ts.step() {
            let num = ts.int(0)
            if num >= 1, num <= Int64(lastNum) { postedDay[Int(num)] = ts.int(1) }
        }
        let lastTransfer = try db.scalarInt("SELECT COALESCE(MAX(id), 0) FROM transfers") ?? 0
        let lastPosting = try db.scalarInt("SELECT COALESCE(MAX(id), 0) FROM postings") ?? 0
        let journalDay = try db.prepare("SELECT ts FROM journal WHERE seq = ?")
        var exchanges = [StatsInput.Exchange]()
        var nums = [Int64]()
        var at = [Int32](repeating: -1, count: lastNum + 1)
        func byNum(_ num: Int64) -> Int? { num >= 1 && num <= Int64(lastNum) && at[Int(num)] >= 0 ? Int(at[Int(num)]) : nil }
        // A gift (no credits, so no transfer) has its entry's time read with it, in SQLite's loop,
        // and its day worked out as the writer did (`ZoneDays`, held to `Policy.day` by a test).
        var days = ZoneDays(policy.zone)
        let xs = try db.prepare("""
            SELECT num, kind, domain, credits, quantity, updated_seq,
                   CASE WHEN credits = 0 THEN (SELECT ts FROM journal WHERE seq = exchanges.updated_seq) END
            FROM exchanges WHERE state = 'confirmed' ORDER BY num
            """)
        while try xs.step() {
            let num = Int(xs.int(0))
            guard num >= 1 else { throw StoreError("the projection holds exchange \(num), which no journal entry can number", integrity: true) }
            var day: Int64? = postedDay[num] == .min ? nil : postedDay[num]
            if day == nil, let at = xs.optionalInt(6) { day = days.day(at).number }
            if day == nil {
                try journalDay.bind([.int(xs.int(5))])
                if try journalDay.step() { day = days.day(journalDay.int(0)).number }
                journalDay.reset()
            }
            at[num] = Int32(exchanges.count)
            nums.append(xs.int(0))
            guard let day else { throw StoreError("exchange \(xs.int(0)) has no transfer and no journal entry at seq \(xs.int(5))", integrity: true) }
            exchanges.append(StatsInput.Exchange(day: Day(day), kind: try xs.value(1), domain: try xs.requiredText(2),
                                                 credits: xs.int(3), quantity: xs.int(4), providers: [], receivers: []))
        }
        // Order within an exchange does not matter to any figure: read the table as it lies.
        let ps = try db.prepare("SELECT exchange, member, role FROM exchange_parties")
        var partyRun = MemberRun<(exchange: Int64, at: Int, role: PartyRole)>(column: "exchange_parties.member", key: "exchange_parties.exchange")
        func addParties(_ row: (exchange: Int64, at: Int, role: PartyRole), _ m: Int32) {
            switch row.role {
            case .provider: exchanges[row.at].addProvider(m)
            case .receiver: exchanges[row.at].addReceiver(m)
            }
        }
        while try ps.step() {
            guard let i = byNum(ps.int(0)) else { continue }
            if partyRun.add(ps.columnBytes(1, text: true), (ps.int(0), i, try ps.value(2, PartyRole.self))) { try partyRun.flush(in: index, keyOf: \.exchange, addParties) }
        }
        try partyRun.flush(in: index, keyOf: \.exchange, addParties)
        // The exchanges that settled a session of an expert's time offer.
        let ss = try db.prepare("SELECT b.settled_by FROM bookings b JOIN listings l ON l.num = b.offer WHERE l.kind = 'time' AND b.settled_by IS NOT NULL")
        while try ss.step() { if let i = byNum(ss.int(0)) { exchanges[i].session = true } }
        var fulfilled = [Int64: StatsFollower.Fulfilled]()
        var requests = [StatsInput.Request]()
        for (num, f) in try statsRequests(after: -1, policy: policy, index: index) {
            guard let f else { continue }
            fulfilled[num] = f
            guard let x = byNum(f.by) else { continue }
            requests.append(StatsInput.Request(author: f.author, posted: f.posted, fulfilled: exchanges[x].day))
        }
        var pool = [StatsInput.PoolMove]()
        let pm = try db.prepare("SELECT kind, payer, payee, minutes, day FROM transfers WHERE kind IN ('donation', 'grant') ORDER BY id")
        while try pm.step() {
            let donation = try pm.value(0, TransferKind.self) == .donation
            let m = try pm.member(donation ? 1 : 2, in: index)
            pool.append(StatsInput.PoolMove(day: Day(pm.int(4)), donation: donation, member: m, minutes: pm.int(3)))
        }
        // Read beside, or here when they could not be (the same error then comes from here).
        let postings: [StatsInput.Posting]
        let readBeside = beside?.postings()
        if let readBeside { postings = readBeside } else { postings = try Reader.statsPostings(db, numbering: index) }
        var input = StatsInput(members: members, exchanges: exchanges, requests: requests, pool: pool, postings: postings,
                               headSeq: head.seq, headHash: head.hash, headDay: policy.day(head.timestamp), policy: policy)
        input.introductions = try statsIntroductions(policy: policy, index: index)
        return StatsFacts(input: input, exchangeNums: nums, requests: fulfilled, memberIndex: index, lastTransfer: lastTransfer, lastPosting: lastPosting,
                          postingsReadBeside: readBeside != nil)
    }
}

/// The postings read on a second connection and thread (`SnapshotTwin`) while the caller reads
/// the other facts: the caller hands over the members' numbering as soon as it has it.
final class PostingsBeside: @unchecked Sendable {
    private let twin: SnapshotTwin
    private let lock = NSLock()
    private let numbered = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
    private var numbering: MemberNumbers?
    private var handedOver = false, waited = false
    private var read: [StatsInput.Posting]?

    /// Nil when the twin does not see the caller's commit.
    init?(_ twin: SnapshotTwin) {
        guard twin.begin() else { return nil }
        self.twin = twin
        DispatchQueue.global().async { [self] in
            defer { twin.end(); done.signal() }
            numbered.wait()
            guard let index = lock.withLock({ numbering }) else { return }
            read = try? Reader.statsPostings(twin.db, numbering: index)
        }
    }

    /// Starts the reading with the members' numbering.
    func read(numbering index: MemberNumbers) {
        lock.withLock {
            guard !handedOver else { return }
            numbering = index
            handedOver = true
        }
        numbered.signal()
    }

    /// The postings, once read; nil if they could not be (the caller reads them itself).
    func postings() -> [StatsInput.Posting]? {
        if !waited { done.wait() }
        waited = true
        return read
    }

    /// Lets the reading end if it never started (the caller failed first) and waits for it.
    func finish() {
        let release = lock.withLock { () -> Bool in
            defer { handedOver = true }
            return !handedOver
        }
        if release { numbered.signal() }
        _ = postings()
    }
}
