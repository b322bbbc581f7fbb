import Foundation
import KringCore
import KringHTTP
import KringStore
import KringTestSupport
import Testing

/// The coordinator's desk, members part: only a coordinator's login sees it; registering,
/// inviting (the link shown once, which then works in a browser), limits, suspending,
/// reinstating and ending a membership, each through the core's rules.
@Suite("Web pages: the coordinator's desk", .serialized)
struct WebDeskTests {
    @Test("a coordinator registers and invites a member, who signs in with the link; limits, suspension and the end of a membership; a member's login finds no desk")
    func desk() throws {
        let s = try TestServer()
        defer { s.stop() }
        let coordinator = try WebTests.signedIn(s, "stad", role: .coordinator)
        let an = try WebTests.signedIn(s, "an")
        // Not for a member's login: no desk, and its steps change nothing.
        #expect(try an.get("/desk").status == 404 && an.get("/desk/members/bram").status == 404 && !an.page.contains("href=\"/desk\""))
        let head = try s.headSeq()
        let csrf = an.hiddenFields(action: "/sign-out")["csrf"] ?? ""
        #expect(try an.submit("/desk/members/bram/suspend", ["csrf": csrf, "key": String(format: "%032x", 1)], hidden: false).status == 404)
        #expect(try s.headSeq() == head)
        // The coordinator's desk lists the members with their balance.
        #expect(try coordinator.get("/").status == 200 && coordinator.page.contains("href=\"/desk\""))
        #expect(try coordinator.get("/desk/members").status == 200 && coordinator.page.contains("Bram (bram)"))
        // Registering: an id that is not one, an id taken; then a company.
        try coordinator.get("/desk/members/new")
        let fields = ["name": "Hotel Aerts", "id": "Hotel Aerts", "kind": "company", "neighbourhood": "Centrum"]
        #expect(try coordinator.submit("/desk/members/new", fields).status == 422 && coordinator.page.contains("id=\"id-error\"") && coordinator.page.contains("value=\"Hotel Aerts\""))
        #expect(try coordinator.submit("/desk/members/new", fields.merging(["id": "an"]) { $1 }).status == 422 && coordinator.page.contains("id=\"id-error\""))
        #expect(try s.headSeq() == head)
        let registered = try coordinator.submit("/desk/members/new", fields.merging(["id": "hotel-aerts"]) { $1 })
        #expect(registered.status == 303 && registered.header("location") == "/desk/members/hotel-aerts")
        #expect(try coordinator.get("/desk/members/hotel-aerts").status == 200 && coordinator.page.contains("<dd>bedrijf</dd>"))
        // Inviting: the link is on the answer once; it opens a login for the company.
        #expect(try coordinator.submit("/desk/members/hotel-aerts/invite", ["label": ""]).status == 200)
        let link = try #require(WebTests.matches("<p class=\"link\">([^<]+)</p>", coordinator.page).first)
        #expect(link.hasPrefix("http://test/invitation/kring_") && coordinator.page.contains("Je login is hotel-aerts."))
        #expect(try coordinator.get("/desk/members/hotel-aerts").status == 200 && !coordinator.page.contains(link), "shown once")
        let hotel = Browser(s)
        let path = String(link.dropFirst("http://test".count))
        try hotel.get(path)
        #expect(try hotel.submit(path, ["password": "kamers met zicht op zee", "repeat": "kamers met zicht op zee"]).status == 303)
        #expect(try hotel.get("/").status == 200 && hotel.page.contains("Mijn overzicht"))
        // Limits: a floor of -30 h, the ceiling back to the policy's; unreadable is refused.
        try coordinator.get("/desk/members/hotel-aerts")
        #expect(try coordinator.submit("/desk/members/hotel-aerts/limits", ["floor": "abc", "ceiling": ""]).status == 422)
        try coordinator.get("/desk/members/hotel-aerts")
        #expect(try coordinator.submit("/desk/members/hotel-aerts/limits", ["floor": "-30", "ceiling": ""]).status == 303)
        #expect(try coordinator.get("/desk/members/hotel-aerts").status == 200 && coordinator.page.contains("<dd>-30 u</dd>"))
        // Suspended: the company's session ends; reinstated; then the membership ends.
        #expect(try coordinator.submit("/desk/members/hotel-aerts/suspend", [:]).status == 303)
        #expect(try hotel.get("/").status == 200 && !hotel.page.contains("Mijn overzicht"), "signed out: the public home")
        try coordinator.get("/desk/members/hotel-aerts")
        #expect(coordinator.page.contains("<dd>geschorst</dd>"))
        #expect(try coordinator.submit("/desk/members/hotel-aerts/reinstate", [:]).status == 303)
        try coordinator.get("/desk/members/hotel-aerts")
        #expect(try coordinator.submit("/desk/members/hotel-aerts/leave", [:]).status == 303)
        #expect(try coordinator.get("/desk/members/hotel-aerts").status == 200 && coordinator.page.contains("<dd>vertrokken</dd>") && !coordinator.page.contains("/suspend\""))
        #expect(try Reader(path: s.path).member("hotel-aerts")?.state.status == .left)
    }

