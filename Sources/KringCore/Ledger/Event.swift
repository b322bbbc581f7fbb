/// One movement of credits: `minutes` leave `from` and arrive at `to`. It posts as two
/// postings, −minutes and +minutes, so every transfer sums to zero.
public struct Transfer: Sendable, Equatable, Hashable {
    /// The paying account (debited).
    public var from: MemberID
    /// The receiving account (credited).
    public var to: MemberID
    /// Credits moved, always positive.
    public var minutes: Minutes

    public init(from: MemberID, to: MemberID, minutes: Minutes) {
        self.from = from
        self.to = to
        self.minutes = minutes
    }

    func write(_ w: inout CanonicalWriter) {
        w.beginObject()
        w.key("from"); w.id(from)
        w.key("minutes"); w.int(minutes.value)
        w.key("to"); w.id(to)
        w.endObject()
    }

    init?(json j: JSON, ids: inout IDReading) {
        guard j.hasExactly(["from", "minutes", "to"]), let f = ids.id(j["from"], MemberID.self), let t = ids.id(j["to"], MemberID.self),
              let m = j["minutes"]?.intValue else { return nil }
        self.init(from: f, to: t, minutes: Minutes(m))
    }
}

/// Who a member is, as registered.
public struct MemberInfo: Sendable, Equatable {
    public var id: MemberID
    public var name: String
    public var kind: MemberKind
    public var neighbourhood: String?
    public var domains: [String]
    /// The day the member joined.
    public var joined: Day

    public init(id: MemberID, name: String, kind: MemberKind, neighbourhood: String? = nil, domains: [String] = [], joined: Day) {
        self.id = id
        self.name = name
        self.kind = kind
        self.neighbourhood = neighbourhood
        self.domains = domains
        self.joined = joined
    }

    func write(_ w: inout CanonicalWriter) {
        w.beginObject()
        w.key("domains"); w.strings(domains)
        w.key("id"); w.id(id)
        w.key("joined"); w.string(joined.description)
        w.key("kind"); w.string(kind.rawValue)
        w.key("name"); w.string(name)
        w.key("neighbourhood"); w.string(neighbourhood)
        w.endObject()
    }

    init?(json j: JSON, ids: inout IDReading) {
        guard j.hasExactly(["domains", "id", "joined", "kind", "name", "neighbourhood"]), let id = ids.id(j["id"], MemberID.self),
              let name = j["name"]?.stringValue, let kind = j["kind"]?.stringValue.flatMap(MemberKind.init),
              let n = j["neighbourhood"], n.isNull || n.stringValue != nil, let ds = j["domains"]?.stringsValue,
              let joined = j["joined"]?.stringValue.flatMap(Day.init(iso:)) else { return nil }
        self.init(id: id, name: name, kind: kind, neighbourhood: n.stringValue, domains: ds, joined: joined)
    }
}

/// An exchange as proposed or recorded: who provides what to whom, for how many credits.
public struct ExchangeInfo: Sendable, Equatable {
    public var id: ExchangeID
    /// The member who proposed it; nil when a coordinator recorded it with both consents.
    public var proposer: MemberID?
    public var providers: [MemberID]
    public var receivers: [MemberID]
    public var kind: ExchangeKind
    public var domain: String
    public var what: String
    /// Credits paid by each receiver to each provider (per pair); zero is a gift.
    public var credits: Minutes
    /// Minutes of work or room use, or items of goods, per pair.
    public var quantity: Int64
    /// The day the exchange took place.
    public var date: Day
    /// When an unanswered proposal expires (Unix seconds); nil for recorded exchanges.
    public var expiresAt: Int64?
    /// The offers, requests and bookings this exchange fulfils, the challenges it serves.
    public var links: [ExchangeLink]

    public init(id: ExchangeID, proposer: MemberID?, providers: [MemberID], receivers: [MemberID], kind: ExchangeKind,
                domain: String, what: String, credits: Minutes, quantity: Int64, date: Day, expiresAt: Int64?, links: [ExchangeLink] = []) {
        self.id = id
        self.proposer = proposer
        self.providers = providers
        self.receivers = receivers
        self.kind = kind
        self.domain = domain
        self.what = what
        self.credits = credits
        self.quantity = quantity
        self.date = date
        self.expiresAt = expiresAt
        self.links = links
    }

