/// A journal event's payload. Each event is its own type that owns, in one place, its wire
/// name (`type`), its canonical encoding (`write`), its decoding (`init?(fields:ids:)`) and an
/// example; `Event` has one case per type. A new event does not build until it has all four,
/// a case of `Event`, a line in `EventType.payloadType`, and its handling in
/// `LedgerState.apply` and the store's projector (switches with no `default`).
public protocol EventPayload: Sendable, Equatable {
    /// The event's type; its wire name is the journal's `type` column.
    static var type: EventType { get }
    /// Writes the payload's members, in byte order of their keys, into an open object (after
    /// `"actor"`, which sorts before them all).
    func write(_ w: inout CanonicalWriter)
    /// Reads the payload's members from `j` (whose `"actor"` the caller has taken); nil when
    /// one is missing, unknown or of the wrong kind, or an id is not one `ids` reads.
    init?(fields j: JSON, ids: inout IDReading)
    /// One example, for the round-trip test and the docs.
    static var example: Self { get }
    /// The event carrying this payload.
    var event: Event { get }
}

extension EventPayload {
    /// Whether `j` holds exactly `keys` (and perhaps the actor).
    static func has(_ j: JSON, _ keys: Set<String>) -> Bool { j.hasExactly(keys, optional: ["actor"]) }
}

extension EventType {
    /// The payload type of this event type.
    public var payloadType: any EventPayload.Type {
        switch self {
        case .ledgerCreated: LedgerCreated.self
        case .policyChanged: PolicyChanged.self
        case .memberAdded: MemberAdded.self
        case .memberSuspended: MemberSuspended.self
        case .memberReinstated: MemberReinstated.self
        case .memberLimitsSet: MemberLimitsSet.self
        case .memberLeft: MemberLeft.self
        case .exchangeProposed: ExchangeProposed.self
        case .exchangeConsented: ExchangeConsented.self
        case .exchangeConfirmed: ExchangeConfirmed.self
        case .exchangeRecorded: ExchangeRecorded.self
        case .exchangeRejected: ExchangeRejected.self
        case .exchangeCancelled: ExchangeCancelled.self
        case .exchangeExpired: ExchangeExpired.self
        case .exchangeReversed: ExchangeReversed.self
        case .poolDonated: PoolDonated.self
        case .poolGranted: PoolGranted.self
        case .listingPosted: ListingPosted.self
        case .listingEdited: ListingEdited.self
        case .listingWithdrawn: ListingWithdrawn.self
        case .listingRenewed: ListingRenewed.self
        case .goodsLent: GoodsLent.self
        case .goodsReturned: GoodsReturned.self
        case .spaceHoursSet: SpaceHoursSet.self
        case .spaceBooked: SpaceBooked.self
        case .spaceCancelled: SpaceCancelled.self
        case .challengePosted: ChallengePosted.self
        case .challengeJoined: ChallengeJoined.self
        case .challengePledged: ChallengePledged.self
        case .challengeClosed: ChallengeClosed.self
        case .introductionMade: IntroductionMade.self
        }
    }
}

/// The values the examples share.
enum Examples {
    static let an = MemberID(canonical: "an-peeters")!, bo = MemberID(canonical: "bo-smet")!
    static let hotel = MemberID(canonical: "hotel-aerts")!, town = MemberID(canonical: "stad")!
    static let day = Day(iso: "2026-11-02")!
    static let x1 = ExchangeID(uncheckedNumber: 1), x2 = ExchangeID(uncheckedNumber: 2)
    static let room = ListingID(side: .offer, uncheckedNumber: 3), need = ListingID(side: .request, uncheckedNumber: 4)
    static let ch = ChallengeID(uncheckedNumber: 1), bk = BookingID(uncheckedNumber: 1), ln = LoanID(uncheckedNumber: 1)
    static let transfer = Transfer(from: bo, to: an, minutes: Minutes(90))
    static let exchange = ExchangeInfo(id: x1, proposer: an, providers: [an], receivers: [bo], kind: .time, domain: "care", what: "Shopping",
                                       credits: Minutes(90), quantity: 90, date: day, expiresAt: 1_790_000_000, links: [.listing(need), .challenge(ch)])
    static let listing = ListingInfo(id: room, author: hotel, kind: .space, domain: "culture", title: "Meeting room", text: "Twelve seats",
                                     place: "Centrum", availability: "weekdays", expires: day + 90, version: 1, challenge: ch)
}

