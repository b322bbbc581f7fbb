import Testing
@testable import KringCore
import KringTestSupport

@Suite struct LoanRuleTests {
    func loan(_ lender: MemberID = "an", _ borrower: MemberID = "bram", due: Day, offer: ListingID? = nil) -> LoanDraft {
        LoanDraft(lender: lender, borrower: borrower, what: "ladder", offer: offer, due: due)
    }

    @Test func lendAndReturn() {
        var c = Core()
        #expect(c.code(.lend(loan(due: c.today + 7)), by: .member("bram")) == .ruleForbidden)
        #expect(c.code(.lend(loan("an", "an", due: c.today + 7)), by: .member("an")) == .ruleSelf)
        #expect(c.code(.lend(loan(due: c.today - 1)), by: .member("an")) == .inputInvalid)
        #expect(c.code(.lend(loan(due: c.today + 366)), by: .member("an")) == .inputInvalid)
        #expect(c.code(.lend(loan(due: c.today + 365)), by: .member("an")) == nil)
        #expect(c.code(.lend(loan(due: c.today)), by: .member("an")) == nil)
        #expect(c.state.loan("ln-2")?.info.lent == c.today)
        c.now += 86_400
        #expect(c.state.loan("ln-2")!.isOverdue(on: c.today))
        #expect(c.code(.returnLoan("ln-2"), by: .member("bram")) == .ruleForbidden, "the lender says it came back")
        #expect(c.code(.returnLoan("ln-2"), by: .member("an")) == nil)
        #expect(c.state.loan("ln-2")?.returned == c.today)
        #expect(!c.state.loan("ln-2")!.isOverdue(on: c.today + 10))
        #expect(c.code(.returnLoan("ln-2"), by: .coordinator) == .loanState)
        #expect(c.code(.returnLoan("ln-9"), by: .coordinator) == .loanNotFound)
    }

    @Test func aLoanFromAnOfferMustBeTheLendersGoodsOffer() {
        var c = Core()
        try! c.run(.postListing(ListingDraft(side: .offer, author: "an", kind: .goods, domain: "housing", title: "Ladder")), by: .member("an"))
        try! c.run(.postListing(ListingDraft(side: .offer, author: "an", kind: .time, domain: "housing", title: "Klussen")), by: .member("an"))
        #expect(c.code(.lend(loan(due: c.today + 7, offer: "of-1")), by: .member("an")) == nil)
        #expect(c.code(.lend(loan(due: c.today + 7, offer: "of-2")), by: .member("an")) == .listingState, "not goods")
        #expect(c.code(.lend(loan("bram", "chloe", due: c.today + 7, offer: "of-1")), by: .member("bram")) == .listingState, "not bram's")
        try! c.run(.suspend("bram"))
        #expect(c.code(.lend(loan(due: c.today + 7)), by: .member("an")) == .ruleInactive)
    }
}
