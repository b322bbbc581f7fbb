/// One movement of credits: `minutes` leave `from` and arrive at `to`. It posts as two
/// postings, −minutes and +minutes, so every transfer sums to zero.
public struct Transfer: Sendable, Equatable, Hashable {
    /// The paying account (debited).
    public var from: String
    /// The receiving account (credited).
    public var to: String
    /// Credits moved, always positive.
    public var minutes: Minutes

    public init(from: String, to: String, minutes: Minutes) {
        self.from = from
        self.to = to
        self.minutes = minutes
    }

    /// The journal's form.
    public var json: JSON { .object(["from": .string(from), "to": .string(to), "minutes": .int(minutes.value)]) }

    /// Reads the journal's form.
    public init?(json: JSON) {
        guard let f = json["from"]?.stringValue, let t = json["to"]?.stringValue, let m = json["minutes"]?.intValue else { return nil }
        self.init(from: f, to: t, minutes: Minutes(m))
    }
}

/// Who a member is, as registered.
public struct MemberInfo: Sendable, Equatable {
    public var id: String
    public var name: String
    public var kind: MemberKind
    public var neighbourhood: String?
    public var domains: [String]
    /// The day the member joined.
    public var joined: Day

    public init(id: String, name: String, kind: MemberKind, neighbourhood: String? = nil, domains: [String] = [], joined: Day) {
        self.id = id
        self.name = name
        self.kind = kind
        self.neighbourhood = neighbourhood
        self.domains = domains
        self.joined = joined
    }

    var json: JSON {
        .object([
            "id": .string(id), "name": .string(name), "kind": .string(kind.rawValue),
            "neighbourhood": neighbourhood.map(JSON.string) ?? .null,
            "domains": .array(domains.map(JSON.string)), "joined": .string(joined.description),
        ])
    }

    init?(json: JSON) {
        guard let id = json["id"]?.stringValue, let name = json["name"]?.stringValue,
              let kind = json["kind"]?.stringValue.flatMap(MemberKind.init), let n = json["neighbourhood"],
              let ds = json["domains"]?.arrayValue, let j = json["joined"]?.stringValue.flatMap(Day.init(iso:)) else { return nil }
        self.init(id: id, name: name, kind: kind, neighbourhood: n.stringValue, domains: ds.compactMap(\.stringValue), joined: j)
    }
}

/// An exchange as proposed or recorded: who provides what to whom, for how many credits.
public struct ExchangeInfo: Sendable, Equatable {
    public var id: String
    /// The member who proposed it; nil when a coordinator recorded it with both consents.
    public var proposer: String?
    public var providers: [String]
    public var receivers: [String]
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
    /// The offers and requests this exchange fulfils (requests are marked fulfilled when it posts).
    public var links: [String]