    /// Every (provider, receiver) pair; one transfer each when posted.
    public var pairs: [(provider: MemberID, receiver: MemberID)] {
        var out = [(MemberID, MemberID)]()
        for p in providers { for r in receivers { out.append((p, r)) } }
        return out
    }

    /// Everyone taking part.
    public var parties: [MemberID] { providers + receivers }

    /// The transfers that post this exchange (none for a gift).
    public var transfers: [Transfer] {
        guard credits.value > 0 else { return [] }
        return pairs.map { Transfer(from: $0.receiver, to: $0.provider, minutes: credits) }
    }

    func write(_ w: inout CanonicalWriter) {
        w.beginObject()
        w.key("credits"); w.int(credits.value)
        w.key("date"); w.string(date.description)
        w.key("domain"); w.string(domain)
        w.key("expires"); w.int(expiresAt)
        w.key("id"); w.id(id)
        w.key("kind"); w.string(kind.rawValue)
        // Only exchanges that link something carry the key, so older payloads keep their bytes.
        if !links.isEmpty { w.key("links"); w.ids(links) }
        w.key("proposer"); w.id(proposer)
        w.key("providers"); w.ids(providers)
        w.key("quantity"); w.int(quantity)
        w.key("receivers"); w.ids(receivers)
        w.key("what"); w.string(what)
        w.endObject()
    }

    init?(json j: JSON, ids: inout IDReading) {
        guard j.hasExactly(["credits", "date", "domain", "expires", "id", "kind", "proposer", "providers", "quantity", "receivers", "what"],
                           optional: ["links"]),
              let id = ids.id(j["id"], ExchangeID.self), let proposer = ids.optionalID(j["proposer"], MemberID.self),
              let ps = ids.ids(j["providers"], MemberID.self), let rs = ids.ids(j["receivers"], MemberID.self),
              let kind = j["kind"]?.stringValue.flatMap(ExchangeKind.init), let domain = j["domain"]?.stringValue,
              let what = j["what"]?.stringValue, let credits = j["credits"]?.intValue,
              let q = j["quantity"]?.intValue, let date = j["date"]?.stringValue.flatMap(Day.init(iso:)),
              let exp = j["expires"], exp.isNull || exp.intValue != nil else { return nil }
        var links = [ExchangeLink]()
        if j["links"] != nil {
            guard let l = ids.ids(j["links"], ExchangeLink.self) else { return nil }
            links = l
        }
        self.init(id: id, proposer: proposer, providers: ps, receivers: rs, kind: kind, domain: domain, what: what,
                  credits: Minutes(credits), quantity: q, date: date, expiresAt: exp.intValue, links: links)
    }
}

/// The kinds of journal entry, by their wire name (the journal's `type` column). The list is
/// complete: `Event.example(of:)`, the decoder and the round-trip test go through every case.
public enum EventType: String, Sendable, CaseIterable {
    case ledgerCreated = "ledger.created"
    case policyChanged = "policy.changed"
    case memberAdded = "member.added"
    case memberSuspended = "member.suspended"
    case memberReinstated = "member.reinstated"
    case memberLimitsSet = "member.limits"
    case memberLeft = "member.left"
    case exchangeProposed = "exchange.proposed"
    case exchangeConsented = "exchange.consented"
    case exchangeConfirmed = "exchange.confirmed"
    case exchangeRecorded = "exchange.recorded"
    case exchangeRejected = "exchange.rejected"
    case exchangeCancelled = "exchange.cancelled"
    case exchangeExpired = "exchange.expired"
    case exchangeReversed = "exchange.reversed"
    case poolDonated = "pool.donated"
    case poolGranted = "pool.granted"
    case listingPosted = "listing.posted"
    case listingEdited = "listing.edited"
    case listingWithdrawn = "listing.withdrawn"
    case listingRenewed = "listing.renewed"
    case goodsLent = "goods.lent"
    case goodsReturned = "goods.returned"
    case spaceHoursSet = "space.hours"
    case spaceBooked = "space.booked"
    case spaceCancelled = "space.cancelled"
    case challengePosted = "challenge.posted"
    case challengeJoined = "challenge.joined"
    case challengePledged = "challenge.pledged"
    case challengeClosed = "challenge.closed"
}