/// Reads a list of transfers.
private func transfers(_ v: JSON?, _ ids: inout IDReading) -> [Transfer]? {
    guard let a = v?.arrayValue else { return nil }
    var out = [Transfer]()
    for item in a {
        guard let t = Transfer(json: item, ids: &ids) else { return nil }
        out.append(t)
    }
    return out
}

private func write(_ ts: [Transfer], _ w: inout CanonicalWriter) { w.beginArray(); for t in ts { t.write(&w) }; w.endArray() }

/// An actor named in a payload's `by`.
private func actor(_ v: JSON?) -> Actor? { v?.stringValue.flatMap(Actor.init(journal:)) }

/// Text or null.
private func optionalText(_ v: JSON?) -> String?? {
    guard let v, v.isNull || v.stringValue != nil else { return nil }
    return .some(v.stringValue)
}

/// A key written only when there is something to say: absent is `.some(nil)`; a string is
/// itself; anything else (null included) is nil, not read.
private func givenText(_ v: JSON?) -> String?? {
    guard let v else { return .some(nil) }
    return v.stringValue.map { .some($0) }
}

// MARK: - Shapes several events share (each event is still its own type with its own name)

/// `{"policy"}`: the whole policy.
public protocol PolicyPayload: EventPayload {
    var policy: Policy { get }
    init(policy: Policy)
}

extension PolicyPayload {
    public func write(_ w: inout CanonicalWriter) { w.key("policy"); w.value(policy.json) }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard Self.has(j, ["policy"]), let p = j["policy"].flatMap(Policy.init(json:)) else { return nil }
        self.init(policy: p)
    }
}

/// `{"id"}`: something happened to one thing.
public protocol IDPayload: EventPayload {
    associatedtype ID: JournalID
    var id: ID { get }
    init(id: ID)
}

extension IDPayload {
    public func write(_ w: inout CanonicalWriter) { w.key("id"); w.id(id) }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard Self.has(j, ["id"]), let id = ids.id(j["id"], ID.self) else { return nil }
        self.init(id: id)
    }
}

/// `{"id", "member"}`: a member joined in (a consent, a challenge).
public protocol MembershipPayload: EventPayload {
    associatedtype ID: JournalID
    var id: ID { get }
    var member: MemberID { get }
    init(id: ID, member: MemberID)
}

extension MembershipPayload {
    public func write(_ w: inout CanonicalWriter) {
        w.key("id"); w.id(id)
        w.key("member"); w.id(member)
    }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard Self.has(j, ["id", "member"]), let id = ids.id(j["id"], ID.self), let m = ids.id(j["member"], MemberID.self) else { return nil }
        self.init(id: id, member: m)
    }
}

/// `{"by": member, "id"}`: a party's step on a proposal.
public protocol MemberStepPayload: EventPayload {
    associatedtype ID: JournalID
    var id: ID { get }
    var by: MemberID { get }
    /// Why, in the member's words, when they gave a reason. The key is written only then, so
    /// entries written before reasons existed keep their bytes and their hashes.
    var reason: String? { get }
    init(id: ID, by: MemberID, reason: String?)
}

extension MemberStepPayload {
    public func write(_ w: inout CanonicalWriter) {
        w.key("by"); w.id(by)
        w.key("id"); w.id(id)
        if let reason { w.key("reason"); w.string(reason) }
    }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard j.hasExactly(["by", "id"], optional: ["actor", "reason"]), let id = ids.id(j["id"], ID.self), let by = ids.id(j["by"], MemberID.self),
              let reason = givenText(j["reason"]) else { return nil }
        self.init(id: id, by: by, reason: reason)
    }
}

/// `{"by": actor, "id"}`: something ended by whoever may end it.
public protocol ActorStepPayload: EventPayload {
    associatedtype ID: JournalID
    var id: ID { get }
    var by: Actor { get }
    init(id: ID, by: Actor)
}

