/// The whole ledger in memory, evolved by applying events in journal order. `verify` replays
/// the journal into one and compares it with the projections; the bulk demo decides against one.
public struct LedgerState: LedgerView, Sendable {
    public private(set) var policy: Policy = .standard
    public private(set) var members: [String: MemberState] = [:]
    /// Registration order, for stable listings.
    public private(set) var memberOrder: [String] = []
    public private(set) var exchanges: [String: ExchangeRecord] = [:]
    public private(set) var exchangeCount: Int64 = 0
    public private(set) var listings: [Int64: ListingRecord] = [:]
    public private(set) var loans: [Int64: LoanRecord] = [:]
    public private(set) var spaces: [Int64: SpaceHours] = [:]
    public private(set) var bookings: [Int64: BookingRecord] = [:]
    public private(set) var challenges: [Int64: ChallengeRecord] = [:]
    public private(set) var pledgeCount: Int64 = 0
    /// Bookings by space offer and day.
    private var bookingsByDay: [Int64: [Int64: [Int64]]] = [:]
    /// Open proposals by party.
    private var open: [String: Set<String>] = [:]
    /// Exchange postings per unordered pair, in posting order: (day, minutes, exchange id).
    private var pairLog: [PairKey: [(day: Day, minutes: Minutes, exchange: String)]] = [:]
    /// Whether `pairLog` is kept (deciding needs it; verifying does not).
    public let tracksPairs: Bool

    public init(tracksPairs: Bool = true) { self.tracksPairs = tracksPairs }

    /// Makes room for this many more members and exchanges (bulk loads know roughly how many).
    public mutating func reserveCapacity(members: Int, exchanges: Int) {
        self.members.reserveCapacity(self.members.count + members)
        self.exchanges.reserveCapacity(self.exchanges.count + exchanges)
    }

    public func member(_ id: String) -> MemberState? { members[id] }
    public func exchange(_ id: String) -> ExchangeRecord? { exchanges[id] }
    public var nextExchangeNumber: Int64 { exchangeCount + 1 }
    public func listing(_ id: String) -> ListingRecord? { listings[ListingInfo.number(id)] }
    public var nextListingNumber: Int64 { Int64(listings.count) + 1 }
    public func loan(_ id: String) -> LoanRecord? { loans[LoanInfo.number(id)] }
    public var nextLoanNumber: Int64 { Int64(loans.count) + 1 }
    public func spaceHours(_ offer: String) -> SpaceHours? { spaces[ListingInfo.number(offer)] }
    public func booking(_ id: String) -> BookingRecord? { bookings[BookingInfo.number(id)] }
    public func bookings(of offer: String, on day: Day) -> [BookingRecord] {
        (bookingsByDay[ListingInfo.number(offer)]?[day.number] ?? []).compactMap { bookings[$0] }
    }
    public var nextBookingNumber: Int64 { Int64(bookings.count) + 1 }
    public func challenge(_ id: String) -> ChallengeRecord? { challenges[ChallengeInfo.number(id)] }
    public var nextChallengeNumber: Int64 { Int64(challenges.count) + 1 }
    public func openExchanges(of member: String) -> [String] { (open[member] ?? []).sorted() }

