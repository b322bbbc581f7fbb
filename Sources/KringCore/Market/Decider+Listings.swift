extension Decider {
    /// Days a listing stays up unless its author says otherwise.
    public static let defaultListingDays: Int64 = 90
    /// Longest a listing stays up in one go.
    public static let maxListingDays: Int64 = 365
    /// Longest listing title.
    public static let maxTitleLength = 120
    /// Longest listing text.
    public static let maxListingText = 2_000

    /// Offers and requests: posted by an active member (or the coordinator for them), edited,
    /// withdrawn and renewed only by their author or the coordinator; never deleted.
    static func decideListing(_ command: Command, by actor: Actor, in view: some LedgerView, today: Day) throws(Refusal) -> Decision {
        switch command {
        case .postListing(let d):
            try requireAuthor(d.author, actor: actor, verb: "post")
            let author = try member(d.author, in: view)
            guard author.info.kind != .pool else { throw .violation(.rulePool, "The pool does not post offers or requests.") }
            try requireActive(author)
            let n = try view.nextListingNumber
            let info = try validateListing(d, id: ListingID(side: d.side, uncheckedNumber: n), version: 1, view: view, today: today)
            return Decision(event: .listingPosted(info))

        case .editListing(let id, var d):
            let old = try openListing(id, in: view)
            try requireAuthor(old.info.author, actor: actor, verb: "edit")
            try requireActive(try member(old.info.author, in: view))
            d.side = old.info.side
            d.author = old.info.author
            let days = d.days
            let keepsChallenge = d.challenge == nil || d.challenge == old.info.challenge
            if keepsChallenge { d.challenge = nil }
            var info = try validateListing(d, id: id, version: old.info.version + 1, view: view, today: today)
            if days == nil { info.expires = old.info.expires }
            if keepsChallenge { info.challenge = old.info.challenge }
            return Decision(event: .listingEdited(info))

        case .withdrawListing(let id):
            let old = try openListing(id, in: view)
            try requireAuthor(old.info.author, actor: actor, verb: "withdraw")
            return Decision(event: .listingWithdrawn(id: id, by: actor))

        case .renewListing(let id, let days):
            let old = try openListing(id, in: view)
            try requireAuthor(old.info.author, actor: actor, verb: "renew")
            try requireActive(try member(old.info.author, in: view))
            return Decision(event: .listingRenewed(id: id, expires: today + (try listingDays(days))))

        default:
            preconditionFailure("decideListing handles listing commands only")
        }
    }

    private static func openListing(_ id: ListingID, in view: some LedgerView) throws(Refusal) -> ListingRecord {
        guard let l = try view.listing(id) else { throw .violation(.listingNotFound, "There is no offer or request \(id).") }
        guard !l.withdrawn else { throw .violation(.listingState, "\(id) was withdrawn; withdrawn listings stay in the history but do not change.") }
        return l
    }

    private static func requireAuthor(_ author: MemberID, actor: Actor, verb: String) throws(Refusal) {
        guard actor.isCoordinator || actor.isMember(author) else {
            throw .violation(.ruleForbidden, "Only \(author), the author, or a coordinator may \(verb) this listing.")
        }
    }

    private static func listingDays(_ days: Int64?) throws(Refusal) -> Int64 {
        let d = days ?? defaultListingDays
        guard (1...maxListingDays).contains(d) else {
            throw .violation(.inputInvalid, "A listing stays up 1 to \(maxListingDays) days, not \(d).")
        }
        return d
    }

    private static func validateListing(_ d: ListingDraft, id: ListingID, version: Int64, view: some LedgerView, today: Day) throws(Refusal) -> ListingInfo {
        try validateText(d.title, what: "A title", max: maxTitleLength)
        if !d.text.isEmpty { try validateText(d.text, what: "A text", max: maxListingText) }
        if let p = d.place { try validateText(p, what: "A place", max: 100) }
        if let a = d.availability { try validateText(a, what: "An availability", max: 200) }
        guard view.policy.domains.contains(d.domain) else {
            throw .violation(.inputDomain, "\(d.domain) is not a policy domain; the domains are \(view.policy.domains.joined(separator: ", ")).")
        }
        if let ch = d.challenge {
            let c = try openChallenge(ch, in: view, today: today)
            guard c.members.contains(d.author) else { throw .violation(.challengeState, "\(d.author) joins \(ch) before posting for it.") }
        }
        return ListingInfo(id: id, author: d.author, kind: d.kind, domain: d.domain, title: d.title, text: d.text,
                           place: d.place, availability: d.availability, expires: today + (try listingDays(d.days)), version: version,
                           challenge: d.challenge)
    }
}

extension Decider {
    /// Most offers and requests one exchange fulfils.
    public static let maxLinks = 4

    /// The offers, requests and bookings an exchange says it fulfils: each exists and is not
    /// withdrawn, an offer is one of its providers', a request one of its receivers' and not yet
    /// fulfilled; a booking is settled after its slot, by a space exchange from the space's owner
    /// to whoever booked, once.
    static func validateLinks(_ d: ExchangeDraft, in view: some LedgerView, now: Int64) throws(Refusal) {
        guard d.links.count <= maxLinks else { throw .violation(.inputInvalid, "An exchange links at most \(maxLinks) offers or requests, not \(d.links.count).") }
        guard Set(d.links).count == d.links.count else { throw .violation(.inputInvalid, "A listing is linked twice.") }
        for case .booking(let id) in d.links {
            try validateBookingLink(id, d, in: view, now: now)
        }
        for case .challenge(let id) in d.links {
            let c = try openChallenge(id, in: view, today: Day(timestamp: now))
            guard d.providers.contains(where: c.members.contains) || d.receivers.contains(where: c.members.contains) else {
                throw .violation(.challengeState, "No one in this exchange has joined \(id); join it first.")
            }
        }
        for case .listing(let id) in d.links {
            guard let l = try view.listing(id) else { throw .violation(.listingNotFound, "There is no offer or request \(id).") }
            guard !l.withdrawn else { throw .violation(.listingState, "\(id) was withdrawn and cannot be fulfilled.") }
            switch l.info.side {
            case .offer:
                guard d.providers.contains(l.info.author) else {
                    throw .violation(.listingState, "\(id) is \(l.info.author)'s offer; only an exchange \(l.info.author) provides in can fulfil it.")
                }
            case .request:
                guard d.receivers.contains(l.info.author) else {
                    throw .violation(.listingState, "\(id) is \(l.info.author)'s request; only an exchange \(l.info.author) receives in can fulfil it.")
                }
                if let by = l.fulfilledBy { throw .violation(.listingState, "\(id) was already fulfilled by \(by).") }
            }
        }
    }
}

extension Decider {
    static func validateBookingLink(_ id: BookingID, _ d: ExchangeDraft, in view: some LedgerView, now: Int64) throws(Refusal) {
        guard let b = try view.booking(id) else { throw .violation(.bookingNotFound, "There is no booking \(id).") }
        guard !b.cancelled else { throw .violation(.bookingState, "\(id) was cancelled.") }
        if let by = b.settledBy { throw .violation(.bookingState, "\(id) was already settled by \(by).") }
        guard b.endsAt <= now else { throw .violation(.bookingState, "\(id) ends \(b.info.date) at \(SpaceHours.clock(b.info.end)); it is settled after the slot.") }
        let owner = try view.listing(b.info.offer)?.info.author
        guard d.kind == .space, let owner, d.providers.contains(owner), d.receivers.contains(b.info.member) else {
            throw .violation(.bookingState, "\(id) is settled by a space exchange from \(owner?.handle ?? "the space's owner") to \(b.info.member).")
        }
    }
}