extension ActorStepPayload {
    public func write(_ w: inout CanonicalWriter) {
        w.key("by"); w.id(by)
        w.key("id"); w.id(id)
    }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard Self.has(j, ["by", "id"]), let id = ids.id(j["id"], ID.self), let by = actor(j["by"]) else { return nil }
        self.init(id: id, by: by)
    }
}

/// `{"listing"}`: a whole version of an offer or request.
public protocol ListingPayload: EventPayload {
    var listing: ListingInfo { get }
    init(listing: ListingInfo)
}

extension ListingPayload {
    public func write(_ w: inout CanonicalWriter) { w.key("listing"); w.value(listing.json) }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard Self.has(j, ["listing"]), let l = j["listing"].flatMap({ ListingInfo(json: $0, ids: &ids) }) else { return nil }
        self.init(listing: l)
    }
}

// MARK: - The ledger and its members

/// The ledger was created with this policy (the first entry).
public struct LedgerCreated: PolicyPayload {
    public static let type = EventType.ledgerCreated
    public var policy: Policy
    public init(policy: Policy) { self.policy = policy }
    public static let example = LedgerCreated(policy: .standard)
    public var event: Event { .ledgerCreated(self) }
}

/// The whole policy in force from here on.
public struct PolicyChanged: PolicyPayload {
    public static let type = EventType.policyChanged
    public var policy: Policy
    public init(policy: Policy) { self.policy = policy }
    public static let example = PolicyChanged(policy: .standard)
    public var event: Event { .policyChanged(self) }
}

/// A member was registered.
public struct MemberAdded: EventPayload {
    public static let type = EventType.memberAdded
    public var member: MemberInfo
    public init(member: MemberInfo) { self.member = member }
    public func write(_ w: inout CanonicalWriter) { w.key("member"); member.write(&w) }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard Self.has(j, ["member"]), let m = j["member"].flatMap({ MemberInfo(json: $0, ids: &ids) }) else { return nil }
        self.init(member: m)
    }
    public static let example = MemberAdded(member: MemberInfo(id: Examples.an, name: "An Peeters", kind: .person, neighbourhood: "Noord",
                                                               domains: ["care"], joined: Examples.day))
    public var event: Event { .memberAdded(self) }
}

/// A member was suspended.
public struct MemberSuspended: IDPayload {
    public static let type = EventType.memberSuspended
    public var id: MemberID
    public init(id: MemberID) { self.id = id }
    public static let example = MemberSuspended(id: Examples.an)
    public var event: Event { .memberSuspended(self) }
}

/// A suspended member was reinstated.
public struct MemberReinstated: IDPayload {
    public static let type = EventType.memberReinstated
    public var id: MemberID
    public init(id: MemberID) { self.id = id }
    public static let example = MemberReinstated(id: Examples.an)
    public var event: Event { .memberReinstated(self) }
}

/// A coordinator's override of a member's limits; nil falls back to the policy.
public struct MemberLimitsSet: EventPayload {
    public static let type = EventType.memberLimitsSet
    public var id: MemberID
    public var floor: Minutes?
    public var ceiling: Minutes?
    public init(id: MemberID, floor: Minutes?, ceiling: Minutes?) {
        self.id = id
        self.floor = floor
        self.ceiling = ceiling
    }
    public func write(_ w: inout CanonicalWriter) {
        w.key("ceiling"); w.int(ceiling?.value)
        w.key("floor"); w.int(floor?.value)
        w.key("id"); w.id(id)
    }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard Self.has(j, ["ceiling", "floor", "id"]), let id = ids.id(j["id"], MemberID.self), let f = j["floor"], let c = j["ceiling"],
              f.isNull || f.intValue != nil, c.isNull || c.intValue != nil else { return nil }
        self.init(id: id, floor: f.intValue.map(Minutes.init), ceiling: c.intValue.map(Minutes.init))
    }
    public static let example = MemberLimitsSet(id: Examples.an, floor: Minutes(-1_800), ceiling: nil)
    public var event: Event { .memberLimitsSet(self) }
}

