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
    case introductionMade = "introduction.made"

    /// The type whose journal name these bytes spell, without making a string of them.
    public init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        for (name, type) in EventType.names where name.count == bytes.count && name.elementsEqual(bytes) {
            self = type
            return
        }
        return nil
    }

    private static let names: [([UInt8], EventType)] = allCases.map { (Array($0.rawValue.utf8), $0) }
}

/// What happened: the only thing the journal stores. Every event is the outcome of one
/// accepted command; projections and balances are functions of the sequence of events.
///
/// One case per event type, each carrying its payload type (`EventPayload`, in
/// `EventPayloads.swift`), which owns its wire name, canonical encoding, decoding and example.
public enum Event: Sendable, Equatable {
    case ledgerCreated(LedgerCreated)
    case policyChanged(PolicyChanged)
    case memberAdded(MemberAdded)
    case memberSuspended(MemberSuspended)
    case memberReinstated(MemberReinstated)
    case memberLimitsSet(MemberLimitsSet)
    case memberLeft(MemberLeft)
    case exchangeProposed(ExchangeProposed)
    case exchangeConsented(ExchangeConsented)
    case exchangeConfirmed(ExchangeConfirmed)
    case exchangeRecorded(ExchangeRecorded)
    case exchangeRejected(ExchangeRejected)
    case exchangeCancelled(ExchangeCancelled)
    case exchangeExpired(ExchangeExpired)
    case exchangeReversed(ExchangeReversed)
    case poolDonated(PoolDonated)
    case poolGranted(PoolGranted)
    case listingPosted(ListingPosted)
    case listingEdited(ListingEdited)
    case listingWithdrawn(ListingWithdrawn)
    case listingRenewed(ListingRenewed)
    case goodsLent(GoodsLent)
    case goodsReturned(GoodsReturned)
    case spaceHoursSet(SpaceHoursSet)
    case spaceBooked(SpaceBooked)
    case spaceCancelled(SpaceCancelled)
    case challengePosted(ChallengePosted)
    case challengeJoined(ChallengeJoined)
    case challengePledged(ChallengePledged)
    case challengeClosed(ChallengeClosed)
    case introductionMade(IntroductionMade)

    /// The event's type, whose wire name is stored in the journal's `type` column.
    public var type: EventType {
        switch self {
        case .ledgerCreated: .ledgerCreated
        case .policyChanged: .policyChanged
        case .memberAdded: .memberAdded
        case .memberSuspended: .memberSuspended
        case .memberReinstated: .memberReinstated
        case .memberLimitsSet: .memberLimitsSet
        case .memberLeft: .memberLeft
        case .exchangeProposed: .exchangeProposed
        case .exchangeConsented: .exchangeConsented
        case .exchangeConfirmed: .exchangeConfirmed
        case .exchangeRecorded: .exchangeRecorded
        case .exchangeRejected: .exchangeRejected
        case .exchangeCancelled: .exchangeCancelled
        case .exchangeExpired: .exchangeExpired
        case .exchangeReversed: .exchangeReversed
        case .poolDonated: .poolDonated
        case .poolGranted: .poolGranted
        case .listingPosted: .listingPosted
        case .listingEdited: .listingEdited
        case .listingWithdrawn: .listingWithdrawn
        case .listingRenewed: .listingRenewed
        case .goodsLent: .goodsLent
        case .goodsReturned: .goodsReturned
        case .spaceHoursSet: .spaceHoursSet
        case .spaceBooked: .spaceBooked
        case .spaceCancelled: .spaceCancelled
        case .challengePosted: .challengePosted
        case .challengeJoined: .challengeJoined
        case .challengePledged: .challengePledged
        case .challengeClosed: .challengeClosed
        case .introductionMade: .introductionMade
        }
    }