/// What happened: the only thing the journal stores. Every event is the outcome of one
/// accepted command; projections and balances are functions of the sequence of events.
///
/// Each case owns, in this file, its wire name (`type`), its canonical encoding
/// (`payloadBytes`), its decoding (`init(type:payload:ids:)`) and an example
/// (`example(of:)`); all four switch over every case without a `default`, so a new event does
/// not build until it has all of them (and `LedgerState.apply` and the store's projector).
public enum Event: Sendable, Equatable {
    case ledgerCreated(policy: Policy)
    case policyChanged(policy: Policy)
    case memberAdded(MemberInfo)
    case memberSuspended(id: MemberID)
    case memberReinstated(id: MemberID)
    /// A coordinator's override of a member's limits; nil falls back to the policy.
    case memberLimitsSet(id: MemberID, floor: Minutes?, ceiling: Minutes?)
    /// The member left; `settlement` brings the balance to zero against the pool, and the
    /// member's open proposals are cancelled.
    case memberLeft(id: MemberID, settlement: Transfer?, cancelled: [ExchangeID])
    case exchangeProposed(ExchangeInfo)
    /// One more party consented to a group exchange; others have yet to.
    case exchangeConsented(id: ExchangeID, member: MemberID)
    /// The last consent arrived (`by` a member), or the policy auto-confirmed at expiry (`by`
    /// `.automatic`): credits move.
    case exchangeConfirmed(id: ExchangeID, by: Actor, transfers: [Transfer])
    /// A coordinator recorded an exchange with both consents; `reason` explains unequal time.
    case exchangeRecorded(ExchangeInfo, reason: String?, transfers: [Transfer])
    case exchangeRejected(id: ExchangeID, by: MemberID)
    case exchangeCancelled(id: ExchangeID, by: MemberID)
    /// The proposal lapsed; `reason` says why an auto-confirmation failed, if one was tried.
    case exchangeExpired(id: ExchangeID, reason: String?)
    case exchangeReversed(id: ExchangeID, reason: String, transfers: [Transfer])
    case poolDonated(Transfer)
    case poolGranted(Transfer, reason: String)
    /// An offer or request was posted (version 1) or edited (the whole new version).
    case listingPosted(ListingInfo)
    case listingEdited(ListingInfo)
    case listingWithdrawn(id: ListingID, by: Actor)
    case listingRenewed(id: ListingID, expires: Day)
    case goodsLent(LoanInfo)
    case goodsReturned(id: LoanID, on: Day)
    case spaceHoursSet(offer: ListingID, hours: SpaceHours)
    case spaceBooked(BookingInfo)
    case spaceCancelled(id: BookingID, by: Actor)
    case challengePosted(ChallengeInfo)
    case challengeJoined(id: ChallengeID, member: MemberID)
    case challengePledged(Pledge)
    case challengeClosed(id: ChallengeID, by: Actor)

    /// The event's type, whose wire name is stored in the journal's `type` column.
    public var type: EventType {
        switch self {
        case .ledgerCreated: return .ledgerCreated
        case .policyChanged: return .policyChanged
        case .memberAdded: return .memberAdded
        case .memberSuspended: return .memberSuspended
        case .memberReinstated: return .memberReinstated
        case .memberLimitsSet: return .memberLimitsSet
        case .memberLeft: return .memberLeft
        case .exchangeProposed: return .exchangeProposed
        case .exchangeConsented: return .exchangeConsented
        case .exchangeConfirmed: return .exchangeConfirmed
        case .exchangeRecorded: return .exchangeRecorded
        case .exchangeRejected: return .exchangeRejected
        case .exchangeCancelled: return .exchangeCancelled
        case .exchangeExpired: return .exchangeExpired
        case .exchangeReversed: return .exchangeReversed
        case .poolDonated: return .poolDonated
        case .poolGranted: return .poolGranted
        case .listingPosted: return .listingPosted
        case .listingEdited: return .listingEdited
        case .listingWithdrawn: return .listingWithdrawn
        case .listingRenewed: return .listingRenewed
        case .goodsLent: return .goodsLent
        case .goodsReturned: return .goodsReturned
        case .spaceHoursSet: return .spaceHoursSet
        case .spaceBooked: return .spaceBooked
        case .spaceCancelled: return .spaceCancelled
        case .challengePosted: return .challengePosted
        case .challengeJoined: return .challengeJoined
        case .challengePledged: return .challengePledged
        case .challengeClosed: return .challengeClosed
        }
    }