/// The member left; `settlement` brings the balance to zero against the pool, and the
/// member's open proposals are cancelled.
public struct MemberLeft: EventPayload {
    public static let type = EventType.memberLeft
    public var id: MemberID
    public var settlement: Transfer?
    public var cancelled: [ExchangeID]
    public init(id: MemberID, settlement: Transfer?, cancelled: [ExchangeID]) {
        self.id = id
        self.settlement = settlement
        self.cancelled = cancelled
    }
    public func write(_ w: inout CanonicalWriter) {
        w.key("cancelled"); w.ids(cancelled)
        w.key("id"); w.id(id)
        w.key("settlement"); if let settlement { settlement.write(&w) } else { w.null() }
    }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard Self.has(j, ["cancelled", "id", "settlement"]), let id = ids.id(j["id"], MemberID.self), let s = j["settlement"],
              let c = ids.ids(j["cancelled"], ExchangeID.self) else { return nil }
        let settlement = Transfer(json: s, ids: &ids)
        guard s.isNull || settlement != nil else { return nil }
        self.init(id: id, settlement: settlement, cancelled: c)
    }
    public static let example = MemberLeft(id: Examples.bo, settlement: Transfer(from: poolID, to: Examples.bo, minutes: Minutes(60)), cancelled: [Examples.x2])
    public var event: Event { .memberLeft(self) }
}

// MARK: - Exchanges

/// A member proposed an exchange; the other parties consent or not.
public struct ExchangeProposed: EventPayload {
    public static let type = EventType.exchangeProposed
    public var exchange: ExchangeInfo
    public init(exchange: ExchangeInfo) { self.exchange = exchange }
    public func write(_ w: inout CanonicalWriter) { w.key("exchange"); exchange.write(&w) }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard Self.has(j, ["exchange"]), let e = j["exchange"].flatMap({ ExchangeInfo(json: $0, ids: &ids) }) else { return nil }
        self.init(exchange: e)
    }
    public static let example = ExchangeProposed(exchange: Examples.exchange)
    public var event: Event { .exchangeProposed(self) }
}

/// One more party consented to a group exchange; others have yet to.
public struct ExchangeConsented: MembershipPayload {
    public static let type = EventType.exchangeConsented
    public var id: ExchangeID
    public var member: MemberID
    public init(id: ExchangeID, member: MemberID) {
        self.id = id
        self.member = member
    }
    public static let example = ExchangeConsented(id: Examples.x1, member: Examples.bo)
    public var event: Event { .exchangeConsented(self) }
}

/// The last consent arrived (`by` a member), or the policy auto-confirmed at expiry (`by`
/// `.automatic`): credits move.
public struct ExchangeConfirmed: EventPayload {
    public static let type = EventType.exchangeConfirmed
    public var id: ExchangeID
    public var by: Actor
    public var transfers: [Transfer]
    public init(id: ExchangeID, by: Actor, transfers: [Transfer]) {
        self.id = id
        self.by = by
        self.transfers = transfers
    }
    public func write(_ w: inout CanonicalWriter) {
        w.key("by"); w.id(by)
        w.key("id"); w.id(id)
        w.key("transfers"); KringCore.write(transfers, &w)
    }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard Self.has(j, ["by", "id", "transfers"]), let id = ids.id(j["id"], ExchangeID.self), let by = actor(j["by"]),
              by == .automatic || by.member != nil, let t = KringCore.transfers(j["transfers"], &ids) else { return nil }
        self.init(id: id, by: by, transfers: t)
    }
    public static let example = ExchangeConfirmed(id: Examples.x1, by: .automatic, transfers: [Examples.transfer])
    public var event: Event { .exchangeConfirmed(self) }
}

