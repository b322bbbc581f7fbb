/// The whole ledger in memory, evolved by applying events in journal order. `verify` replays
/// the journal into one and compares it with the projections; the bulk demo decides against one.
public struct LedgerState: LedgerView, Sendable {
    public private(set) var policy: Policy = .standard
    public private(set) var members: [MemberID: MemberState] = [:]
    /// Registration order, for stable listings.
    public private(set) var memberOrder: [MemberID] = []
    public private(set) var exchanges: [ExchangeID: ExchangeRecord] = [:]
    public private(set) var exchangeCount: Int64 = 0
    /// Listings, loans, spaces, bookings and challenges by number (offers and requests share one counter).
    public private(set) var listings: [Int64: ListingRecord] = [:]
    public private(set) var loans: [Int64: LoanRecord] = [:]
    public private(set) var spaces: [Int64: SpaceHours] = [:]
    public private(set) var bookings: [Int64: BookingRecord] = [:]
    public private(set) var challenges: [Int64: ChallengeRecord] = [:]
    public private(set) var pledgeCount: Int64 = 0
    /// Bookings by space offer and day.
    private var bookingsByDay: [Int64: [Int64: [Int64]]] = [:]
    /// Open proposals by party.
    private var open: [MemberID: Set<ExchangeID>] = [:]
    /// Exchange postings per unordered pair, in posting order: (day, minutes, exchange id).
    private var pairLog: [PairKey: [(day: Day, minutes: Minutes, exchange: ExchangeID)]] = [:]
    /// Whether `pairLog` is kept (deciding needs it; verifying does not).
    public let tracksPairs: Bool

    public init(tracksPairs: Bool = true) { self.tracksPairs = tracksPairs }

    /// Makes room for this many more members and exchanges (bulk loads know roughly how many).
    public mutating func reserveCapacity(members: Int, exchanges: Int) {
        self.members.reserveCapacity(self.members.count + members)
        self.exchanges.reserveCapacity(self.exchanges.count + exchanges)
    }

    public func member(_ id: MemberID) -> MemberState? { members[id] }
    public func exchange(_ id: ExchangeID) -> ExchangeRecord? { exchanges[id] }
    public var nextExchangeNumber: Int64 { exchangeCount + 1 }
    /// The listing with this number and side (`of-4` does not find the request `rq-4`).
    public func listing(_ id: ListingID) -> ListingRecord? {
        guard let l = listings[id.number], l.info.id == id else { return nil }
        return l
    }
    public var nextListingNumber: Int64 { Int64(listings.count) + 1 }
    public func loan(_ id: LoanID) -> LoanRecord? { loans[id.number] }
    public var nextLoanNumber: Int64 { Int64(loans.count) + 1 }
    public func spaceHours(_ offer: ListingID) -> SpaceHours? { offer.side == .offer ? spaces[offer.number] : nil }
    public func booking(_ id: BookingID) -> BookingRecord? { bookings[id.number] }
    public func bookings(of offer: ListingID, on day: Day) -> [BookingRecord] {
        (bookingsByDay[offer.number]?[day.number] ?? []).compactMap { bookings[$0] }
    }
    public var nextBookingNumber: Int64 { Int64(bookings.count) + 1 }
    public func challenge(_ id: ChallengeID) -> ChallengeRecord? { challenges[id.number] }
    public var nextChallengeNumber: Int64 { Int64(challenges.count) + 1 }
    public func openExchanges(of member: MemberID) -> [ExchangeID] { (open[member] ?? []).sorted() }

    public func pairMinutes(_ a: MemberID, _ b: MemberID, since: Day) -> Minutes {
        guard let log = pairLog[PairKey(a, b)] else { return .zero }
        var sum = Minutes.zero
        for entry in log.reversed() {
            if entry.day < since { break }
            if exchanges[entry.exchange]?.state != .reversed { sum += entry.minutes }
        }
        return sum
    }

    /// Two members, in either order.
    struct PairKey: Hashable, Sendable {
        let low: MemberID, high: MemberID
        init(_ a: MemberID, _ b: MemberID) { (low, high) = a < b ? (a, b) : (b, a) }
    }

    /// Sum of all balances: zero, always.
    public var balanceSum: Minutes { members.values.reduce(.zero) { $0 + $1.balance } }

