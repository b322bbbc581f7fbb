import KringCore

/// Which entry last changed each row, as `Projector` stamps it: a listing's, booking's, loan's,
/// challenge's and space's `updated_seq`, the entry that posted each listing (`created_seq`),
/// and the entry that made each challenge member and each introduction (`seq`). `verify`
/// keeps them beside the replay and compares them at the end: the server's search index follows
/// `listings.updated_seq`, and the statistics date a gift by its exchange's last entry, so a
/// changed one changes what people see.
///
/// Listings, bookings, loans and challenges are numbered in journal order from 1 (the replay
/// checks it), so each is a column by number, and the spaces' by their offer's number; they
/// grow with the journal's length, so they are spilled to temporary files (`ColumnByNumber` in
/// a `SpillFile`).
struct LastChanges {
    private(set) var listingPosted = ColumnByNumber<Int64>(memory: SpillFile())
    private(set) var listings = ColumnByNumber<Int64>(memory: SpillFile())
    private(set) var bookings = ColumnByNumber<Int64>(memory: SpillFile())
    private(set) var loans = ColumnByNumber<Int64>(memory: SpillFile())
    private(set) var challenges = ColumnByNumber<Int64>(memory: SpillFile())
    /// By offer number; 0 where an offer has no hours.
    private var spaces = ColumnByNumber<Int64>(memory: SpillFile())
    /// Who joined each challenge, with the entry that joined them.
    private(set) var joins: [Int64: [String: Int64]] = [:]
    /// Each introduction's maker and entry.
    private(set) var introductions: [IntroductionKey: (by: String, seq: Int64)] = [:]

    /// Gives back the pages its columns mapped by being read (`ColumnArray.releaseResident`).
    func releaseResident() {
        for column in [listingPosted, listings, bookings, loans, challenges, spaces] { column.releaseResident() }
    }

    /// The entry that last set the hours of the offer numbered `n`, if any did.
    func space(_ n: Int64) -> Int64? { spaces[n].flatMap { $0 == 0 ? nil : $0 } }

    /// What a reversal will reopen: the requests and bookings the exchange fulfilled or settled,
    /// read before the reversal is applied (the projector clears only those it marked).
    static func marked(by event: Event, in state: LedgerState) -> (requests: [Int64], bookings: [Int64]) {
        guard case .exchangeReversed(let e) = event else { return ([], []) }
        var out: (requests: [Int64], bookings: [Int64]) = ([], [])
        for l in state.exchangeLinks(e.id) {
            if let r = l.request, state.listing(r)?.fulfilledBy == e.id { out.requests.append(r.number) }
            if let b = l.booking, state.booking(b)?.settledBy == e.id { out.bookings.append(b.number) }
        }
        return out
    }

    /// Records what `event` at `seq` stamped; `state` is the replay after it, `reopened` what
    /// `marked(by:in:)` read before it.
    mutating func record(_ event: Event, seq: Int64, state: LedgerState, reopened: (requests: [Int64], bookings: [Int64])) {
        switch event {
        case .listingPosted(let e):
            listingPosted[e.listing.id.number] = seq
            listings[e.listing.id.number] = seq
        case .listingEdited, .listingWithdrawn, .listingRenewed:
            if let id = event.listingID { listings[id.number] = seq }
        case .exchangeConfirmed(let e):
            stampFulfilled(by: e.id, links: state.exchangeLinks(e.id), seq: seq, state: state)
        case .exchangeRecorded(let e):
            stampFulfilled(by: e.exchange.id, links: e.exchange.links, seq: seq, state: state)
        case .exchangeReversed:
            for r in reopened.requests { listings[r] = seq }
            for b in reopened.bookings { bookings[b] = seq }
        case .spaceBooked(let e): bookings[e.booking.id.number] = seq
        case .spaceCancelled(let e): bookings[e.id.number] = seq
        case .goodsLent(let e): loans[e.loan.id.number] = seq
        case .goodsReturned(let e): loans[e.id.number] = seq
        case .challengePosted(let e): challenges[e.challenge.id.number] = seq
        case .challengeClosed(let e): challenges[e.id.number] = seq
        case .challengeJoined(let e): joins[e.id.number, default: [:]][e.member.handle] = seq
        case .spaceHoursSet(let e): if e.offer.number >= 1 { spaces.set(e.offer.number, seq, padding: 0) }
        case .introductionMade(let e): introductions[IntroductionKey(e.request, e.offer)] = (e.by.description, seq)
        default: break
        }
    }

    /// The requests and bookings a posted exchange marked as its own (the first exchange wins).
    private mutating func stampFulfilled(by id: ExchangeID, links: [ExchangeLink], seq: Int64, state: LedgerState) {
        for l in links {
            if let r = l.request, state.listing(r)?.fulfilledBy == id { listings[r.number] = seq }
            if let b = l.booking, state.booking(b)?.settledBy == id { bookings[b.number] = seq }
        }
    }
}
