/// The whole ledger in memory, evolved by applying events in journal order. `verify` replays
/// the journal into one and compares it with the projections; the bulk demo decides against one.
public struct LedgerState: LedgerView, Sendable {
    public private(set) var policy: Policy = .standard {
        didSet { days = ZoneDays(policy.zone) }
    }
    /// The days of the policy's zone, with the offsets learnt so far (the pair log's days).
    private var days = ZoneDays(Policy.standard.zone)
    /// The members, in registration order, by id.
    public private(set) var members = MemberTable()
    /// Registration order, for stable listings.
    public var memberOrder: [MemberID] { members.values.map(\.id) }
    /// The exchanges, by number.
    private var exchanges: ExchangeTable
    /// How many exchanges the journal holds.
    public var exchangeCount: Int64 { Int64(exchanges.count) }
    /// Listings (`ListingTable`), loans (`LoanTable`), bookings (`BookingTable`) and
    /// challenges by number (each kind is numbered 1, 2, 3, … in journal order; offers and
    /// requests share one counter), and the hours of spaces by their offer's number
    /// (`SpaceTable`).
    private var listings: ListingTable
    private var loans: LoanTable
    private var spaces: SpaceTable
    private var bookings: BookingTable
    public private(set) var challenges = ByNumber<ChallengeRecord>()
    /// The introductions made: (request number, offer number).
    public private(set) var introductions: Set<IntroductionKey> = []
    /// Open proposals by party.
    private var open: [MemberID: Set<ExchangeID>] = [:]
    /// Exchange postings per unordered pair, in posting order: (day, minutes, exchange id).
    private var pairLog: [PairKey: [(day: Day, minutes: Minutes, exchange: ExchangeID)]] = [:]
    /// Whether `pairLog` is kept (deciding needs it; verifying does not).
    public let tracksPairs: Bool
    /// Whether the state keeps only what a replay reads (`verify`): an exchange keeps its state,
    /// kind, credits and the requests and bookings it links, not its parties, consents, texts
    /// and reasons (`ExchangeTable`); a listing keeps no title, text, place or availability
    /// (`ListingInfo.replayed`); a loan no description, a booking no question or reason, a
    /// space only its capacity. A compact state replays and checks a journal; it cannot
    /// decide, since its exchanges have no parties, and it keeps neither the pair log, nor the
    /// open proposals by party, nor the bookings by day.
    public let compact: Bool

    public init(tracksPairs: Bool = true) {
        self.tracksPairs = tracksPairs
        compact = false
        exchanges = ExchangeTable(compact: false)
        listings = ListingTable(compact: false)
        loans = LoanTable(compact: false)
        spaces = SpaceTable(compact: false)
        bookings = BookingTable(compact: false)
    }

    /// A state for replaying a journal to check it (`compact`); its columns of exchanges,
    /// listings, loans, bookings and spaces lie in memory `memory` makes (the heap's by
    /// default; `verify` spills them to files, so they do not grow its resident memory).
    public static func compactReplay(memory: () -> ColumnMemory = { ColumnMemory() }) -> LedgerState { LedgerState(compact: memory) }

    private init(compact memory: () -> ColumnMemory) {
        tracksPairs = false
        self.compact = true
        exchanges = ExchangeTable(compact: true, memory: memory)
        listings = ListingTable(compact: true, memory: memory())
        loans = LoanTable(compact: true, memory: memory())
        spaces = SpaceTable(compact: true, memory: memory())
        bookings = BookingTable(compact: true, memory: memory())
    }

    /// Makes room for this many more members and exchanges (bulk loads know roughly how many).
    public mutating func reserveCapacity(members: Int, exchanges: Int) {
        self.members.reserveCapacity(self.members.count + members)
        self.exchanges.reserveCapacity(exchanges)
    }

    public func member(_ id: MemberID) -> MemberState? { members[id] }
    /// The exchange; in a compact state without its parties, consents, texts, quantity or date.
    public func exchange(_ id: ExchangeID) -> ExchangeRecord? { exchanges[id] }
    /// The exchange's state and credits, without building its record.
    public func exchangeStateAndCredits(_ id: ExchangeID) -> (state: ExchangeState, credits: Minutes)? { exchanges.stateAndCredits(id) }
    /// The requests and bookings the exchange links, without building its record.
    public func exchangeLinks(_ id: ExchangeID) -> [ExchangeLink] { exchanges.links(id) }
    /// After reading many exchanges, listings, loans, bookings or spaces of a compact state: says
    /// that its columns will not be needed soon (`ColumnArray.releaseResident`); nothing changes.
    public func releaseResident() {
        exchanges.releaseResident()
        listings.releaseResident()
        loans.releaseResident()
        spaces.releaseResident()
        bookings.releaseResident()
    }
    public var nextExchangeNumber: Int64 { exchangeCount + 1 }

