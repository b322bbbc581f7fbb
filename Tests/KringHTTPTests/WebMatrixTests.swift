import Foundation
import KringCore
import KringHTTP
import KringStore
import KringTestSupport
import Testing

/// Every page as the public, a resident, a company's second login and the coordinator: who
/// sees what, as the API's authorisation matrix does; every page drawn is well-formed, with
/// unique ids, a label for every control and no URL to another host.
@Suite("Web pages: who sees what", .serialized)
struct WebMatrixTests {
    /// Elements that have no end tag in HTML.
    static let void: Set<String> = ["meta", "link", "input", "br", "img", "hr", "area", "base", "col", "embed", "source", "track", "wbr"]

    /// What is wrong with the page's markup: an end tag that closes another element, an
    /// element left open, a duplicate id, a label or `aria-describedby` pointing at nothing,
    /// a control without a label, a URL to another host.
    static func markupProblems(_ html: String) -> [String] {
        var problems = [String]()
        var stack = [String]()
        let tags = WebTests.matches("<(/?[a-z][a-z0-9]*)[^>]*>", html)
        for tag in tags {
            if tag.hasPrefix("/") {
                let name = String(tag.dropFirst())
                guard stack.last == name else { problems.append("</\(name)> closes <\(stack.last ?? "nothing")>"); break }
                stack.removeLast()
            } else if !void.contains(tag) {
                stack.append(tag)
            }
        }
        if !stack.isEmpty && problems.isEmpty { problems.append("left open: \(stack)") }
        let ids = WebTests.matches(" id=\"([^\"]+)\"", html)
        if Set(ids).count != ids.count { problems.append("duplicate ids") }
        for target in WebTests.matches("<label for=\"([^\"]+)\"", html) where !ids.contains(target) { problems.append("a label for no control: \(target)") }
        for list in WebTests.matches("aria-describedby=\"([^\"]+)\"", html) {
            for target in list.split(separator: " ") where !ids.contains(String(target)) { problems.append("described by nothing: \(target)") }
        }
        for control in WebTests.matches("<(?:input|select|textarea) id=\"([^\"]+)\"", html) where !html.contains("<label for=\"\(control)\"") {
            problems.append("\(control) has no label")
        }
        if html.contains("http://") || html.contains("https://") || html.contains("=\"//") {
            problems.append("a URL to another host")
        }
        return problems
    }