    /// Applies an event that was decided against this state (or read from the journal).
    /// - Parameter timestamp: when it was journaled (Unix seconds), for pair windows.
    /// - Throws: `LedgerStateError` when the event cannot follow the state (a corrupt journal).
    public mutating func apply(_ event: Event, timestamp: Int64) throws(LedgerStateError) {
        let day = Day(timestamp: timestamp)
        switch event {
        case .ledgerCreated(let p):
            guard members.isEmpty else { throw LedgerStateError("ledger.created after the ledger began") }
            policy = p
            let info = MemberInfo(id: poolID, name: "Solidarity pool", kind: .pool, joined: day)
            members[poolID] = MemberState(info: info)
            memberOrder.append(poolID)
        case .policyChanged(let p):
            policy = p
        case .memberAdded(let info):
            guard members[info.id] == nil else { throw LedgerStateError("member \(info.id) added twice") }
            members[info.id] = MemberState(info: info)
            memberOrder.append(info.id)
        case .memberSuspended(let id): try setStatus(id, .suspended)
        case .memberReinstated(let id): try setStatus(id, .active)
        case .memberLimitsSet(let id, let f, let c):
            guard members[id] != nil else { throw LedgerStateError("limits for unknown member \(id)") }
            members[id]!.floorOverride = f
            members[id]!.ceilingOverride = c
        case .memberLeft(let id, let settlement, let cancelled):
            for x in cancelled { try setExchangeState(x, .cancelled) }
            if let s = settlement { try post(s) }
            try setStatus(id, .left)
        case .exchangeProposed(let info):
            guard exchanges[info.id] == nil else { throw LedgerStateError("exchange \(info.id) proposed twice") }
            exchangeCount += 1
            exchanges[info.id] = ExchangeRecord(info: info, state: .proposed, consents: info.proposer.map { [$0] } ?? [], recorded: false)
            for p in info.parties { open[p, default: []].insert(info.id) }
        case .exchangeConsented(let id, let m):
            guard exchanges[id]?.state == .proposed else { throw LedgerStateError("consent to \(id), which is not open") }
            exchanges[id]!.consents.append(m)
        case .exchangeConfirmed(let id, let by, let transfers):
            guard let x = exchanges[id], x.state == .proposed else { throw LedgerStateError("confirmation of \(id), which is not open") }
            if case .member(let m) = by { exchanges[id]!.consents.append(m) }
            try setExchangeState(id, .confirmed)
            try postExchange(x.info, transfers, day: day, sign: 1)
            fulfil(x.info, by: id)
        case .exchangeRecorded(let info, _, let transfers):
            guard exchanges[info.id] == nil else { throw LedgerStateError("exchange \(info.id) recorded twice") }
            exchangeCount += 1
            exchanges[info.id] = ExchangeRecord(info: info, state: .confirmed, consents: info.parties, recorded: true)
            try postExchange(info, transfers, day: day, sign: 1)
            fulfil(info, by: info.id)
        case .exchangeRejected(let id, _): try setExchangeState(id, .rejected)
        case .exchangeCancelled(let id, _): try setExchangeState(id, .cancelled)
        case .exchangeExpired(let id, _): try setExchangeState(id, .expired)
        case .exchangeReversed(let id, let reason, let transfers):
            guard let x = exchanges[id], x.state == .confirmed else { throw LedgerStateError("reversal of \(id), which is not confirmed") }
            exchanges[id]!.state = .reversed
            exchanges[id]!.reversalReason = reason
            try postExchange(x.info, transfers, day: day, sign: -1)
            // A reversed exchange fulfilled nothing: its requests are open again.
            for l in x.info.links {
                if let r = l.request, listings[r.number]?.fulfilledBy == id { listings[r.number]!.fulfilledBy = nil }
                if let b = l.booking, bookings[b.number]?.settledBy == id { bookings[b.number]!.settledBy = nil }
            }
        case .poolDonated(let t), .poolGranted(let t, _):
            try post(t)
        case .listingPosted(let l):
            let n = l.id.number
            guard n == nextListingNumber, members[l.author] != nil else { throw LedgerStateError("listing \(l.id) out of sequence or by an unknown member") }
            listings[n] = ListingRecord(info: l, withdrawn: false)
        case .listingEdited(let l):
            let n = l.id.number
            guard let old = listings[n], old.info.id == l.id, !old.withdrawn, old.info.version + 1 == l.version else { throw LedgerStateError("edit of \(l.id) out of sequence") }
            listings[n]!.info = l
        case .listingWithdrawn(let id, _):
            let n = id.number
            guard listing(id)?.withdrawn == false else { throw LedgerStateError("withdrawal of \(id), which is not listed") }
            listings[n]!.withdrawn = true
        case .challengePosted(let c):
            let n = c.id.number
            guard n == nextChallengeNumber else { throw LedgerStateError("challenge \(c.id) out of sequence") }
            challenges[n] = ChallengeRecord(info: c)
        case .challengeJoined(let id, let m):
            let n = id.number
            guard challenges[n] != nil, members[m] != nil else { throw LedgerStateError("join of unknown challenge \(id)") }
            challenges[n]!.members.append(m)
        case .challengePledged(let p):
            guard challenges[p.challenge.number]?.members.contains(p.member) == true else { throw LedgerStateError("pledge to \(p.challenge) by a non-member") }
            pledgeCount += 1
        case .challengeClosed(let id, _):
            let n = id.number
            guard challenges[n]?.closed == false else { throw LedgerStateError("close of \(id), which is not open") }
            challenges[n]!.closed = true
        case .spaceHoursSet(let offer, let hours):
            guard listing(offer) != nil, offer.side == .offer else { throw LedgerStateError("hours for unknown offer \(offer)") }
            spaces[offer.number] = hours
        case .spaceBooked(let b):
            let n = b.id.number
            guard n == nextBookingNumber, spaceHours(b.offer) != nil else { throw LedgerStateError("booking \(b.id) out of sequence") }
            bookings[n] = BookingRecord(info: b)
            bookingsByDay[b.offer.number, default: [:]][b.date.number, default: []].append(n)
        case .spaceCancelled(let id, _):
            let n = id.number
            guard bookings[n]?.cancelled == false else { throw LedgerStateError("cancellation of \(id), which is not booked") }
            bookings[n]!.cancelled = true
        case .goodsLent(let l):
            let n = l.id.number
            guard n == nextLoanNumber, members[l.lender] != nil, members[l.borrower] != nil else { throw LedgerStateError("loan \(l.id) out of sequence") }
            loans[n] = LoanRecord(info: l)
        case .goodsReturned(let id, let day):
            let n = id.number
            guard loans[n]?.returned == nil, loans[n] != nil else { throw LedgerStateError("return of \(id), which is not out") }
            loans[n]!.returned = day
        case .listingRenewed(let id, let expires):
            let n = id.number
            guard listing(id)?.withdrawn == false else { throw LedgerStateError("renewal of \(id), which is withdrawn") }
            listings[n]!.info.expires = expires
        }
    }

