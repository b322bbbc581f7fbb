/// The exchanges of a `LedgerState`, by number: the journal's n-th exchange is `ex-n`, so they
/// live in arrays, not in hashed dictionaries.
///
/// Whole records, or, for a replay that only verifies (`compact`), only what a replay reads:
/// each exchange's state, kind and credits (16 bytes), and, for the few that have them, the
/// reasons it ended with and the requests and bookings its confirmation fulfils and its
/// reversal reopens. That is instead of about a kilobyte per exchange, so a replay's memory no
/// longer grows with the exchanges' texts and parties; and the summaries lie in a column whose
/// memory the replay chooses (`ColumnArray`: `verify` spills it to a file, so it does not grow
/// with their number either).
struct ExchangeTable: Sendable {
    /// Whether exchanges keep only their summary and details.
    let compact: Bool
    /// Every exchange, whole (not compact).
    private var records: [ExchangeRecord] = []
    /// Every exchange's summary (compact).
    private var summaries: ColumnArray<Summary>
    /// The exchanges that have a reason or link a request or booking (compact).
    private var details: [Int64: Details] = [:]

    struct Summary: Sendable, BitwiseCopyable {
        var state: ExchangeState
        var kind: ExchangeKind
        /// Whether `details` holds something for it.
        var detailed: Bool
        var credits: Minutes
    }

    struct Details: Sendable {
        var reversalReason: String?
        var endReason: String?
        /// The requests and bookings linked: a confirmation fulfils them, a reversal opens them again.
        var links: [ExchangeLink]
    }

    /// A table; a compact one keeps its summaries in `memory`.
    init(compact: Bool, memory: ColumnMemory = ColumnMemory()) {
        self.compact = compact
        summaries = ColumnArray(memory: memory)
    }

    /// After reading many summaries: see `ColumnArray.releaseResident`.
    func releaseResident() { summaries.releaseResident() }

    var count: Int { compact ? summaries.count : records.count }

    mutating func reserveCapacity(_ n: Int) {
        if !compact { records.reserveCapacity(records.count + n) }
    }

    /// The index of `id` if it is held.
    private func index(_ id: ExchangeID) -> Int? { id.number >= 1 && id.number <= Int64(count) ? Int(id.number - 1) : nil }

    /// The exchange; a compact table gives its summary, reasons and linked requests and
    /// bookings only (no parties or consents, no texts, no quantity or date).
    subscript(id: ExchangeID) -> ExchangeRecord? {
        guard let i = index(id) else { return nil }
        guard compact else { return records[i] }
        let s = summaries[i], d = s.detailed ? details[id.number] : nil
        let info = ExchangeInfo(id: id, proposer: nil, providers: [], receivers: [], kind: s.kind, domain: "", what: "", credits: s.credits,
                                quantity: 0, date: Day(0), expiresAt: nil, links: d?.links ?? [])
        return ExchangeRecord(info: info, state: s.state, consents: [], recorded: false, reversalReason: d?.reversalReason, endReason: d?.endReason)
    }

    /// The exchange's state, without building its record.
    func state(_ id: ExchangeID) -> ExchangeState? {
        guard let i = index(id) else { return nil }
        return compact ? summaries[i].state : records[i].state
    }

    /// Adds the next exchange; its number must be the next one.
    mutating func append(_ record: ExchangeRecord) {
        precondition(record.id.number == Int64(count) + 1, "exchange \(record.id) out of sequence")
        guard compact else { records.append(record); return }
        summaries.append(Summary(state: record.state, kind: record.info.kind, detailed: false, credits: record.info.credits))
        keep(record, at: summaries.count - 1)
    }

    /// Changes the exchange (which must be held) in place.
    mutating func update(_ id: ExchangeID, _ change: (inout ExchangeRecord) -> Void) {
        guard let i = index(id) else { preconditionFailure("update of \(id), which is not held") }
        guard compact else { change(&records[i]); return }
        var r = self[id]!
        change(&r)
        summaries[i].state = r.state
        keep(r, at: i)
    }

    /// Keeps a compact table's details of the record at `i`, if it has any.
    private mutating func keep(_ r: ExchangeRecord, at i: Int) {
        let links = r.info.links.filter { $0.request != nil || $0.booking != nil }
        let detailed = r.reversalReason != nil || r.endReason != nil || !links.isEmpty
        if detailed || summaries[i].detailed {
            details[r.id.number] = detailed ? Details(reversalReason: r.reversalReason, endReason: r.endReason, links: links) : nil
        }
        summaries[i].detailed = detailed
    }
}
