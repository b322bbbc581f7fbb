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
            try requireAuthor(d.author, actor: actor, .post)
            let author = try member(d.author, in: view)
            guard author.info.kind != .pool else { throw .violation(.rulePool, .poolPosts) }
            try requireActive(author)
            let n = try view.nextListingNumber
            let info = try validateListing(d, id: ListingID(side: d.side, uncheckedNumber: n), version: 1, view: view, today: today)
            return Decision(event: .listingPosted(ListingPosted(listing: info)))

        case .editListing(let id, var d):
            let old = try openListing(id, in: view)
            try requireAuthor(old.info.author, actor: actor, .edit)
            try requireActive(try member(old.info.author, in: view))
            d.side = old.info.side
            d.author = old.info.author
            let days = d.days
            let keepsChallenge = d.challenge == nil || d.challenge == old.info.challenge
            if keepsChallenge { d.challenge = nil }
            var info = try validateListing(d, id: id, version: old.info.version + 1, view: view, today: today)
            if days == nil { info.expires = old.info.expires }
            if keepsChallenge { info.challenge = old.info.challenge }
            return Decision(event: .listingEdited(ListingEdited(listing: info)))

        case .withdrawListing(let id):
            let old = try openListing(id, in: view)
            try requireAuthor(old.info.author, actor: actor, .withdraw)
            return Decision(event: .listingWithdrawn(ListingWithdrawn(id: id, by: actor)))

        case .renewListing(let id, let days):
            let old = try openListing(id, in: view)
            try requireAuthor(old.info.author, actor: actor, .renew)
            try requireActive(try member(old.info.author, in: view))
            return Decision(event: .listingRenewed(ListingRenewed(id: id, expires: today + (try listingDays(days)))))

        default:
            preconditionFailure("decideListing handles listing commands only")
        }
    }

    private static func openListing(_ id: ListingID, in view: some LedgerView) throws(Refusal) -> ListingRecord {
        guard let l = try view.listing(id) else { throw .violation(.listingNotFound, .notFound(.listing(id))) }
        guard !l.withdrawn else { throw .violation(.listingState, .listingWithdrawn(id)) }
        return l
    }

    private static func requireAuthor(_ author: MemberID, actor: Actor, _ task: ListingTask) throws(Refusal) {
        guard actor.isCoordinator || actor.isMember(author) else {
            throw .violation(.ruleForbidden, .onlyAuthor(author, task))
        }
    }

    private static func listingDays(_ days: Int64?) throws(Refusal) -> Int64 {
        let d = days ?? defaultListingDays
        guard (1...maxListingDays).contains(d) else {
            throw .violation(.inputInvalid, .listingDays(most: maxListingDays, got: d), field: .days)
        }
        return d
    }

    private static func validateListing(_ d: ListingDraft, id: ListingID, version: Int64, view: some LedgerView, today: Day) throws(Refusal) -> ListingInfo {
        try validateText(d.title, .title, max: maxTitleLength)
        if !d.text.isEmpty { try validateText(d.text, .text, max: maxListingText) }
        if let p = d.place { try validateText(p, .place, max: 100) }
        if let a = d.availability { try validateText(a, .availability, max: 200) }
        guard view.policy.domains.contains(d.domain) else {
            throw .violation(.inputDomain, .notADomain(d.domain, domains: view.policy.domains), field: .domain)
        }
        if let ch = d.challenge {
            let c = try openChallenge(ch, in: view, today: today)
            guard c.members.contains(d.author) else { throw .violation(.challengeState, .joinBeforePosting(d.author, ch), field: .challenge) }
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
    static func validateLinks(_ d: ExchangeDraft, in view: some LedgerView, now: Int64, today: Day) throws(Refusal) {
        guard d.links.count <= maxLinks else { throw .violation(.inputInvalid, .tooManyLinks(most: maxLinks, got: d.links.count), field: .links) }
        guard Set(d.links).count == d.links.count else { throw .violation(.inputInvalid, .linkedTwice, field: .links) }
        for case .booking(let id) in d.links {
            try validateBookingLink(id, d, in: view, now: now)
        }
        for case .challenge(let id) in d.links {
            let c = try openChallenge(id, in: view, today: today)
            guard d.providers.contains(where: c.members.contains) || d.receivers.contains(where: c.members.contains) else {
                throw .violation(.challengeState, .noneJoined(id), field: .links)
            }
        }
        for case .listing(let id) in d.links {
            guard let l = try view.listing(id) else { throw .violation(.listingNotFound, .notFound(.listing(id))) }
            guard !l.withdrawn else { throw .violation(.listingState, .withdrawnCannotFulfil(id), field: .links) }
            switch l.info.side {
            case .offer:
                guard d.providers.contains(l.info.author) else {
                    throw .violation(.listingState, .offerNeedsProvider(id, author: l.info.author), field: .links)
                }
            case .request:
                guard d.receivers.contains(l.info.author) else {
                    throw .violation(.listingState, .requestNeedsReceiver(id, author: l.info.author), field: .links)
                }
                if let by = l.fulfilledBy { throw .violation(.listingState, .alreadyFulfilled(id, by: by), field: .links) }
            }
        }
    }
}

extension Decider {
    static func validateBookingLink(_ id: BookingID, _ d: ExchangeDraft, in view: some LedgerView, now: Int64) throws(Refusal) {
        guard let b = try view.booking(id) else { throw .violation(.bookingNotFound, .notFound(.booking(id))) }
        guard !b.cancelled else { throw .violation(.bookingState, .bookingCancelled(id)) }
        if let by = b.settledBy { throw .violation(.bookingState, .bookingSettled(id, by: by)) }
        guard b.ends(in: view.policy) <= now else { throw .violation(.bookingState, .bookingNotOver(id, date: b.info.date, end: b.info.end)) }
        let owner = try view.listing(b.info.offer)?.info.author
        let kind = try view.listing(b.info.offer)?.info.kind ?? .space
        guard d.kind == kind, let owner, d.providers.contains(owner), d.receivers.contains(b.info.member) else {
            throw .violation(.bookingState, .bookingSettlement(id, kind: kind, owner: owner, member: b.info.member))
        }
        // An expert's session is time, hour for hour: its credits are its length.
        let length = b.info.minutes(in: view.policy)
        if kind == .time, d.credits.value != length {
            throw .violation(.bookingState, .sessionCredits(id, length: Minutes(length), got: d.credits), field: .credits)
        }
    }
}
