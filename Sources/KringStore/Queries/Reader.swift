import Foundation
import KringCore

/// A member with their account, as listings show them.
public struct MemberRow: Sendable {
    public let state: MemberState
    public let floor: Minutes
    public let ceiling: Minutes?

    public var json: JSON {
        let i = state.info
        return .object([
            "id": .id(i.id), "name": .string(i.name), "kind": .string(i.kind.rawValue), "status": .string(state.status.rawValue),
            "neighbourhood": i.neighbourhood.map(JSON.string) ?? .null, "domains": .array(i.domains.map(JSON.string)),
            "joined": .string(i.joined.description), "balance_minutes": .int(state.balance.value),
            "floor_minutes": .int(floor.value), "ceiling_minutes": ceiling.map { .int($0.value) } ?? .null,
            "given_minutes": .int(state.given.value),
        ])
    }
}

/// One line of a statement: a posting with its running balance.
/// What moved credits: the kinds of the `transfers` table (its CHECK lists the same).
public enum TransferKind: String, Sendable, CaseIterable {
    case exchange, reversal, donation, grant
    /// A leaving member's balance settled with the pool.
    case settlement
}

public struct StatementLine: Sendable {
    /// The posting's id (the cursor of a statement's pages).
    public let postingID: Int64
    public let seq: Int64
    public let day: Day
    public let kind: TransferKind
    public let exchange: ExchangeID?
    public let counterparty: MemberID
    public let description: String
    public let minutes: Minutes
    public internal(set) var balance: Minutes

    public var json: JSON {
        .object([
            "seq": .int(seq), "date": .string(day.description), "kind": .string(kind.rawValue), "exchange": .id(exchange),
            "counterparty": .id(counterparty), "description": .string(description),
            "minutes": .int(minutes.value), "balance_minutes": .int(balance.value),
        ])
    }
}

/// A member's statement over a period, carrying the ledger head it was computed at.
public struct MemberStatement: Sendable {
    public let member: MemberID
    public let from: Day?
    public let to: Day?
    public let opening: Minutes
    public let closing: Minutes
    public let lines: [StatementLine]
    public let head: LedgerHead

    public var json: JSON {
        .object([
            "member": .id(member), "from": from.map { .string($0.description) } ?? .null, "to": to.map { .string($0.description) } ?? .null,
            "opening_minutes": .int(opening.value), "closing_minutes": .int(closing.value),
            "lines": .array(lines.map(\.json)), "ledger_head": head.json,
        ])
    }
}

/// The last journal entry: anyone holding it can tell whether history was rewritten.
public struct LedgerHead: Sendable, Equatable {
    public let seq: Int64
    public let hash: String
    public let timestamp: Int64

    public var json: JSON { .object(["seq": .int(seq), "hash": .string(hash), "ts": .int(timestamp)]) }
}

/// An exchange with its state, for listings.
public struct ExchangeRow: Sendable {
    public let record: ExchangeRecord
    /// Why a coordinator recorded it with unequal time, if they said.
    public let reason: String?
    /// Why a party rejected or cancelled it, if they said.
    public let endReason: String?

    public var json: JSON {
        let i = record.info
        return .object([
            "id": .id(i.id), "state": .string(record.state.rawValue), "proposer": .id(i.proposer),
            "providers": .ids(i.providers), "receivers": .ids(i.receivers),
            "kind": .string(i.kind.rawValue), "domain": .string(i.domain), "what": .string(i.what),
            "credits_minutes": .int(i.credits.value), "quantity": .int(i.quantity), "measure": .string(i.kind.measure),
            "date": .string(i.date.description), "expires_at": i.expiresAt.map(JSON.int) ?? .null,
            "recorded_by_coordinator": .bool(record.recorded), "reason": reason.map(JSON.string) ?? .null,
            "consents": .ids(record.consents),
            "reversal_reason": record.reversalReason.map(JSON.string) ?? .null,
            "end_reason": endReason.map(JSON.string) ?? .null,
            "links": .ids(i.links),
        ])
    }
}

