import Foundation
import KringCore

/// A journal entry sealed into the chain: numbered, timestamped, encoded and hashed, ready to
/// be written.
struct JournalEntry {
    let seq: Int64
    let ts: Int64
    let event: Event
    let actor: Actor
    let payload: [UInt8]
    let previous: [UInt8]
    let hash: [UInt8]
}

/// The head of the hash chain, and the one place entries are sealed onto it.
struct ChainHead {
    private(set) var seq: Int64 = 0
    private(set) var hash: [UInt8] = Chain.genesis
    private(set) var ts: Int64 = 0

    init() {}
    init(seq: Int64, hash: [UInt8], ts: Int64) {
        self.seq = seq
        self.hash = hash
        self.ts = ts
    }

    /// Seals `event`, done by `actor`, as the next entry at `timestamp` (never earlier than
    /// the head's).
    mutating func seal(_ event: Event, by actor: Actor, at timestamp: Int64) -> JournalEntry {
        let payload = event.payloadBytes(actor: actor)
        let next = seq + 1, at = max(timestamp, ts)
        let h = Chain.hash(previous: hash, seq: next, timestamp: at, type: event.type.rawValue, payload: payload)
        let entry = JournalEntry(seq: next, ts: at, event: event, actor: actor, payload: payload, previous: hash, hash: h)
        (seq, ts, hash) = (next, at, h)
        return entry
    }
}

/// Writes journal entries and updates every projection, on the caller's transaction. The
/// single writer and the bulk loader both write through here.
final class Projector {
    let db: Connection
    /// The chain head after the last append.
    var head = ChainHead()
    /// What an entry changes in its members' accounts (balance, hours given, last posting and
    /// exchange) is summed here and written by `flushBalances()`, one UPDATE per account: at
    /// the end of each entry, or, when this is set (bulk loads), before each commit.
    var deferBalances = false {
        didSet { links.removeAll() }
    }
    /// Members' last posting and exchange, read from the account when first needed: each
    /// posting and party row names its member's previous one from here. The writer keeps them
    /// in its cache (`WriterCache.links`, valid while it is), a bulk load here across its commits
    /// (the load writes alone); otherwise they are kept for the transaction (`reloadHead`
    /// empties them).
    private var links: [MemberID: Links] = [:]
    typealias Links = (posting: Int64?, exchange: Int64?)
    /// The writer's cache, which the projections written here keep true (none for bulk loads).
    var cache: WriterCache?
    private var pendingBalances: [MemberID: Pending] = [:]
    /// What an entry (a bulk load: its transaction) changes in an account before
    /// `flushBalances` writes it: the sums, and the last entry that posted to it when one did.
    /// The account's last posting and exchange are written from `links`.
    private struct Pending {
        var balance: Int64 = 0, given: Int64 = 0
        var seq: Int64?
    }

    /// Adds to `member`'s pending account change (one lookup): `minutes` to the balance, `given`
    /// to the hours given, and `seq` as the entry that last posted to it, when it posted.
    private func pend(_ member: MemberID, minutes: Int64 = 0, given: Int64 = 0, seq: Int64? = nil) {
        func add(_ p: inout Pending) {
            p.balance += minutes
            p.given += given
            if let seq { p.seq = seq }
        }
        add(&pendingBalances[member, default: Pending()])
    }
    /// The circle's time zone, which the days of entries fall in: the latest policy's (its
    /// journal seq, and the zone with the offsets learnt so far), checked once per transaction
    /// (`reloadHead`) and followed through the policy events projected here.
    private var zone: (seq: Int64, days: ZoneDays)?
    private var zoneChecked = false
    /// The statements every entry, exchange and transfer runs, held here once prepared instead
    /// of looked up by their text in the connection's cache for every row.
    private let entryRow = Held("INSERT INTO journal(seq, ts, type, payload, prev_hash, hash) VALUES (?,?,?,?,?,?)")
    private let exchangeRow = Held("""
        INSERT INTO exchanges(num, proposer, kind, domain, what, credits, quantity, date, expires_at, state, recorded, reason, created_seq, updated_seq, links)
        VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
        """)
    private let transferRow = Held("INSERT INTO transfers(seq, exchange, kind, payer, payee, minutes, day) VALUES (?,?,?,?,?,?,?)")
    /// A posting, chained to its member's previous one (`links`).
    private let postingRow = Held("INSERT INTO postings(seq, transfer, member, minutes, day, prev) VALUES (?,?,?,?,?,?)")
    private let pendingRow = Held("""
        UPDATE accounts SET balance = balance + ?1, given = given + ?2, last_seq = COALESCE(?3, last_seq),
                            last_posting = COALESCE(?4, last_posting), last_exchange = COALESCE(?5, last_exchange)
        WHERE member = ?6
        """)
    /// A party, chained to the member's previous exchange (`links`).
    private let partyRow = Held("INSERT INTO exchange_parties(exchange, member, role, position, consented, prev) VALUES (?,?,?,?,?,?)")

