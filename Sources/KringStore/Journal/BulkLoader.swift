import Foundation
import KringCore

/// Loads many commands into a new ledger fast, through the same rules and the same chain as
/// the single writer: each command is decided against an in-memory `LedgerState`, applied to
/// it and sealed onto the hash chain on the caller's thread, while a second thread writes the
/// sealed entries and their projections through the `Projector`, committing in large batches
/// (secondary indexes are dropped for the load and built again at the end).
/// Used by `kring demo` and the benchmarks. Not for a ledger another process writes to.
///
/// `@unchecked Sendable`: the connection and projector belong to the writer thread once it has
/// started; the caller's thread touches only `state`, `chain` and the counters; the hand-over
/// queue is guarded by `queueLock`.
public final class BulkLoader: @unchecked Sendable {
    /// Events per transaction.
    public static let batchSize = 20_000
    /// Entries handed to the writer thread at a time.
    static let chunkSize = 512
    /// Chunks waiting for the writer before the caller is held back.
    static let maxQueuedChunks = 64
    /// Page cache of the bulk connection, in KiB.
    public static let cacheKiB = 512 * 1024

    private let projector: Projector
    /// The ledger as decided so far.
    private var state = LedgerState(tracksPairs: true)
    private var chain: ChainHead
    private var chunk: [JournalEntry] = []
    /// Commands accepted and refused so far.
    public private(set) var accepted = 0, refused = 0
    /// Refusals by code.
    public private(set) var refusals: [RuleCode: Int] = [:]

    private let queueLock = NSCondition()
    private var queue: [[JournalEntry]] = []
    private var closed = false
    private var writerError: StoreError?
    private var writerDone = false

    /// Creates the ledger at `path` (which must hold none) with its genesis at `timestamp`.
    /// - Parameter expected: roughly how many members and exchanges the load will hold, so the
    ///   in-memory state is sized once.
    public init(path: String, policy: Policy = .standard, genesisAt timestamp: Int64,
                expected: (members: Int, exchanges: Int) = (0, 0)) throws(StoreError) {
        let db = try Ledger.openConnection(path)
        let existing = try db.scalarInt("SELECT COUNT(*) FROM journal") ?? 0
        guard existing == 0 else { throw StoreError("\(path) already holds a ledger (\(existing) journal entries); not overwriting it.") }
        // Durability comes from the final FULL commit. During the load a rollback journal
        // (safe if the process is killed) avoids writing every page twice through the WAL; a
        // large page cache keeps the tables of a big load in memory between commits.
        try db.execute("PRAGMA journal_mode = DELETE")
        try db.execute("PRAGMA synchronous = OFF")
        try db.execute("PRAGMA cache_size = -\(BulkLoader.cacheKiB)")
        for index in Schema.indexes { try db.execute("DROP INDEX IF EXISTS \(index.name)") }
        // The rows come from the core's typed values; the CHECKs are checked once, at the end,
        // over whole tables, instead of row by row.
        try db.execute("PRAGMA ignore_check_constraints = ON")
        projector = try Projector(db: db)
        projector.deferBalances = true
        chain = projector.head
        state.reserveCapacity(members: expected.members, exchanges: expected.exchanges)
        let genesis = Event.ledgerCreated(LedgerCreated(policy: policy))
        do { try state.apply(genesis, timestamp: timestamp) } catch { preconditionFailure("genesis applies to an empty ledger: \(error)") }
        chunk.append(chain.seal(genesis, by: .coordinator, at: timestamp))
        Thread.detachNewThread { [self] in self.writeLoop() }
    }

    /// The policy in force in the load so far.
    public var policy: Policy { state.policy }

    /// A member as the load stands (without copying the whole state).
    public func member(_ id: MemberID) -> MemberState? { state.member(id) }

    /// Decides and, when accepted, appends `command` at `timestamp`.
    @discardableResult
    public func execute(_ command: Command, by actor: Actor, at timestamp: Int64) throws(StoreError) -> Result<Decision, RuleViolation> {
        let ts = max(timestamp, chain.ts)
        let decision: Decision
        do {
            decision = try state.decideAndApply(command, by: actor, now: ts)
        } catch {
            switch error {
            case .rule(let violation):
                refused += 1
                refusals[violation.code, default: 0] += 1
                return .failure(violation)
            case .unreadable(let e):
                // The in-memory ledger has no failing reads; kept total all the same.
                throw StoreError("the loader's ledger could not be read: \(e)")
            }
        }
        chunk.append(chain.seal(decision.event, by: actor, at: ts))
        accepted += 1
        if chunk.count >= BulkLoader.chunkSize { try handOver() }
        return .success(decision)
    }

    private func handOver() throws(StoreError) {
        queueLock.lock()
        defer { queueLock.unlock() }
        while queue.count >= BulkLoader.maxQueuedChunks && writerError == nil { queueLock.wait() }
        if let e = writerError { throw e }
        queue.append(chunk)
        chunk = []
        chunk.reserveCapacity(BulkLoader.chunkSize)
        queueLock.signal()
    }

