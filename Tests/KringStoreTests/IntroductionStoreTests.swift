import Foundation
import Testing
import KringCore
import KringStore
import KringTestSupport

/// An introduction through the writer: nothing to expire or confirm, whatever the policy.
@Suite struct IntroductionStoreTests {
    @Test("an introduction left alone never moves credits, whatever the expiry policy", arguments: ExpiryAction.allCases)
    func leftAlone(action: ExpiryAction) throws {
        let dir = TempDir("intro"); defer { dir.remove() }
        var policy = Policy.standard
        policy.expiryAction = action
        let clock = TestClock()
        let ledger = try fixtureLedger(at: dir.file("l.sqlite"), clock: clock, policy: policy)
        let request = try #require(try ledger.execute(.postListing(ListingDraft(side: .request, author: "an", kind: .time, domain: "poverty", title: "Formulieren")),
                                                      by: .member("an")).event.listingID)
        let offer = try #require(try ledger.execute(.postListing(ListingDraft(side: .offer, author: "bram", kind: .time, domain: "poverty", title: "Brieven")),
                                                    by: .member("bram")).event.listingID)
        #expect(try ledger.execute(.introduce(request: request, offer: offer), by: .coordinator).event.type == .introductionMade)
        let before = try Reader(path: dir.file("l.sqlite")).balances().map(\.balance)
        for _ in 0..<4 {
            clock.advance(days: 20)
            #expect(try ledger.expireDue().isEmpty, "nothing expires or confirms itself")
        }
        #expect(try Reader(path: dir.file("l.sqlite")).balances().map(\.balance) == before)
        #expect(try Reader(path: dir.file("l.sqlite")).counts().exchanges == 0)
    }
}