    /// Writes the payload's members (each payload type's own encoding), without boxing it.
    private func writeBody(_ w: inout CanonicalWriter) {
        switch self {
        case .ledgerCreated(let p): p.write(&w)
        case .policyChanged(let p): p.write(&w)
        case .memberAdded(let p): p.write(&w)
        case .memberSuspended(let p): p.write(&w)
        case .memberReinstated(let p): p.write(&w)
        case .memberLimitsSet(let p): p.write(&w)
        case .memberLeft(let p): p.write(&w)
        case .exchangeProposed(let p): p.write(&w)
        case .exchangeConsented(let p): p.write(&w)
        case .exchangeConfirmed(let p): p.write(&w)
        case .exchangeRecorded(let p): p.write(&w)
        case .exchangeRejected(let p): p.write(&w)
        case .exchangeCancelled(let p): p.write(&w)
        case .exchangeExpired(let p): p.write(&w)
        case .exchangeReversed(let p): p.write(&w)
        case .poolDonated(let p): p.write(&w)
        case .poolGranted(let p): p.write(&w)
        case .listingPosted(let p): p.write(&w)
        case .listingEdited(let p): p.write(&w)
        case .listingWithdrawn(let p): p.write(&w)
        case .listingRenewed(let p): p.write(&w)
        case .goodsLent(let p): p.write(&w)
        case .goodsReturned(let p): p.write(&w)
        case .spaceHoursSet(let p): p.write(&w)
        case .spaceBooked(let p): p.write(&w)
        case .spaceCancelled(let p): p.write(&w)
        case .challengePosted(let p): p.write(&w)
        case .challengeJoined(let p): p.write(&w)
        case .challengePledged(let p): p.write(&w)
        case .challengeClosed(let p): p.write(&w)
        case .introductionMade(let p): p.write(&w)
        }
    }

    /// The credits this event moves (empty for most).
    public var transfers: [Transfer] {
        switch self {
        case .memberLeft(let e): return e.settlement.map { [$0] } ?? []
        case .exchangeConfirmed(let e): return e.transfers
        case .exchangeRecorded(let e): return e.transfers
        case .exchangeReversed(let e): return e.transfers
        case .poolDonated(let e): return [e.transfer]
        case .poolGranted(let e): return [e.transfer]
        default: return []
        }
    }

    /// The exchange this event concerns, if any.
    public var exchangeID: ExchangeID? {
        switch self {
        case .exchangeProposed(let e): return e.exchange.id
        case .exchangeRecorded(let e): return e.exchange.id
        case .exchangeConsented(let e): return e.id
        case .exchangeConfirmed(let e): return e.id
        case .exchangeRejected(let e): return e.id
        case .exchangeCancelled(let e): return e.id
        case .exchangeExpired(let e): return e.id
        case .exchangeReversed(let e): return e.id
        default: return nil
        }
    }