    @Test("paper slips in a batch: each row recorded once or refused with its sentence and kept; sending the page again writes nothing twice; a form with too many fields is refused whole")
    func paperSlips() throws {
        let s = try TestServer()
        defer { s.stop() }
        let coordinator = try WebTests.signedIn(s, "stad", role: .coordinator)
        #expect(try coordinator.get("/desk/slips").status == 200 && coordinator.page.components(separatedBy: "<fieldset class=\"slip\">").count == 11)
        let head = try s.headSeq()
        let today = s.clock.today.description
        var rows = [String: String]()
        for (n, row) in [["An", "bram", "1,5", "boodschappen"], ["Bram", "niemand", "1", "tuin"], ["an", "chloe", "30", "verhuis"]].enumerated() {
            for (k, v) in zip(["provider", "receiver", "hours", "what"], row) { rows["\(k)-\(n)"] = v }
            rows["date-\(n)"] = today; rows["domain-\(n)"] = "care"; rows["kind-\(n)"] = "time"
        }
        // The form as the browser sends it: its hidden token and row keys, and the rows.
        var all = coordinator.hiddenFields(action: "/desk/slips")
        #expect(all.keys.filter { $0.hasPrefix("key-") }.count == 10)
        for (k, v) in rows { all[k] = v }
        let body = all.sorted { $0.key < $1.key }.map { "\(Browser.encode($0.key))=\(Browser.encode($0.value))" }.joined(separator: "&")
        let first = try coordinator.send("POST", "/desk/slips", body: body)
        #expect(first.status == 422 && coordinator.page.contains("1 geboekt:") && coordinator.page.contains("href=\"/exchanges/ex-1\""))
        #expect(coordinator.page.contains("Rij 2: Niemand in de kring heet niemand.") && coordinator.page.contains("Rij 3: Eén uitwisseling verrekent hoogstens 24 u"))
        #expect(coordinator.page.contains("value=\"niemand\"") && !coordinator.page.contains("value=\"boodschappen\""), "refused rows kept, the recorded one cleared")
        #expect(try s.headSeq() == head + 1)
        // The same page sent again (a reload): the recorded row replays, nothing new.
        let again = try coordinator.send("POST", "/desk/slips", body: body)
        #expect(again.status == 422 && coordinator.page.contains("1 geboekt:") && coordinator.page.contains("ex-1"))
        #expect(try s.headSeq() == head + 1)
        // Corrected: row 2 now goes to chloe; row 3 is still too large.
        let corrected = try coordinator.submit("/desk/slips", ["provider-1": "Bram", "receiver-1": "chloe", "hours-1": "1", "what-1": "tuin", "date-1": today, "domain-1": "care", "kind-1": "time",
                                                              "provider-2": "an", "receiver-2": "chloe", "hours-2": "30", "what-2": "verhuis", "date-2": today, "domain-2": "care", "kind-2": "time"])
        #expect(corrected.status == 422 && coordinator.page.contains("1 geboekt:") && coordinator.page.contains("Rij 3:"))
        #expect(try s.headSeq() == head + 2)
        // A form of more than 100 fields is not read at all: refused, nothing written.
        let many = (0..<101).map { "f\($0)=x" }.joined(separator: "&")
        #expect(try coordinator.send("POST", "/desk/slips", body: many).status == 403)
        #expect(try s.headSeq() == head + 2)
    }