    /// A statement prepared when first run (a ledger being migrated may not have its table yet).
    private final class Held {
        let sql: String
        private var statement: Statement?

        init(_ sql: String) { self.sql = sql }

        func callAsFunction(_ db: Connection) throws(StoreError) -> Statement {
            if let statement { return statement }
            let s = try db.cached(sql)
            statement = s
            return s
        }
    }

    init(db: Connection) throws(StoreError) {
        self.db = db
        try reloadHead()
    }

    /// Reads the head from disk (after a rollback, or when another process may have written).
    func reloadHead() throws(StoreError) {
        let s = try db.cached("SELECT seq, hash, ts FROM journal ORDER BY seq DESC LIMIT 1")
        defer { s.reset() }
        head = try s.step() ? ChainHead(seq: s.int(0), hash: s.blob(1), ts: s.int(2)) : ChainHead()
        zoneChecked = false
        links.removeAll()
        pendingBalances.removeAll()
    }

    /// A member's last posting and exchange as kept (`links`), or nil when not read yet.
    private func keptLinks(_ member: MemberID) -> Links? { cache?.links[member] ?? links[member] }

    /// A member's last posting and exchange (`links`); a member without an account has none.
    private func knownLinks(_ member: MemberID) throws(StoreError) -> Links {
        if let known = keptLinks(member) { return known }
        let s = try db.cached("SELECT last_posting, last_exchange FROM accounts WHERE member = ?")
        defer { s.reset() }
        try s.bind([.id(member)])
        guard try s.step() else { throw StoreError("no account \(member)") }
        let known = (s.optionalInt(0), s.optionalInt(1))
        remember(member, known)
        return known
    }

    /// Keeps a member's last posting and exchange (`links`).
    private func remember(_ member: MemberID, _ known: Links) {
        if let cache { cache.links[member] = known } else { links[member] = known }
    }

    /// The day `timestamp` falls on in the zone of the policy in force, which is read when the
    /// transaction first needs it (and parsed only when the policy changed since).
    private func day(_ timestamp: Int64) throws(StoreError) -> Day {
        if !zoneChecked || zone == nil {
            let s = try db.cached("SELECT seq, payload FROM policies ORDER BY seq DESC LIMIT 1")
            defer { s.reset() }
            guard try s.step() else { throw StoreError("the ledger has no policy") }
            let seq = s.int(0)
            if zone?.seq != seq {
                guard let json = try? JSON.parse(s.text(1)), let p = Policy(json: json) else { throw StoreError("the policy at seq \(seq) is unreadable") }
                zone = (seq, ZoneDays(p.zone))
            }
            zoneChecked = true
        }
        return zone!.days.day(timestamp)
    }

    /// Seals `event`, done by `actor`, onto the chain at `timestamp`, writes it and projects it.
    @discardableResult
    func append(_ event: Event, by actor: Actor, at timestamp: Int64) throws(StoreError) -> Int64 {
        let entry = head.seal(event, by: actor, at: timestamp)
        try write(entry)
        return entry.seq
    }

