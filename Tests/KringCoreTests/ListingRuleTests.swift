import Testing
@testable import KringCore
import KringTestSupport

@Suite struct ListingRuleTests {
    func offer(_ author: MemberID = "an", days: Int64? = nil, title: String = "Fietsles") -> ListingDraft {
        ListingDraft(side: .offer, author: author, kind: .time, domain: "mobility", title: title, text: "Ik leer je fietsen", days: days)
    }

    @Test func postEditWithdrawRenewByTheAuthorOrTheCoordinator() throws {
        var c = Core()
        #expect(c.code(.postListing(offer()), by: .member("bram")) == .ruleForbidden)
        #expect(c.code(.postListing(offer()), by: .member("an")) == nil)
        let l = c.state.listing("of-1")!
        #expect(l.info.version == 1 && l.info.expires == c.today + 90)
        #expect(c.code(.editListing("of-1", offer(title: "Fietsles voor volwassenen")), by: .member("bram")) == .ruleForbidden)
        c.now += 10 * 86_400
        #expect(c.code(.editListing("of-1", offer(title: "Fietsles voor volwassenen")), by: .member("an")) == nil)
        #expect(c.state.listing("of-1")!.info.version == 2)
        #expect(c.state.listing("of-1")!.info.expires == l.info.expires, "an edit without --days keeps the expiry")
        #expect(c.code(.renewListing("of-1", days: 30), by: .coordinator) == nil)
        #expect(c.state.listing("of-1")!.info.expires == c.today + 30)
        #expect(c.code(.withdrawListing("of-1"), by: .member("chloe")) == .ruleForbidden)
        #expect(c.code(.withdrawListing("of-1"), by: .member("an")) == nil)
        #expect(c.code(.editListing("of-1", offer()), by: .member("an")) == .listingState)
        #expect(c.code(.renewListing("of-1", days: nil), by: .member("an")) == .listingState)
        #expect(c.code(.withdrawListing("of-1"), by: .coordinator) == .listingState)
        #expect(c.code(.withdrawListing("of-9"), by: .coordinator) == .listingNotFound)
        #expect(c.code(.withdrawListing("rq-1"), by: .coordinator) == .listingNotFound)  // of-1 is an offer, not a request
    }

    @Test func daysAtTheirEdges() {
        var c = Core()
        #expect(c.code(.postListing(offer(days: 0)), by: .member("an")) == .inputInvalid)
        #expect(c.code(.postListing(offer(days: 366)), by: .member("an")) == .inputInvalid)
        #expect(c.code(.postListing(offer(days: 1)), by: .member("an")) == nil)
        #expect(c.code(.postListing(offer(days: 365)), by: .member("an")) == nil)
        #expect(c.state.listing("of-2")!.info.expires == c.today + 365)
    }

    @Test func textsAndDomains() {
        var c = Core()
        #expect(c.code(.postListing(offer(title: "")), by: .member("an")) == .inputText)
        #expect(c.code(.postListing(offer(title: String(repeating: "x", count: 121))), by: .member("an")) == .inputInvalid)
        #expect(c.code(.postListing(offer(title: String(repeating: "x", count: 120))), by: .member("an")) == nil)
        var d = offer()
        d.domain = "gardening"
        #expect(c.code(.postListing(d), by: .member("an")) == .inputDomain)
    }

    @Test func inactiveAuthorsCannotPostOrRenew() {
        var c = Core()
        try! c.run(.postListing(offer()), by: .member("an"))
        try! c.run(.suspend("an"))
        #expect(c.code(.postListing(offer()), by: .member("an")) == .ruleInactive)
        #expect(c.code(.renewListing("of-1", days: nil), by: .member("an")) == .ruleInactive)
        #expect(c.code(.withdrawListing("of-1"), by: .member("an")) == nil, "withdrawing is always allowed")
    }
}

@Suite struct LinkRuleTests {
    /// an offers repairs (of-1); bram requests help (rq-2).
    func market() -> Core {
        var c = Core()
        try! c.run(.postListing(ListingDraft(side: .offer, author: "an", kind: .time, domain: "care", title: "Herstellingen")), by: .member("an"))
        try! c.run(.postListing(ListingDraft(side: .request, author: "bram", kind: .time, domain: "care", title: "Hulp gezocht")), by: .member("bram"))
        return c
    }

    func help(_ p: MemberID, _ r: MemberID, links: [ExchangeLink]) -> ExchangeDraft {
        ExchangeDraft(providers: [p], receivers: [r], kind: .time, domain: "care", what: "help", credits: .hours(1), links: links)
    }

    @Test func aRequestIsFulfilledWhenItsExchangePosts() {
        var c = market()
        try! c.run(.propose(help("an", "bram", links: ["of-1", "rq-2"])), by: .member("an"))
        #expect(c.state.listing("rq-2")?.fulfilledBy == nil, "a proposal fulfils nothing yet")
        try! c.run(.confirm("ex-1"), by: .member("bram"))
        #expect(c.state.listing("rq-2")?.fulfilledBy == "ex-1")
        #expect(c.state.listing("rq-2")?.isOpen(on: c.today) == false)
        #expect(c.code(.record(help("chloe", "bram", links: ["rq-2"]), reason: nil)) == .listingState)
        try! c.run(.reverse("ex-1", reason: "wrong"))
        #expect(c.state.listing("rq-2")?.fulfilledBy == nil, "a reversed exchange fulfilled nothing")
        #expect(c.code(.record(help("chloe", "bram", links: ["rq-2"]), reason: nil)) == nil)
    }

    @Test func linksMustFitTheExchange() {
        var c = market()
        #expect(c.code(.record(help("chloe", "bram", links: ["of-1"]), reason: nil)) == .listingState, "an's offer, but chloe provides")
        #expect(c.code(.record(help("bram", "an", links: ["rq-2"]), reason: nil)) == .listingState, "bram's request, but bram provides")
        #expect(c.code(.record(help("an", "bram", links: ["rq-9"]), reason: nil)) == .listingNotFound)
        #expect(c.code(.record(help("an", "bram", links: ["rq-2", "rq-2"]), reason: nil)) == .inputInvalid)
        #expect(c.code(.record(help("an", "bram", links: ["of-1", "of-1", "rq-2", "rq-2", "of-1"]), reason: nil)) == .inputInvalid)
        try! c.run(.withdrawListing("of-1"), by: .member("an"))
        #expect(c.code(.record(help("an", "bram", links: ["of-1"]), reason: nil)) == .listingState)
    }
}