    @Test("the public, a resident, a company's front desk and the coordinator each see their own and never another member's; a foreign step changes nothing")
    func whoSeesWhat() throws {
        let s = try TestServer()
        defer { s.stop() }
        let ledger = try Ledger(path: s.path, clock: s.clock.clock)
        // an proposed an exchange with bram (ex-1); an has an open offer and a withdrawn one.
        _ = try ledger.execute(.propose(ExchangeDraft(providers: ["an"], receivers: ["bram"], kind: .time, domain: "care", what: "tuin", credits: Minutes(60))), by: .member("an"))
        let open = try #require(try ledger.execute(.postListing(ListingDraft(side: .offer, author: "an", kind: .time, domain: "care", title: "Tuinhulp")), by: .member("an")).event.listingID)
        let closed = try #require(try ledger.execute(.postListing(ListingDraft(side: .request, author: "an", kind: .goods, domain: "care", title: "Ladder")), by: .member("an")).event.listingID)
        _ = try ledger.execute(.withdrawListing(closed), by: .member("an"))
        // bakkerij's room, booked by an tomorrow.
        let room = try #require(try ledger.execute(.postListing(ListingDraft(side: .offer, author: "bakkerij", kind: .space, domain: "culture", title: "Zaal")),
                                                   by: .member("bakkerij")).event.listingID)
        _ = try ledger.execute(.setSpaceHours(room, SpaceHours(capacity: 8, weekly: SpaceHours.parseWeek("mon-sun 09:00-17:00")!)), by: .member("bakkerij"))
        _ = try ledger.execute(.book(BookingDraft(offer: room, member: "an", date: s.clock.today + 1, start: 600, end: 660, people: 2)), by: .member("an"))
        let public_ = Browser(s)
        let an = try WebTests.signedIn(s, "an")
        let desk = try WebTests.signedIn(s, "bakkerij", label: "balie")
        let coordinator = try WebTests.signedIn(s, "stad", role: .coordinator)

        let who: [(String, Browser)] = [("public", public_), ("an", an), ("desk", desk), ("coordinator", coordinator)]
        // path → expected status for public, an, the desk, the coordinator.
        let rows: [(String, [Int])] = [
            ("/", [200, 200, 200, 200]),
            ("/sign-in", [200, 200, 200, 200]),
            ("/offers", [200, 200, 200, 200]),
            ("/offers?q=tuin", [200, 200, 200, 200]),
            ("/listings/\(open)", [200, 200, 200, 200]),
            ("/listings/\(closed)", [404, 200, 404, 200]),
            ("/listings/\(open)/edit", [401, 200, 404, 404]),
            ("/listings/new", [401, 200, 200, 200]),
            ("/exchanges/new", [401, 200, 200, 200]),
            ("/exchanges/new?listing=\(open)", [401, 200, 200, 200]),
            ("/exchanges/ex-1", [401, 200, 404, 200]),
            ("/exchanges/ex-99", [401, 404, 404, 404]),
            ("/statement", [401, 200, 200, 200]),
            ("/statement.csv", [401, 200, 200, 200]),
            ("/settings", [401, 200, 200, 200]),
            ("/settings/leave", [401, 200, 200, 200]),
            ("/members/bram", [401, 200, 200, 200]),
            ("/members/pool", [401, 404, 404, 404]),
            ("/loans", [401, 200, 200, 200]),
            ("/loans/new", [401, 200, 200, 200]),
            ("/challenges", [401, 200, 200, 200]),
            ("/challenges/new", [401, 200, 200, 200]),
            ("/challenges/ch-9", [401, 404, 404, 404]),
            ("/rooms", [401, 200, 200, 200]),
            ("/rooms?date=\(s.clock.today + 1)&people=3&from=09:00&to=10:00", [401, 200, 200, 200]),
            ("/rooms/\(room)?date=\(s.clock.today + 1)", [401, 200, 200, 200]),
            ("/rooms/\(room)/hours", [401, 404, 200, 200]),
            ("/rooms/\(open)", [401, 404, 404, 404]),
            ("/bookings", [401, 200, 200, 200]),
            ("/experts", [401, 200, 200, 200]),
            ("/experts?domain=work", [401, 200, 200, 200]),
            ("/experts/\(open)", [401, 200, 200, 200]),
            ("/experts/\(open)/hours", [401, 200, 404, 200]),
            ("/desk", [401, 404, 404, 200]),
            ("/desk/members", [401, 404, 404, 200]),
            ("/desk/slips", [401, 404, 404, 200]),
            ("/desk/matches", [401, 404, 404, 200]),
            ("/desk/import", [401, 404, 404, 200]),
            ("/desk/policy", [401, 404, 404, 200]),
            ("/desk/members/new", [401, 404, 404, 200]),
            ("/desk/members/bram", [401, 404, 404, 200]),
            ("/desk/members/pool", [401, 404, 404, 404]),
            ("/nowhere", [404, 404, 404, 404]),
        ]
        for (path, expected) in rows {
            for ((name, browser), status) in zip(who, expected) {
                let r = try browser.get(path)
                #expect(r.status == status, "\(name) GET \(path): \(r.status), expected \(status)")
                if r.header("content-type")?.hasPrefix("text/html") == true {
                    #expect(Self.markupProblems(browser.page).isEmpty, "\(name) GET \(path): \(Self.markupProblems(browser.page))")
                }
            }
        }
        // The pages a form leads to are well-formed too: the review, a refusal.
        try an.get("/exchanges/new")
        let fields = ["direction": "gave", "other": "bram, chloe", "what": "tuin", "domain": "care", "date": s.clock.today.description, "hours": "1"]
        #expect(try an.submit("/exchanges/new", fields).status == 200 && Self.markupProblems(an.page).isEmpty, "\(Self.markupProblems(an.page))")
        #expect(try an.submit("/exchanges/new", fields.merging(["hours": "99"]) { $1 }).status == 422 && Self.markupProblems(an.page).isEmpty)
        try an.get("/listings/new")
        #expect(try an.submit("/listings/new", ["title": ""]).status == 422 && Self.markupProblems(an.page).isEmpty, "\(Self.markupProblems(an.page))")
        // Nobody sees another member's balance: bram's balance (-1 h once confirmed) is
        // shown to bram alone; here no page but an's own shows an's figures.
        try desk.get("/members/an")
        #expect(!desk.page.contains("Saldo") && desk.page.contains("Tuinhulp"))
        // Steps on what is not theirs change nothing: the desk confirms an's exchange with its
        // own valid token; the desk withdraws an's offer.
        let head = try s.headSeq()
        let csrf = desk.hiddenFields(action: "/sign-out")["csrf"] ?? ""
        #expect(try desk.submit("/exchanges/ex-1/confirm", ["csrf": csrf, "key": String(format: "%032x", 1)], hidden: false).status == 404)
        #expect(try desk.submit("/listings/\(open)/withdraw", ["csrf": csrf, "key": String(format: "%032x", 2)], hidden: false).status == 422)
        #expect(try public_.submit("/listings/\(open)/withdraw", ["key": String(format: "%032x", 3)], hidden: false).status == 401)
        #expect(try s.headSeq() == head)
        // Who booked is shown to the booker, the room's owner and the coordinator only.
        for (browser, sees) in [(an, " — jij"), (desk, " — An"), (coordinator, " — An")] {
            try browser.get("/rooms/\(room)?date=\(s.clock.today + 1)")
            #expect(browser.page.contains("10:00–11:00, aantal personen: 2\(sees)"), "\(browser.page)")
        }
        // The statement is the signed-in member's own: the desk's shows the company's.
        try desk.get("/statement")
        #expect(!desk.page.contains("tuin"))
        // The checker finds what it looks for.
        #expect(Self.markupProblems("<main><p>a</main>") == ["</main> closes <p>"])
        #expect(!Self.markupProblems(#"<label for="x">X</label><input id="y">"#).isEmpty)
        #expect(!Self.markupProblems(#"<a href="https://elders.example">x</a>"#).isEmpty)
    }
}
