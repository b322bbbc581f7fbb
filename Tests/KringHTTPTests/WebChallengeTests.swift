import Foundation
import KringCore
import KringHTTP
import KringStore
import KringTestSupport
import Testing

/// Challenges on the pages: the municipality posts one, members join, pledge and post for it,
/// its author closes it; the rules refuse the rest, beside the field or on the page, with
/// nothing written.
@Suite("Web pages: challenges", .serialized)
struct WebChallengeTests {
    @Test("the municipality posts and closes a challenge; a resident joins, pledges and posts an offer for it; others cannot act for them")
    func challenges() throws {
        let s = try TestServer()
        defer { s.stop() }
        let stad = try WebTests.signedIn(s, "stad"), an = try WebTests.signedIn(s, "an"), bram = try WebTests.signedIn(s, "bram")
        #expect(try Browser(s).get("/challenges").status == 401)
        let head = try s.headSeq()
        let ends = (s.clock.today + 30).description
        // Refused: no domain chosen (the sentence by the domains), a resident posting one.
        try stad.get("/challenges/new")
        #expect(try stad.submit("/challenges/new", ["title": "Minder eenzaamheid", "text": "Wie belt wie?", "ends": ends]).status == 422)
        #expect(stad.page.contains("href=\"#domains\"") && stad.page.contains("Minder eenzaamheid"))
        try an.get("/challenges/new")
        #expect(try an.submit("/challenges/new", ["title": "Mijn uitdaging", "text": "x", "domain": "care", "ends": ends]).status == 422)
        #expect(try s.headSeq() == head)
        // Posted with two domains (checkboxes: a field per box).
        try stad.get("/challenges/new")
        var hidden = stad.hiddenFields(action: "/challenges/new")
        hidden["title"] = "Minder eenzaamheid"; hidden["text"] = "Wie belt wie?"; hidden["ends"] = ends
        let body = hidden.sorted { $0.key < $1.key }.map { "\(Browser.encode($0.key))=\(Browser.encode($0.value))" }.joined(separator: "&") + "&domain=loneliness&domain=care"
        let posted = try stad.send("POST", "/challenges/new", body: body)
        let location = try #require(posted.header("location"))
        #expect(posted.status == 303 && location.hasPrefix("/challenges/ch-"))
        #expect(try an.get("/challenges").status == 200 && an.page.contains("href=\"\(location)\""))
        // an joins, pledges and posts an offer for it.
        #expect(try an.get(location).status == 200 && an.page.contains("<dd>loneliness, care</dd>") && an.page.contains(">Doe mee<"))
        #expect(try an.submit(location + "/join", [:]).status == 303)
        try an.get(location)
        #expect(an.page.contains("<dd>bewoner: 1</dd>"))
        #expect(try an.submit(location + "/pledge", ["kind": "time", "what": "twee uur per week bellen"]).status == 303)
        try an.get(location)
        #expect(an.page.contains("An (Tijd): twee uur per week bellen"))
        let challenge = String(location.dropFirst("/challenges/".count))
        #expect(try an.get("/listings/new?challenge=\(challenge)").status == 200 && an.page.contains("name=\"challenge\" value=\"\(challenge)\""))
        #expect(try an.submit("/listings/new", ["side": "offer", "kind": "time", "title": "Wekelijks telefoontje", "domain": "loneliness"]).status == 303)
        try an.get(location)
        #expect(an.page.contains(">Wekelijks telefoontje</a>"))
        // bram has not joined: his pledge is refused on the page; an cannot close it.
        let before = try s.headSeq()
        try bram.get(location)
        #expect(bram.page.contains(">Doe mee<") && !bram.page.contains("/pledge\""))
        let csrf = bram.hiddenFields(action: "/sign-out")["csrf"] ?? ""
        #expect(try bram.submit(location + "/pledge", ["csrf": csrf, "key": String(format: "%032x", 5), "kind": "goods", "what": "een gsm"], hidden: false).status == 422)
        try an.get(location)
        #expect(!an.page.contains("/close\""))
        let anCSRF = an.hiddenFields(action: "/sign-out")["csrf"] ?? ""
        #expect(try an.submit(location + "/close", ["csrf": anCSRF, "key": String(format: "%032x", 6)], hidden: false).status == 422)
        #expect(try s.headSeq() == before)
        // Its author closes it: no more joining.
        try stad.get(location)
        #expect(try stad.submit(location + "/close", [:]).status == 303)
        try bram.get(location)
        #expect(bram.page.contains("Deze uitdaging is afgelopen.") && !bram.page.contains("/join\""))
        #expect(try bram.get("/challenges").status == 200 && !bram.page.contains("href=\"\(location)\""))
    }
}
