import KringCore

/// Loads many commands into a new ledger fast, through the same rules and the same chain as
/// the single writer: each command is decided against an in-memory `LedgerState`, applied to
/// it, and appended through the `Projector`; commits are grouped into large transactions.
/// Used by `kring demo` and the benchmarks. Not for a ledger another process writes to.
public final class BulkLoader {
    /// Events per transaction.
    public static let batchSize = 20_000

    let db: Connection
    let projector: Projector
    /// The ledger as decided so far.
    public private(set) var state = LedgerState(tracksPairs: true)
    private var inBatch = 0
    /// Commands accepted and refused so far.
    public private(set) var accepted = 0, refused = 0
    /// Refusals by code.
    public private(set) var refusals: [RuleCode: Int] = [:]

    /// Creates the ledger at `path` (which must hold none) with its genesis at `timestamp`.
    public init(path: String, policy: Policy = .standard, genesisAt timestamp: Int64) throws(StoreError) {
        db = try Ledger.openConnection(path)
        let existing = try db.scalarInt("SELECT COUNT(*) FROM journal") ?? 0
        guard existing == 0 else { throw StoreError("\(path) already holds a ledger (\(existing) journal entries); not overwriting it.") }
        try db.execute("PRAGMA synchronous = OFF")
        projector = try Projector(db: db)
        try db.execute("BEGIN IMMEDIATE")
        let genesis = Event.ledgerCreated(policy: policy)
        try projector.append(genesis, at: timestamp)
        try? state.apply(genesis, timestamp: timestamp)
        inBatch = 1
    }

    /// Decides and, when accepted, appends `command` at `timestamp`.
    @discardableResult
    public func execute(_ command: Command, by actor: Actor, at timestamp: Int64) throws(StoreError) -> Result<Decision, RuleViolation> {
        let ts = max(timestamp, projector.head.ts)
        let decision: Decision
        do {
            decision = try Decider.decide(command, by: actor, in: state, now: ts)
        } catch {
            refused += 1
            refusals[error.code, default: 0] += 1
            return .failure(error)
        }
        do {
            try state.apply(decision.event, timestamp: ts)
        } catch {
            preconditionFailure("a decided event must apply to the state it was decided on: \(error)")
        }
        try projector.append(decision.event, at: ts)
        accepted += 1
        inBatch += 1
        if inBatch >= BulkLoader.batchSize {
            try db.execute("COMMIT")
            try db.execute("BEGIN IMMEDIATE")
            inBatch = 0
        }
        return .success(decision)
    }

    /// Commits the last batch durably and checkpoints the WAL.
    public func finish() throws(StoreError) -> LedgerHead {
        try db.execute("COMMIT")
        try db.execute("PRAGMA synchronous = FULL")
        try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return LedgerHead(seq: projector.head.seq, hash: projector.head.hash.hexString, timestamp: projector.head.ts)
    }
}
