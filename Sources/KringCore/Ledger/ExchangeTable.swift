/// The exchanges of a `LedgerState`, by number: the journal's n-th exchange is `ex-n`, so they
/// live in arrays, not in hashed dictionaries.
///
/// Whole records, or, for a replay that only verifies (`compact`), only what a replay reads:
/// each exchange's state, kind and credits (16 bytes), and the requests and bookings its
/// confirmation fulfils and its reversal reopens (16 bytes each). No texts, parties or
/// consents: `verify` holds the rows to fingerprints of those, and of the reasons an exchange
/// ended with. That is instead of about a kilobyte per exchange, so a replay's memory does not
/// grow with the exchanges' texts and parties; and the summaries and links lie in columns whose
/// memory the replay chooses (`ColumnArray`: `verify` spills them to files, so they do not
/// grow with their number either).
struct ExchangeTable: Sendable {
    /// Whether exchanges keep only their summary and details.
    let compact: Bool
    /// Every exchange, whole (not compact).
    private var records: [ExchangeRecord] = []
    /// Every exchange's summary (compact).
    private var summaries: ColumnArray<Summary>
    /// The requests and bookings the exchanges link, in exchange order (compact): a
    /// confirmation fulfils them, a reversal opens them again. An exchange's links never change.
    private var links: ColumnArray<Link>

    struct Summary: Sendable, BitwiseCopyable {
        var state: ExchangeState
        var kind: ExchangeKind
        /// Whether `links` holds some of its links.
        var linked: Bool
        var credits: Minutes
    }

    struct Link: Sendable, BitwiseCopyable {
        var exchange: Int64
        /// n for the request `rq-n`, -n for the booking `bk-n`.
        var target: Int64
    }

    /// A table; a compact one keeps its summaries and links in memory `memory` makes.
    init(compact: Bool, memory: () -> ColumnMemory = { ColumnMemory() }) {
        self.compact = compact
        summaries = ColumnArray(memory: memory())
        links = ColumnArray(memory: compact ? memory() : ColumnMemory())
    }

    /// After reading many summaries: see `ColumnArray.releaseResident`.
    func releaseResident() {
        summaries.releaseResident()
        links.releaseResident()
    }

    var count: Int { compact ? summaries.count : records.count }

    mutating func reserveCapacity(_ n: Int) {
        if !compact { records.reserveCapacity(records.count + n) }
    }

    /// The index of `id` if it is held.
    private func index(_ id: ExchangeID) -> Int? { id.number >= 1 && id.number <= Int64(count) ? Int(id.number - 1) : nil }

    /// The exchange; a compact table gives its summary and linked requests and bookings only (no
    /// parties or consents, no texts or reasons, no quantity or date).
    subscript(id: ExchangeID) -> ExchangeRecord? {
        guard let i = index(id) else { return nil }
        guard compact else { return records[i] }
        let s = summaries[i]
        let info = ExchangeInfo(id: id, proposer: nil, providers: [], receivers: [], kind: s.kind, domain: "", what: "", credits: s.credits,
                                quantity: 0, date: Day(0), expiresAt: nil, links: s.linked ? linked(id.number) : [])
        return ExchangeRecord(info: info, state: s.state, consents: [], recorded: false)
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
        var linked = false
        for l in record.info.links {
            if let r = l.request {
                links.append(Link(exchange: record.id.number, target: r.number))
            } else if let b = l.booking {
                links.append(Link(exchange: record.id.number, target: -b.number))
            } else {
                continue
            }
            linked = true
        }
        summaries.append(Summary(state: record.state, kind: record.info.kind, linked: linked, credits: record.info.credits))
    }

    /// The requests and bookings the exchange numbered `n` links, in its order: the run of
    /// `links` found by bisection (the rows are in exchange order).
    private func linked(_ n: Int64) -> [ExchangeLink] {
        var low = 0, high = links.count
        while low < high {
            let mid = (low + high) / 2
            if links[mid].exchange < n { low = mid + 1 } else { high = mid }
        }
        var out = [ExchangeLink]()
        while low < links.count, links[low].exchange == n {
            let t = links[low].target
            out.append(t > 0 ? .listing(ListingID(side: .request, uncheckedNumber: t)) : .booking(BookingID(uncheckedNumber: -t)))
            low += 1
        }
        return out
    }

    /// The exchange's state and credits, without building its record.
    func stateAndCredits(_ id: ExchangeID) -> (state: ExchangeState, credits: Minutes)? {
        guard let i = index(id) else { return nil }
        if compact { return (summaries[i].state, summaries[i].credits) }
        return (records[i].state, records[i].info.credits)
    }

    /// The requests and bookings the exchange links (an exchange's links never change), without
    /// building its record.
    func links(_ id: ExchangeID) -> [ExchangeLink] {
        guard let i = index(id) else { return [] }
        guard compact else { return records[i].info.links }
        return summaries[i].linked ? linked(id.number) : []
    }

    /// Sets the state of the exchange (which must be held) and, in a whole record, makes `change`
    /// too; a compact table keeps nothing that `change` could change, so it sets the state alone,
    /// without building a record.
    mutating func setState(_ id: ExchangeID, _ state: ExchangeState, _ change: (inout ExchangeRecord) -> Void = { _ in }) {
        guard let i = index(id) else { preconditionFailure("update of \(id), which is not held") }
        guard compact else {
            records[i].state = state
            change(&records[i])
            return
        }
        summaries[i].state = state
    }

    /// Changes what a whole record keeps besides its state (consents); a compact table keeps
    /// none of it.
    mutating func updateDetails(_ id: ExchangeID, _ change: (inout ExchangeRecord) -> Void) {
        guard let i = index(id) else { preconditionFailure("update of \(id), which is not held") }
        if !compact { change(&records[i]) }
    }
}