/// A coordinator recorded an exchange with both consents; `reason` explains unequal time.
public struct ExchangeRecorded: EventPayload {
    public static let type = EventType.exchangeRecorded
    public var exchange: ExchangeInfo
    public var reason: String?
    public var transfers: [Transfer]
    /// For an exchange of another time bank's history: the source file's SHA-256 and the row
    /// (the exemption docs/import.md states). The key is written only then.
    public var imported: ImportSource?
    public init(exchange: ExchangeInfo, reason: String?, transfers: [Transfer], imported: ImportSource? = nil) {
        self.exchange = exchange
        self.reason = reason
        self.transfers = transfers
        self.imported = imported
    }
    public func write(_ w: inout CanonicalWriter) {
        w.key("exchange"); exchange.write(&w)
        if let imported {
            w.key("import"); w.beginObject()
            w.key("row"); w.int(imported.row)
            w.key("source"); w.string(imported.source)
            w.endObject()
        }
        w.key("reason"); w.string(reason)
        w.key("transfers"); KringCore.write(transfers, &w)
    }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard j.hasExactly(["exchange", "reason", "transfers"], optional: ["actor", "import"]), let e = j["exchange"].flatMap({ ExchangeInfo(json: $0, ids: &ids) }),
              let r = optionalText(j["reason"]), let t = KringCore.transfers(j["transfers"], &ids) else { return nil }
        var imported: ImportSource?
        if let i = j["import"] {
            guard i.hasExactly(["row", "source"]), let row = i["row"]?.intValue, let source = i["source"]?.stringValue else { return nil }
            imported = ImportSource(source: source, row: row)
        }
        self.init(exchange: e, reason: r, transfers: t, imported: imported)
    }
    public static var example: ExchangeRecorded {
        var recorded = Examples.exchange
        recorded.proposer = nil
        recorded.expiresAt = nil
        recorded.links = []
        return ExchangeRecorded(exchange: recorded, reason: "paper slip", transfers: [Examples.transfer])
    }
    public var event: Event { .exchangeRecorded(self) }
}

/// Where an imported exchange came from: its source file's SHA-256 (hex) and the row.
public struct ImportSource: Sendable, Equatable {
    public var source: String
    public var row: Int64
    public init(source: String, row: Int64) {
        self.source = source
        self.row = row
    }
}

/// A party declined a proposal.
public struct ExchangeRejected: MemberStepPayload {
    public static let type = EventType.exchangeRejected
    public var id: ExchangeID
    public var by: MemberID
    public var reason: String?
    public init(id: ExchangeID, by: MemberID, reason: String? = nil) {
        self.id = id
        self.by = by
        self.reason = reason
    }
    public static let example = ExchangeRejected(id: Examples.x2, by: Examples.bo, reason: "Dat was maar een half uur.")
    public var event: Event { .exchangeRejected(self) }
}

/// The proposer withdrew a proposal.
public struct ExchangeCancelled: MemberStepPayload {
    public static let type = EventType.exchangeCancelled
    public var id: ExchangeID
    public var by: MemberID
    public var reason: String?
    public init(id: ExchangeID, by: MemberID, reason: String? = nil) {
        self.id = id
        self.by = by
        self.reason = reason
    }
    public static let example = ExchangeCancelled(id: Examples.x2, by: Examples.an)
    public var event: Event { .exchangeCancelled(self) }
}

/// The proposal lapsed; `reason` says why an auto-confirmation failed, if one was tried.
public struct ExchangeExpired: EventPayload {
    public static let type = EventType.exchangeExpired
    public var id: ExchangeID
    public var reason: String?
    public init(id: ExchangeID, reason: String?) {
        self.id = id
        self.reason = reason
    }
    public func write(_ w: inout CanonicalWriter) {
        w.key("id"); w.id(id)
        w.key("reason"); w.string(reason)
    }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard Self.has(j, ["id", "reason"]), let id = ids.id(j["id"], ExchangeID.self), let r = optionalText(j["reason"]) else { return nil }
        self.init(id: id, reason: r)
    }
    public static let example = ExchangeExpired(id: Examples.x2, reason: nil)
    public var event: Event { .exchangeExpired(self) }
}

