import Foundation
import KringCore
import KringHTTP
import KringStore
import KringTestSupport
import Testing

/// A browser as far as the pages need one: a cookie jar, a language, forms read from the HTML
/// and posted back with their hidden fields, as a person's browser does.
final class Browser {
    let server: TestServer
    var cookies = [String: String]()
    var origin = "http://test"
    var acceptLanguage = "nl-BE,nl;q=0.9,en;q=0.5"
    /// The last page's HTML.
    var page = ""

    init(_ server: TestServer) { self.server = server }

    @discardableResult
    func get(_ path: String) throws -> WireResponse { try send("GET", path, body: nil) }

    /// Posts `fields` to `path` with the hidden fields of the last page's form for that action
    /// (its CSRF token and idempotency key), as submitting that form does.
    @discardableResult
    func submit(_ path: String, _ fields: [String: String], hidden: Bool = true) throws -> WireResponse {
        var all = hidden ? hiddenFields(action: path) : [:]
        for (k, v) in fields { all[k] = v }
        // In one order every time, as a browser sends a form's fields in document order: a
        // form sent again is then the same request (the idempotency key's hash covers it).
        let body = all.sorted { $0.key < $1.key }.map { "\(Browser.encode($0.key))=\(Browser.encode($0.value))" }.joined(separator: "&")
        return try send("POST", path, body: body)
    }

    func send(_ method: String, _ path: String, body: String?) throws -> WireResponse {
        var extra = ["Accept-Language: \(acceptLanguage)"]
        if !cookies.isEmpty { extra.append("Cookie: " + cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
        if method == "POST" { extra.append("Origin: \(origin)") }
        let c = try RawClient(port: server.port)
        c.send(requestBytes(method, path, body: body, contentType: body == nil ? nil : "application/x-www-form-urlencoded", extra: extra))
        guard let r = c.read() else { throw ServerTestError("no answer to \(method) \(path)") }
        for (name, value) in r.headers where name.lowercased() == "set-cookie" {
            let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if value.contains("Max-Age=0") { cookies[String(pair[0])] = nil } else { cookies[String(pair[0])] = String(pair[1]) }
        }
        if r.header("content-type")?.hasPrefix("text/html") == true { page = r.text }
        return r
    }

    /// The hidden inputs of the form posting to `action` on the last page.
    func hiddenFields(action: String) -> [String: String] {
        guard let start = page.range(of: "action=\"\(action)\"") else { return [:] }
        let form = page[start.upperBound...].prefix { _ in true }
        let end = form.range(of: "</form>")?.lowerBound ?? form.endIndex
        var out = [String: String]()
        let regex = try! NSRegularExpression(pattern: "<input type=\"hidden\" name=\"([a-z0-9_-]+)\" value=\"([^\"]*)\"")
        let text = String(form[..<end])
        for m in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            // As a browser reads an attribute: character references become characters.
            out[String(text[Range(m.range(at: 1), in: text)!])] = String(text[Range(m.range(at: 2), in: text)!])
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
                .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
        }
        return out
    }

    /// Fills in "log an exchange", checks it on the review page and sends it from there, as a
    /// person does; the review's answer when it was refused.
    @discardableResult
    func propose(_ fields: [String: String]) throws -> WireResponse {
        try get("/exchanges/new")
        let review = try submit("/exchanges/new", fields)
        guard review.status == 200 else { return review }
        return try submit("/exchanges/new", ["step": "send"])
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed)!
    }
}

@Suite("Web pages", .serialized)
struct WebTests {
    /// A server, an invitation for `member` opened and accepted in `browser`.
    static func signedIn(_ s: TestServer, _ member: MemberID, label: String = "", role: TokenRole = .member,
                         password: String = "een lange zin als wachtwoord") throws -> Browser {
        let b = Browser(s)
        let invitation = try Ledger(path: s.path, clock: s.clock.clock).invite(member: member, label: label, role: role)
        #expect(try b.get("/invitation/\(invitation.code)").status == 200)
        let r = try b.submit("/invitation/\(invitation.code)", ["password": password, "repeat": password])
        #expect(r.status == 303 && r.header("location") == "/", "\(r.status) \(r.text.prefix(300))")
        return b
    }

