import Foundation
import KringCore
import KringHTTP
import KringStore
import KringTestSupport
import Testing

/// Connecting people on the pages: the coordinator's matching page with its reasons and
/// "introduce"; the introduction on both members' overviews; the exchange proposed from it,
/// linked to both listings; the desk's and the API's counts; verify's check of the projection.
@Suite("Web pages: connecting people", .serialized)
struct WebIntroductionTests {
    @Test("the coordinator introduces a request to an offer once; both members see it, one proposes from it, and the desk counts it as become an exchange")
    func introduce() throws {
        let s = try TestServer()
        defer { s.stop() }
        let ledger = try Ledger(path: s.path, clock: s.clock.clock)
        func post(_ d: ListingDraft) throws -> ListingID { try #require(try ledger.execute(.postListing(d), by: .member(d.author)).event.listingID) }
        let request = try post(ListingDraft(side: .request, author: "an", kind: .time, domain: "poverty", title: "Hulp met formulieren", text: "De brieven van de huurdienst."))
        let offer = try post(ListingDraft(side: .offer, author: "bram", kind: .time, domain: "poverty", title: "Ik help met formulieren"))
        let other = try post(ListingDraft(side: .offer, author: "chloe", kind: .time, domain: "other", title: "Formulieren invullen"))
        let desk = try WebTests.signedIn(s, "stad", role: .coordinator)
        try desk.get("/desk/matches")
        #expect(desk.page.contains("Hulp met formulieren") && desk.page.contains("Ik help met formulieren") && desk.page.contains("Formulieren invullen"))
        #expect(desk.page.contains("zelfde domein: poverty") && desk.page.contains("ander domein: other voor poverty") && desk.page.contains("gedeelde woorden: formulieren"), "\(desk.page)")
        #expect(WebMatrixTests.markupProblems(desk.page).isEmpty)

        // A member cannot introduce; the coordinator does, once.
        let an = try WebTests.signedIn(s, "an")
        try an.get("/")
        let head = try s.headSeq()
        #expect(try an.submit("/desk/introduce", ["csrf": an.hiddenFields(action: "/sign-out")["csrf"] ?? "", "key": String(format: "%032x", 5),
                                                  "request": request.description, "offer": offer.description], hidden: false).status == 404)
        #expect(try s.headSeq() == head)
        let pair = ["request": request.description, "offer": offer.description]
        let first = try desk.submit("/desk/introduce", pair)
        #expect(first.status == 303 && first.header("location") == "/desk/matches#\(request)")
        #expect(try desk.submit("/desk/introduce", pair).status == 303, "the same form again replays")
        #expect(try s.headSeq() == head + 1)
        try desk.get("/desk/matches")
        #expect(desk.page.contains("Al aan elkaar voorgesteld."))
        try desk.get("/desk/matches")
        #expect(try desk.submit("/desk/introduce", pair.merging(["key": String(format: "%032x", 77)]) { $1 }).status == 422 && desk.page.contains("werden al aan elkaar voorgesteld"))
        #expect(try s.headSeq() == head + 1)

        // Both see it on their overview, each from their side; chloe does not.
        try an.get("/")
        #expect(an.page.contains("De coördinator stelde je voor aan Bram: jouw vraag „Hulp met formulieren” en het aanbod „Ik help met formulieren”."), "\(an.page)")
        let bram = try WebTests.signedIn(s, "bram")
        #expect(try bram.get("/").status == 200 && bram.page.contains("jouw aanbod „Ik help met formulieren” en de vraag „Hulp met formulieren”"))
        let chloe = try WebTests.signedIn(s, "chloe")
        #expect(try chloe.get("/").status == 200 && !chloe.page.contains("Kennismakingen"))
        _ = other

        // An proposes from it: the form comes linked to both listings.
        let link = "/exchanges/new?" + ["listing=\(offer)", "own=\(request)"].joined(separator: "&")
        #expect(an.page.contains("href=\"\(link.replacingOccurrences(of: "&", with: "&amp;"))\""))
        try an.get(link)
        #expect(an.page.contains("value=\"bram\"") && an.page.contains("<option value=\"\(request)\" selected"), "\(an.page)")
        let fields = ["direction": "received", "other": "bram", "kind": "time", "what": "Ik help met formulieren", "domain": "poverty",
                      "date": s.clock.today.description, "hours": "1", "listing": offer.description, "own": request.description]
        #expect(try an.submit("/exchanges/new", fields).status == 200)
        let sent = try an.submit("/exchanges/new", ["step": "send"])
        let exchange = try #require(sent.header("location"))
        try bram.get(exchange)
        #expect(try bram.submit("\(exchange)/confirm", [:]).status == 303)
        #expect(try an.get("/").status == 200 && an.page.contains("werd uitwisseling ex-"))
        #expect(try desk.get("/desk").status == 200 && desk.page.contains("1 kennismakingen, waarvan 1 uitgroeiden tot een uitwisseling."))

        // The API says the same, to each their own.
        let mine = try s.call("GET", "/v1/introductions", token: s.tokens["an"])
        #expect(mine.json?["items"]?.arrayValue?.count == 1 && mine.json?["made"] == nil)
        #expect(try s.call("GET", "/v1/introductions", token: s.tokens["chloe"]).json?["items"]?.arrayValue?.count == 0)
        let all = try s.call("GET", "/v1/introductions", token: s.coordinator)
        #expect(all.json?["made"]?.intValue == 1 && all.json?["became_exchanges"]?.intValue == 1)

        // The statistics count it, and that it became an exchange.
        let report = Statistics.report(try Reader(path: s.path).statsInput(), period: .month, from: nil, to: nil, k: 1)
        let whole = report.columns.count - 1
        #expect(report.value("introductions", "made", whole, "introductions") == 1 && report.value("introductions", "became_exchanges", whole, "introductions") == 1)

        // verify checks the projection.
        #expect(try Verifier.verify(path: s.path).ok)
        try Connection(path: s.path).execute("DELETE FROM introductions")
        #expect(try !Verifier.verify(path: s.path).ok)
    }
}