    /// The credits this event moves (empty for most).
    public var transfers: [Transfer] {
        switch self {
        case .memberLeft(_, let s, _): return s.map { [$0] } ?? []
        case .exchangeConfirmed(_, _, let t), .exchangeRecorded(_, _, let t), .exchangeReversed(_, _, let t): return t
        case .poolDonated(let t), .poolGranted(let t, _): return [t]
        default: return []
        }
    }

    /// The exchange this event concerns, if any.
    public var exchangeID: ExchangeID? {
        switch self {
        case .exchangeProposed(let e), .exchangeRecorded(let e, _, _): return e.id
        case .exchangeConsented(let id, _), .exchangeConfirmed(let id, _, _), .exchangeRejected(let id, _),
             .exchangeCancelled(let id, _), .exchangeExpired(let id, _), .exchangeReversed(let id, _, _): return id
        default: return nil
        }
    }

    /// The payload as a JSON value (read from `payloadBytes`, the one encoder).
    public var payload: JSON {
        // The writer only writes valid JSON; a failure here is a bug in the writer.
        guard let json = try? JSON.parse(payloadBytes) else { preconditionFailure("\(type.rawValue): the canonical writer wrote invalid JSON") }
        return json
    }

    /// The canonical bytes of the payload: object keys in byte order, no whitespace. Ids are
    /// written only by their formatter.
    public var payloadBytes: [UInt8] { payloadBytes(actor: nil) }

    /// The payload as the journal stores and hashes it (see docs/architecture.md): with
    /// `"actor"`, who acted (a member's handle, `coordinator` at the ledger file,
    /// `coordinator:tk-N` through a token, `system`), first. Entries written before the actor
    /// was journaled have none.
    public func payloadBytes(actor: Actor?) -> [UInt8] {
        var w = CanonicalWriter()
        func transfers(_ ts: [Transfer]) { w.beginArray(); for t in ts { t.write(&w) }; w.endArray() }
        w.beginObject()
        // "actor" sorts before every key of every payload.
        if let actor { w.key("actor"); w.id(actor) }
        switch self {
        case .ledgerCreated(let p), .policyChanged(let p):
            w.key("policy"); w.value(p.json)
        case .memberAdded(let m):
            w.key("member"); m.write(&w)
        case .memberSuspended(let id), .memberReinstated(let id):
            w.key("id"); w.id(id)
        case .memberLimitsSet(let id, let f, let c):
            w.key("ceiling"); w.int(c?.value)
            w.key("floor"); w.int(f?.value)
            w.key("id"); w.id(id)
        case .memberLeft(let id, let s, let c):
            w.key("cancelled"); w.ids(c)
            w.key("id"); w.id(id)
            w.key("settlement"); if let s { s.write(&w) } else { w.null() }
        case .exchangeProposed(let x):
            w.key("exchange"); x.write(&w)
        case .exchangeConsented(let id, let m):
            w.key("id"); w.id(id)
            w.key("member"); w.id(m)
        case .exchangeConfirmed(let id, let by, let t):
            w.key("by"); w.id(by)
            w.key("id"); w.id(id)
            w.key("transfers"); transfers(t)
        case .exchangeRecorded(let x, let r, let t):
            w.key("exchange"); x.write(&w)
            w.key("reason"); w.string(r)
            w.key("transfers"); transfers(t)
        case .exchangeRejected(let id, let by), .exchangeCancelled(let id, let by):
            w.key("by"); w.id(by)
            w.key("id"); w.id(id)
        case .exchangeExpired(let id, let r):
            w.key("id"); w.id(id)
            w.key("reason"); w.string(r)
        case .exchangeReversed(let id, let r, let t):
            w.key("id"); w.id(id)
            w.key("reason"); w.string(r)
            w.key("transfers"); transfers(t)
        case .poolDonated(let t):
            w.key("transfer"); t.write(&w)
        case .poolGranted(let t, let r):
            w.key("reason"); w.string(r)
            w.key("transfer"); t.write(&w)
        case .listingPosted(let l), .listingEdited(let l):
            w.key("listing"); w.value(l.json)
        case .listingWithdrawn(let id, let by):
            w.key("by"); w.id(by)
            w.key("id"); w.id(id)
        case .listingRenewed(let id, let e):
            w.key("expires"); w.string(e.description)
            w.key("id"); w.id(id)
        case .goodsLent(let l):
            w.key("loan"); w.value(l.json)
        case .goodsReturned(let id, let day):
            w.key("id"); w.id(id)
            w.key("on"); w.string(day.description)
        case .spaceHoursSet(let offer, let h):
            w.key("hours"); w.value(h.json)
            w.key("offer"); w.id(offer)
        case .spaceBooked(let b):
            w.key("booking"); w.value(b.json)
        case .spaceCancelled(let id, let by):
            w.key("by"); w.id(by)
            w.key("id"); w.id(id)
        case .challengePosted(let c):
            w.key("challenge"); w.value(c.json)
        case .challengeJoined(let id, let m):
            w.key("id"); w.id(id)
            w.key("member"); w.id(m)
        case .challengePledged(let p):
            w.key("pledge"); w.value(p.json)
        case .challengeClosed(let id, let by):
            w.key("by"); w.id(by)
            w.key("id"); w.id(id)
        }
        w.endObject()
        return w.bytes
    }