    /// The offer or request this event concerns, if any.
    public var listingID: ListingID? {
        switch self {
        case .listingPosted(let e): return e.listing.id
        case .listingEdited(let e): return e.listing.id
        case .listingWithdrawn(let e): return e.id
        case .listingRenewed(let e): return e.id
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
        var w = CanonicalWriter(capacity: 512)
        w.beginObject()
        // "actor" sorts before every key of every payload.
        if let actor { w.key("actor"); w.id(actor) }
        writeBody(&w)
        w.endObject()
        return w.bytes
    }

    /// The event of a journal entry read straight from its bytes, with the actor it names, for
    /// the commonest types (exchanges proposed, confirmed, recorded, rejected, cancelled and
    /// expired; members added; listings posted, edited, renewed and withdrawn; goods lent and
    /// returned; spaces booked) when the bytes are the
    /// canonical encoding of an event the decoder accepts (so `payloadBytes(actor:)` would give
    /// them back); nil otherwise, and then `init(type:payload:)` reads it (`PayloadReader`).
    public static func reading(type: EventType, canonicalPayload payload: [UInt8]) -> (event: Event, actor: Actor?)? {
        payload.withUnsafeBufferPointer { PayloadReader.event(type: type, payload: $0) }
    }

    /// `reading(type:canonicalPayload:)` on bytes in place (a payload inside a larger buffer).
    public static func reading(type: EventType, canonicalPayload payload: UnsafeBufferPointer<UInt8>) -> (event: Event, actor: Actor?)? {
        PayloadReader.event(type: type, payload: payload)
    }

    /// Rebuilds an event from its journal type and payload, reading ids canonically only.
    public init?(type: String, payload: JSON) {
        var ids = IDReading.strict
        self.init(type: type, payload: payload, ids: &ids)
    }

    /// Rebuilds an event from its journal type and payload; nil when the type is unknown, a
    /// field is missing, unknown or of the wrong kind, or an id is not one `ids` reads.
    public init?(type name: String, payload j: JSON, ids: inout IDReading) {
        guard let type = EventType(rawValue: name), let event = Event.decode(type, j, &ids) else { return nil }
        self = event
    }

    /// Decodes the payload of `type` by its payload type's decoder (a switch, so each call is
    /// direct: the journal's replay decodes every entry).
    private static func decode(_ type: EventType, _ j: JSON, _ ids: inout IDReading) -> Event? {
        switch type {
        case .ledgerCreated: LedgerCreated(fields: j, ids: &ids).map(Event.ledgerCreated)
        case .policyChanged: PolicyChanged(fields: j, ids: &ids).map(Event.policyChanged)
        case .memberAdded: MemberAdded(fields: j, ids: &ids).map(Event.memberAdded)
        case .memberSuspended: MemberSuspended(fields: j, ids: &ids).map(Event.memberSuspended)
        case .memberReinstated: MemberReinstated(fields: j, ids: &ids).map(Event.memberReinstated)
        case .memberLimitsSet: MemberLimitsSet(fields: j, ids: &ids).map(Event.memberLimitsSet)
        case .memberLeft: MemberLeft(fields: j, ids: &ids).map(Event.memberLeft)
        case .exchangeProposed: ExchangeProposed(fields: j, ids: &ids).map(Event.exchangeProposed)
        case .exchangeConsented: ExchangeConsented(fields: j, ids: &ids).map(Event.exchangeConsented)
        case .exchangeConfirmed: ExchangeConfirmed(fields: j, ids: &ids).map(Event.exchangeConfirmed)
        case .exchangeRecorded: ExchangeRecorded(fields: j, ids: &ids).map(Event.exchangeRecorded)
        case .exchangeRejected: ExchangeRejected(fields: j, ids: &ids).map(Event.exchangeRejected)
        case .exchangeCancelled: ExchangeCancelled(fields: j, ids: &ids).map(Event.exchangeCancelled)
        case .exchangeExpired: ExchangeExpired(fields: j, ids: &ids).map(Event.exchangeExpired)
        case .exchangeReversed: ExchangeReversed(fields: j, ids: &ids).map(Event.exchangeReversed)
        case .poolDonated: PoolDonated(fields: j, ids: &ids).map(Event.poolDonated)
        case .poolGranted: PoolGranted(fields: j, ids: &ids).map(Event.poolGranted)
        case .listingPosted: ListingPosted(fields: j, ids: &ids).map(Event.listingPosted)
        case .listingEdited: ListingEdited(fields: j, ids: &ids).map(Event.listingEdited)
        case .listingWithdrawn: ListingWithdrawn(fields: j, ids: &ids).map(Event.listingWithdrawn)
        case .listingRenewed: ListingRenewed(fields: j, ids: &ids).map(Event.listingRenewed)
        case .goodsLent: GoodsLent(fields: j, ids: &ids).map(Event.goodsLent)
        case .goodsReturned: GoodsReturned(fields: j, ids: &ids).map(Event.goodsReturned)
        case .spaceHoursSet: SpaceHoursSet(fields: j, ids: &ids).map(Event.spaceHoursSet)
        case .spaceBooked: SpaceBooked(fields: j, ids: &ids).map(Event.spaceBooked)
        case .spaceCancelled: SpaceCancelled(fields: j, ids: &ids).map(Event.spaceCancelled)
        case .challengePosted: ChallengePosted(fields: j, ids: &ids).map(Event.challengePosted)
        case .challengeJoined: ChallengeJoined(fields: j, ids: &ids).map(Event.challengeJoined)
        case .challengePledged: ChallengePledged(fields: j, ids: &ids).map(Event.challengePledged)
        case .challengeClosed: ChallengeClosed(fields: j, ids: &ids).map(Event.challengeClosed)
        case .introductionMade: IntroductionMade(fields: j, ids: &ids).map(Event.introductionMade)
        }
    }

    /// Who acted, as a journal payload names it: nil when it names nobody (entries written
    /// before the actor was journaled), `.some(nil)` when the name is not an actor.
    public static func journaledActor(in payload: JSON) -> Actor?? {
        guard let a = payload["actor"] else { return nil }
        return .some(a.stringValue.flatMap(Actor.init(journal:)))
    }

    /// One example of each type (the round-trip test and the docs use them).
    public static func example(of type: EventType) -> Event { type.payloadType.example.event }
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
    /// Writes a numbered id (`ex-12`) as its formatter would, without making the string.
    public mutating func id(_ id: some NumberedID) { prefixedNumber(type(of: id).prefix, id.number) }
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
