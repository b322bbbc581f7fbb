import Testing
@testable import KringCore
import KringTestSupport

@Suite struct ChallengeRuleTests {
    func post(_ author: MemberID, ends: Day) -> Command {
        .postChallenge(author: author, title: "Eenzame senioren in Noord", text: "", domains: ["loneliness", "care"], ends: ends)
    }

    @Test func postedByTheMunicipalityOrAnAssociation() {
        var c = Core()
        #expect(c.code(post("an", ends: c.today + 30), by: .member("an")) == .ruleForbidden, "a person does not post challenges")
        #expect(c.code(post("bakkerij", ends: c.today + 30), by: .member("bakkerij")) == .ruleForbidden)
        #expect(c.code(post("stad", ends: c.today - 1), by: .member("stad")) == .inputInvalid)
        #expect(c.code(post("stad", ends: c.today + 731), by: .member("stad")) == .inputInvalid)
        #expect(c.code(.postChallenge(author: "stad", title: "x", text: "", domains: [], ends: c.today), by: .member("stad")) == .inputDomain)
        #expect(c.code(post("stad", ends: c.today + 730), by: .member("stad")) == nil)
        #expect(c.code(post("fanfare", ends: c.today), by: .member("fanfare")) == nil)
    }

    @Test func joinPledgeLinkClose() {
        var c = Core()
        try! c.run(post("stad", ends: c.today + 30), by: .member("stad"))
        #expect(c.code(.pledge(Pledge(challenge: "ch-1", member: "an", kind: .time, what: "visits")), by: .member("an")) == .challengeState, "join first")
        #expect(c.code(.joinChallenge("ch-1", member: "an"), by: .member("bram")) == .ruleForbidden)
        #expect(c.code(.joinChallenge("ch-1", member: "an"), by: .member("an")) == nil)
        #expect(c.code(.joinChallenge("ch-1", member: "an"), by: .member("an")) == .challengeState)
        #expect(c.code(.joinChallenge("ch-1", member: "bakkerij"), by: .member("bakkerij")) == nil, "companies join too")
        #expect(c.code(.pledge(Pledge(challenge: "ch-1", member: "an", kind: .time, what: "weekly visits")), by: .member("an")) == nil)
        // An exchange links the challenge when one of its parties joined it.
        let visit = ExchangeDraft(providers: ["an"], receivers: ["chloe"], kind: .time, domain: "loneliness", what: "visit", credits: .hours(1), links: ["ch-1"])
        #expect(c.code(.record(visit, reason: nil)) == nil)
        var strangers = visit
        strangers.providers = ["daan"]
        #expect(c.code(.record(strangers, reason: nil)) == .challengeState)
        #expect(c.code(.closeChallenge("ch-1"), by: .member("an")) == .ruleForbidden)
        #expect(c.code(.closeChallenge("ch-1"), by: .member("stad")) == nil)
        #expect(c.code(.joinChallenge("ch-1", member: "els"), by: .member("els")) == .challengeState, "closed")
        #expect(c.code(.closeChallenge("ch-1"), by: .coordinator) == .challengeState)
        #expect(c.code(.closeChallenge("ch-9"), by: .coordinator) == .challengeNotFound)
    }

    @Test func aChallengeIsOverAfterItsEndDay() {
        var c = Core()
        try! c.run(post("fanfare", ends: c.today + 1), by: .member("fanfare"))
        c.now += 86_400
        #expect(c.code(.joinChallenge("ch-1", member: "an"), by: .member("an")) == nil, "the end day itself counts")
        c.now += 86_400
        #expect(c.code(.joinChallenge("ch-1", member: "bram"), by: .member("bram")) == .challengeState)
    }

    @Test func offersAndRequestsPostedForAChallenge() {
        var c = Core()
        try! c.run(post("stad", ends: c.today + 30), by: .member("stad"))
        let d = ListingDraft(side: .offer, author: "an", kind: .time, domain: "loneliness", title: "Bezoek", challenge: "ch-1")
        #expect(c.code(.postListing(d), by: .member("an")) == .challengeState, "join first")
        try! c.run(.joinChallenge("ch-1", member: "an"), by: .member("an"))
        #expect(c.code(.postListing(d), by: .member("an")) == nil)
        var edit = d
        edit.challenge = nil
        edit.title = "Wekelijks bezoek"
        try! c.run(.closeChallenge("ch-1"), by: .coordinator)
        #expect(c.code(.editListing("of-1", edit), by: .member("an")) == nil, "an edit keeps the challenge, even a closed one")
        #expect(c.state.listing("of-1")?.info.challenge == "ch-1")
        #expect(c.code(.postListing(d), by: .member("an")) == .challengeState, "closed")
    }
}