    /// Rebuilds an event from its journal type and payload, reading ids canonically only.
    public init?(type: String, payload: JSON) {
        var ids = IDReading.strict
        self.init(type: type, payload: payload, ids: &ids)
    }

    /// Rebuilds an event from its journal type and payload; nil when the type is unknown, a
    /// field is missing, unknown or of the wrong kind, or an id is not one `ids` reads.
    public init?(type name: String, payload j: JSON, ids: inout IDReading) {
        guard let type = EventType(rawValue: name) else { return nil }
        func ts(_ v: JSON?) -> [Transfer]? {
            guard let a = v?.arrayValue else { return nil }
            var out = [Transfer]()
            for item in a {
                guard let t = Transfer(json: item, ids: &ids) else { return nil }
                out.append(t)
            }
            return out
        }
        func keys(_ required: Set<String>) -> Bool { j.hasExactly(required, optional: ["actor"]) }
        func actor(_ v: JSON?) -> Actor? { v?.stringValue.flatMap(Actor.init(journal:)) }
        switch type {
        case .ledgerCreated, .policyChanged:
            guard keys(["policy"]), let p = j["policy"].flatMap(Policy.init(json:)) else { return nil }
            self = type == .ledgerCreated ? .ledgerCreated(policy: p) : .policyChanged(policy: p)
        case .memberAdded:
            guard keys(["member"]), let m = j["member"].flatMap({ MemberInfo(json: $0, ids: &ids) }) else { return nil }
            self = .memberAdded(m)
        case .memberSuspended, .memberReinstated:
            guard keys(["id"]), let id = ids.id(j["id"], MemberID.self) else { return nil }
            self = type == .memberSuspended ? .memberSuspended(id: id) : .memberReinstated(id: id)
        case .memberLimitsSet:
            guard keys(["ceiling", "floor", "id"]), let id = ids.id(j["id"], MemberID.self), let f = j["floor"], let c = j["ceiling"],
                  f.isNull || f.intValue != nil, c.isNull || c.intValue != nil else { return nil }
            self = .memberLimitsSet(id: id, floor: f.intValue.map(Minutes.init), ceiling: c.intValue.map(Minutes.init))
        case .memberLeft:
            guard keys(["cancelled", "id", "settlement"]), let id = ids.id(j["id"], MemberID.self), let s = j["settlement"],
                  let c = ids.ids(j["cancelled"], ExchangeID.self) else { return nil }
            let settlement = Transfer(json: s, ids: &ids)
            guard s.isNull || settlement != nil else { return nil }
            self = .memberLeft(id: id, settlement: settlement, cancelled: c)
        case .exchangeProposed:
            guard keys(["exchange"]), let e = j["exchange"].flatMap({ ExchangeInfo(json: $0, ids: &ids) }) else { return nil }
            self = .exchangeProposed(e)
        case .exchangeConsented:
            guard keys(["id", "member"]), let id = ids.id(j["id"], ExchangeID.self), let m = ids.id(j["member"], MemberID.self) else { return nil }
            self = .exchangeConsented(id: id, member: m)
        case .exchangeConfirmed:
            guard keys(["by", "id", "transfers"]), let id = ids.id(j["id"], ExchangeID.self), let by = actor(j["by"]),
                  by == .automatic || by.member != nil, let t = ts(j["transfers"]) else { return nil }
            self = .exchangeConfirmed(id: id, by: by, transfers: t)
        case .exchangeRecorded:
            guard keys(["exchange", "reason", "transfers"]), let e = j["exchange"].flatMap({ ExchangeInfo(json: $0, ids: &ids) }),
                  let r = j["reason"], r.isNull || r.stringValue != nil, let t = ts(j["transfers"]) else { return nil }
            self = .exchangeRecorded(e, reason: r.stringValue, transfers: t)
        case .exchangeRejected, .exchangeCancelled:
            guard keys(["by", "id"]), let id = ids.id(j["id"], ExchangeID.self), let by = ids.id(j["by"], MemberID.self) else { return nil }
            self = type == .exchangeRejected ? .exchangeRejected(id: id, by: by) : .exchangeCancelled(id: id, by: by)
        case .exchangeExpired:
            guard keys(["id", "reason"]), let id = ids.id(j["id"], ExchangeID.self), let r = j["reason"], r.isNull || r.stringValue != nil else { return nil }
            self = .exchangeExpired(id: id, reason: r.stringValue)
        case .exchangeReversed:
            guard keys(["id", "reason", "transfers"]), let id = ids.id(j["id"], ExchangeID.self), let r = j["reason"]?.stringValue,
                  let t = ts(j["transfers"]) else { return nil }
            self = .exchangeReversed(id: id, reason: r, transfers: t)
        case .poolDonated:
            guard keys(["transfer"]), let t = j["transfer"].flatMap({ Transfer(json: $0, ids: &ids) }) else { return nil }
            self = .poolDonated(t)
        case .poolGranted:
            guard keys(["reason", "transfer"]), let t = j["transfer"].flatMap({ Transfer(json: $0, ids: &ids) }),
                  let r = j["reason"]?.stringValue else { return nil }
            self = .poolGranted(t, reason: r)
        case .listingPosted, .listingEdited:
            guard keys(["listing"]), let l = j["listing"].flatMap({ ListingInfo(json: $0, ids: &ids) }) else { return nil }
            self = type == .listingPosted ? .listingPosted(l) : .listingEdited(l)
        case .listingWithdrawn:
            guard keys(["by", "id"]), let id = ids.id(j["id"], ListingID.self), let by = actor(j["by"]) else { return nil }
            self = .listingWithdrawn(id: id, by: by)
        case .listingRenewed:
            guard keys(["expires", "id"]), let id = ids.id(j["id"], ListingID.self),
                  let e = j["expires"]?.stringValue.flatMap(Day.init(iso:)) else { return nil }
            self = .listingRenewed(id: id, expires: e)
        case .goodsLent:
            guard keys(["loan"]), let l = j["loan"].flatMap({ LoanInfo(json: $0, ids: &ids) }) else { return nil }
            self = .goodsLent(l)
        case .goodsReturned:
            guard keys(["id", "on"]), let id = ids.id(j["id"], LoanID.self), let day = j["on"]?.stringValue.flatMap(Day.init(iso:)) else { return nil }
            self = .goodsReturned(id: id, on: day)
        case .spaceHoursSet:
            guard keys(["hours", "offer"]), let offer = ids.id(j["offer"], ListingID.self),
                  let h = j["hours"].flatMap(SpaceHours.init(json:)) else { return nil }
            self = .spaceHoursSet(offer: offer, hours: h)
        case .spaceBooked:
            guard keys(["booking"]), let b = j["booking"].flatMap({ BookingInfo(json: $0, ids: &ids) }) else { return nil }
            self = .spaceBooked(b)
        case .spaceCancelled:
            guard keys(["by", "id"]), let id = ids.id(j["id"], BookingID.self), let by = actor(j["by"]) else { return nil }
            self = .spaceCancelled(id: id, by: by)
        case .challengePosted:
            guard keys(["challenge"]), let c = j["challenge"].flatMap({ ChallengeInfo(json: $0, ids: &ids) }) else { return nil }
            self = .challengePosted(c)
        case .challengeJoined:
            guard keys(["id", "member"]), let id = ids.id(j["id"], ChallengeID.self), let m = ids.id(j["member"], MemberID.self) else { return nil }
            self = .challengeJoined(id: id, member: m)
        case .challengePledged:
            guard keys(["pledge"]), let p = j["pledge"].flatMap({ Pledge(json: $0, ids: &ids) }) else { return nil }
            self = .challengePledged(p)
        case .challengeClosed:
            guard keys(["by", "id"]), let id = ids.id(j["id"], ChallengeID.self), let by = actor(j["by"]) else { return nil }
            self = .challengeClosed(id: id, by: by)
        }
    }

