import Foundation
import KringCore
import KringHTTP
import KringStore
import KringTestSupport
import Testing

/// Offers and requests, the directory, finding members by name and leaving the circle, as a
/// person's browser meets them over loopback.
@Suite("Web pages: listings, members, leaving", .serialized)
struct WebListingTests {
    /// A well-formed idempotency key, as a form carries (32 hex digits), one for each `n`.
    static func key(_ n: Int) -> String { String(format: "%032x", n + 1) }

    static func post(_ ledger: Ledger, _ author: MemberID, _ side: ListingSide, _ title: String, kind: ExchangeKind = .time) throws -> ListingID {
        let o = try ledger.execute(.postListing(ListingDraft(side: side, author: author, kind: kind, domain: "care", title: title)), by: .member(author))
        return try #require(o.event.listingID)
    }

    @Test("the public browses and searches open listings; the author posts (a refusal keeps the input), edits, renews and withdraws; no one else can; a closed listing is its author's only")
    func offersAndRequests() throws {
        let s = try TestServer()
        defer { s.stop() }
        let an = try WebTests.signedIn(s, "an"), bram = try WebTests.signedIn(s, "bram")
        // Refused: no title. The input stays, the sentence is by the title field, nothing written.
        try an.get("/listings/new")
        let head = try s.headSeq()
        let fields = ["side": "offer", "kind": "time", "title": "", "text": "Ik herstel <b>fietsen</b> aan huis.", "domain": "care", "place": "Noord"]
        #expect(try an.submit("/listings/new", fields).status == 422)
        #expect(an.page.contains("id=\"title-error\"") && an.page.contains("Ik herstel &lt;b&gt;fietsen&lt;/b&gt; aan huis.") && an.page.contains("href=\"#title\""))
        #expect(try an.submit("/listings/new", fields.merging(["title": "Fietsherstelling", "days": "dertig"]) { $1 }).status == 422)
        #expect(an.page.contains("&quot;dertig&quot; is geen aantal dagen") && an.page.contains("id=\"days-error\""))
        #expect(try s.headSeq() == head)
        // Posted: its page, then found by the public with accents and case folded.
        let posted = try an.submit("/listings/new", fields.merging(["title": "Fietsherstelling en réparation", "days": ""]) { $1 })
        let location = try #require(posted.header("location"))
        #expect(posted.status == 303 && location.hasPrefix("/listings/of-"))
        let id = String(location.dropFirst("/listings/".count))
        let visitor = Browser(s)
        #expect(try visitor.get("/offers?q=REPARATION").status == 200 && visitor.page.contains("href=\"\(location)\""))
        #expect(try visitor.get("/offers?q=fiets&side=offer&member_kind=person").status == 200 && visitor.page.contains("href=\"\(location)\""))
        #expect(try visitor.get("/offers?side=request").status == 200 && !visitor.page.contains("href=\"\(location)\""))
        #expect(try visitor.get("/").status == 200 && visitor.page.contains("href=\"\(location)\""))
        // A search the rules refuse says why beside the search field.
        #expect(try visitor.get("/offers?q=" + Array(repeating: "woord", count: 20).joined(separator: "+")).status == 400 && visitor.page.contains("id=\"q-error\""))
        #expect(try visitor.get(location).status == 200)
        #expect(visitor.page.contains("<dd>An</dd>") && visitor.page.contains("<dd>Noord</dd>") && !visitor.page.contains("/members/an") && visitor.page.contains("Meld je aan om te reageren."))
        // Another member sees "respond" and none of the author's actions; his own edit,
        // renewal or withdrawal changes nothing.
        try bram.get(location)
        #expect(bram.page.contains("href=\"/exchanges/new?listing=\(id)\"") && !bram.page.contains("/withdraw\""))
        #expect(try bram.get(location + "/edit").status == 404)
        let before = try s.headSeq()
        let csrf = bram.hiddenFields(action: "/sign-out")["csrf"] ?? ""
        for (n, step) in ["withdraw", "renew"].enumerated() {
            #expect(try bram.submit(location + "/" + step, ["csrf": csrf, "key": Self.key(n)], hidden: false).status == 422)
        }
        #expect(try bram.submit(location + "/edit", ["csrf": csrf, "key": Self.key(3), "title": "Van mij", "kind": "time", "domain": "care"], hidden: false).status == 422)
        #expect(try s.headSeq() == before)
        // The author edits (the form comes filled in), renews and withdraws.
        #expect(try an.get(location + "/edit").status == 200 && an.page.contains("value=\"Fietsherstelling en réparation\""))
        #expect(try an.submit(location + "/edit", fields.merging(["title": "Fietsen hersteld"]) { $1 }).status == 303)
        #expect(try visitor.get(location).status == 200 && visitor.page.contains("<h1>Fietsen hersteld</h1>") && visitor.page.contains("<dd>Noord</dd>"))
        try an.get(location)
        #expect(try an.submit(location + "/renew", [:]).status == 303)
        try an.get(location)
        #expect(try an.submit(location + "/withdraw", [:]).status == 303)
        #expect(try s.headSeq() == before + 3)
        // Withdrawn: gone for everyone but its author, who is told.
        #expect(try visitor.get(location).status == 404 && bram.get(location).status == 404)
        #expect(try an.get(location).status == 200 && an.page.contains("Dit zoekertje staat niet meer online."))
        #expect(try visitor.get("/offers?q=fietsen").status == 200 && !visitor.page.contains("href=\"\(location)\""))
        #expect(try an.get("/").status == 200 && an.page.contains("Je hebt geen open aanbod of vragen."))
    }