    /// Writes a sealed entry and its projections.
    func write(_ entry: JournalEntry) throws(StoreError) {
        try entryRow(db).run(.int(entry.seq), .int(entry.ts), .text(entry.event.type.rawValue), .utf8(entry.payload), .blob(entry.previous), .blob(entry.hash))
        // The day in the circle's time zone: the policy in force before the entry (the new
        // circle's own for its first), as the reference model counts it.
        switch entry.event {
        case .ledgerCreated(let e):
            try project(entry.event, seq: entry.seq, day: e.policy.day(entry.ts))
            zone = (entry.seq, ZoneDays(e.policy.zone))
            zoneChecked = true
        case .policyChanged(let e):
            try project(entry.event, seq: entry.seq, day: try day(entry.ts))
            zone = (entry.seq, ZoneDays(e.policy.zone))
        default:
            try project(entry.event, seq: entry.seq, day: try day(entry.ts))
        }
        if !deferBalances { try flushBalances() }
    }

    /// Writes the account changes summed since the last flush.
    func flushBalances() throws(StoreError) {
        if pendingBalances.isEmpty { return }
        let upd = try pendingRow(db)
        for (member, d) in pendingBalances {
            let known = keptLinks(member)
            try upd.run(.int(d.balance), .int(d.given), .int(d.seq), .int(known?.posting), .int(known?.exchange), .id(member))
            guard db.changes == 1 else { throw StoreError("no account \(member)") }
        }
        pendingBalances.removeAll(keepingCapacity: true)
    }