    /// Who acted, as a journal payload names it: nil when it names nobody (entries written
    /// before the actor was journaled), `.some(nil)` when the name is not an actor.
    public static func journaledActor(in payload: JSON) -> Actor?? {
        guard let a = payload["actor"] else { return nil }
        return .some(a.stringValue.flatMap(Actor.init(journal:)))
    }

    /// One example of each type (the round-trip test and the docs use them).
    public static func example(of type: EventType) -> Event {
        let an = MemberID(canonical: "an-peeters")!, bo = MemberID(canonical: "bo-smet")!
        let hotel = MemberID(canonical: "hotel-aerts")!, town = MemberID(canonical: "stad")!
        let day = Day(iso: "2026-11-02")!
        let x1 = ExchangeID(uncheckedNumber: 1), x2 = ExchangeID(uncheckedNumber: 2)
        let room = ListingID(side: .offer, uncheckedNumber: 3), need = ListingID(side: .request, uncheckedNumber: 4)
        let ch = ChallengeID(uncheckedNumber: 1), bk = BookingID(uncheckedNumber: 1), ln = LoanID(uncheckedNumber: 1)
        let t = Transfer(from: bo, to: an, minutes: Minutes(90))
        let info = ExchangeInfo(id: x1, proposer: an, providers: [an], receivers: [bo], kind: .time, domain: "care", what: "Shopping",
                                credits: Minutes(90), quantity: 90, date: day, expiresAt: 1_790_000_000, links: [.listing(need), .challenge(ch)])
        let listing = ListingInfo(id: room, author: hotel, kind: .space, domain: "culture", title: "Meeting room", text: "Twelve seats",
                                  place: "Centrum", availability: "weekdays", expires: day + 90, version: 1, challenge: ch)
        switch type {
        case .ledgerCreated: return .ledgerCreated(policy: .standard)
        case .policyChanged: return .policyChanged(policy: .standard)
        case .memberAdded: return .memberAdded(MemberInfo(id: an, name: "An Peeters", kind: .person, neighbourhood: "Noord", domains: ["care"], joined: day))
        case .memberSuspended: return .memberSuspended(id: an)
        case .memberReinstated: return .memberReinstated(id: an)
        case .memberLimitsSet: return .memberLimitsSet(id: an, floor: Minutes(-1_800), ceiling: nil)
        case .memberLeft: return .memberLeft(id: bo, settlement: Transfer(from: poolID, to: bo, minutes: Minutes(60)), cancelled: [x2])
        case .exchangeProposed: return .exchangeProposed(info)
        case .exchangeConsented: return .exchangeConsented(id: x1, member: bo)
        case .exchangeConfirmed: return .exchangeConfirmed(id: x1, by: .automatic, transfers: [t])
        case .exchangeRecorded:
            var recorded = info
            recorded.proposer = nil
            recorded.expiresAt = nil
            recorded.links = []
            return .exchangeRecorded(recorded, reason: "paper slip", transfers: [t])
        case .exchangeRejected: return .exchangeRejected(id: x2, by: bo)
        case .exchangeCancelled: return .exchangeCancelled(id: x2, by: an)
        case .exchangeExpired: return .exchangeExpired(id: x2, reason: nil)
        case .exchangeReversed: return .exchangeReversed(id: x1, reason: "entered twice", transfers: [Transfer(from: an, to: bo, minutes: Minutes(90))])
        case .poolDonated: return .poolDonated(Transfer(from: an, to: poolID, minutes: Minutes(120)))
        case .poolGranted: return .poolGranted(Transfer(from: poolID, to: bo, minutes: Minutes(60)), reason: "a hard month")
        case .listingPosted: return .listingPosted(listing)
        case .listingEdited:
            var edited = listing
            edited.version = 2
            return .listingEdited(edited)
        case .listingWithdrawn: return .listingWithdrawn(id: room, by: .coordinatorToken(TokenID(uncheckedNumber: 2)))
        case .listingRenewed: return .listingRenewed(id: need, expires: day + 30)
        case .goodsLent: return .goodsLent(LoanInfo(id: ln, lender: town, borrower: an, what: "Ladder", offer: nil, lent: day, due: day + 14))
        case .goodsReturned: return .goodsReturned(id: ln, on: day + 7)
        case .spaceHoursSet: return .spaceHoursSet(offer: room, hours: SpaceHours(capacity: 12, weekly: [[540...1_020], [], [], [], [], [], []], closed: [day + 1]))
        case .spaceBooked: return .spaceBooked(BookingInfo(id: bk, offer: room, member: an, date: day + 7, start: 600, end: 720, people: 8))
        case .spaceCancelled: return .spaceCancelled(id: bk, by: .member(hotel))
        case .challengePosted: return .challengePosted(ChallengeInfo(id: ch, author: town, title: "Lonely seniors", text: "", domains: ["loneliness"], ends: day + 365))
        case .challengeJoined: return .challengeJoined(id: ch, member: hotel)
        case .challengePledged: return .challengePledged(Pledge(challenge: ch, member: hotel, kind: .space, what: "A room on Mondays"))
        case .challengeClosed: return .challengeClosed(id: ch, by: .coordinator)
        }
    }
}