/// A coordinator reversed a confirmed exchange: its transfers, the other way.
public struct ExchangeReversed: EventPayload {
    public static let type = EventType.exchangeReversed
    public var id: ExchangeID
    public var reason: String
    public var transfers: [Transfer]
    public init(id: ExchangeID, reason: String, transfers: [Transfer]) {
        self.id = id
        self.reason = reason
        self.transfers = transfers
    }
    public func write(_ w: inout CanonicalWriter) {
        w.key("id"); w.id(id)
        w.key("reason"); w.string(reason)
        w.key("transfers"); KringCore.write(transfers, &w)
    }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard Self.has(j, ["id", "reason", "transfers"]), let id = ids.id(j["id"], ExchangeID.self), let r = j["reason"]?.stringValue,
              let t = KringCore.transfers(j["transfers"], &ids) else { return nil }
        self.init(id: id, reason: r, transfers: t)
    }
    public static let example = ExchangeReversed(id: Examples.x1, reason: "entered twice",
                                                 transfers: [Transfer(from: Examples.an, to: Examples.bo, minutes: Minutes(90))])
    public var event: Event { .exchangeReversed(self) }
}

// MARK: - The pool

/// A member gave credits to the solidarity pool.
public struct PoolDonated: EventPayload {
    public static let type = EventType.poolDonated
    public var transfer: Transfer
    public init(transfer: Transfer) { self.transfer = transfer }
    public func write(_ w: inout CanonicalWriter) { w.key("transfer"); transfer.write(&w) }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard Self.has(j, ["transfer"]), let t = j["transfer"].flatMap({ Transfer(json: $0, ids: &ids) }) else { return nil }
        self.init(transfer: t)
    }
    public static let example = PoolDonated(transfer: Transfer(from: Examples.an, to: poolID, minutes: Minutes(120)))
    public var event: Event { .poolDonated(self) }
}

/// A coordinator granted credits from the pool, with a reason.
public struct PoolGranted: EventPayload {
    public static let type = EventType.poolGranted
    public var transfer: Transfer
    public var reason: String
    public init(transfer: Transfer, reason: String) {
        self.transfer = transfer
        self.reason = reason
    }
    public func write(_ w: inout CanonicalWriter) {
        w.key("reason"); w.string(reason)
        w.key("transfer"); transfer.write(&w)
    }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard Self.has(j, ["reason", "transfer"]), let t = j["transfer"].flatMap({ Transfer(json: $0, ids: &ids) }),
              let r = j["reason"]?.stringValue else { return nil }
        self.init(transfer: t, reason: r)
    }
    public static let example = PoolGranted(transfer: Transfer(from: poolID, to: Examples.bo, minutes: Minutes(60)), reason: "a hard month")
    public var event: Event { .poolGranted(self) }
}

// MARK: - Offers and requests

/// An offer or request was posted (version 1).
public struct ListingPosted: ListingPayload {
    public static let type = EventType.listingPosted
    public var listing: ListingInfo
    public init(listing: ListingInfo) { self.listing = listing }
    public static let example = ListingPosted(listing: Examples.listing)
    public var event: Event { .listingPosted(self) }
}

/// An offer or request was edited: the whole new version.
public struct ListingEdited: ListingPayload {
    public static let type = EventType.listingEdited
    public var listing: ListingInfo
    public init(listing: ListingInfo) { self.listing = listing }
    public static var example: ListingEdited {
        var edited = Examples.listing
        edited.version = 2
        return ListingEdited(listing: edited)
    }
    public var event: Event { .listingEdited(self) }
}

/// An offer or request was withdrawn.
public struct ListingWithdrawn: ActorStepPayload {
    public static let type = EventType.listingWithdrawn
    public var id: ListingID
    public var by: Actor
    public init(id: ListingID, by: Actor) {
        self.id = id
        self.by = by
    }
    public static let example = ListingWithdrawn(id: Examples.room, by: .coordinatorToken(TokenID(uncheckedNumber: 2)))
    public var event: Event { .listingWithdrawn(self) }
}

/// An offer or request stays up until `expires`.
public struct ListingRenewed: EventPayload {
    public static let type = EventType.listingRenewed
    public var id: ListingID
    public var expires: Day
    public init(id: ListingID, expires: Day) {
        self.id = id
        self.expires = expires
    }
    public func write(_ w: inout CanonicalWriter) {
        w.key("expires"); w.string(expires.description)
        w.key("id"); w.id(id)
    }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard Self.has(j, ["expires", "id"]), let id = ids.id(j["id"], ListingID.self),
              let e = j["expires"]?.stringValue.flatMap(Day.init(iso:)) else { return nil }
        self.init(id: id, expires: e)
    }
    public static let example = ListingRenewed(id: Examples.need, expires: Examples.day + 30)
    public var event: Event { .listingRenewed(self) }
}