    @Test("an invitation sets a password once; sign-in answers alike for a wrong password and an unknown login; sign-out ends the session")
    func signingIn() throws {
        let s = try TestServer()
        defer { s.stop() }
        let an = try Self.signedIn(s, "an")
        #expect(an.cookies["kring_session"]?.count == 64)
        let home = try an.get("/")
        #expect(home.status == 200 && an.page.contains("<h1>Mijn overzicht</h1>") && an.page.contains("Je saldo staat op nul."))
        // Sign-in as a person does it.
        let b = Browser(s)
        try b.get("/sign-in")
        let wrong = try b.submit("/sign-in", ["login": "an", "password": "niet het wachtwoord"])
        let wrongPage = b.page
        try b.get("/sign-in")
        let unknown = try b.submit("/sign-in", ["login": "niemand", "password": "niet het wachtwoord"])
        #expect(wrong.status == 401 && unknown.status == 401 && wrongPage.contains("Die login en dat wachtwoord horen niet bij elkaar."))
        #expect(wrongPage.replacingOccurrences(of: "value=\"an\"", with: "value=\"X\"") == b.page.replacingOccurrences(of: "value=\"niemand\"", with: "value=\"X\""),
                "the two refusals differ beyond the name typed")
        try b.get("/sign-in")
        let right = try b.submit("/sign-in", ["login": "an", "password": "een lange zin als wachtwoord"])
        #expect(right.status == 303 && b.cookies["kring_session"] != nil)
        #expect(try b.get("/").status == 200 && b.page.contains("Mijn overzicht"))
        // Sign out: the session ends on the server, not only in the browser.
        let cookie = b.cookies["kring_session"]!
        try b.submit("/sign-out", [:])
        #expect(b.cookies["kring_session"] == nil)
        b.cookies["kring_session"] = cookie
        #expect(try b.get("/").status == 200 && b.page.contains("Welkom bij Kring"))
        #expect(try b.get("/exchanges/new").status == 401)
        // The invitation worked once.
        let used = try Ledger(path: s.path, clock: s.clock.clock).invite(member: "bram")
        let first = Browser(s)
        try first.get("/invitation/\(used.code)")
        try first.submit("/invitation/\(used.code)", ["password": "kort", "repeat": "kort"])
        #expect(first.page.contains("Een wachtwoord heeft minstens 10 tekens, niet 4."))
        try first.submit("/invitation/\(used.code)", ["password": "een ander lang wachtwoord", "repeat": "een ander lang wachtwoord"])
        #expect(try first.get("/invitation/\(used.code)").status == 410 && first.page.contains("Deze uitnodiging werd al gebruikt"))
        #expect(try first.get("/invitation/kring_\(String(repeating: "0", count: 64))").status == 404)
    }

    @Test("failed sign-ins are throttled per login and address with a growing wait, stated on the page")
    func throttling() throws {
        let s = try TestServer()
        defer { s.stop() }
        _ = try Self.signedIn(s, "chloe")
        let b = Browser(s)
        var statuses = [Int]()
        for _ in 0..<7 {
            try b.get("/sign-in")
            statuses.append(try b.submit("/sign-in", ["login": "chloe", "password": "fout fout fout"]).status)
        }
        #expect(Array(statuses.prefix(5)) == [401, 401, 401, 401, 401])
        #expect(statuses.last == 429 && b.page.contains("Probeer opnieuw over"))
        // Another login from the same address is not held back by chloe's failures.
        try b.get("/sign-in")
        #expect(try b.submit("/sign-in", ["login": "an", "password": "fout fout fout"]).status == 401)
    }

    @Test("forms without their CSRF token or from another origin change nothing; a form posted twice writes once; a refused form keeps the input and says why beside the field")
    func forms() throws {
        let s = try TestServer()
        defer { s.stop() }
        let an = try Self.signedIn(s, "an")
        try an.get("/exchanges/new")
        let head = try s.headSeq()
        let fields = ["direction": "gave", "other": "bram", "what": "boodschappen <b>vet</b>", "domain": "care", "date": s.clock.today.description, "hours": "1,5"]
        // Without the token, with another's token, from another origin: 403, nothing written.
        #expect(try an.submit("/exchanges/new", fields, hidden: false).status == 403)
        var forged = an.hiddenFields(action: "/exchanges/new")
        forged["csrf"] = String(repeating: "a", count: 64)
        #expect(try an.submit("/exchanges/new", fields.merging(forged) { $1 }, hidden: false).status == 403)
        an.origin = "http://evil.example"
        #expect(try an.submit("/exchanges/new", fields).status == 403)
        an.origin = "http://test"
        #expect(try s.headSeq() == head)
        // Checked first: the review says what it does to an's own balance and writes nothing.
        try an.get("/exchanges/new")
        #expect(try an.submit("/exchanges/new", fields).status == 200)
        #expect(an.page.contains("Als de anderen bevestigen, gaat je saldo van 0 u naar 1,5 u.") && an.page.contains("<dd>Bram</dd>"), "\(an.page)")
        #expect(try s.headSeq() == head)
        // Sent twice from the review (a double click, a reload): one exchange.
        let first = try an.submit("/exchanges/new", ["step": "send"])
        let second = try an.submit("/exchanges/new", ["step": "send"])
        #expect(first.status == 303 && second.status == 303 && first.header("location") == second.header("location"))
        #expect(try s.headSeq() == head + 1)
        let location = try #require(first.header("location"))
        #expect(try an.get(location).status == 200 && an.page.contains("boodschappen &lt;b&gt;vet&lt;/b&gt;") && !an.page.contains("<b>vet"))
        // Refused: 30 h is more than one exchange moves; the input stays, the sentence is by
        // the hours field and in the summary, in the person's language, and nothing changed.
        try an.get("/exchanges/new")
        let refused = try an.submit("/exchanges/new", fields.merging(["hours": "30", "what": "verhuis"]) { $1 })
        #expect(refused.status == 422 && an.page.contains("value=\"verhuis\"") && an.page.contains("id=\"hours-error\""))
        #expect(an.page.contains("Eén uitwisseling verrekent hoogstens 24 u per paar; 30 u is meer.") && an.page.contains("aria-describedby=\"hours-hint hours-error\""))
        #expect(try s.headSeq() == head + 1)
        an.acceptLanguage = "en"
        an.cookies["kring_lang"] = "en"
        try an.get("/exchanges/new")
        try an.submit("/exchanges/new", fields.merging(["hours": "30"]) { $1 })
        #expect(an.page.contains("One exchange moves at most 24 h per pair; 30 h is more.") && an.page.contains("lang=\"en\""))
    }

    @Test("the other member confirms; both overviews show the new balances; no one else sees the exchange")
    func confirmingAndPrivacy() throws {
        let s = try TestServer()
        defer { s.stop() }
        let an = try Self.signedIn(s, "an"), bram = try Self.signedIn(s, "bram"), chloe = try Self.signedIn(s, "chloe")
        let r = try an.propose(["direction": "gave", "other": "bram", "what": "tuin", "domain": "care", "date": s.clock.today.description, "hours": "2"])
        let location = try #require(r.header("location"))
        // chloe takes no part: not found, and her confirm (with her own valid token) is not
        // found either and changes nothing.
        #expect(try chloe.get(location).status == 404)
        #expect(try bram.get("/").status == 200 && bram.page.contains("href=\"\(location)\""))
        #expect(try bram.get(location).status == 200)
        let head = try s.headSeq()
        #expect(try chloe.submit(location + "/confirm", ["csrf": chloe.hiddenFields(action: "/sign-out")["csrf"] ?? "", "key": "0123456789abcdef0123456789abcdef"], hidden: false).status == 404)
        #expect(try s.headSeq() == head)
        #expect(try bram.submit(location + "/confirm", [:]).status == 303)
        try an.get("/")
        #expect(an.page.contains("<strong>2 u</strong>"))
        try bram.get("/")
        #expect(bram.page.contains("<strong>-2 u</strong>") && bram.page.contains("Je staat 2 u in het rood."))
    }

    @Test("the statement shows the month's lines with the running balance and the ledger head, as a page and as CSV; settings change the password and sign out everywhere")
    func statementAndSettings() throws {
        let s = try TestServer()
        defer { s.stop() }
        let ledger = try Ledger(path: s.path, clock: s.clock.clock)
        _ = try ledger.execute(.record(ExchangeDraft(providers: ["an"], receivers: ["bram"], kind: .time, domain: "care", what: "=HYPERLINK(\"x\")",
                                                     credits: Minutes(90)), reason: nil), by: .coordinator)
        let an = try Self.signedIn(s, "an", password: "een lange zin als wachtwoord")
        #expect(try an.get("/statement").status == 200)
        let head = try s.headSeq()
        #expect(an.page.contains("<h2>juni 2026</h2>") && an.page.contains("+1,5 u") && an.page.contains("Opgemaakt uit het journaal tot positie \(head)"))
        let csv = try an.get("/statement.csv")
        #expect(csv.status == 200 && csv.header("content-type")?.hasPrefix("text/csv") == true)
        #expect(csv.text.contains(",exchange,ex-1,bram,\"'=HYPERLINK(\"\"x\"\")\",90,90,"), "\(csv.text)")
        // bram's statement is his: it shows -1,5 u, never an's.
        let bram = try Self.signedIn(s, "bram")
        try bram.get("/statement")
        #expect(bram.page.contains("-1,5 u") && !bram.page.contains("+1,5 u"))
        // A second browser of an's; a password change ends it and keeps the one that asked.
        let other = Browser(s)
        try other.get("/sign-in")
        #expect(try other.submit("/sign-in", ["login": "an", "password": "een lange zin als wachtwoord"]).status == 303)
        try an.get("/settings")
        #expect(an.page.contains("2 open sessie(s)"))
        #expect(try an.submit("/settings/password", ["current": "fout wachtwoord", "password": "nog een lange zin", "repeat": "nog een lange zin"]).status == 422)
        #expect(an.page.contains("Dat is niet je huidige wachtwoord."))
        try an.get("/settings")
        #expect(try an.submit("/settings/password", ["current": "een lange zin als wachtwoord", "password": "nog een lange zin", "repeat": "nog een lange zin"]).status == 303)
        #expect(try an.get("/settings?changed=1").status == 200 && an.page.contains("Je wachtwoord is gewijzigd."))
        #expect(try other.get("/settings").status == 401)
        // Sign out everywhere: this browser too.
        try an.submit("/settings/sign-out-everywhere", [:])
        #expect(try an.get("/settings").status == 401)
    }

    @Test("a storage failure answers 500 with its own page in the visitor's language (not the expired form's), and the server goes on serving")
    func storageFailurePage() throws {
        let s = try TestServer()
        defer { s.stop() }
        let visitor = Browser(s)
        #expect(try visitor.get("/offers").status == 200)
        // A table gone from under the running server, as a damaged file would make it.
        try Connection(path: s.path).execute("ALTER TABLE listings RENAME TO listings_away")
        #expect(try visitor.get("/offers").status == 500)
        #expect(visitor.page.contains("<h1>Er ging iets mis</h1>") && !visitor.page.contains("Formulier verlopen"), "\(visitor.page)")
        #expect(WebMatrixTests.markupProblems(visitor.page).isEmpty)
        visitor.acceptLanguage = "en"
        #expect(try visitor.get("/offers").status == 500 && visitor.page.contains("<h1>Something went wrong</h1>"))
        #expect(try visitor.get("/sign-in").status == 200, "other pages still answer")
    }

    @Test("every page carries the security headers, one h1, lang, labelled controls and the hashed stylesheet (cached, 304 on its ETag)")
    func pagesAndStylesheet() throws {
        let s = try TestServer()
        defer { s.stop() }
        let an = try Self.signedIn(s, "an")
        for path in ["/", "/exchanges/new", "/statement", "/settings", "/sign-in", "/nowhere"] {
            let r = try an.get(path)
            #expect(r.header("content-security-policy")?.contains("default-src 'none'") == true && r.header("x-content-type-options") == "nosniff")
            #expect(r.header("referrer-policy") == "same-origin" && r.header("content-security-policy")?.contains("frame-ancestors 'none'") == true)
            #expect(an.page.components(separatedBy: "<h1>").count == 2 && an.page.contains("<html lang=\"nl\">"), "\(path)")
            // Every input but hidden ones has a label naming it; ids are unique.
            let ids = Self.matches("id=\"([^\"]+)\"", an.page)
            #expect(Set(ids).count == ids.count, "\(path): duplicate ids")
            for id in Self.matches("<input id=\"([^\"]+)\"", an.page) { #expect(an.page.contains("<label for=\"\(id)\""), "\(path): \(id) has no label") }
            #expect(!an.page.contains("<script") && !an.page.contains("http://") && !an.page.contains("https://"), "\(path)")
        }
        let css = Self.matches("href=\"(/assets/kring-[0-9a-f]{16}\\.css)\"", an.page).first ?? ""
        let sheet = try an.get(css)
        #expect(sheet.status == 200 && sheet.header("cache-control")?.contains("immutable") == true && sheet.header("content-type")?.hasPrefix("text/css") == true)
        let etag = try #require(sheet.header("etag"))
        let c = try RawClient(port: s.port)
        c.send(requestBytes("GET", css, extra: ["If-None-Match: \(etag)"]))
        #expect(c.read()?.status == 304)
        #expect(try an.get("/assets/kring-0000000000000000.css").status == 404)
    }

    static func matches(_ pattern: String, _ text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range(at: 1), in: text)!]) }
    }
}
