import Foundation
import KringCore
import KringHTTP
import KringStore
import KringTestSupport
import Testing

/// Goods lent and borrowed, on the pages: the lender records a loan (refusals kept beside their
/// fields), both sides see it with its due day, overdue is marked, and only the lender records
/// the return.
@Suite("Web pages: goods lent and borrowed", .serialized)
struct WebGoodsTests {
    @Test("the lender records a loan and its return; the borrower sees it, overdue marked; nobody else sees it or can return it")
    func loans() throws {
        let s = try TestServer()
        defer { s.stop() }
        let ledger = try Ledger(path: s.path, clock: s.clock.clock)
        let drill = try #require(try ledger.execute(.postListing(ListingDraft(side: .offer, author: "an", kind: .goods, domain: "housing", title: "Boormachine")),
                                                    by: .member("an")).event.listingID)
        var an = try WebTests.signedIn(s, "an"), bram = try WebTests.signedIn(s, "bram")
        let chloe = try WebTests.signedIn(s, "chloe")
        #expect(try an.get("/loans/new").status == 200 && an.page.contains("<option value=\"\(drill)\">Boormachine</option>"))
        let head = try s.headSeq()
        let due = (s.clock.today + 7).description
        let fields = ["what": "Boormachine", "borrower": "Bram", "due": due, "offer": drill.description]
        // Refusals keep the input and stand beside their field; nothing is written.
        for (change, field, sentence) in [(["borrower": "niemand"], "borrower", "Niemand in de kring heet niemand."),
                                          (["borrower": "an"], "borrower", "lenen"),
                                          (["due": "morgen"], "due", "&quot;morgen&quot; is geen datum"),
                                          (["due": (s.clock.today + 400).description], "due", "365")] {
            #expect(try an.submit("/loans/new", fields.merging(change) { $1 }).status == 422, "\(change)")
            #expect(an.page.contains("id=\"\(field)-error\"") && an.page.contains(sentence) && an.page.contains("value=\"Boormachine\""), "\(change): \(an.page)")
        }
        #expect(try s.headSeq() == head)
        // Recorded once, however often the form is sent.
        try an.get("/loans/new")
        let first = try an.submit("/loans/new", fields), again = try an.submit("/loans/new", fields)
        #expect(first.status == 303 && again.status == 303 && first.header("location") == "/loans")
        #expect(try s.headSeq() == head + 1)
        try an.get("/loans")
        #expect(an.page.contains("<strong>Boormachine</strong> — Bram, terug op ") && an.page.contains("Boormachine is terug"))
        try bram.get("/loans")
        #expect(bram.page.contains("<strong>Boormachine</strong> — An, terug op ") && !bram.page.contains("is terug<"))
        try chloe.get("/loans")
        #expect(!chloe.page.contains("Boormachine"))
        // A week and a day later it is overdue, on the loans page and on the borrower's overview.
        s.clock.advance(days: 8)
        (an, bram) = (try WebTests.signedIn(s, "an"), try WebTests.signedIn(s, "bram"))  // their sessions ended idle
        #expect(try an.get("/loans").status == 200 && an.page.contains("te laat"))
        #expect(try bram.get("/").status == 200 && bram.page.contains("Boormachine") && bram.page.contains("te laat"))
        // Only the lender records the return.
        let loan = try #require(WebTests.matches("action=\"/loans/(ln-[0-9]+)/return\"", an.page).first)
        let before = try s.headSeq()
        let csrf = bram.hiddenFields(action: "/sign-out")["csrf"] ?? ""
        #expect(try bram.submit("/loans/\(loan)/return", ["csrf": csrf, "key": String(format: "%032x", 9)], hidden: false).status == 404)
        #expect(try s.headSeq() == before)
        #expect(try an.submit("/loans/\(loan)/return", [:]).status == 303)
        #expect(try an.get("/loans").status == 200 && an.page.contains("teruggebracht op") && !an.page.contains("te laat"))
        #expect(try s.headSeq() == before + 1)
    }
}