    /// The writer thread: writes chunks in order, committing every `batchSize` entries.
    private func writeLoop() {
        let db = projector.db
        var inBatch = 0
        do throws(StoreError) {
            try db.execute("BEGIN IMMEDIATE")
            while true {
                queueLock.lock()
                while queue.isEmpty && !closed { queueLock.wait() }
                if let abandoned = writerError { queueLock.unlock(); throw abandoned }
                if queue.isEmpty && closed { queueLock.unlock(); break }
                let next = queue.removeFirst()
                queueLock.signal()
                queueLock.unlock()
                // By index: the entries are read in place, not copied out of the chunk one by one.
                for i in next.indices { try projector.write(next[i]) }
                inBatch += next.count
                if inBatch >= BulkLoader.batchSize {
                    try projector.flushBalances()
                    try db.execute("COMMIT")
                    try db.execute("BEGIN IMMEDIATE")
                    inBatch = 0
                }
            }
            try projector.flushBalances()
            try db.execute("COMMIT")
        } catch {
            try? db.execute("ROLLBACK")
            queueLock.lock()
            writerError = error
            queueLock.unlock()
        }
        queueLock.lock()
        writerDone = true
        queueLock.broadcast()
        queueLock.unlock()
    }

    /// Stops the writer thread without writing what is queued (after a failure; the last
    /// batch is rolled back).
    public func abandon() {
        queueLock.lock()
        queue.removeAll()
        chunk.removeAll()
        closed = true
        if writerError == nil { writerError = StoreError("the bulk load was abandoned") }
        queueLock.broadcast()
        queueLock.unlock()
    }

    /// Writes what is left, builds the indexes in a durable (`synchronous=FULL`) commit that
    /// also flushes everything written before it, and switches the file to WAL.
    ///
    /// Once the writer thread has committed every row, a second connection checks them
    /// (`Schema.rowsFailingChecks`) on another thread while this one builds the indexes, and the
    /// loader's in-memory ledger is freed there after the checks: the two cores share what was
    /// the load's serial tail. The indexes commit only when the checks found nothing. After
    /// `finish`, `member` and `policy` no longer answer for the load.
    public func finish() throws(StoreError) -> LedgerHead {
        queueLock.lock()
        if !chunk.isEmpty { queue.append(chunk); chunk = [] }
        closed = true
        queueLock.broadcast()
        while !writerDone { queueLock.wait() }
        let failure = writerError
        queueLock.unlock()
        if let failure { throw failure }
        let db = projector.db
        var decided = LedgerState(tracksPairs: false)
        swap(&decided, &state)
        // A database without a file ("", ":memory:") cannot be opened twice: checked here.
        let file = !db.path.isEmpty && db.path != ":memory:"
        let checks = RowChecks(path: file ? db.path : nil, thenFree: consume decided)
        let built = Result { () throws(StoreError) in
            try db.execute("PRAGMA synchronous = FULL")
            try db.execute("BEGIN IMMEDIATE")
            for index in Schema.indexes { try db.execute("CREATE INDEX \(index.name) ON \(index.definition)") }
        }
        // Waited for on every path, so no reader of the file outlives the load.
        var checked = checks.wait()
        if !file, case .success = built { checked = Result { () throws(StoreError) in try Schema.rowsFailingChecks(db) } }
        do throws(StoreError) {
            try built.get()
            let failing = try checked.get()
            guard failing.isEmpty else {
                throw StoreError("the load wrote rows the ledger does not know: \(failing.map { "\($0.rows) in \($0.table)" }.joined(separator: ", "))", integrity: true)
            }
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
        try db.execute("PRAGMA ignore_check_constraints = OFF")
        try db.execute("COMMIT")
        try db.execute("PRAGMA journal_mode = WAL")
        return LedgerHead(seq: chain.seq, hash: chain.hash.hexString, timestamp: chain.ts)
    }
}

/// The rows of a finished load checked against `Schema.rowChecks` on a read connection of
/// their own, on another thread (none without a `path`: the loader checks them itself); then
/// the loader's in-memory ledger handed over is freed there.
///
/// In the load's rollback-journal mode the reader's shared lock lets the loader's connection
/// build indexes beside it (their pages stay in its page cache; were it to spill, SQLite waits
/// for the lock or keeps the pages in memory). The loader commits after `wait`, once the
/// reader has closed.
private final class RowChecks: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    /// Written on the checking thread before `done` is signalled, read after `wait`.
    private var result: Result<[(table: String, rows: Int64)], StoreError> = .success([])

    init(path: String?, thenFree state: consuming LedgerState) {
        let held = state
        DispatchQueue.global().async { [self] in
            if let path {
                result = Result { () throws(StoreError) in
                    let reader = try Connection(path: path, readOnly: true)
                    return try Schema.rowsFailingChecks(reader)
                }
            }
            done.signal()
            withExtendedLifetime(held) {}
        }
    }

    /// The tables holding rows that break a check, with how many.
    func wait() -> Result<[(table: String, rows: Int64)], StoreError> {
        done.wait()
        return result
    }
}