    /// The listing with this number and side (`of-4` does not find the request `rq-4`).
    public func listing(_ id: ListingID) -> ListingRecord? {
        guard let l = listings.get(id.number, members: members), l.info.id == id else { return nil }
        return l
    }
    /// The listing with this number, whichever its side.
    public func listing(number: Int64) -> ListingRecord? { listings.get(number, members: members) }
    /// How many listings the journal holds.
    public var listingCount: Int { listings.count }
    public var nextListingNumber: Int64 { Int64(listings.count) + 1 }
    /// The loan; in a compact state without its description.
    public func loan(_ id: LoanID) -> LoanRecord? { loans.get(id.number, members: members) }
    /// How many loans the journal holds.
    public var loanCount: Int { loans.count }
    public var nextLoanNumber: Int64 { Int64(loans.count) + 1 }
    /// The space's hours; in a compact state its capacity alone.
    public func spaceHours(_ offer: ListingID) -> SpaceHours? { offer.side == .offer ? spaces.get(offer.number) : nil }
    /// How many spaces have hours.
    public var spaceCount: Int { spaces.count }
    /// The booking; in a compact state without its question and reason.
    public func booking(_ id: BookingID) -> BookingRecord? { bookings.get(id.number, members: members) }
    /// The bookings of a space on a day (not in a compact state, which cannot decide).
    public func bookings(of offer: ListingID, on day: Day) -> [BookingRecord] { bookings.on(offer, day: day) }
    /// How many bookings the journal holds.
    public var bookingCount: Int { bookings.count }
    public var nextBookingNumber: Int64 { Int64(bookings.count) + 1 }
    public func challenge(_ id: ChallengeID) -> ChallengeRecord? { challenges[id.number] }
    public var nextChallengeNumber: Int64 { Int64(challenges.count) + 1 }
    public func openExchanges(of member: MemberID) -> [ExchangeID] { (open[member] ?? []).sorted() }