    @Test("the policy at the desk: every setting with its value; a change reviewed with its effect before it is made, refused beside the value when the text or the rules say no")
    func policy() throws {
        let s = try TestServer()
        defer { s.stop() }
        let ledger = try Ledger(path: s.path, clock: s.clock.clock)
        _ = try ledger.execute(.record(ExchangeDraft(providers: ["an"], receivers: ["bram"], kind: .time, domain: "care", what: "verhuis", credits: Minutes(360)), reason: nil), by: .coordinator)
        let coordinator = try WebTests.signedIn(s, "stad", role: .coordinator)
        #expect(try WebTests.signedIn(s, "an").get("/desk/policy").status == 404)
        #expect(try coordinator.get("/desk/policy").status == 200)
        #expect(coordinator.page.contains("<td>floor.person</td><td>-20 h</td>") && coordinator.page.contains("<td>time-zone</td><td>Europe/Brussels</td>"))
        let head = try s.headSeq()
        #expect(try coordinator.submit("/desk/policy", ["setting": "floor.person", "value": "abc"]).status == 422 && coordinator.page.contains("id=\"value-error\""))
        #expect(try coordinator.submit("/desk/policy", ["setting": "floor.person", "value": "5h"]).status == 422 && coordinator.page.contains("id=\"value-error\""))
        #expect(try coordinator.submit("/desk/policy", ["setting": "floor.person", "value": "-5h"]).status == 200)
        #expect(coordinator.page.contains("floor.person: van -20 h naar -5 h.") && coordinator.page.contains("1 leden van deze soort staan dan buiten de nieuwe grens"))
        #expect(try s.headSeq() == head, "the review writes nothing")
        #expect(try coordinator.submit("/desk/policy", ["step": "send"]).status == 303)
        #expect(try Reader(path: s.path).policy().limits(for: .person).floor == Minutes(-300))
        #expect(try coordinator.get("/desk/policy").status == 200 && coordinator.page.contains("<td>floor.person</td><td>-5 h</td>"))
    }

    @Test("the desk shows proposals about to expire, overdue loans and the ledger head, and verifies on request; grants from the pool; the coordinator reverses a confirmed exchange with a reason, a member cannot")
    func deskOverview() throws {
        let s = try TestServer()
        defer { s.stop() }
        let ledger = try Ledger(path: s.path, clock: s.clock.clock)
        _ = try ledger.execute(.propose(ExchangeDraft(providers: ["an"], receivers: ["bram"], kind: .time, domain: "care", what: "tuin", credits: Minutes(60))), by: .member("an"))
        _ = try ledger.execute(.lend(LoanDraft(lender: "an", borrower: "chloe", what: "Ladder", due: s.clock.today + 1)), by: .member("an"))
        _ = try ledger.execute(.donate(from: "daan", minutes: Minutes(240)), by: .member("daan"))
        let confirmed = try #require(try ledger.execute(.record(ExchangeDraft(providers: ["els"], receivers: ["fatima"], kind: .time, domain: "care",
                                                                              what: "boodschappen", credits: Minutes(90)), reason: nil), by: .coordinator).event.exchangeID)
        s.clock.advance(days: 12)  // the proposal expires in two days; the loan is overdue
        let coordinator = try WebTests.signedIn(s, "stad", role: .coordinator)
        #expect(try coordinator.get("/desk").status == 200)
        #expect(coordinator.page.contains("href=\"/exchanges/ex-1\"") && coordinator.page.contains("Ladder: An → Chloe") && coordinator.page.contains("Nog niet gecontroleerd"))
        #expect(try coordinator.submit("/desk/verify", [:]).status == 303)
        let head = try s.headSeq()
        #expect(try coordinator.get("/desk").status == 200 && coordinator.page.contains("Gecontroleerd tot positie \(head): het grootboek klopt"))
        // A grant of 2 h from the pool, with its reason.
        try coordinator.get("/desk/members/bram")
        #expect(try coordinator.submit("/desk/members/bram/grant", ["hours": "2", "reason": "starterspakket"]).status == 303)
        #expect(try Reader(path: s.path).balance("bram") == Minutes(120))
        // A member cannot reverse; the coordinator can, once, with a reason shown after.
        let els = try WebTests.signedIn(s, "els")
        try els.get("/exchanges/\(confirmed)")
        #expect(!els.page.contains("/reverse\""))
        let before = try s.headSeq()
        let csrf = els.hiddenFields(action: "/sign-out")["csrf"] ?? ""
        #expect(try els.submit("/exchanges/\(confirmed)/reverse", ["csrf": csrf, "key": String(format: "%032x", 4), "reason": "fout"], hidden: false).status == 422)
        #expect(try s.headSeq() == before)
        #expect(try coordinator.get("/exchanges/\(confirmed)").status == 200 && coordinator.page.contains("Uitwisseling terugdraaien"))
        #expect(try coordinator.submit("/exchanges/\(confirmed)/reverse", ["reason": "dubbel ingegeven"]).status == 303)
        #expect(try coordinator.get("/exchanges/\(confirmed)").status == 200 && coordinator.page.contains("<dd>teruggedraaid</dd>") && coordinator.page.contains("dubbel ingegeven"))
        #expect(try Reader(path: s.path).balance("els") == Minutes(0))
    }
}
