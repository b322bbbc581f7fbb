import Foundation
import KringCore

/// Why a command was not carried out: a rule said no (exit 1, HTTP 422), or storage failed
/// (exit 3, HTTP 500).
public enum LedgerError: Error, Sendable, CustomStringConvertible {
    case rule(RuleViolation)
    case storage(StoreError)

    public var description: String {
        switch self {
        case .rule(let v): return v.description
        case .storage(let e): return e.description
        }
    }
}

/// A command carried out: where it landed in the journal, what it recorded, any warnings, and
/// the proposals that expired before it.
public struct Outcome: Sendable {
    public let seq: Int64
    public let hash: [UInt8]
    public let event: Event
    public let warnings: [Warning]
    /// Expiries the writer recorded first, because their time had come (empty when the
    /// outcome is read back for a repeated idempotency key).
    public let expired: [Event]
    /// How many proposals expired first.
    public let expiredBefore: Int

    init(seq: Int64, hash: [UInt8], event: Event, warnings: [Warning], expired: [Event], expiredBefore: Int? = nil) {
        self.seq = seq
        self.hash = hash
        self.event = event
        self.warnings = warnings
        self.expired = expired
        self.expiredBefore = expiredBefore ?? expired.count
    }
}

/// An idempotency key as the writer stores it: whose key (`scope`), the key, and the SHA-256
/// of the request it first came with.
public struct IdempotencyKey: Sendable, Equatable {
    public let scope: String
    public let key: String
    public let requestHash: [UInt8]

    public init(scope: String, key: String, requestHash: [UInt8]) {
        self.scope = scope
        self.key = key
        self.requestHash = requestHash
    }
}

/// The answer given to a command (an HTTP status and body), as versions before schema 7 stored
/// it with its key; later keys keep the typed outcome instead.
public struct StoredAnswer: Sendable, Equatable {
    public let status: Int
    public let body: String

    public init(status: Int, body: String) {
        self.status = status
        self.body = body
    }
}

/// One command of a group commit.
public struct BatchItem: Sendable {
    public let command: Command
    public let actor: Actor
    public let idempotency: IdempotencyKey?

    public init(command: Command, actor: Actor, idempotency: IdempotencyKey?) {
        self.command = command
        self.actor = actor
        self.idempotency = idempotency
    }
}

/// What became of one command of a batch. The outcome is typed; each face renders it (the API
/// as JSON with its status), the same way for a first answer and a repeated one.
/// Where a batch's time went, in seconds: the transaction's start with the expiry sweep, the
/// idempotency keys looked up and stored, deciding, appending (sealing and the projections),
/// and the COMMIT (the WAL written and synced).
public struct BatchTimes: Sendable, Equatable {
    public var sweep = 0.0, keys = 0.0, decide = 0.0, append = 0.0, commit = 0.0

    public init() {}
}

public enum BatchResult: Sendable {
    /// Run now: accepted or refused.
    case fresh(Result<Outcome, RuleViolation>)
    /// The key was seen with the same request: what the command came to then.
    case replay(Result<Outcome, RuleViolation>)
    /// The key was seen with the same request, answered by a version before schema 7, which
    /// kept the HTTP answer itself.
    case replayAnswer(StoredAnswer)
    /// The key was seen with another request.
    case conflict
}

/// The clock: Unix seconds. Injected so tests and the demo control time.
public typealias Clock = @Sendable () -> Int64

/// The wall clock, overridable with `KRING_NOW` (Unix seconds or `YYYY-MM-DD`) for tests.
public let systemClock: Clock = {
    if let fixed = fixedNow { return fixed }
    return Int64(Date().timeIntervalSince1970)
}

/// `KRING_NOW`, read once (the environment does not change under a running process).
private let fixedNow: Int64? = {
    guard let fixed = ProcessInfo.processInfo.environment["KRING_NOW"] else { return nil }
    if let n = Int64(fixed) { return n }
    if let d = Day(iso: fixed) { return d.timestamp + 12 * 3600 }
    return nil
}()

/// The single writer of a ledger: decides each command against the projections and appends its
/// event in the same SQLite transaction (WAL, `synchronous=FULL`). `@unchecked Sendable`
/// because every use of the connection is serialised by `lock`.
public final class Ledger: @unchecked Sendable {
    /// Most proposals expired by one sweep (the rest go in the next).
    public static let maxExpiriesPerSweep = 1_000