    private func project(_ event: Event, seq: Int64, day: Day) throws(StoreError) {
        switch event {
        case .ledgerCreated(let e):
            let policy = e.policy
            try db.cached("INSERT INTO policies(seq, payload) VALUES (?, ?)").run(.int(seq), .text(policy.json.canonicalString))
            try insertMember(MemberInfo(id: poolID, name: "Solidarity pool", kind: .pool, joined: day), seq: seq)
        case .policyChanged(let e):
            let policy = e.policy
            try db.cached("INSERT INTO policies(seq, payload) VALUES (?, ?)").run(.int(seq), .text(policy.json.canonicalString))
        case .memberAdded(let e):
            try insertMember(e.member, seq: seq)
        case .memberSuspended(let e):
            try db.cached("UPDATE members SET status = 'suspended' WHERE id = ?").run(.id(e.id))
            cache?.forget(e.id)
        case .memberReinstated(let e):
            try db.cached("UPDATE members SET status = 'active' WHERE id = ?").run(.id(e.id))
            cache?.forget(e.id)
        case .memberLimitsSet(let e):
            try db.cached("UPDATE members SET floor_override = ?, ceiling_override = ? WHERE id = ?").run(.int(e.floor?.value), .int(e.ceiling?.value), .id(e.id))
            cache?.forget(e.id)
        case .memberLeft(let e):
            for x in e.cancelled { try setState(x, .cancelled, seq: seq) }
            if let s = e.settlement { try post(s, seq: seq, exchange: nil, kind: .settlement, day: day) }
            try db.cached("UPDATE members SET status = 'left' WHERE id = ?").run(.id(e.id))
            cache?.forget(e.id)
        case .exchangeProposed(let e):
            let info = e.exchange
            try insertExchange(info, state: .proposed, recorded: false, reason: nil, seq: seq)
        case .exchangeConsented(let e):
            try consent(e.id, e.member)
            try db.cached("UPDATE exchanges SET updated_seq = ? WHERE num = ?").run(.int(seq), .int(e.id.number))
        case .exchangeConfirmed(let e):
            if case .member(let m) = e.by { try consent(e.id, m) }
            try setState(e.id, .confirmed, seq: seq)
            for t in e.transfers { try post(t, seq: seq, exchange: e.id, kind: .exchange, day: day) }
            try fulfil(e.id, links: try links(of: e.id), seq: seq)
        case .exchangeRecorded(let e):
            let info = e.exchange
            try insertExchange(info, state: .confirmed, recorded: true, reason: e.reason, seq: seq)
            for t in e.transfers { try post(t, seq: seq, exchange: info.id, kind: .exchange, day: day) }
            try fulfil(info.id, links: info.links, seq: seq)
        case .exchangeRejected(let e): try setState(e.id, .rejected, seq: seq, reason: e.reason)
        case .exchangeCancelled(let e): try setState(e.id, .cancelled, seq: seq, reason: e.reason)
        case .exchangeExpired(let e): try setState(e.id, .expired, seq: seq)
        case .exchangeReversed(let e):
            try db.cached("UPDATE exchanges SET state = 'reversed', reversal_reason = ?, updated_seq = ? WHERE num = ?")
                .run(.text(e.reason), .int(seq), .int(e.id.number))
            for t in e.transfers { try post(t, seq: seq, exchange: e.id, kind: .reversal, day: day) }
            try fulfil(e.id, links: try links(of: e.id), seq: seq, undo: true)
        case .poolDonated(let e):
            try post(e.transfer, seq: seq, exchange: nil, kind: .donation, day: day)
        case .poolGranted(let e):
            try post(e.transfer, seq: seq, exchange: nil, kind: .grant, day: day)
        case .listingPosted(let e):
            let l = e.listing
            try db.cached("""
                INSERT INTO listings(num, side, author, kind, domain, title, text, place, availability, expires, version, state, created_seq, updated_seq, challenge)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,'active',?,?,?)
                """).run(.int(l.id.number), .text(l.side.rawValue), .id(l.author), .text(l.kind.rawValue), .text(l.domain),
                         .text(l.title), .text(l.text), .text(l.place), .text(l.availability), .int(l.expires.number), .int(l.version),
                         .int(seq), .int(seq), .id(l.challenge))
            try indexListing(l)
        case .listingEdited(let e):
            let l = e.listing
            try db.cached("""
                UPDATE listings SET kind = ?, domain = ?, title = ?, text = ?, place = ?, availability = ?, expires = ?, version = ?, updated_seq = ?,
                    challenge = ?
                WHERE num = ?
                """).run(.text(l.kind.rawValue), .text(l.domain), .text(l.title), .text(l.text), .text(l.place), .text(l.availability),
                         .int(l.expires.number), .int(l.version), .int(seq), .id(l.challenge), .int(l.id.number))
            try db.cached("DELETE FROM listings_fts WHERE rowid = ?").run(.int(l.id.number))
            try indexListing(l)
        case .listingWithdrawn(let e):
            try db.cached("UPDATE listings SET state = 'withdrawn', updated_seq = ? WHERE num = ?").run(.int(seq), .int(e.id.number))
            try db.cached("DELETE FROM listings_fts WHERE rowid = ?").run(.int(e.id.number))
        case .challengePosted(let e):
            let c = e.challenge
            try db.cached("INSERT INTO challenges(num, author, title, text, domains, ends, state, created_seq, updated_seq) VALUES (?,?,?,?,?,?,'open',?,?)")
                .run(.int(c.id.number), .id(c.author), .text(c.title), .text(c.text), .text(c.domains.joined(separator: ",")),
                     .int(c.ends.number), .int(seq), .int(seq))
        case .challengeJoined(let e):
            try db.cached("INSERT INTO challenge_members(challenge, member, seq) VALUES (?,?,?)").run(.int(e.id.number), .id(e.member), .int(seq))
        case .challengePledged(let e):
            let p = e.pledge
            try db.cached("INSERT INTO pledges(challenge, member, kind, what, seq) VALUES (?,?,?,?,?)")
                .run(.int(p.challenge.number), .id(p.member), .text(p.kind.rawValue), .text(p.what), .int(seq))
        case .challengeClosed(let e):
            try db.cached("UPDATE challenges SET state = 'closed', updated_seq = ? WHERE num = ?").run(.int(seq), .int(e.id.number))
        case .introductionMade(let e):
            try db.cached("INSERT INTO introductions(request, offer, by, seq) VALUES (?,?,?,?)")
                .run(.int(e.request.number), .int(e.offer.number), .text(e.by.description), .int(seq))
        case .spaceHoursSet(let e):
            try db.cached("INSERT OR REPLACE INTO spaces(offer, capacity, hours, updated_seq) VALUES (?,?,?,?)")
                .run(.int(e.offer.number), .int(e.hours.capacity), .text(e.hours.json.canonicalString), .int(seq))
        case .spaceBooked(let e):
            let b = e.booking
            try db.cached("INSERT INTO bookings(num, offer, member, day, start, end, people, question, state, created_seq, updated_seq) VALUES (?,?,?,?,?,?,?,?,'booked',?,?)")
                .run(.int(b.id.number), .int(b.offer.number), .id(b.member), .int(b.date.number), .int(b.start),
                     .int(b.end), .int(b.people), .text(b.question), .int(seq), .int(seq))
        case .spaceCancelled(let e):
            try db.cached("UPDATE bookings SET state = 'cancelled', end_reason = ?, updated_seq = ? WHERE num = ?").run(.text(e.reason), .int(seq), .int(e.id.number))
        case .goodsLent(let e):
            let l = e.loan
            try db.cached("INSERT INTO loans(num, lender, borrower, what, offer, lent, due, created_seq, updated_seq) VALUES (?,?,?,?,?,?,?,?,?)")
                .run(.int(l.id.number), .id(l.lender), .id(l.borrower), .text(l.what), .id(l.offer), .int(l.lent.number),
                     .int(l.due.number), .int(seq), .int(seq))
        case .goodsReturned(let e):
            try db.cached("UPDATE loans SET returned = ?, updated_seq = ? WHERE num = ?").run(.int(e.on.number), .int(seq), .int(e.id.number))
        case .listingRenewed(let e):
            try db.cached("UPDATE listings SET expires = ?, updated_seq = ? WHERE num = ?").run(.int(e.expires.number), .int(seq), .int(e.id.number))
        }
    }