    @Test("browsing pages by 20 with a Next link that keeps the filters")
    func paging() throws {
        let s = try TestServer()
        defer { s.stop() }
        let ledger = try Ledger(path: s.path, clock: s.clock.clock)
        for n in 1...25 { _ = try Self.post(ledger, n % 2 == 0 ? "an" : "bram", .request, "Vraag nummer \(n)") }
        let visitor = Browser(s)
        try visitor.get("/offers?side=request")
        #expect(visitor.page.contains("Vraag nummer 25<") && !visitor.page.contains("Vraag nummer 5<") && visitor.page.contains("20+ gevonden"))
        let next = try #require(WebTests.matches("href=\"(/offers\\?[^\"]+)\" rel=\"next\"", visitor.page).first).replacingOccurrences(of: "&amp;", with: "&")
        #expect(next.contains("side=request"))
        try visitor.get(next)
        #expect(visitor.page.contains("Vraag nummer 5<") && visitor.page.contains("Vraag nummer 1<") && !visitor.page.contains("Vraag nummer 25<") && !visitor.page.contains("rel=\"next\""))
    }

    @Test("a member's public entry shows name, kind, neighbourhood and open listings, never a balance; only to signed-in members")
    func directory() throws {
        let s = try TestServer()
        defer { s.stop() }
        let ledger = try Ledger(path: s.path, clock: s.clock.clock)
        _ = try ledger.execute(.record(ExchangeDraft(providers: ["an"], receivers: ["bram"], kind: .time, domain: "care", what: "tuin", credits: Minutes(135)), reason: nil), by: .coordinator)
        _ = try Self.post(ledger, "bram", .request, "Iemand om mee te wandelen")
        let an = try WebTests.signedIn(s, "an")
        #expect(try an.get("/members/bram").status == 200)
        #expect(an.page.contains("<h1>Bram</h1>") && an.page.contains("<dd>bewoner</dd>") && an.page.contains("Iemand om mee te wandelen"))
        #expect(!an.page.contains("2,25") && !an.page.contains("tuin"), "no balance, no exchange of another member")
        #expect(try an.get("/members/pool").status == 404 && an.get("/members/niemand").status == 404 && an.get("/members/Bram%20").status == 404)
        #expect(try Browser(s).get("/members/bram").status == 401)
    }

