/// A member as the rules see it: registration, status, balance and overrides.
public struct MemberState: Sendable, Equatable {
    public var info: MemberInfo
    public var status: MemberStatus
    public var balance: Minutes
    /// Credits earned as a provider (net of reversals); earned floors grow with it.
    public var given: Minutes
    public var floorOverride: Minutes?
    public var ceilingOverride: Minutes?

    public init(info: MemberInfo, status: MemberStatus = .active, balance: Minutes = .zero, given: Minutes = .zero,
                floorOverride: Minutes? = nil, ceilingOverride: Minutes? = nil) {
        self.info = info
        self.status = status
        self.balance = balance
        self.given = given
        self.floorOverride = floorOverride
        self.ceilingOverride = ceilingOverride
    }

    public var id: MemberID { info.id }

    /// The floor in force: the override, else an earned floor where the policy has one for
    /// this kind, else the kind's floor.
    public func floor(under policy: Policy) -> Minutes {
        policy.floor(kind: info.kind, given: given, override: floorOverride)
    }

    /// The ceiling in force (nil: none).
    public func ceiling(under policy: Policy) -> Minutes? {
        policy.ceiling(kind: info.kind, override: ceilingOverride)
    }
}

extension Policy {
    /// The floor in force for a member of `kind` who has given `given`: the member's override,
    /// else an earned floor where the policy has one for the kind, else the kind's floor.
    public func floor(kind: MemberKind, given: Minutes, override: Minutes?) -> Minutes {
        if let f = override { return f }
        if let e = earnedFloor, e.kinds.contains(kind) { return e.floor(given: given) }
        return limits(for: kind).floor
    }

    /// The ceiling in force for a member of `kind` (nil: none): the override, else the kind's.
    public func ceiling(kind: MemberKind, override: Minutes?) -> Minutes? {
        override ?? limits(for: kind).ceiling
    }
}

/// An exchange with where it stands.
public struct ExchangeRecord: Sendable, Equatable {
    public var info: ExchangeInfo
    public var state: ExchangeState
    /// Parties who have consented so far.
    public var consents: [MemberID]
    /// True when a coordinator recorded it with both consents.
    public var recorded: Bool
    /// Why it was reversed, once it is.
    public var reversalReason: String?
    /// Why a party rejected or cancelled it, when they said why.
    public var endReason: String?

    public init(info: ExchangeInfo, state: ExchangeState, consents: [MemberID], recorded: Bool, reversalReason: String? = nil, endReason: String? = nil) {
        self.info = info
        self.state = state
        self.consents = consents
        self.recorded = recorded
        self.reversalReason = reversalReason
        self.endReason = endReason
    }

    public var id: ExchangeID { info.id }
}

/// What a decision needs to read. The store answers from SQLite inside the write
/// transaction; `LedgerState` answers from memory (bulk loads, verify, tests). Every read
/// can fail (`Refusal.unreadable`), and the failure stops the decision.
public protocol LedgerView {
    /// The policy in force now.
    var policy: Policy { get }
    /// A member by id.
    func member(_ id: MemberID) throws(Refusal) -> MemberState?
    /// An exchange by id.
    func exchange(_ id: ExchangeID) throws(Refusal) -> ExchangeRecord?
    /// Credits of exchanges (not reversed) posted between `a` and `b`, either way, on or after `since`.
    func pairMinutes(_ a: MemberID, _ b: MemberID, since: Day) throws(Refusal) -> Minutes
    /// Open proposals a member takes part in.
    func openExchanges(of member: MemberID) throws(Refusal) -> [ExchangeID]
    /// The number the next exchange id gets.
    var nextExchangeNumber: Int64 { get throws(Refusal) }
    /// An offer or request by id.
    func listing(_ id: ListingID) throws(Refusal) -> ListingRecord?
    /// The number the next listing id gets (offers and requests share one counter).
    var nextListingNumber: Int64 { get throws(Refusal) }
    /// A loan of goods by id.
    func loan(_ id: LoanID) throws(Refusal) -> LoanRecord?
    /// The number the next loan id gets.
    var nextLoanNumber: Int64 { get throws(Refusal) }
    /// The opening hours and capacity of a space offer, once set.
    func spaceHours(_ offer: ListingID) throws(Refusal) -> SpaceHours?
    /// A booking by id.
    func booking(_ id: BookingID) throws(Refusal) -> BookingRecord?
    /// The bookings (cancelled ones included) of a space on a day.
    func bookings(of offer: ListingID, on day: Day) throws(Refusal) -> [BookingRecord]
    /// The number the next booking id gets.
    var nextBookingNumber: Int64 { get throws(Refusal) }
    /// A challenge by id, with who joined.
    func challenge(_ id: ChallengeID) throws(Refusal) -> ChallengeRecord?
    /// Whether the coordinator introduced `request`'s author to `offer`'s author already.
    func introduced(_ request: ListingID, _ offer: ListingID) throws(Refusal) -> Bool
    /// The number the next challenge id gets.
    var nextChallengeNumber: Int64 { get throws(Refusal) }
}