    public func pairMinutes(_ a: String, _ b: String, since: Day) -> Minutes {
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
        let low: String, high: String
        init(_ a: String, _ b: String) { (low, high) = a < b ? (a, b) : (b, a) }
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
            if by != "auto" { exchanges[id]!.consents.append(by) }
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
            for l in x.info.links where listings[ListingInfo.number(l)]?.fulfilledBy == id { listings[ListingInfo.number(l)]!.fulfilledBy = nil }
            for b in x.info.links where bookings[BookingInfo.number(b)]?.settledBy == id { bookings[BookingInfo.number(b)]!.settledBy = nil }
        case .poolDonated(let t), .poolGranted(let t, _):
            try post(t)
        case .listingPosted(let l):
            let n = ListingInfo.number(l.id)
            guard n == nextListingNumber, members[l.author] != nil else { throw LedgerStateError("listing \(l.id) out of sequence or by an unknown member") }
            listings[n] = ListingRecord(info: l, withdrawn: false)
        case .listingEdited(let l):
            let n = ListingInfo.number(l.id)
            guard let old = listings[n], !old.withdrawn, old.info.version + 1 == l.version else { throw LedgerStateError("edit of \(l.id) out of sequence") }
            listings[n]!.info = l
        case .listingWithdrawn(let id, _):
            let n = ListingInfo.number(id)
            guard listings[n]?.withdrawn == false else { throw LedgerStateError("withdrawal of \(id), which is not listed") }
            listings[n]!.withdrawn = true
        case .challengePosted(let c):
            let n = ChallengeInfo.number(c.id)
            guard n == nextChallengeNumber else { throw LedgerStateError("challenge \(c.id) out of sequence") }
            challenges[n] = ChallengeRecord(info: c)
        case .challengeJoined(let id, let m):
            let n = ChallengeInfo.number(id)
            guard challenges[n] != nil, members[m] != nil else { throw LedgerStateError("join of unknown challenge \(id)") }
            challenges[n]!.members.append(m)
        case .challengePledged(let p):
            guard challenges[ChallengeInfo.number(p.challenge)]?.members.contains(p.member) == true else { throw LedgerStateError("pledge to \(p.challenge) by a non-member") }
            pledgeCount += 1
        case .challengeClosed(let id, _):
            let n = ChallengeInfo.number(id)
            guard challenges[n]?.closed == false else { throw LedgerStateError("close of \(id), which is not open") }
            challenges[n]!.closed = true
        case .spaceHoursSet(let offer, let hours):
            guard listings[ListingInfo.number(offer)] != nil else { throw LedgerStateError("hours for unknown offer \(offer)") }
            spaces[ListingInfo.number(offer)] = hours
        case .spaceBooked(let b):
            let n = BookingInfo.number(b.id)
            guard n == nextBookingNumber, spaces[ListingInfo.number(b.offer)] != nil else { throw LedgerStateError("booking \(b.id) out of sequence") }
            bookings[n] = BookingRecord(info: b)
            bookingsByDay[ListingInfo.number(b.offer), default: [:]][b.date.number, default: []].append(n)
        case .spaceCancelled(let id, _):
            let n = BookingInfo.number(id)
            guard bookings[n]?.cancelled == false else { throw LedgerStateError("cancellation of \(id), which is not booked") }
            bookings[n]!.cancelled = true
        case .goodsLent(let l):
            let n = LoanInfo.number(l.id)
            guard n == nextLoanNumber, members[l.lender] != nil, members[l.borrower] != nil else { throw LedgerStateError("loan \(l.id) out of sequence") }
            loans[n] = LoanRecord(info: l)
        case .goodsReturned(let id, let day):
            let n = LoanInfo.number(id)
            guard loans[n]?.returned == nil, loans[n] != nil else { throw LedgerStateError("return of \(id), which is not out") }
            loans[n]!.returned = day
        case .listingRenewed(let id, let expires):
            let n = ListingInfo.number(id)
            guard listings[n]?.withdrawn == false else { throw LedgerStateError("renewal of \(id), which is withdrawn") }
            listings[n]!.info.expires = expires
        }
    }

    /// Marks the requests an exchange links to as fulfilled by it.
    private mutating func fulfil(_ info: ExchangeInfo, by id: String) {
        for l in info.links where l.hasPrefix(ListingSide.request.prefix) {
            let n = ListingInfo.number(l)
            if listings[n]?.fulfilledBy == nil { listings[n]?.fulfilledBy = id }
        }
        for b in info.links where b.hasPrefix("bk-") {
            let n = BookingInfo.number(b)
            if bookings[n]?.settledBy == nil { bookings[n]?.settledBy = id }
        }
    }

    private mutating func setStatus(_ id: String, _ status: MemberStatus) throws(LedgerStateError) {
        guard members[id] != nil else { throw LedgerStateError("status change for unknown member \(id)") }
        members[id]!.status = status
    }

    private mutating func setExchangeState(_ id: String, _ state: ExchangeState) throws(LedgerStateError) {
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