    @Test("the other member is found by name with accents and case folded; two alike ask which; an unknown name says so; a group is a list; responding to an offer links it")
    func findingMembersByName() throws {
        let s = try TestServer()
        defer { s.stop() }
        let ledger = try Ledger(path: s.path, clock: s.clock.clock)
        for (id, name, kind) in [("elise-dubois", "Élise Dubois", MemberKind.person), ("elise-janssens", "Elise Janssens", .person), ("hotel-aerts", "Hotel Aerts", .company)] {
            _ = try ledger.execute(.addMember(MemberDraft(id: MemberID(canonical: id)!, name: name, kind: kind, neighbourhood: "Zuid")), by: .coordinator)
        }
        let an = try WebTests.signedIn(s, "an")
        let head = try s.headSeq()
        let base = ["direction": "gave", "what": "koffie", "domain": "care", "date": s.clock.today.description, "hours": "1"]
        try an.get("/exchanges/new")
        #expect(try an.submit("/exchanges/new", base.merging(["other": "hotel AERTS"]) { $1 }).status == 200)
        #expect(an.page.contains("<dd>Hotel Aerts</dd>") && an.page.contains("van 0 u naar 1 u") && an.page.contains("name=\"other\" value=\"hotel-aerts\""))
        try an.get("/exchanges/new")
        #expect(try an.submit("/exchanges/new", base.merging(["other": "elise"]) { $1 }).status == 422)
        #expect(an.page.contains("elise kan meer dan één lid zijn: Elise Janssens (elise-janssens, Zuid); Élise Dubois (elise-dubois, Zuid).") && an.page.contains("id=\"other-error\""))
        #expect(try an.submit("/exchanges/new", base.merging(["other": "niemand hier"]) { $1 }).status == 422)
        #expect(an.page.contains("Niemand in de kring heet niemand hier.") && an.page.contains("value=\"koffie\""))
        #expect(try an.submit("/exchanges/new", base.merging(["other": "ELISE dubois"]) { $1 }).status == 200 && an.page.contains("<dd>Élise Dubois</dd>"))
        // Names are looked up among all members: twenty a form; beyond that, ids.
        #expect(try an.submit("/exchanges/new", base.merging(["other": Array(repeating: "Élise Dubois", count: 21).joined(separator: ", ")]) { $1 }).status == 422)
        #expect(an.page.contains("Typ voor meer dan 20 leden hun id in plaats van hun naam"))
        #expect(try s.headSeq() == head, "checking writes nothing")
        // A group: an hour to each of two members is two hours off an's balance when confirmed.
        let group = try an.propose(base.merging(["other": "bram, Chloe", "direction": "received"]) { $1 })
        let location = try #require(group.header("location"))
        #expect(try an.get(location).status == 200 && an.page.contains("<dd>bram, chloe</dd>"))
        // Responding to bram's offer: the form comes filled in and the exchange links it.
        let offer = try Self.post(ledger, "bram", .offer, "Gitaarles")
        #expect(try an.get("/exchanges/new?listing=\(offer)").status == 200)
        #expect(an.page.contains("name=\"other\" value=\"bram\"") && an.page.contains("value=\"Gitaarles\"") && an.page.contains("id=\"direction-received\" name=\"direction\" value=\"received\" checked"))
        let drawn = an.hiddenFields(action: "/exchanges/new")
        #expect(drawn["listing"] == offer.description)
        #expect(try an.submit("/exchanges/new", ["direction": "received", "other": "bram", "what": "Gitaarles", "domain": "care", "kind": "time",
                                                 "date": s.clock.today.description, "hours": "1"]).status == 200)
        #expect(an.page.contains("van 0 u naar -1 u"), "\(an.page)")
        let responded = try an.submit("/exchanges/new", ["step": "send"])
        try an.get(try #require(responded.header("location")))
        #expect(an.page.contains("Hoort bij: <a href=\"/listings/\(offer)\">Gitaarles</a>"))
        // an's own offer, chosen on the form; a request of an's does not fit "I helped" and
        // the rule's sentence stands by the choice.
        let mine = try Self.post(ledger, "an", .offer, "Soep koken")
        let wish = try Self.post(ledger, "an", .request, "Iemand met een boormachine")
        try an.get("/exchanges/new")
        #expect(an.page.contains("<option value=\"\(mine)\">Aanbod: Soep koken</option>"))
        #expect(try an.submit("/exchanges/new", base.merging(["other": "bram", "own": wish.description]) { $1 }).status == 422)
        #expect(an.page.contains("id=\"own-error\"") && an.page.contains("<option value=\"\(wish)\" selected=\"\">"), "\(an.page)")
        let soup = try an.propose(base.merging(["other": "bram", "own": mine.description]) { $1 })
        try an.get(try #require(soup.header("location")))
        #expect(an.page.contains("Hoort bij: <a href=\"/listings/\(mine)\">Soep koken</a>"))
    }

    @Test("rejecting and cancelling may say why; the other party reads it on the exchange's page, and over the API")
    func endReasons() throws {
        let s = try TestServer()
        defer { s.stop() }
        let an = try WebTests.signedIn(s, "an"), bram = try WebTests.signedIn(s, "bram")
        let base = ["direction": "gave", "other": "bram", "what": "tuin", "domain": "care", "date": s.clock.today.description, "hours": "2"]
        let first = try #require(try an.propose(base).header("location"))
        try bram.get(first)
        #expect(bram.page.contains("<label for=\"reject-reason\">") && !bram.page.contains("cancel-reason"))
        #expect(try bram.submit(first + "/reject", ["reason": "  Het was maar één uur.  "]).status == 303)
        #expect(try an.get(first).status == 200 && an.page.contains("Gegeven reden: Het was maar één uur.") && an.page.contains("<dd>geweigerd</dd>"))
        let second = try #require(try an.propose(base).header("location"))
        try an.get(second)
        #expect(try an.submit(second + "/cancel", ["reason": "Verkeerd lid"]).status == 303)
        #expect(try bram.get(second).status == 200 && bram.page.contains("Gegeven reden: Verkeerd lid"))
        let api = try s.call("GET", "/v1/exchanges/\(second.split(separator: "/").last!)", token: s.tokens["bram"])
        #expect(api.status == 200 && api.text.contains("\"end_reason\":\"Verkeerd lid\""), "\(api.text)")
        // Without a reason: none shown.
        let third = try #require(try an.propose(base).header("location"))
        try bram.get(third)
        #expect(try bram.submit(third + "/reject", [:]).status == 303)
        #expect(try an.get(third).status == 200 && !an.page.contains("Gegeven reden"))
    }

    @Test("the coordinator sets the circle's time zone by its IANA name; an unknown one is refused with the sentence and changes nothing")
    func timeZoneSetting() throws {
        let s = try TestServer()
        defer { s.stop() }
        #expect(try s.call("GET", "/v1/policy", token: s.tokens["an"]).text.contains("\"time_zone\":\"Europe/Brussels\""))
        let head = try s.headSeq()
        let refused = try s.call("POST", "/v1/policy", token: s.coordinator, body: #"{"setting":"time-zone","value":"Europe/Gent"}"#, key: newKey())
        #expect(refused.status == 422 && refused.text.contains("input.policy") && refused.text.contains("Europe/Gent"), "\(refused.text)")
        #expect(try s.headSeq() == head)
        #expect(try s.call("POST", "/v1/policy", token: s.coordinator, body: #"{"setting":"time-zone","value":"America/New_York"}"#, key: newKey()).status == 200)
        #expect(try s.call("GET", "/v1/policy", token: s.tokens["an"]).text.contains("\"time_zone\":\"America/New_York\""))
    }

    @Test("leaving the circle states its consequences first; it settles the balance with the pool, ends every session of the member and cannot be done for another")
    func leaving() throws {
        let s = try TestServer()
        defer { s.stop() }
        let ledger = try Ledger(path: s.path, clock: s.clock.clock)
        _ = try ledger.execute(.record(ExchangeDraft(providers: ["an"], receivers: ["bram"], kind: .time, domain: "care", what: "tuin", credits: Minutes(90)), reason: nil), by: .coordinator)
        let an = try WebTests.signedIn(s, "an"), bram = try WebTests.signedIn(s, "bram")
        let second = Browser(s)
        try second.get("/sign-in")
        #expect(try second.submit("/sign-in", ["login": "an", "password": "een lange zin als wachtwoord"]).status == 303)
        #expect(try an.get("/settings").status == 200 && an.page.contains("href=\"/settings/leave\""))
        #expect(try an.get("/settings/leave").status == 200 && an.page.contains("Je tegoed van 1,5 u gaat naar de solidariteitspot"))
        #expect(try bram.get("/settings/leave").status == 200 && bram.page.contains("De solidariteitspot vult je tekort van 1,5 u aan."))
        // Without the form's token: refused, nothing written.
        let head = try s.headSeq()
        #expect(try an.submit("/settings/leave", [:], hidden: false).status == 403)
        #expect(try s.headSeq() == head)
        try an.get("/settings/leave")
        let left = try an.submit("/settings/leave", [:])
        #expect(left.status == 303 && left.header("location") == "/left")
        #expect(try an.get("/left").status == 200 && an.page.contains("Je bent uit de kring gestapt"))
        #expect(try an.get("/settings").status == 401 && second.get("/settings").status == 401)
        let reader = try Reader(path: s.path)
        #expect(try reader.member("an")?.state.status == .left && reader.balance("an") == Minutes(0) && reader.balance("bram") == Minutes(-90))
        #expect(try bram.get("/").status == 200, "bram is still signed in")
    }
}

