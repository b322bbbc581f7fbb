/// The exchanges of a `LedgerState`, by number: the journal's n-th exchange is `ex-n`, so they
/// live in arrays, not in hashed dictionaries.
///
/// Whole records, or, for a replay that only verifies (`compact`), the whole record while an
/// exchange is proposed and afterwards only what a replay still reads: its state, kind and
/// credits, the reasons it ended with, and the requests and bookings a reversal reopens. That is
/// 24 bytes per closed exchange instead of about a kilobyte, so a replay's memory no longer
/// grows with the exchanges' texts and parties.
struct ExchangeTable: Sendable {
    /// Whether closed exchanges keep only their summary.
    let compact: Bool
    /// Every exchange, whole (not compact).
    private var records: [ExchangeRecord] = []
    /// Every exchange's summary (compact).
    private var summaries: [Summary] = []
    /// The proposed exchanges, whole, by number (compact).
    private var proposed: [Int64: ExchangeRecord] = [:]
    /// The closed exchanges that have a reason or reopen something when reversed (compact).
    private var details: [Int64: Details] = [:]

    struct Summary: Sendable {
        var state: ExchangeState
        var kind: ExchangeKind
        var credits: Minutes
    }

    struct Details: Sendable {
        var reversalReason: String?
        var endReason: String?
        /// The requests and bookings linked: a reversal opens them again.
        var links: [ExchangeLink]
    }

    init(compact: Bool) { self.compact = compact }

    var count: Int { compact ? summaries.count : records.count }

    mutating func reserveCapacity(_ n: Int) {
        if compact { summaries.reserveCapacity(summaries.count + n) } else { records.reserveCapacity(records.count + n) }
    }

    /// The index of `id` if it is held.
    private func index(_ id: ExchangeID) -> Int? { id.number >= 1 && id.number <= Int64(count) ? Int(id.number - 1) : nil }

    /// The exchange; in a compact table a closed one comes back with its summary, reasons and
    /// reopening links only (no parties, no texts, no quantity or date).
    subscript(id: ExchangeID) -> ExchangeRecord? {
        guard let i = index(id) else { return nil }
        guard compact else { return records[i] }
        if let r = proposed[id.number] { return r }
        let s = summaries[i], d = details[id.number]
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
        summaries.append(Summary(state: record.state, kind: record.info.kind, credits: record.info.credits))
        keep(record)
    }

    /// Changes the exchange (which must be held) in place.
    mutating func update(_ id: ExchangeID, _ change: (inout ExchangeRecord) -> Void) {
        guard let i = index(id) else { preconditionFailure("update of \(id), which is not held") }
        guard compact else { change(&records[i]); return }
        var r = self[id]!
        proposed[id.number] = nil
        change(&r)
        summaries[i].state = r.state
        keep(r)
    }

    /// Keeps a compact table's record: whole while proposed, else its details if it has any.
    private mutating func keep(_ r: ExchangeRecord) {
        let n = r.id.number
        if r.state == .proposed { proposed[n] = r; details[n] = nil; return }
        let reopens = r.info.links.filter { $0.request != nil || $0.booking != nil }
        if r.reversalReason == nil, r.endReason == nil, reopens.isEmpty { details[n] = nil; return }
        details[n] = Details(reversalReason: r.reversalReason, endReason: r.endReason, links: reopens)
    }
}