/// Read queries on a connection of their own (WAL lets readers run beside the writer).
public final class Reader {
    /// Most rows one listing returns.
    public static let maxRows = 100_000
    let db: Connection
    private var cachedPolicy: (seq: Int64, policy: Policy)?
    /// The ledger's `data_version` as the open snapshot sees it, once read in it; nil outside
    /// a snapshot. Equal values on one connection mean nothing was committed in between, so
    /// what was read at that version still holds.
    private var snapshotVersion: Int64?
    /// The head and the policy's journal seq as last read, with the `data_version` they were
    /// read at (nil when read where the version was not known).
    private var headSeen: (version: Int64, head: LedgerHead)?
    private var policyVersion: Int64?
    /// Principals found by token hash, valid while the ledger's `data_version` is `version`.
    var principals: (version: Int64, found: [SHA256.Digest: (principal: Principal, expiresAt: Int64?)]) = (-1, [:])
    /// Most principals a reader keeps (a full cache starts over).
    static let principalsKept = 1_024

    /// Opens `path` for reading; the ledger must exist.
    public init(path: String) throws(StoreError) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError("No ledger at \(path); create one with `kring init` (or `kring demo`).")
        }
        db = try Connection(path: path)
        var version = try db.scalarInt("PRAGMA user_version") ?? 0
        if version > 0, version < Schema.version {
            // A ledger of an earlier version: migrate it first, as the writer would (each
            // migration is one transaction; a reader after an upgrade need not wait for a write).
            _ = try Ledger.openConnection(path)
            version = try db.scalarInt("PRAGMA user_version") ?? 0
        }
        try db.execute("PRAGMA query_only = 1")
        guard version == Schema.version else {
            throw StoreError(version == 0 ? "\(path) is not a Kring ledger; run `kring init`." : "\(path) has schema version \(version); this kring reads \(Schema.version).")
        }
    }

    /// Runs `body` in one read transaction, so every query in it sees the same snapshot of
    /// the ledger (and takes SQLite's read lock once, not once per statement). Inside a
    /// snapshot already, runs `body` in that one.
    public func snapshot<T>(_ body: () throws -> T) throws -> T {
        guard !db.inTransaction else { return try body() }
        try beginSnapshot()
        defer { endSnapshot() }
        return try body()
    }

    /// `snapshot` for a body that throws only storage errors.
    public func snapshot<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        guard !db.inTransaction else { return try body() }
        try beginSnapshot()
        defer { endSnapshot() }
        return try body()
    }

    /// A snapshot's version is known only once read in it: none is carried over from before.
    private func beginSnapshot() throws(StoreError) {
        snapshotVersion = nil
        try db.run("BEGIN")
    }

    private func endSnapshot() {
        snapshotVersion = nil
        try? db.run("COMMIT")
    }

    /// SQLite's `data_version` for this connection: read once per snapshot (the PRAGMA begins
    /// the read transaction, so it is the snapshot's), and on every call outside one.
    func dataVersion() throws(StoreError) -> Int64 {
        if let v = snapshotVersion, db.inTransaction { return v }
        let v = try db.scalarInt("PRAGMA data_version") ?? 0
        if db.inTransaction { snapshotVersion = v }
        return v
    }

    /// The SQL of every statement this reader has compiled (for query-plan checks).
    public var compiledSQL: [String] { db.cachedSQL }

    /// The chain head.
    ///
    /// In a snapshot whose `data_version` is already read (a request with a token reads it to
    /// check the token), the head read at that same version is the head: nothing was committed
    /// since.
    public func head() throws(StoreError) -> LedgerHead {
        if let v = snapshotVersion, let seen = headSeen, seen.version == v { return seen.head }
        let s = try db.cached("SELECT seq, hash, ts FROM journal ORDER BY seq DESC LIMIT 1")
        defer { s.reset() }
        let head = try s.step() ? LedgerHead(seq: s.int(0), hash: s.blob(1).hexString, timestamp: s.int(2))
                                : LedgerHead(seq: 0, hash: Chain.genesis.hexString, timestamp: 0)
        headSeen = snapshotVersion.map { ($0, head) }
        return head
    }

    /// The hash of the journal entry at `seq`, nil when there is none. What follows the journal
    /// checks the entry at the head it reflects: the journal is append-only, so another hash
    /// there means another ledger (a file replaced at the same path).
    func entryHash(at seq: Int64) throws(StoreError) -> [UInt8]? {
        let s = try db.cached("SELECT hash FROM journal WHERE seq = ?")
        defer { s.reset() }
        try s.bind([.int(seq)])
        return try s.step() ? s.blob(0) : nil
    }

    /// The policy in force.
    public func policy() throws(StoreError) -> Policy {
        // Not even read again at the version it was read at (see `head`).
        if let v = snapshotVersion, policyVersion == v, let c = cachedPolicy { return c.policy }
        let s = try db.cached("SELECT seq, payload FROM policies ORDER BY seq DESC LIMIT 1")
        defer { s.reset() }
        guard try s.step() else { throw StoreError("the ledger has no readable policy") }
        // Parsed once per policy change, not once per read.
        let policy: Policy
        if let c = cachedPolicy, c.seq == s.int(0) {
            policy = c.policy
        } else {
            guard let j = try? JSON.parse(s.text(1)), let p = Policy(json: j) else { throw StoreError("the ledger has no readable policy") }
            cachedPolicy = (s.int(0), p)
            policy = p
        }
        policyVersion = snapshotVersion
        return policy
    }

    /// One member, or nil.
    public func member(_ id: MemberID) throws(StoreError) -> MemberRow? {
        let policy = try policy()
        guard let m = try SQLiteView.member(id, db: db) else { return nil }
        return MemberRow(state: m, floor: m.floor(under: policy), ceiling: m.ceiling(under: policy))
    }

    /// A member's balance with the floor and ceiling in force (nil: no such member): the
    /// busiest read, so only the columns it needs.
    public func balance(of id: MemberID) throws(StoreError) -> (balance: Minutes, floor: Minutes, ceiling: Minutes?)? {
        let policy = try policy()
        let s = try db.cached("""
            SELECT m.kind, m.floor_override, m.ceiling_override, a.balance, a.given
            FROM members m JOIN accounts a ON a.member = m.id WHERE m.id = ?
            """)
        defer { s.reset() }
        try s.bind([.id(id)])
        guard try s.step() else { return nil }
        let kind: MemberKind = try s.value(0)
        return (Minutes(s.int(3)), policy.floor(kind: kind, given: Minutes(s.int(4)), override: s.optionalInt(1).map(Minutes.init)),
                policy.ceiling(kind: kind, override: s.optionalInt(2).map(Minutes.init)))
    }

    /// Members in registration order, optionally of one kind or status.
    public func members(kind: MemberKind? = nil, status: MemberStatus? = nil) throws(StoreError) -> [MemberRow] {
        let policy = try policy()
        let s = try db.cached("""
            SELECT \(SQLiteView.memberColumns)
            WHERE (?1 IS NULL OR m.kind = ?1) AND (?2 IS NULL OR m.status = ?2)
            ORDER BY m.added_seq LIMIT ?3
            """)
        try s.bind([.text(kind?.rawValue), .text(status?.rawValue), .int(Int64(Reader.maxRows))])
        var rows = [MemberRow]()
        defer { s.reset() }
        while try s.step() {
            let m = try SQLiteView.memberState(s)
            rows.append(MemberRow(state: m, floor: m.floor(under: policy), ceiling: m.ceiling(under: policy)))
        }
        return rows
    }

    /// A page of members in id order, after the id `after` (keyset pagination).
    public func memberPage(kind: MemberKind? = nil, status: MemberStatus? = nil, after: MemberID?, limit: Int) throws(StoreError) -> [MemberRow] {
        let policy = try policy()
        let s = try db.cached("""
            SELECT \(SQLiteView.memberColumns)
            WHERE (?1 IS NULL OR m.kind = ?1) AND (?2 IS NULL OR m.status = ?2) AND m.id > ?3
            ORDER BY m.id LIMIT ?4
            """)
        defer { s.reset() }
        try s.bind([.text(kind?.rawValue), .text(status?.rawValue), .text(after?.handle ?? ""), .int(Int64(max(0, min(limit, Reader.maxRows))))])
        var rows = [MemberRow]()
        while try s.step() {
            let m = try SQLiteView.memberState(s)
            rows.append(MemberRow(state: m, floor: m.floor(under: policy), ceiling: m.ceiling(under: policy)))
        }
        return rows
    }

    /// One member's balance in minutes, or nil when there is no such member.
    public func balance(_ id: MemberID) throws(StoreError) -> Minutes? {
        try db.scalarInt("SELECT balance FROM accounts WHERE member = ?", .id(id)).map(Minutes.init)
    }

    /// Every account's balance, in registration order.
    public func balances() throws(StoreError) -> [(member: MemberID, balance: Minutes)] {
        let s = try db.cached("SELECT a.member, a.balance FROM accounts a JOIN members m ON m.id = a.member ORDER BY m.added_seq")
        defer { s.reset() }
        var out = [(MemberID, Minutes)]()
        while try s.step() { out.append((try s.id(0), Minutes(s.int(1)))) }
        return out
    }

    /// A member's postings between two days (inclusive), with the opening and running balance.
    ///
    /// The postings are read newest first along the member's chain (`MemberChain`), down to
    /// the first dated two days before `from` (no earlier posting falls on or after `from`,
    /// as the pair cap's window reasons), or to the first when there is no `from`. What was
    /// not read lies before `from`, so the opening balance is the balance now less what was
    /// read after the opening.
    public func statement(_ id: MemberID, from: Day?, to: Day?, afterPosting: Int64? = nil, limit: Int = Reader.maxRows) throws(StoreError) -> MemberStatement? {
        let account = try db.cached("SELECT balance, last_posting FROM accounts WHERE member = ?")
        try account.bind([.id(id)])
        guard try account.step() else { account.reset(); return nil }
        let balance = account.int(0), last = account.optionalInt(1)
        account.reset()
        let head = try head()
        let fromN = from?.number ?? Int64.min, toN = to?.number ?? Int64.max
        let limit = max(0, min(limit, Reader.maxRows))
        // Whether a posting counts in the opening balance: before `from`, or on a page after a
        // posting, in the range and not after that posting.
        func opens(_ day: Int64, _ posting: Int64) -> Bool {
            day < fromN || (afterPosting.map { day <= toN && posting <= $0 } ?? false)
        }
        let chain = MemberChain(of: id, "posting", from: last, reading: try db.cached("""
            SELECT p.prev, p.seq, p.day, t.kind, t.exchange, t.payer, t.payee, p.minutes, e.what
            FROM postings p JOIN transfers t ON t.id = p.transfer LEFT JOIN exchanges e ON e.num = t.exchange
            WHERE p.id = ?1 AND p.member = ?2
            """))
        defer { chain.finish() }
        let s = chain.row
        var read: Int64 = 0, readOpening: Int64 = 0
        // The page's lines, newest first: the oldest `limit` of those read are the page.
        var lines = [StatementLine]()
        while try chain.step() {
            let posting = chain.current, day = s.int(2), minutes = s.int(7)
            if let from, day < from.number - 2 { break }
            read += minutes
            if opens(day, posting) { readOpening += minutes; continue }
            guard day >= fromN, day <= toN, limit > 0 else { continue }
            let kind = try s.value(3, TransferKind.self)
            let desc: String
            switch kind {
            case .exchange: desc = s.text(8)
            case .reversal: desc = "reversal of \(ExchangeID(uncheckedNumber: s.int(4))): \(s.text(8))"
            case .donation: desc = "donation to the pool"
            case .grant: desc = "grant from the pool"
            case .settlement: desc = "settlement on leaving"
            }
            let counterparty: MemberID = try s.id(s.textEquals(5, id.handle) ? 6 : 5)
            lines.append(StatementLine(postingID: posting, seq: s.int(1), day: Day(day), kind: kind, exchange: s.optionalInt(4).map(ExchangeID.init(uncheckedNumber:)),
                                       counterparty: counterparty, description: desc, minutes: Minutes(minutes), balance: .zero))
            if lines.count >= 2 * limit { lines.removeFirst(limit) }
        }
        lines = Array(lines.suffix(limit).reversed())
        let opening = balance - read + readOpening
        var running = opening
        for i in lines.indices {
            running += lines[i].minutes.value
            lines[i].balance = Minutes(running)
        }
        return MemberStatement(member: id, from: from, to: to, opening: Minutes(opening), closing: Minutes(running), lines: lines, head: head)
    }

    /// One exchange, or nil.
    public func exchange(_ id: ExchangeID) throws(StoreError) -> ExchangeRow? {
        guard let r = try SQLiteView.exchange(id, db: db) else { return nil }
        let reasons = try db.cached("SELECT reason, end_reason FROM exchanges WHERE num = ?")
        try reasons.bind([.int(id.number)])
        defer { reasons.reset() }
        let found = try reasons.step()
        return ExchangeRow(record: r, reason: found ? reasons.optionalText(0) : nil, endReason: found ? reasons.optionalText(1) : nil)
    }

    /// Exchanges, newest first, optionally of one member and/or in one state.
    public func exchanges(member: MemberID? = nil, state: ExchangeState? = nil, before: Int64? = nil, limit: Int = 1_000) throws(StoreError) -> [ExchangeRow] {
        // One member's exchanges are found along their chain of parties (newest first), not by
        // walking every exchange.
        let limit = max(0, min(limit, Reader.maxRows))
        var nums = [Int64]()
        if let member {
            nums = try MemberChain.exchangeNumbers(of: member, state: state, before: before, limit: limit, db: db) ?? []
        } else {
            let s = try db.cached(Reader.exchangesSQL)
            try s.bind([.text(state?.rawValue), .int(Int64(limit)), .int(before)])
            while try s.step() { nums.append(s.int(0)) }
            s.reset()
        }
        var out = [ExchangeRow]()
        for n in nums { if let r = try exchange(ExchangeID(uncheckedNumber: n)) { out.append(r) } }
        return out
    }

    static let exchangesSQL = """
        SELECT e.num FROM exchanges e
        WHERE (?1 IS NULL OR e.state = ?1) AND (?3 IS NULL OR e.num < ?3)
        ORDER BY e.num DESC LIMIT ?2
        """

    /// Counts for a summary: members, exchanges by state, journal entries.
    public func counts() throws(StoreError) -> (members: Int64, exchanges: Int64, confirmed: Int64, entries: Int64) {
        (try db.scalarInt("SELECT COUNT(*) FROM members WHERE kind != 'pool'") ?? 0,
         try db.scalarInt("SELECT COUNT(*) FROM exchanges") ?? 0,
         try db.scalarInt("SELECT COUNT(*) FROM exchanges WHERE state = 'confirmed'") ?? 0,
         try db.scalarInt("SELECT COUNT(*) FROM journal") ?? 0)
    }

    /// Every transfer in journal order, for exports: seq, timestamp, kind, exchange, payer, payee, minutes, description.
    public func forEachTransfer(_ body: (TransferRow) throws -> Void) throws {
        let s = try db.prepare("""
            SELECT t.seq, j.ts, t.kind, t.exchange, t.payer, t.payee, t.minutes, e.what, e.domain, e.kind
            FROM transfers t JOIN journal j ON j.seq = t.seq LEFT JOIN exchanges e ON e.num = t.exchange ORDER BY t.id
            """)
        while try s.step() {
            try body(TransferRow(seq: s.int(0), timestamp: s.int(1), kind: try s.value(2), exchange: s.optionalInt(3).map(ExchangeID.init(uncheckedNumber:)),
                                 payer: try s.id(4), payee: try s.id(5), minutes: Minutes(s.int(6)), what: s.optionalText(7),
                                 domain: s.optionalText(8), exchangeKind: s.isNull(9) ? nil : try s.value(9)))
        }
    }

    /// Every exchange in id order, for exports.
    public func forEachExchange(_ body: (ExchangeRow) throws -> Void) throws {
        let s = try db.prepare("SELECT num FROM exchanges ORDER BY num")
        while try s.step() {
            if let r = try exchange(ExchangeID(uncheckedNumber: s.int(0))) { try body(r) }
        }
    }
}