    /// The listings and bookings an exchange links (from its own links table: one keyed read).
    private func links(of exchange: ExchangeID) throws(StoreError) -> [ExchangeLink] {
        let s = try db.cached("SELECT target FROM exchange_links WHERE exchange = ?")
        defer { s.reset() }
        try s.bind([.int(exchange.number)])
        var out = [ExchangeLink]()
        while try s.step() { out.append(try s.id(0)) }
        return out
    }

    /// Marks the requests and bookings a posted exchange links as fulfilled or settled by it (the
    /// first one wins); `undo` clears what this exchange marked, when it is reversed.
    private func fulfil(_ exchange: ExchangeID, links: [ExchangeLink], seq: Int64, undo: Bool = false) throws(StoreError) {
        let num = exchange.number
        let mark = undo
            ? (listing: "UPDATE listings SET fulfilled_by = NULL, updated_seq = ?1 WHERE num = ?2 AND fulfilled_by = ?3",
               booking: "UPDATE bookings SET settled_by = NULL, updated_seq = ?1 WHERE num = ?2 AND settled_by = ?3")
            : (listing: "UPDATE listings SET fulfilled_by = ?3, updated_seq = ?1 WHERE num = ?2 AND fulfilled_by IS NULL",
               booking: "UPDATE bookings SET settled_by = ?3, updated_seq = ?1 WHERE num = ?2 AND settled_by IS NULL")
        for l in links {
            if let r = l.request { try db.cached(mark.listing + " AND side = 'request'").run(.int(seq), .int(r.number), .int(num)) }
            if let b = l.booking { try db.cached(mark.booking).run(.int(seq), .int(b.number), .int(num)) }
        }
    }

    /// The full-text row of a listing: its latest title and text (withdrawn ones leave the index).
    private func indexListing(_ l: ListingInfo) throws(StoreError) {
        try db.cached("INSERT INTO listings_fts(rowid, title, text) VALUES (?, ?, ?)").run(.int(l.id.number), .text(l.title), .text(l.text))
    }

    private func insertMember(_ m: MemberInfo, seq: Int64) throws(StoreError) {
        try db.cached("INSERT INTO members(id, name, kind, status, neighbourhood, domains, joined, added_seq) VALUES (?,?,?,'active',?,?,?,?)")
            .run(.id(m.id), .text(m.name), .text(m.kind.rawValue), .text(m.neighbourhood), .text(m.domains.joined(separator: ",")),
                 .text(m.joined.description), .int(seq))
        try db.cached("INSERT INTO accounts(member, balance, given, last_seq) VALUES (?, 0, 0, ?)").run(.id(m.id), .int(seq))
    }