    /// Marks the requests an exchange links to as fulfilled by it.
    private mutating func fulfil(_ info: ExchangeInfo, by id: ExchangeID) {
        for l in info.links {
            if let r = l.request, listing(r) != nil, listings[r.number]?.fulfilledBy == nil { listings[r.number]?.fulfilledBy = id }
            if let b = l.booking, bookings[b.number]?.settledBy == nil { bookings[b.number]?.settledBy = id }
        }
    }

    private mutating func setStatus(_ id: MemberID, _ status: MemberStatus) throws(LedgerStateError) {
        guard members[id] != nil else { throw LedgerStateError("status change for unknown member \(id)") }
        members[id]!.status = status
    }

    private mutating func setExchangeState(_ id: ExchangeID, _ state: ExchangeState) throws(LedgerStateError) {
        guard let x = exchanges[id], x.state == .proposed else { throw LedgerStateError("\(id) is not open") }
        exchanges[id]!.state = state
        for p in x.info.parties { open[p]?.remove(id) }
    }

    private mutating func post(_ t: Transfer) throws(LedgerStateError) {
        guard t.minutes.value > 0, t.from != t.to else { throw LedgerStateError("malformed transfer \(t.from) -> \(t.to) of \(t.minutes.value)") }
        guard members[t.from] != nil, members[t.to] != nil else { throw LedgerStateError("transfer between unknown accounts \(t.from) -> \(t.to)") }
        members[t.from]!.balance -= t.minutes
        members[t.to]!.balance += t.minutes
    }

    /// Posts an exchange's transfers; `sign` −1 for a reversal, which undoes what was given.
    private mutating func postExchange(_ info: ExchangeInfo, _ transfers: [Transfer], day: Day, sign: Int64) throws(LedgerStateError) {
        for t in transfers {
            try post(t)
            let provider = sign > 0 ? t.to : t.from
            members[provider]!.given += Minutes(sign * t.minutes.value)
            if tracksPairs, sign > 0 {
                pairLog[PairKey(t.from, t.to), default: []].append((day, t.minutes, info.id))
            }
        }
    }
}

/// An event that cannot follow the state it is applied to: the journal is corrupt.
public struct LedgerStateError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