// MARK: - Goods

/// A lender recorded a loan.
public struct GoodsLent: EventPayload {
    public static let type = EventType.goodsLent
    public var loan: LoanInfo
    public init(loan: LoanInfo) { self.loan = loan }
    public func write(_ w: inout CanonicalWriter) { w.key("loan"); w.value(loan.json) }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard Self.has(j, ["loan"]), let l = j["loan"].flatMap({ LoanInfo(json: $0, ids: &ids) }) else { return nil }
        self.init(loan: l)
    }
    public static let example = GoodsLent(loan: LoanInfo(id: Examples.ln, lender: Examples.town, borrower: Examples.an, what: "Ladder", offer: nil,
                                                         lent: Examples.day, due: Examples.day + 14))
    public var event: Event { .goodsLent(self) }
}

/// A loan came back.
public struct GoodsReturned: EventPayload {
    public static let type = EventType.goodsReturned
    public var id: LoanID
    public var on: Day
    public init(id: LoanID, on: Day) {
        self.id = id
        self.on = on
    }
    public func write(_ w: inout CanonicalWriter) {
        w.key("id"); w.id(id)
        w.key("on"); w.string(on.description)
    }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard Self.has(j, ["id", "on"]), let id = ids.id(j["id"], LoanID.self), let day = j["on"]?.stringValue.flatMap(Day.init(iso:)) else { return nil }
        self.init(id: id, on: day)
    }
    public static let example = GoodsReturned(id: Examples.ln, on: Examples.day + 7)
    public var event: Event { .goodsReturned(self) }
}

// MARK: - Rooms

/// A space offer's capacity, weekly opening hours and closed days.
public struct SpaceHoursSet: EventPayload {
    public static let type = EventType.spaceHoursSet
    public var offer: ListingID
    public var hours: SpaceHours
    public init(offer: ListingID, hours: SpaceHours) {
        self.offer = offer
        self.hours = hours
    }
    public func write(_ w: inout CanonicalWriter) {
        w.key("hours"); w.value(hours.json)
        w.key("offer"); w.id(offer)
    }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard Self.has(j, ["hours", "offer"]), let offer = ids.id(j["offer"], ListingID.self),
              let h = j["hours"].flatMap(SpaceHours.init(json:)) else { return nil }
        self.init(offer: offer, hours: h)
    }
    public static let example = SpaceHoursSet(offer: Examples.room, hours: SpaceHours(capacity: 12, weekly: [[540...1_020], [], [], [], [], [], []],
                                                                                    closed: [Examples.day + 1]))
    public var event: Event { .spaceHoursSet(self) }
}

/// A member booked a slot of a space.
public struct SpaceBooked: EventPayload {
    public static let type = EventType.spaceBooked
    public var booking: BookingInfo
    public init(booking: BookingInfo) { self.booking = booking }
    public func write(_ w: inout CanonicalWriter) { w.key("booking"); w.value(booking.json) }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard Self.has(j, ["booking"]), let b = j["booking"].flatMap({ BookingInfo(json: $0, ids: &ids) }) else { return nil }
        self.init(booking: b)
    }
    public static let example = SpaceBooked(booking: BookingInfo(id: Examples.bk, offer: Examples.room, member: Examples.an, date: Examples.day + 7,
                                                                 start: 600, end: 720, people: 8))
    public var event: Event { .spaceBooked(self) }
}

/// A booking was cancelled.
public struct SpaceCancelled: EventPayload {
    public static let type = EventType.spaceCancelled
    public var id: BookingID
    public var by: Actor
    /// Why, when whoever cancelled said why; the key is written only then, so cancellations
    /// written before reasons existed keep their bytes.
    public var reason: String?
    public init(id: BookingID, by: Actor, reason: String? = nil) {
        self.id = id
        self.by = by
        self.reason = reason
    }
    public func write(_ w: inout CanonicalWriter) {
        w.key("by"); w.id(by)
        w.key("id"); w.id(id)
        if let reason { w.key("reason"); w.string(reason) }
    }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard j.hasExactly(["by", "id"], optional: ["actor", "reason"]), let id = ids.id(j["id"], BookingID.self), let by = actor(j["by"]),
              let reason = givenText(j["reason"]) else { return nil }
        self.init(id: id, by: by, reason: reason)
    }
    public static let example = SpaceCancelled(id: Examples.bk, by: .member(Examples.hotel), reason: "De zaal is die dag nodig voor een begrafenis.")
    public var event: Event { .spaceCancelled(self) }
}