    public init(id: String, proposer: String?, providers: [String], receivers: [String], kind: ExchangeKind,
                domain: String, what: String, credits: Minutes, quantity: Int64, date: Day, expiresAt: Int64?, links: [String] = []) {
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
    public var pairs: [(provider: String, receiver: String)] {
        var out = [(String, String)]()
        for p in providers { for r in receivers { out.append((p, r)) } }
        return out
    }

    /// Everyone taking part.
    public var parties: [String] { providers + receivers }

    /// The transfers that post this exchange (none for a gift).
    public var transfers: [Transfer] {
        guard credits.value > 0 else { return [] }
        return pairs.map { Transfer(from: $0.receiver, to: $0.provider, minutes: credits) }
    }

    var json: JSON {
        var o: [String: JSON] = [
            "id": .string(id), "proposer": proposer.map(JSON.string) ?? .null,
            "providers": .array(providers.map(JSON.string)), "receivers": .array(receivers.map(JSON.string)),
            "kind": .string(kind.rawValue), "domain": .string(domain), "what": .string(what),
            "credits": .int(credits.value), "quantity": .int(quantity), "date": .string(date.description),
            "expires": expiresAt.map(JSON.int) ?? .null,
        ]
        // Only exchanges that fulfil listings carry the key, so older payloads keep their bytes.
        if !links.isEmpty { o["links"] = .array(links.map(JSON.string)) }
        return .object(o)
    }

    init?(json: JSON) {
        guard let id = json["id"]?.stringValue, let prop = json["proposer"],
              let ps = json["providers"]?.arrayValue, let rs = json["receivers"]?.arrayValue,
              let kind = json["kind"]?.stringValue.flatMap(ExchangeKind.init), let domain = json["domain"]?.stringValue,
              let what = json["what"]?.stringValue, let credits = json["credits"]?.intValue,
              let q = json["quantity"]?.intValue, let date = json["date"]?.stringValue.flatMap(Day.init(iso:)),
              let exp = json["expires"] else { return nil }
        let links = json["links"]?.arrayValue?.compactMap(\.stringValue) ?? []
        self.init(id: id, proposer: prop.stringValue, providers: ps.compactMap(\.stringValue), receivers: rs.compactMap(\.stringValue),
                  kind: kind, domain: domain, what: what, credits: Minutes(credits), quantity: q, date: date, expiresAt: exp.intValue,
                  links: links)
    }
}

/// What happened: the only thing the journal stores. Every event is the outcome of one
/// accepted command; projections and balances are functions of the sequence of events.
public enum Event: Sendable, Equatable {
    case ledgerCreated(policy: Policy)
    case policyChanged(policy: Policy)
    case memberAdded(MemberInfo)
    case memberSuspended(id: String)
    case memberReinstated(id: String)
    /// A coordinator's override of a member's limits; nil falls back to the policy.
    case memberLimitsSet(id: String, floor: Minutes?, ceiling: Minutes?)
    /// The member left; `settlement` brings the balance to zero against the pool, and the
    /// member's open proposals are cancelled.
    case memberLeft(id: String, settlement: Transfer?, cancelled: [String])
    case exchangeProposed(ExchangeInfo)
    /// One more party consented to a group exchange; others have yet to.
    case exchangeConsented(id: String, member: String)
    /// The last consent arrived (or the policy auto-confirmed at expiry): credits move.
    case exchangeConfirmed(id: String, by: String, transfers: [Transfer])
    /// A coordinator recorded an exchange with both consents; `reason` explains unequal time.
    case exchangeRecorded(ExchangeInfo, reason: String?, transfers: [Transfer])
    case exchangeRejected(id: String, by: String)
    case exchangeCancelled(id: String, by: String)
    /// The proposal lapsed; `reason` says why an auto-confirmation failed, if one was tried.
    case exchangeExpired(id: String, reason: String?)
    case exchangeReversed(id: String, reason: String, transfers: [Transfer])
    case poolDonated(Transfer)
    case poolGranted(Transfer, reason: String)
    /// An offer or request was posted (version 1) or edited (the whole new version).
    case listingPosted(ListingInfo)
    case listingEdited(ListingInfo)
    case listingWithdrawn(id: String, by: String)
    case listingRenewed(id: String, expires: Day)
    case goodsLent(LoanInfo)
    case goodsReturned(id: String, on: Day)
    case spaceHoursSet(offer: String, hours: SpaceHours)
    case spaceBooked(BookingInfo)
    case spaceCancelled(id: String, by: String)
    case challengePosted(ChallengeInfo)
    case challengeJoined(id: String, member: String)
    case challengePledged(Pledge)
    case challengeClosed(id: String, by: String)