    public func pairMinutes(_ a: MemberID, _ b: MemberID, since: Day) -> Minutes {
        guard let log = pairLog[PairKey(a, b)] else { return .zero }
        var sum = Minutes.zero
        for entry in log.reversed() {
            if entry.day < since { break }
            if exchanges.state(entry.exchange) != .reversed { sum += entry.minutes }
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
        // The day in the circle's time zone: the policy in force before the event (the new
        // circle's own for its first). Worked out only where it is used (genesis, the pair log).
        switch event {
        case .ledgerCreated(let e):
            guard members.isEmpty else { throw LedgerStateError("ledger.created after the ledger began") }
            policy = e.policy
            let info = MemberInfo(id: poolID, name: "Solidarity pool", kind: .pool, joined: e.policy.day(timestamp))
            members[poolID] = MemberState(info: info)
        case .policyChanged(let e):
            policy = e.policy
        case .memberAdded(let e):
            let info = e.member
            guard members[info.id] == nil else { throw LedgerStateError("member \(info.id) added twice") }
            members[info.id] = MemberState(info: info)
        case .memberSuspended(let e): try setStatus(e.id, .suspended)
        case .memberReinstated(let e): try setStatus(e.id, .active)
        case .memberLimitsSet(let e):
            guard members[e.id] != nil else { throw LedgerStateError("limits for unknown member \(e.id)") }
            members[e.id]!.floorOverride = e.floor
            members[e.id]!.ceilingOverride = e.ceiling
        case .memberLeft(let e):
            for x in e.cancelled { try setExchangeState(x, .cancelled) }
            if let s = e.settlement { try post(s) }
            try setStatus(e.id, .left)
        case .exchangeProposed(let e):
            let info = e.exchange
            try requireNext(info.id)
            exchanges.append(ExchangeRecord(info: info, state: .proposed, consents: info.proposer.map { [$0] } ?? [], recorded: false))
            if !compact { for p in info.parties { open[p, default: []].insert(info.id) } }
        case .exchangeConsented(let e):
            guard exchanges.state(e.id) == .proposed else { throw LedgerStateError("consent to \(e.id), which is not open") }
            exchanges.updateDetails(e.id) { $0.consents.append(e.member) }
        case .exchangeConfirmed(let e):
            let id = e.id
            // Its state and links are read, not its whole record (a copy of its texts and parties).
            guard exchanges.state(id) == .proposed else { throw LedgerStateError("confirmation of \(id), which is not open") }
            try setExchangeState(id, .confirmed) { x in if case .member(let m) = e.by { x.consents.append(m) } }
            try postExchange(id, e.transfers, day: tracksPairs ? days.day(timestamp) : nil, sign: 1)
            fulfil(exchanges.links(id), by: id)
        case .exchangeRecorded(let e):
            let info = e.exchange
            try requireNext(info.id)
            exchanges.append(ExchangeRecord(info: info, state: .confirmed, consents: info.parties, recorded: true))
            try postExchange(info.id, e.transfers, day: tracksPairs ? days.day(timestamp) : nil, sign: 1)
            fulfil(info.links, by: info.id)
        case .exchangeRejected(let e):
            try setExchangeState(e.id, .rejected) { $0.endReason = e.reason }
        case .exchangeCancelled(let e):
            try setExchangeState(e.id, .cancelled) { $0.endReason = e.reason }
        case .exchangeExpired(let e): try setExchangeState(e.id, .expired)
        case .exchangeReversed(let e):
            let id = e.id
            guard exchanges.state(id) == .confirmed else { throw LedgerStateError("reversal of \(id), which is not confirmed") }
            exchanges.setState(id, .reversed) { $0.reversalReason = e.reason }
            try postExchange(id, e.transfers, day: nil, sign: -1)
            // A reversed exchange fulfilled nothing: its requests are open again.
            for l in exchanges.links(id) {
                if let r = l.request, listings.fulfilledBy(r.number) == id { listings.update(r.number, members: members) { $0.fulfilledBy = nil } }
                if let b = l.booking, bookings.settledBy(b.number) == id { bookings.setSettled(b.number, by: nil) }
            }
        case .poolDonated(let e):
            try post(e.transfer)
        case .poolGranted(let e):
            try post(e.transfer)
        case .listingPosted(let e):
            let l = e.listing
            let n = l.id.number
            guard n == nextListingNumber, members[l.author] != nil else { throw LedgerStateError("listing \(l.id) out of sequence or by an unknown member") }
            listings.append(ListingRecord(info: compact ? l.replayed : l, withdrawn: false), members: members)
        case .listingEdited(let e):
            let l = e.listing
            let n = l.id.number
            guard let old = listings.get(n, members: members), old.info.id == l.id, !old.withdrawn, old.info.version + 1 == l.version else { throw LedgerStateError("edit of \(l.id) out of sequence") }
            listings.update(n, members: members) { $0.info = compact ? l.replayed : l }
        case .listingWithdrawn(let e):
            guard listing(e.id)?.withdrawn == false else { throw LedgerStateError("withdrawal of \(e.id), which is not listed") }
            listings.update(e.id.number, members: members) { $0.withdrawn = true }
        case .challengePosted(let e):
            let c = e.challenge
            let n = c.id.number
            guard n == nextChallengeNumber else { throw LedgerStateError("challenge \(c.id) out of sequence") }
            challenges[n] = ChallengeRecord(info: c)
        case .challengeJoined(let e):
            let n = e.id.number
            guard challenges[n] != nil, members[e.member] != nil else { throw LedgerStateError("join of unknown challenge \(e.id)") }
            challenges[n]!.members.append(e.member)
        case .challengePledged(let e):
            let p = e.pledge
            guard challenges[p.challenge.number]?.members.contains(p.member) == true else { throw LedgerStateError("pledge to \(p.challenge) by a non-member") }
        case .introductionMade(let e):
            guard listing(e.request) != nil, listing(e.offer) != nil, introductions.insert(IntroductionKey(e.request, e.offer)).inserted else {
                throw LedgerStateError("introduction of \(e.request) to \(e.offer) out of place")
            }
        case .challengeClosed(let e):
            let n = e.id.number
            guard challenges[n]?.closed == false else { throw LedgerStateError("close of \(e.id), which is not open") }
            challenges[n]!.closed = true
        case .spaceHoursSet(let e):
            guard listing(e.offer) != nil, e.offer.side == .offer else { throw LedgerStateError("hours for unknown offer \(e.offer)") }
            spaces.set(e.offer.number, e.hours)
        case .spaceBooked(let e):
            let b = e.booking
            let n = b.id.number
            guard n == nextBookingNumber, spaceHours(b.offer) != nil, members[b.member] != nil else {
                throw LedgerStateError("booking \(b.id) out of sequence, of a space without hours or by an unknown member")
            }
            bookings.append(BookingRecord(info: b), members: members)
        case .spaceCancelled(let e):
            let n = e.id.number
            guard booking(e.id)?.cancelled == false else { throw LedgerStateError("cancellation of \(e.id), which is not booked") }
            bookings.cancel(n, reason: e.reason)
        case .goodsLent(let e):
            let l = e.loan
            let n = l.id.number
            guard n == nextLoanNumber, members[l.lender] != nil, members[l.borrower] != nil else { throw LedgerStateError("loan \(l.id) out of sequence") }
            loans.append(LoanRecord(info: l), members: members)
        case .goodsReturned(let e):
            let n = e.id.number
            guard let out = loan(e.id), out.returned == nil else { throw LedgerStateError("return of \(e.id), which is not out") }
            loans.setReturned(n, on: e.on)
        case .listingRenewed(let e):
            guard listing(e.id)?.withdrawn == false else { throw LedgerStateError("renewal of \(e.id), which is withdrawn") }
            listings.update(e.id.number, members: members) { $0.info.expires = e.expires }
        }
    }

    /// The day `timestamp` falls on in the policy's zone (`ZoneDays`: the offsets are kept).
    public mutating func day(_ timestamp: Int64) -> Day { days.day(timestamp) }

    /// Decides `command` against this state, as `Decider.decide` does, and applies the event it
    /// records. The state is read where it lies: a state kept in a class's property and passed
    /// to `Decider.decide` by value is first copied whole (a retain of each of its tables).
    public mutating func decideAndApply(_ command: Command, by actor: Actor, now: Int64) throws(Refusal) -> Decision {
        let today = days.day(now)
        let decision = try Decider.decide(command, by: actor, in: self, now: now, today: today)
        do {
            try apply(decision.event, timestamp: now)
        } catch {
            preconditionFailure("a decided event must apply to the state it was decided on: \(error)")
        }
        return decision
    }

    /// Marks the requests an exchange links to as fulfilled by it.
    private mutating func fulfil(_ links: [ExchangeLink], by id: ExchangeID) {
        for l in links {
            if let r = l.request, listing(r) != nil, listings.fulfilledBy(r.number) == .some(nil) { listings.update(r.number, members: members) { $0.fulfilledBy = id } }
            if let b = l.booking, bookings.settledBy(b.number) == .some(nil) { bookings.setSettled(b.number, by: id) }
        }
    }

    private mutating func setStatus(_ id: MemberID, _ status: MemberStatus) throws(LedgerStateError) {
        guard members[id] != nil else { throw LedgerStateError("status change for unknown member \(id)") }
        members[id]!.status = status
    }

    /// Closes a proposal: sets its state, makes `change` too, and takes it off its parties' open lists.
    private mutating func setExchangeState(_ id: ExchangeID, _ state: ExchangeState,
                                           _ change: (inout ExchangeRecord) -> Void = { _ in }) throws(LedgerStateError) {
        // The state alone is read to check it: a whole record is a copy of its texts and parties.
        guard exchanges.state(id) == .proposed else { throw LedgerStateError("\(id) is not open") }
        exchanges.setState(id, state, change)
        if !compact, let x = exchanges[id] { for p in x.info.parties { open[p]?.remove(id) } }
    }

    /// Exchanges are numbered in journal order: the n-th is `ex-n`.
    private func requireNext(_ id: ExchangeID) throws(LedgerStateError) {
        guard id.number == exchangeCount + 1 else {
            throw LedgerStateError(id.number <= exchangeCount ? "exchange \(id) added twice" : "exchange \(id) out of sequence (the next is ex-\(exchangeCount + 1))")
        }
    }

    /// Posts a transfer; returns where its two accounts are (each id is hashed once).
    @discardableResult
    private mutating func post(_ t: Transfer) throws(LedgerStateError) -> (from: Int, to: Int) {
        guard t.minutes.value > 0, t.from != t.to else { throw LedgerStateError("malformed transfer \(t.from) -> \(t.to) of \(t.minutes.value)") }
        guard let from = members.index(forKey: t.from), let to = members.index(forKey: t.to) else {
            throw LedgerStateError("transfer between unknown accounts \(t.from) -> \(t.to)")
        }
        members.values[from].balance -= t.minutes
        members.values[to].balance += t.minutes
        return (from, to)
    }

    /// Posts an exchange's transfers; `sign` −1 for a reversal, which undoes what was given.
    /// - Parameter day: the day for the pair log (nil when it is not kept, or for a reversal).
    private mutating func postExchange(_ id: ExchangeID, _ transfers: [Transfer], day: Day?, sign: Int64) throws(LedgerStateError) {
        for t in transfers {
            let at = try post(t)
            members.values[sign > 0 ? at.to : at.from].given += Minutes(sign * t.minutes.value)
            if tracksPairs, sign > 0, let day {
                pairLog[PairKey(t.from, t.to), default: []].append((day, t.minutes, id))
            }
        }
    }
}

/// An event that cannot follow the state it is applied to: the journal is corrupt.
public struct LedgerStateError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