// MARK: - Challenges

/// The municipality or an association posted a challenge.
public struct ChallengePosted: EventPayload {
    public static let type = EventType.challengePosted
    public var challenge: ChallengeInfo
    public init(challenge: ChallengeInfo) { self.challenge = challenge }
    public func write(_ w: inout CanonicalWriter) { w.key("challenge"); w.value(challenge.json) }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard Self.has(j, ["challenge"]), let c = j["challenge"].flatMap({ ChallengeInfo(json: $0, ids: &ids) }) else { return nil }
        self.init(challenge: c)
    }
    public static let example = ChallengePosted(challenge: ChallengeInfo(id: Examples.ch, author: Examples.town, title: "Lonely seniors", text: "",
                                                                         domains: ["loneliness"], ends: Examples.day + 365))
    public var event: Event { .challengePosted(self) }
}

/// A member joined a challenge.
public struct ChallengeJoined: MembershipPayload {
    public static let type = EventType.challengeJoined
    public var id: ChallengeID
    public var member: MemberID
    public init(id: ChallengeID, member: MemberID) {
        self.id = id
        self.member = member
    }
    public static let example = ChallengeJoined(id: Examples.ch, member: Examples.hotel)
    public var event: Event { .challengeJoined(self) }
}

/// A member pledged time, space or goods to a challenge.
public struct ChallengePledged: EventPayload {
    public static let type = EventType.challengePledged
    public var pledge: Pledge
    public init(pledge: Pledge) { self.pledge = pledge }
    public func write(_ w: inout CanonicalWriter) { w.key("pledge"); w.value(pledge.json) }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard Self.has(j, ["pledge"]), let p = j["pledge"].flatMap({ Pledge(json: $0, ids: &ids) }) else { return nil }
        self.init(pledge: p)
    }
    public static let example = ChallengePledged(pledge: Pledge(challenge: Examples.ch, member: Examples.hotel, kind: .space, what: "A room on Mondays"))
    public var event: Event { .challengePledged(self) }
}

/// A challenge was closed.
public struct ChallengeClosed: ActorStepPayload {
    public static let type = EventType.challengeClosed
    public var id: ChallengeID
    public var by: Actor
    public init(id: ChallengeID, by: Actor) {
        self.id = id
        self.by = by
    }
    public static let example = ChallengeClosed(id: Examples.ch, by: .coordinator)
    public var event: Event { .challengeClosed(self) }
}

// MARK: - Connecting people

/// A coordinator introduced the author of an open request to the author of an open offer.
/// No credits move and no consent is asked: either member may then propose an exchange
/// linked to both listings, which the other confirms as any proposal.
public struct IntroductionMade: EventPayload {
    public static let type = EventType.introductionMade
    public var request: ListingID
    public var offer: ListingID
    /// The coordinator who made it.
    public var by: Actor
    public init(request: ListingID, offer: ListingID, by: Actor) {
        self.request = request
        self.offer = offer
        self.by = by
    }
    public func write(_ w: inout CanonicalWriter) {
        w.key("by"); w.id(by)
        w.key("offer"); w.id(offer)
        w.key("request"); w.id(request)
    }
    public init?(fields j: JSON, ids: inout IDReading) {
        guard Self.has(j, ["by", "offer", "request"]), let by = actor(j["by"]), let offer = ids.id(j["offer"], ListingID.self),
              let request = ids.id(j["request"], ListingID.self), offer.side == .offer, request.side == .request else { return nil }
        self.init(request: request, offer: offer, by: by)
    }
    public static let example = IntroductionMade(request: Examples.need, offer: Examples.room, by: .coordinator)
    public var event: Event { .introductionMade(self) }
}