    /// The event type stored in the journal's `type` column.
    public var type: String {
        switch self {
        case .ledgerCreated: return "ledger.created"
        case .policyChanged: return "policy.changed"
        case .memberAdded: return "member.added"
        case .memberSuspended: return "member.suspended"
        case .memberReinstated: return "member.reinstated"
        case .memberLimitsSet: return "member.limits"
        case .memberLeft: return "member.left"
        case .exchangeProposed: return "exchange.proposed"
        case .exchangeConsented: return "exchange.consented"
        case .exchangeConfirmed: return "exchange.confirmed"
        case .exchangeRecorded: return "exchange.recorded"
        case .exchangeRejected: return "exchange.rejected"
        case .exchangeCancelled: return "exchange.cancelled"
        case .exchangeExpired: return "exchange.expired"
        case .exchangeReversed: return "exchange.reversed"
        case .poolDonated: return "pool.donated"
        case .poolGranted: return "pool.granted"
        case .listingPosted: return "listing.posted"
        case .listingEdited: return "listing.edited"
        case .listingWithdrawn: return "listing.withdrawn"
        case .listingRenewed: return "listing.renewed"
        case .goodsLent: return "goods.lent"
        case .goodsReturned: return "goods.returned"
        case .spaceHoursSet: return "space.hours"
        case .spaceBooked: return "space.booked"
        case .spaceCancelled: return "space.cancelled"
        case .challengePosted: return "challenge.posted"
        case .challengeJoined: return "challenge.joined"
        case .challengePledged: return "challenge.pledged"
        case .challengeClosed: return "challenge.closed"
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
    public var exchangeID: String? {
        switch self {
        case .exchangeProposed(let e), .exchangeRecorded(let e, _, _): return e.id
        case .exchangeConsented(let id, _), .exchangeConfirmed(let id, _, _), .exchangeRejected(let id, _),
             .exchangeCancelled(let id, _), .exchangeExpired(let id, _), .exchangeReversed(let id, _, _): return id
        default: return nil
        }
    }

    /// The payload hashed into the chain (canonical JSON, see docs/architecture.md).
    public var payload: JSON {
        func ts(_ t: [Transfer]) -> JSON { .array(t.map(\.json)) }
        switch self {
        case .ledgerCreated(let p), .policyChanged(let p): return .object(["policy": p.json])
        case .memberAdded(let m): return .object(["member": m.json])
        case .memberSuspended(let id), .memberReinstated(let id): return .object(["id": .string(id)])
        case .memberLimitsSet(let id, let f, let c):
            return .object(["id": .string(id), "floor": f.map { .int($0.value) } ?? .null, "ceiling": c.map { .int($0.value) } ?? .null])
        case .memberLeft(let id, let s, let c):
            return .object(["id": .string(id), "settlement": s?.json ?? .null, "cancelled": .array(c.map(JSON.string))])
        case .exchangeProposed(let e): return .object(["exchange": e.json])
        case .exchangeConsented(let id, let m): return .object(["id": .string(id), "member": .string(m)])
        case .exchangeConfirmed(let id, let by, let t): return .object(["id": .string(id), "by": .string(by), "transfers": ts(t)])
        case .exchangeRecorded(let e, let r, let t): return .object(["exchange": e.json, "reason": r.map(JSON.string) ?? .null, "transfers": ts(t)])
        case .exchangeRejected(let id, let by), .exchangeCancelled(let id, let by): return .object(["id": .string(id), "by": .string(by)])
        case .exchangeExpired(let id, let r): return .object(["id": .string(id), "reason": r.map(JSON.string) ?? .null])
        case .exchangeReversed(let id, let r, let t): return .object(["id": .string(id), "reason": .string(r), "transfers": ts(t)])
        case .poolDonated(let t): return .object(["transfer": t.json])
        case .poolGranted(let t, let r): return .object(["transfer": t.json, "reason": .string(r)])
        case .listingPosted(let l), .listingEdited(let l): return .object(["listing": l.json])
        case .listingWithdrawn(let id, let by): return .object(["by": .string(by), "id": .string(id)])
        case .listingRenewed(let id, let e): return .object(["expires": .string(e.description), "id": .string(id)])
        case .goodsLent(let l): return .object(["loan": l.json])
        case .goodsReturned(let id, let day): return .object(["id": .string(id), "on": .string(day.description)])
        case .spaceHoursSet(let offer, let h): return .object(["hours": h.json, "offer": .string(offer)])
        case .spaceBooked(let b): return .object(["booking": b.json])
        case .spaceCancelled(let id, let by): return .object(["by": .string(by), "id": .string(id)])
        case .challengePosted(let c): return .object(["challenge": c.json])
        case .challengeJoined(let id, let m): return .object(["id": .string(id), "member": .string(m)])
        case .challengePledged(let p): return .object(["pledge": p.json])
        case .challengeClosed(let id, let by): return .object(["by": .string(by), "id": .string(id)])
        }
    }

    /// The canonical bytes of `payload`, written directly (the journal's hot path). Equal to
    /// `payload.canonicalBytes` for every event; keys below are in canonical order.
    public var payloadBytes: [UInt8] {
        var w = CanonicalWriter()
        func transfer(_ t: Transfer) {
            w.beginObject()
            w.key("from"); w.string(t.from)
            w.key("minutes"); w.int(t.minutes.value)
            w.key("to"); w.string(t.to)
            w.endObject()
        }
        func transfers(_ ts: [Transfer]) { w.beginArray(); ts.forEach(transfer); w.endArray() }
        func exchange(_ x: ExchangeInfo) {
            w.beginObject()
            w.key("credits"); w.int(x.credits.value)
            w.key("date"); w.string(x.date.description)
            w.key("domain"); w.string(x.domain)
            w.key("expires"); w.int(x.expiresAt)
            w.key("id"); w.string(x.id)
            w.key("kind"); w.string(x.kind.rawValue)
            if !x.links.isEmpty { w.key("links"); w.strings(x.links) }
            w.key("proposer"); w.string(x.proposer)
            w.key("providers"); w.strings(x.providers)
            w.key("quantity"); w.int(x.quantity)
            w.key("receivers"); w.strings(x.receivers)
            w.key("what"); w.string(x.what)
            w.endObject()
        }
        w.beginObject()
        switch self {
        case .ledgerCreated(let p), .policyChanged(let p):
            w.key("policy"); w.value(p.json)
        case .memberAdded(let m):
            w.key("member")
            w.beginObject()
            w.key("domains"); w.strings(m.domains)
            w.key("id"); w.string(m.id)
            w.key("joined"); w.string(m.joined.description)
            w.key("kind"); w.string(m.kind.rawValue)
            w.key("name"); w.string(m.name)
            w.key("neighbourhood"); w.string(m.neighbourhood)
            w.endObject()
        case .memberSuspended(let id), .memberReinstated(let id):
            w.key("id"); w.string(id)
        case .memberLimitsSet(let id, let f, let c):
            w.key("ceiling"); w.int(c?.value)
            w.key("floor"); w.int(f?.value)
            w.key("id"); w.string(id)
        case .memberLeft(let id, let s, let c):
            w.key("cancelled"); w.strings(c)
            w.key("id"); w.string(id)
            w.key("settlement"); if let s { transfer(s) } else { w.null() }
        case .exchangeProposed(let x):
            w.key("exchange"); exchange(x)
        case .exchangeConsented(let id, let m):
            w.key("id"); w.string(id)
            w.key("member"); w.string(m)
        case .exchangeConfirmed(let id, let by, let t):
            w.key("by"); w.string(by)
            w.key("id"); w.string(id)
            w.key("transfers"); transfers(t)
        case .exchangeRecorded(let x, let r, let t):
            w.key("exchange"); exchange(x)
            w.key("reason"); w.string(r)
            w.key("transfers"); transfers(t)
        case .exchangeRejected(let id, let by), .exchangeCancelled(let id, let by):
            w.key("by"); w.string(by)
            w.key("id"); w.string(id)
        case .exchangeExpired(let id, let r):
            w.key("id"); w.string(id)
            w.key("reason"); w.string(r)
        case .exchangeReversed(let id, let r, let t):
            w.key("id"); w.string(id)
            w.key("reason"); w.string(r)
            w.key("transfers"); transfers(t)
        case .poolDonated(let t):
            w.key("transfer"); transfer(t)
        case .poolGranted(let t, let r):
            w.key("reason"); w.string(r)
            w.key("transfer"); transfer(t)
        case .listingPosted(let l), .listingEdited(let l):
            w.key("listing"); w.value(l.json)
        case .listingWithdrawn(let id, let by):
            w.key("by"); w.string(by)
            w.key("id"); w.string(id)
        case .listingRenewed(let id, let e):
            w.key("expires"); w.string(e.description)
            w.key("id"); w.string(id)
        case .goodsLent(let l):
            w.key("loan"); w.value(l.json)
        case .goodsReturned(let id, let day):
            w.key("id"); w.string(id)
            w.key("on"); w.string(day.description)
        case .spaceHoursSet(let offer, let h):
            w.key("hours"); w.value(h.json)
            w.key("offer"); w.string(offer)
        case .spaceBooked(let b):
            w.key("booking"); w.value(b.json)
        case .spaceCancelled(let id, let by), .challengeClosed(let id, let by):
            w.key("by"); w.string(by)
            w.key("id"); w.string(id)
        case .challengePosted(let c):
            w.key("challenge"); w.value(c.json)
        case .challengeJoined(let id, let m):
            w.key("id"); w.string(id)
            w.key("member"); w.string(m)
        case .challengePledged(let p):
            w.key("pledge"); w.value(p.json)
        }
        w.endObject()
        return w.bytes
    }

    /// Rebuilds an event from its journal type and payload; nil when they do not fit.
    public init?(type: String, payload j: JSON) {
        func ts(_ v: JSON?) -> [Transfer]? {
            guard let a = v?.arrayValue else { return nil }
            let t = a.compactMap(Transfer.init(json:))
            return t.count == a.count ? t : nil
        }
        switch type {
        case "ledger.created": guard let p = j["policy"].flatMap(Policy.init(json:)) else { return nil }; self = .ledgerCreated(policy: p)
        case "policy.changed": guard let p = j["policy"].flatMap(Policy.init(json:)) else { return nil }; self = .policyChanged(policy: p)
        case "member.added": guard let m = j["member"].flatMap(MemberInfo.init(json:)) else { return nil }; self = .memberAdded(m)
        case "member.suspended": guard let id = j["id"]?.stringValue else { return nil }; self = .memberSuspended(id: id)
        case "member.reinstated": guard let id = j["id"]?.stringValue else { return nil }; self = .memberReinstated(id: id)
        case "member.limits":
            guard let id = j["id"]?.stringValue, let f = j["floor"], let c = j["ceiling"] else { return nil }
            self = .memberLimitsSet(id: id, floor: f.intValue.map(Minutes.init), ceiling: c.intValue.map(Minutes.init))
        case "member.left":
            guard let id = j["id"]?.stringValue, let s = j["settlement"], let c = j["cancelled"]?.arrayValue else { return nil }
            let settlement = Transfer(json: s)
            guard s.isNull || settlement != nil else { return nil }
            self = .memberLeft(id: id, settlement: settlement, cancelled: c.compactMap(\.stringValue))
        case "exchange.proposed": guard let e = j["exchange"].flatMap(ExchangeInfo.init(json:)) else { return nil }; self = .exchangeProposed(e)
        case "exchange.consented":
            guard let id = j["id"]?.stringValue, let m = j["member"]?.stringValue else { return nil }
            self = .exchangeConsented(id: id, member: m)
        case "exchange.confirmed":
            guard let id = j["id"]?.stringValue, let by = j["by"]?.stringValue, let t = ts(j["transfers"]) else { return nil }
            self = .exchangeConfirmed(id: id, by: by, transfers: t)
        case "exchange.recorded":
            guard let e = j["exchange"].flatMap(ExchangeInfo.init(json:)), let r = j["reason"], let t = ts(j["transfers"]) else { return nil }
            self = .exchangeRecorded(e, reason: r.stringValue, transfers: t)
        case "exchange.rejected":
            guard let id = j["id"]?.stringValue, let by = j["by"]?.stringValue else { return nil }
            self = .exchangeRejected(id: id, by: by)
        case "exchange.cancelled":
            guard let id = j["id"]?.stringValue, let by = j["by"]?.stringValue else { return nil }
            self = .exchangeCancelled(id: id, by: by)
        case "exchange.expired":
            guard let id = j["id"]?.stringValue, let r = j["reason"] else { return nil }
            self = .exchangeExpired(id: id, reason: r.stringValue)
        case "exchange.reversed":
            guard let id = j["id"]?.stringValue, let r = j["reason"]?.stringValue, let t = ts(j["transfers"]) else { return nil }
            self = .exchangeReversed(id: id, reason: r, transfers: t)
        case "pool.donated": guard let t = j["transfer"].flatMap(Transfer.init(json:)) else { return nil }; self = .poolDonated(t)
        case "pool.granted":
            guard let t = j["transfer"].flatMap(Transfer.init(json:)), let r = j["reason"]?.stringValue else { return nil }
            self = .poolGranted(t, reason: r)
        case "listing.posted", "listing.edited":
            guard let l = j["listing"].flatMap(ListingInfo.init(json:)) else { return nil }
            self = type == "listing.posted" ? .listingPosted(l) : .listingEdited(l)
        case "listing.withdrawn":
            guard let id = j["id"]?.stringValue, let by = j["by"]?.stringValue else { return nil }
            self = .listingWithdrawn(id: id, by: by)
        case "challenge.posted":
            guard let c = j["challenge"].flatMap(ChallengeInfo.init(json:)) else { return nil }
            self = .challengePosted(c)
        case "challenge.joined":
            guard let id = j["id"]?.stringValue, let m = j["member"]?.stringValue else { return nil }
            self = .challengeJoined(id: id, member: m)
        case "challenge.pledged":
            guard let p = j["pledge"].flatMap(Pledge.init(json:)) else { return nil }
            self = .challengePledged(p)
        case "challenge.closed":
            guard let id = j["id"]?.stringValue, let by = j["by"]?.stringValue else { return nil }
            self = .challengeClosed(id: id, by: by)
        case "space.hours":
            guard let offer = j["offer"]?.stringValue, let h = j["hours"].flatMap(SpaceHours.init(json:)) else { return nil }
            self = .spaceHoursSet(offer: offer, hours: h)
        case "space.booked":
            guard let b = j["booking"].flatMap(BookingInfo.init(json:)) else { return nil }
            self = .spaceBooked(b)
        case "space.cancelled":
            guard let id = j["id"]?.stringValue, let by = j["by"]?.stringValue else { return nil }
            self = .spaceCancelled(id: id, by: by)
        case "goods.lent":
            guard let l = j["loan"].flatMap(LoanInfo.init(json:)) else { return nil }
            self = .goodsLent(l)
        case "goods.returned":
            guard let id = j["id"]?.stringValue, let day = j["on"]?.stringValue.flatMap(Day.init(iso:)) else { return nil }
            self = .goodsReturned(id: id, on: day)
        case "listing.renewed":
            guard let id = j["id"]?.stringValue, let e = j["expires"]?.stringValue.flatMap(Day.init(iso:)) else { return nil }
            self = .listingRenewed(id: id, expires: e)
        default: return nil
        }
    }
}

extension ListingInfo {
    /// The journal's form.
    public var json: JSON {
        .object([
            "id": .string(id), "side": .string(side.rawValue), "author": .string(author), "kind": .string(kind.rawValue),
            "domain": .string(domain), "title": .string(title), "text": .string(text), "place": place.map(JSON.string) ?? .null,
            "availability": availability.map(JSON.string) ?? .null, "expires": .string(expires.description), "version": .int(version),
        ].merging(challenge.map { ["challenge": JSON.string($0)] } ?? [:]) { a, _ in a })
    }

    /// Reads the journal's form.
    public init?(json j: JSON) {
        guard let id = j["id"]?.stringValue, let side = j["side"]?.stringValue.flatMap(ListingSide.init),
              let author = j["author"]?.stringValue, let kind = j["kind"]?.stringValue.flatMap(ExchangeKind.init),
              let domain = j["domain"]?.stringValue, let title = j["title"]?.stringValue, let text = j["text"]?.stringValue,
              let place = j["place"], let availability = j["availability"],
              let expires = j["expires"]?.stringValue.flatMap(Day.init(iso:)), let version = j["version"]?.intValue else { return nil }
        self.init(id: id, side: side, author: author, kind: kind, domain: domain, title: title, text: text,
                  place: place.stringValue, availability: availability.stringValue, expires: expires, version: version,
                  challenge: j["challenge"]?.stringValue)
    }
}