extension ListingInfo {
    /// The journal's form (also the API's).
    public var json: JSON {
        var o: [String: JSON] = [
            "id": .string(id.description), "side": .string(side.rawValue), "author": .string(author.description), "kind": .string(kind.rawValue),
            "domain": .string(domain), "title": .string(title), "text": .string(text), "place": place.map(JSON.string) ?? .null,
            "availability": availability.map(JSON.string) ?? .null, "expires": .string(expires.description), "version": .int(version),
        ]
        if let challenge { o["challenge"] = .string(challenge.description) }
        return .object(o)
    }

    /// Reads the journal's form; the side must be the id's.
    init?(json j: JSON, ids: inout IDReading) {
        guard j.hasExactly(["author", "availability", "domain", "expires", "id", "kind", "place", "side", "text", "title", "version"],
                           optional: ["challenge"]),
              let id = ids.id(j["id"], ListingID.self), j["side"]?.stringValue == id.side.rawValue,
              let author = ids.id(j["author"], MemberID.self), let kind = j["kind"]?.stringValue.flatMap(ExchangeKind.init),
              let domain = j["domain"]?.stringValue, let title = j["title"]?.stringValue, let text = j["text"]?.stringValue,
              let place = j["place"], place.isNull || place.stringValue != nil, let availability = j["availability"],
              availability.isNull || availability.stringValue != nil,
              let expires = j["expires"]?.stringValue.flatMap(Day.init(iso:)), let version = j["version"]?.intValue else { return nil }
        var challenge: ChallengeID?
        if j["challenge"] != nil {
            guard let c = ids.id(j["challenge"], ChallengeID.self) else { return nil }
            challenge = c
        }
        self.init(id: id, author: author, kind: kind, domain: domain, title: title, text: text,
                  place: place.stringValue, availability: availability.stringValue, expires: expires, version: version, challenge: challenge)
    }
}

extension CanonicalWriter {
    /// Writes an id (or an actor) by its one formatter.
    public mutating func id(_ id: some CustomStringConvertible) { string(id.description) }
    /// Writes an optional id; nil is null.
    public mutating func id(_ id: (some CustomStringConvertible)?) { if let id { string(id.description) } else { null() } }
    /// Writes a list of ids.
    public mutating func ids(_ items: [some CustomStringConvertible]) { beginArray(); for i in items { string(i.description) }; endArray() }
}

extension JSON {
    /// Whether this is an object whose keys are all of `required` and possibly some of `optional`.
    public func hasExactly(_ required: Set<String>, optional: Set<String> = []) -> Bool {
        guard case .object(let o) = self else { return false }
        return o.count >= required.count && required.allSatisfy { o[$0] != nil } && o.keys.allSatisfy { required.contains($0) || optional.contains($0) }
    }

    /// An array of strings; nil when it is not one.
    public var stringsValue: [String]? {
        guard let a = arrayValue else { return nil }
        let s = a.compactMap(\.stringValue)
        return s.count == a.count ? s : nil
    }
}