/// A transfer as exports show it.
public struct TransferRow: Sendable {
    public let seq: Int64
    public let timestamp: Int64
    public let kind: TransferKind
    public let exchange: ExchangeID?
    public let payer: MemberID
    public let payee: MemberID
    public let minutes: Minutes
    public let what: String?
    public let domain: String?
    public let exchangeKind: ExchangeKind?
}

extension Reader {
    /// Active members whose name holds every word of `text` (case- and accent-insensitive), or
    /// whose id starts with it: how a person finds another member without knowing the id.
    /// At most `limit` (the first found in registration order, then sorted by name); the pool
    /// is never among them. A scan of the active members, no sort of them all.
    public func findMembers(_ text: String, limit: Int = 10) throws(StoreError) -> [MemberInfo] {
        let words = text.folded.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        guard !words.isEmpty else { return [] }
        let handle = text.trimmingCharacters(in: .whitespaces).lowercased()
        let s = try db.cached("SELECT \(SQLiteView.memberColumns) WHERE m.status = 'active' AND m.kind <> 'pool'")
        defer { s.reset() }
        var found = [MemberInfo]()
        while try s.step(), found.count < limit {
            let info = try SQLiteView.memberState(s).info
            let name = info.name.folded
            if info.id.handle.hasPrefix(handle) || words.allSatisfy({ name.contains($0) }) { found.append(info) }
        }
        return found.sorted { ($0.name, $0.id.handle) < ($1.name, $1.id.handle) }
    }

    /// The neighbourhoods members gave, for the listings' filter.
    public func neighbourhoods() throws(StoreError) -> [String] {
        let s = try db.cached("SELECT DISTINCT neighbourhood FROM members WHERE neighbourhood IS NOT NULL AND status = 'active' ORDER BY neighbourhood LIMIT 500")
        defer { s.reset() }
        var out = [String]()
        while try s.step() { if let n = s.optionalText(0) { out.append(n) } }
        return out
    }
}

extension Reader {
    /// What `command` by `actor` would decide now, judged by the core's rules on this reader's
    /// snapshot and written nowhere: the decision, or the rule's refusal. A page uses it to
    /// show the effect of a form before it is sent; the writer judges again when it is.
    public func judge(_ command: Command, by actor: Actor, now: Int64) throws -> Result<Decision, RuleViolation> {
        let view = SQLiteView(db: db, policy: try policy())
        do {
            return .success(try Decider.decide(command, by: actor, in: view, now: now))
        } catch {
            switch error {
            case .rule(let v): return .failure(v)
            case .unreadable(let e): throw e
            }
        }
    }
}