    private func insertExchange(_ x: ExchangeInfo, state: ExchangeState, recorded: Bool, reason: String?, seq: Int64) throws(StoreError) {
        let num = x.id.number
        try exchangeRow(db).run(.int(num), .id(x.proposer), .text(x.kind.rawValue), .text(x.domain), .text(x.what), .int(x.credits.value),
                                .int(x.quantity), .text(x.date.description), .int(x.expiresAt), .text(state.rawValue), .int(recorded ? 1 : 0),
                                .text(reason), .int(seq), .int(seq), .text(x.links.map(\.description).joined(separator: ",")))
        // Parties keep their order, so a decision read back from here posts its transfers in the
        // same order as one taken on the in-memory ledger.
        for l in x.links {
            try db.cached("INSERT INTO exchange_links(exchange, target) VALUES (?, ?)").run(.int(num), .id(l))
        }
        let party = try partyRow(db)
        // The account's last exchange is written with its balance (`flushBalances`).
        func add(_ member: MemberID, _ role: String, _ position: Int) throws(StoreError) {
            let consented: Int64 = recorded || member == x.proposer ? 1 : 0
            var known = try knownLinks(member)
            try party.run(.int(num), .id(member), .text(role), .int(Int64(position)), .int(consented), .int(known.exchange))
            known.exchange = num
            remember(member, known)
            pend(member)
        }
        for (i, p) in x.providers.enumerated() { try add(p, "provider", i) }
        for (i, r) in x.receivers.enumerated() { try add(r, "receiver", i) }
    }

    private func consent(_ id: ExchangeID, _ member: MemberID) throws(StoreError) {
        try db.cached("UPDATE exchange_parties SET consented = 1 WHERE exchange = ? AND member = ?").run(.int(id.number), .id(member))
    }

    private func setState(_ id: ExchangeID, _ state: ExchangeState, seq: Int64) throws(StoreError) {
        try db.cached("UPDATE exchanges SET state = ?, updated_seq = ? WHERE num = ?").run(.text(state.rawValue), .int(seq), .int(id.number))
    }

    /// A rejection or cancellation: the state, and the reason the party gave, if any.
    private func setState(_ id: ExchangeID, _ state: ExchangeState, seq: Int64, reason: String?) throws(StoreError) {
        try db.cached("UPDATE exchanges SET state = ?, updated_seq = ?, end_reason = ? WHERE num = ?")
            .run(.text(state.rawValue), .int(seq), .text(reason), .int(id.number))
    }

    /// One transfer: its row, two postings that sum to zero, and what it changes in both
    /// accounts (written by `flushBalances`). For exchanges and reversals the provider's given
    /// credits move too (earned floors).
    private func post(_ t: Transfer, seq: Int64, exchange: ExchangeID?, kind: TransferKind, day: Day) throws(StoreError) {
        precondition(t.minutes.value > 0 && t.from != t.to, "a transfer moves a positive amount between two accounts")
        try transferRow(db).run(.int(seq), .int(exchange?.number), .text(kind.rawValue), .id(t.from), .id(t.to), .int(t.minutes.value), .int(day.number))
        let transferID = sqlite3LastInsertRowID(db)
        let givenFrom: Int64 = kind == .reversal ? -t.minutes.value : 0
        let givenTo: Int64 = kind == .exchange ? t.minutes.value : 0
        try postChained(t.from, -t.minutes.value, seq: seq, transfer: transferID, day: day)
        try postChained(t.to, t.minutes.value, seq: seq, transfer: transferID, day: day)
        pend(t.from, minutes: -t.minutes.value, given: givenFrom, seq: seq)
        pend(t.to, minutes: t.minutes.value, given: givenTo, seq: seq)
        cache?.posted(t, kind: kind, day: day, givenFrom: givenFrom, givenTo: givenTo)
    }

    /// A posting chained to its member's previous one as `links` knows it, and then known there
    /// as their last.
    private func postChained(_ member: MemberID, _ minutes: Int64, seq: Int64, transfer: Int64, day: Day) throws(StoreError) {
        var known = try knownLinks(member)
        try postingRow(db).run(.int(seq), .int(transfer), .id(member), .int(minutes), .int(day.number), .int(known.posting))
        known.posting = sqlite3LastInsertRowID(db)
        remember(member, known)
    }
}
