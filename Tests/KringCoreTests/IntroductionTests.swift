import Testing
@testable import KringCore
import KringTestSupport

/// Connecting people: a coordinator introduces a request's author to an offer's author. An
/// introduction moves no credits and needs no consent; it is its own event, once per pair of
/// listings, between open listings of two active members.
@Suite struct IntroductionTests {
    /// an asks for help with forms (rq-1), bram offers it (of-2), chloe offers something else (of-3).
    func circle() -> Core {
        var c = Core()
        try! c.run(.postListing(ListingDraft(side: .request, author: "an", kind: .time, domain: "poverty", title: "Hulp met formulieren")), by: .member("an"))
        try! c.run(.postListing(ListingDraft(side: .offer, author: "bram", kind: .time, domain: "poverty", title: "Ik help met brieven")), by: .member("bram"))
        try! c.run(.postListing(ListingDraft(side: .offer, author: "an", kind: .time, domain: "care", title: "Koffie")), by: .member("an"))
        return c
    }

    @Test("only a coordinator introduces; the event names the request, the offer and the coordinator, and moves nothing")
    func coordinatorOnly() throws {
        var c = circle()
        #expect(c.code(.introduce(request: "rq-1", offer: "of-2"), by: .member("an")) == .ruleForbidden)
        let before = c.state.members
        let d = try c.run(.introduce(request: "rq-1", offer: "of-2"), by: .coordinator)
        guard case .introductionMade(let e) = d.event else { Issue.record("\(d.event)"); return }
        #expect(e.request == "rq-1" && e.offer == "of-2" && e.by == .coordinator)
        #expect(c.state.members == before, "no balance moves")
        #expect(c.state.introduced("rq-1", "of-2"))
        #expect(c.code(.introduce(request: "rq-1", offer: "of-2"), by: .coordinator) == .listingState, "once per pair")
    }

    @Test("an introduction is between an open request and an open offer of two active members")
    func atItsEdges() throws {
        var c = circle()
        #expect(c.code(.introduce(request: "of-2", offer: "of-2"), by: .coordinator) == .listingNotFound, "the request must be a request")
        #expect(c.code(.introduce(request: "rq-1", offer: "rq-1"), by: .coordinator) == .listingNotFound, "the offer must be an offer")
        #expect(c.code(.introduce(request: "rq-9", offer: "of-2"), by: .coordinator) == .listingNotFound)
        #expect(c.code(.introduce(request: "rq-1", offer: "of-3"), by: .coordinator) == .ruleSelf, "an to an")
        try c.run(.suspend("bram"), by: .coordinator)
        #expect(c.code(.introduce(request: "rq-1", offer: "of-2"), by: .coordinator) == .ruleInactive)
        try c.run(.reinstate("bram"), by: .coordinator)
        try c.run(.withdrawListing("of-2"), by: .member("bram"))
        #expect(c.code(.introduce(request: "rq-1", offer: "of-2"), by: .coordinator) == .listingState, "a withdrawn offer")
        c.now += 100 * 86_400
        #expect(c.code(.introduce(request: "rq-1", offer: "of-3"), by: .coordinator) != nil)
    }
}
