/// A request and an offer a coordinator introduced, by their numbers.
public struct IntroductionKey: Sendable, Hashable {
    public let request: Int64
    public let offer: Int64
    public init(_ request: ListingID, _ offer: ListingID) {
        self.request = request.number
        self.offer = offer.number
    }
}

extension LedgerState {
    public func introduced(_ request: ListingID, _ offer: ListingID) -> Bool { introductions.contains(IntroductionKey(request, offer)) }
}

extension Decider {
    /// Connecting people: a coordinator introduces the author of an open request to the author
    /// of an open offer, both active, two different members, once per pair of listings. It is
    /// not a proposal: no credits move, no consent is asked, and nothing confirms itself; either
    /// member may then propose an exchange linked to both listings.
    static func decideIntroduction(request: ListingID, offer: ListingID, by actor: Actor, in view: some LedgerView, today: Day) throws(Refusal) -> Decision {
        guard actor.isCoordinator else { throw .violation(.ruleForbidden, .coordinatorOnly(.introduceMembers)) }
        guard request.side == .request, let r = try view.listing(request) else { throw .violation(.listingNotFound, .notFound(.listing(request))) }
        guard offer.side == .offer, let o = try view.listing(offer) else { throw .violation(.listingNotFound, .notFound(.offer(offer))) }
        for l in [r, o] where !l.isOpen(on: today) { throw .violation(.listingState, .notOpenToIntroduce(l.info.id)) }
        guard r.info.author != o.info.author else { throw .violation(.ruleSelf, .introduceToSelf(r.info.author)) }
        for author in [r.info.author, o.info.author] { try requireActive(try member(author, in: view)) }
        guard try !view.introduced(request, offer) else { throw .violation(.listingState, .alreadyIntroduced(request: request, offer: offer)) }
        return Decision(event: .introductionMade(IntroductionMade(request: request, offer: offer, by: actor)))
    }
}