    let db: Connection
    let projector: Projector
    /// Members and pair credits kept between this writer's transactions.
    private let cache = WriterCache()
    private let lock = NSLock()
    private let clock: Clock
    /// The policy read last, by its seq, with the days of its zone (`ZoneDays`).
    private var cachedPolicy: (seq: Int64, policy: Policy, days: ZoneDays)?
    /// Whether `cachedPolicy` is the one in force in the open write transaction: checked
    /// once per transaction (another process may have changed it before), and again after this
    /// writer appends a change of policy.
    private var policyChecked = false

    /// Creates a new ledger at `path` with its genesis event. Refuses a file that holds one.
    public static func create(path: String, policy: Policy = .standard, clock: @escaping Clock = systemClock) throws(StoreError) -> Ledger {
        let db = try Ledger.openConnection(path)
        let existing = try db.scalarInt("SELECT COUNT(*) FROM journal") ?? 0
        guard existing == 0 else { throw StoreError("\(path) already holds a ledger (\(existing) journal entries); not overwriting it.") }
        let projector = try Projector(db: db)
        try db.execute("BEGIN IMMEDIATE")
        do {
            try projector.append(.ledgerCreated(LedgerCreated(policy: policy)), by: .coordinator, at: clock())
            try db.execute("COMMIT")
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
        return try Ledger(db: db, clock: clock)
    }

    /// Opens an existing ledger.
    public convenience init(path: String, clock: @escaping Clock = systemClock) throws(StoreError) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError("No ledger at \(path); create one with `kring init` (or `kring demo`).")
        }
        try self.init(db: try Ledger.openConnection(path), clock: clock)
    }

    private init(db: Connection, clock: @escaping Clock) throws(StoreError) {
        self.db = db
        self.clock = clock
        projector = try Projector(db: db)
        projector.cache = cache
        guard projector.head.seq > 0 else { throw StoreError("\(db.path) is not initialised; run `kring init`.") }
    }

    /// Opens a connection for writing with the durability settings and the current schema.
    static func openConnection(_ path: String) throws(StoreError) -> Connection {
        let db = try Connection(path: path)
        try db.execute("PRAGMA journal_mode = WAL")
        try db.execute("PRAGMA synchronous = FULL")
        // The writer keeps the pages it works on (indexes of members, pairs, idempotency keys)
        // in its own cache instead of reading them again from the operating system's for
        // every command: SQLite's default is 2 MiB.
        try db.execute("PRAGMA cache_size = -\(Ledger.cacheKiB)")
        // A statement journal (SQLite's copy of the pages a statement changes, to undo it
        // alone) stays in memory instead of spilling to a temporary file beyond 64 KiB.
        try db.execute("PRAGMA temp_store = MEMORY")
        try Schema.migrate(db)
        return db
    }

    /// The writer's page cache, in KiB (a named limit: the writer's memory beyond it is small).
    public static let cacheKiB = 64 * 1024

    /// Runs `body` holding the writer's lock.
    func locked<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// The clock's now, never before the last entry.
    func clockNow() -> Int64 { max(clock(), projector.head.ts) }

    /// WAL frames the writer has written since it opened (`Connection.pagesWritten`).
    public var pagesWritten: Int64 { locked { db.pagesWritten } }

    /// The chain head: sequence number and hash of the last entry.
    public var head: (seq: Int64, hash: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        return (projector.head.seq, projector.head.hash)
    }

    /// The policy in force.
    public func currentPolicy() throws(StoreError) -> Policy {
        lock.lock()
        defer { lock.unlock() }
        policyChecked = false
        return try policy()
    }

    private func policy() throws(StoreError) -> Policy {
        if policyChecked, let c = cachedPolicy { return c.policy }
        let s = try db.cached("SELECT seq, payload FROM policies ORDER BY seq DESC LIMIT 1")
        defer { s.reset() }
        guard try s.step() else { throw StoreError("the ledger has no policy") }
        let seq = s.int(0)
        if let c = cachedPolicy, c.seq == seq {
            policyChecked = true
            return c.policy
        }
        guard let json = try? JSON.parse(s.text(1)), let p = Policy(json: json) else { throw StoreError("the policy at seq \(seq) is unreadable") }
        cachedPolicy = (seq, p, ZoneDays(p.zone))
        policyChecked = true
        return p
    }

    /// Carries out `command` for `actor` in one durable transaction, after expiring any proposal
    /// whose time has come. A refused command changes nothing (the expiries still commit).
    public func execute(_ command: Command, by actor: Actor) throws(LedgerError) -> Outcome {
        lock.lock()
        defer { lock.unlock() }
        let result: Result<Outcome, RuleViolation>
        do {
            result = try transactCommand(command, by: actor)
        } catch {
            try? db.execute("ROLLBACK")
            try? projector.reloadHead()
            throw .storage(error)
        }
        switch result {
        case .success(let outcome): return outcome
        case .failure(let violation): throw .rule(violation)
        }
    }

    /// The transaction of `execute`: storage errors throw, rule violations come back as a value
    /// (they wrote nothing) after the sweep committed.
    private func transactCommand(_ command: Command, by actor: Actor) throws(StoreError) -> Result<Outcome, RuleViolation> {
        try begin()
        let now = max(clock(), projector.head.ts)
        let expired = try sweep(now: now)
        let result = try decideAndAppend(command, by: actor, now: now, expired: expired)
        try commit()
        if case .failure = result { try projector.reloadHead() }
        return result
    }

    /// Opens a write transaction: the lock on the file, the head as it is on disk, and the
    /// writer's cache checked against what other connections committed.
    private func begin() throws(StoreError) {
        try db.run("BEGIN IMMEDIATE")
        policyChecked = false
        try projector.reloadHead()
        try cache.begin(db)
    }

    /// Commits the write transaction `begin` opened.
    private func commit() throws(StoreError) {
        try db.run("COMMIT")
        cache.committed()
    }

    /// Decides `command` on the open transaction and appends its event. Deciding only reads,
    /// so a refusal leaves no trace without a savepoint to roll back (SQLite would copy every
    /// page a savepoint touches into a statement journal: a third of the writer's time); a
    /// storage error while appending rolls the whole transaction back, as before. That deciding
    /// wrote nothing is checked on every command.
    private func decideAndAppend(_ command: Command, by actor: Actor, now: Int64, expired: [Event],
                                 lap: (WritableKeyPath<BatchTimes, Double>) -> Void = { _ in }) throws(StoreError) -> Result<Outcome, RuleViolation> {
        let view = SQLiteView(db: db, policy: try policy(), cache: cache)
        let today = cachedPolicy?.days.day(now)  // `policy()` keeps the policy it read, with its zone's days
        let before = db.totalChanges
        let result = try Ledger.decide(command, by: actor, in: view, now: now, today: today)
        guard db.totalChanges == before else { throw StoreError("deciding a command wrote to the ledger; its transaction is rolled back", integrity: true) }
        lap(\.decide)
        switch result {
        case .failure(let violation):
            return .failure(violation)
        case .success(let decision):
            let seq = try projector.append(decision.event, by: actor, at: now)
            if case .policyChanged = decision.event { policyChecked = false }
            lap(\.append)
            return .success(Outcome(seq: seq, hash: projector.head.hash, event: decision.event, warnings: decision.warnings, expired: expired))
        }
    }

    /// Carries out a batch of commands in one durable transaction (group commit): one sweep,
    /// then each command decided and appended in turn; a refused command writes nothing, so it
    /// never sinks the others. Each item's answer is rendered inside the transaction and, when
    /// it carries an idempotency key, stored with it; a key seen before returns the stored answer (same
    /// request) or a conflict (another request) without running anything. Nothing is
    /// acknowledged before the COMMIT returns; a storage error rolls the whole batch back.
    public func executeBatch(_ items: [BatchItem]) throws(StoreError) -> [BatchResult] {
        var times = BatchTimes()
        return try executeBatch(items, times: &times)
    }

    /// `executeBatch`, saying where its time went.
    public func executeBatch(_ items: [BatchItem], times: inout BatchTimes) throws(StoreError) -> [BatchResult] {
        lock.lock()
        defer { lock.unlock() }
        do {
            return try transactBatch(items, times: &times)
        } catch {
            try? db.execute("ROLLBACK")
            try? projector.reloadHead()
            throw error
        }
    }

    private func transactBatch(_ items: [BatchItem], times: inout BatchTimes) throws(StoreError) -> [BatchResult] {
        var mark = Monotonic.now
        func lap(_ phase: WritableKeyPath<BatchTimes, Double>) {
            let t = Monotonic.now
            times[keyPath: phase] += t - mark
            mark = t
        }
        try begin()
        let now = max(clock(), projector.head.ts)
        var expired = try sweep(now: now)
        lap(\.sweep)
        let find = try db.cached("SELECT request_hash, status, body, outcome FROM idempotency WHERE scope = ? AND key = ?")
        let store = try db.cached("INSERT INTO idempotency(scope, key, request_hash, status, body, seq, created_at, outcome) VALUES (?, ?, ?, 0, '', ?, ?, ?)")
        var results = [BatchResult]()
        results.reserveCapacity(items.count)
        for item in items {
            if let key = item.idempotency {
                try find.bind([.text(key.scope), .text(key.key)])
                var seen: (hash: [UInt8], result: BatchResult)?
                if try find.step() {
                    let hash = find.blob(0)
                    if find.isNull(3) {
                        seen = (hash, .replayAnswer(StoredAnswer(status: Int(find.int(1)), body: find.text(2))))
                    } else {
                        let kept = find.text(3)
                        find.reset()
                        seen = (hash, .replay(try keptOutcome(kept)))
                    }
                }
                find.reset()
                lap(\.keys)
                if let seen {
                    results.append(seen.hash == key.requestHash ? seen.result : .conflict)
                    continue
                }
            }
            let result = try decideAndAppend(item.command, by: item.actor, now: now, expired: expired, lap: lap)
            expired = []
            if let key = item.idempotency {
                let seq: Int64? = if case .success(let o) = result { o.seq } else { nil }
                try store.run(.text(key.scope), .text(key.key), .blob(key.requestHash), .int(seq), .int(now), .text(Ledger.keptText(result)))
                lap(\.keys)
            }
            results.append(.fresh(result))
        }
        try commit()
        lap(\.commit)
        return results
    }

    /// `keep(result)` in canonical JSON. An accepted command without warnings, nearly every
    /// one, is written directly: the same bytes (a test holds them to it), without building
    /// and sorting the objects.
    static func keptText(_ result: Result<Outcome, RuleViolation>) -> String {
        if case .success(let o) = result, o.warnings.isEmpty {
            return "{\"accepted\":{\"expired_before\":\(o.expiredBefore),\"seq\":\(o.seq),\"warnings\":[]}}"
        }
        return keep(result).canonicalString
    }

    /// What an idempotent command came to, as its key keeps it: where it landed with its
    /// warnings and the expiries before it, or the rule that refused it, each sentence by its
    /// typed reason (so a face can render it in any language). The event itself is the
    /// journal's, read back at `seq`.
    static func keep(_ result: Result<Outcome, RuleViolation>) -> JSON {
        switch result {
        case .success(let o):
            return .object(["accepted": .object([
                "seq": .int(o.seq), "expired_before": .int(Int64(o.expiredBefore)),
                "warnings": .array(o.warnings.map { .object(["code": .string($0.code.rawValue), "reason": kept($0.reason)]) }),
            ])])
        case .failure(let v):
            return .object(["refused": .object(["code": .string(v.code.rawValue), "field": v.field.map { .string($0.rawValue) } ?? .null,
                                                "reason": kept(v.reason)])])
        }
    }

    /// A reason as a kept outcome holds it.
    private static func kept(_ reason: Reason) -> JSON {
        // Encoding a value of plain enums, strings and numbers cannot fail.
        guard let data = try? JSONEncoder().encode(reason), let json = try? JSON.parse(Array(data)) else {
            preconditionFailure("a reason did not encode")
        }
        return json
    }

    /// The reason in a kept outcome: typed, or (kept by a version before typed sentences) the
    /// English sentence it held.
    private static func keptReason(_ json: JSON) -> Reason? {
        if let message = json["message"]?.stringValue { return .kept(message) }
        guard let r = json["reason"] else { return nil }
        return try? JSONDecoder().decode(Reason.self, from: Data(r.canonicalBytes))
    }

    /// The outcome kept with a key, with its event read from the journal.
    private func keptOutcome(_ text: String) throws(StoreError) -> Result<Outcome, RuleViolation> {
        guard let json = try? JSON.parse(text) else { throw StoreError("an idempotency outcome is not JSON", integrity: true) }
        if let r = json["refused"] {
            guard let code = r["code"]?.stringValue.flatMap(RuleCode.init), let reason = Ledger.keptReason(r) else {
                throw StoreError("an idempotency outcome names no known rule", integrity: true)
            }
            let field = r["field"]?.stringValue
            guard field == nil || Field(rawValue: field!) != nil else { throw StoreError("an idempotency outcome names no known field", integrity: true) }
            return .failure(RuleViolation(code, reason, field: field.flatMap(Field.init)))
        }
        guard let a = json["accepted"], let seq = a["seq"]?.intValue, let expired = a["expired_before"]?.intValue, let ws = a["warnings"]?.arrayValue else {
            throw StoreError("an idempotency outcome is neither accepted nor refused", integrity: true)
        }
        var warnings = [Warning]()
        for w in ws {
            guard let code = w["code"]?.stringValue.flatMap(WarningCode.init), let reason = Ledger.keptReason(w) else {
                throw StoreError("an idempotency outcome holds an unknown warning", integrity: true)
            }
            warnings.append(Warning(code: code, reason: reason))
        }
        let s = try db.cached("SELECT type, payload, hash FROM journal WHERE seq = ?")
        defer { s.reset() }
        try s.bind([.int(seq)])
        guard try s.step(), let payload = try? JSON.parse(s.textBytes(1)), let event = Event(type: s.text(0), payload: payload) else {
            throw StoreError("the journal entry \(seq) of an idempotency outcome is unreadable", integrity: true)
        }
        return .success(Outcome(seq: seq, hash: s.blob(2), event: event, warnings: warnings, expired: [], expiredBefore: Int(expired)))
    }

    /// Expires (or, by policy, auto-confirms) every proposal due at `now`. Explicit form of what
    /// every write does first.
    public func expireDue() throws(LedgerError) -> [Event] {
        lock.lock()
        defer { lock.unlock() }
        do {
            try begin()
            let events = try sweep(now: max(clock(), projector.head.ts))
            try commit()
            return events
        } catch {
            try? db.execute("ROLLBACK")
            try? projector.reloadHead()
            throw .storage(error)
        }
    }

    /// Proposals due at ?1, in number order. Materialised first: with ORDER BY num and a bound
    /// LIMIT in one query, SQLite's planner prefers walking every exchange in number order to
    /// the partial index of open proposals (a scan of the whole table on every write).
    static let dueSQL = """
        WITH due AS MATERIALIZED (SELECT num FROM exchanges WHERE state = 'proposed' AND expires_at <= ?1)
        SELECT num FROM due ORDER BY num LIMIT ?2
        """

    /// The decider's answer on the store's view: its decision or the rule that refused; a
    /// failed read throws, as the storage error it is.
    static func decide(_ command: Command, by actor: Actor, in view: SQLiteView, now: Int64, today: Day? = nil) throws(StoreError) -> Result<Decision, RuleViolation> {
        do {
            return .success(try Decider.decide(command, by: actor, in: view, now: now, today: today))
        } catch {
            switch error {
            case .rule(let violation): return .failure(violation)
            case .unreadable(let e): throw (e as? StoreError) ?? StoreError("the ledger could not be read: \(e)")
            }
        }
    }

    private func sweep(now: Int64) throws(StoreError) -> [Event] {
        let s = try db.cached(Ledger.dueSQL)
        try s.bind([.int(now), .int(Int64(Ledger.maxExpiriesPerSweep))])
        var due = [Int64]()
        while try s.step() { due.append(s.int(0)) }
        s.reset()
        var events = [Event]()
        for num in due {
            let view = SQLiteView(db: db, policy: try policy(), cache: cache)
            guard case .success(let d) = try Ledger.decide(.expire(ExchangeID(uncheckedNumber: num)), by: .system, in: view, now: now) else { continue }
            try projector.append(d.event, by: .system, at: now)
            events.append(d.event)
        }
        return events
    }
}
