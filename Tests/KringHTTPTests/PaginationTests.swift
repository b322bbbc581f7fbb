import Foundation
import KringCore
import KringHTTP
import KringStore
import KringTestSupport
import Testing

@Suite("HTTP pages")
struct PaginationTests {
    /// Follows `next_cursor` from `path` with `limit`, returning every page.
    func pages(_ s: TestServer, _ path: String, limit: Int, token: String?) throws -> [JSON] {
        var out = [JSON]()
        var cursor: String? = nil
        repeat {
            let sep = path.contains("?") ? "&" : "?"
            let target = path + sep + "limit=\(limit)" + (cursor.map { "&cursor=\($0)" } ?? "")
            let r = try s.call("GET", target, token: token)
            #expect(r.status == 200, "\(target): \(r.text)")
            guard let page = r.json else { break }
            out.append(page)
            cursor = page["next_cursor"]?.stringValue
            #expect(out.count < 100)
        } while cursor != nil && out.count < 100
        return out
    }

    @Test("pages of exchanges, members, statements and listings add up to the whole list, in order")
    func pagesAddUp() throws {
        let s = try TestServer()
        defer { s.stop() }
        let pairs = [("an", "bram"), ("bram", "chloe"), ("chloe", "an"), ("an", "daan"), ("daan", "bram")]
        for i in 0..<31 {
            let (p, r) = pairs[i % pairs.count]
            let res = try s.call("POST", "/v1/exchanges/recorded", token: s.coordinator, body: exchangeBody(p, r, minutes: 15 * (1 + i % 4), what: "x\(i)"), key: newKey())
            #expect(res.status == 201, "\(res.text)")
        }
        for i in 0..<12 {
            _ = try s.call("POST", "/v1/offers", token: s.tokens["an"], body: #"{"kind":"time","domain":"care","title":"Aanbod \#(i)"}"#, key: newKey())
        }
        func ids(_ pages: [JSON], _ key: String = "id") -> [String] {
            pages.flatMap { $0["items"]?.arrayValue ?? [] }.compactMap { $0[key]?.stringValue }
        }
        let whole = try pages(s, "/v1/exchanges", limit: 500, token: s.coordinator)
        #expect(whole.count == 1 && ids(whole).count == 31)
        let paged = try pages(s, "/v1/exchanges", limit: 7, token: s.coordinator)
        #expect(paged.count == 5 && ids(paged) == ids(whole))
        // A member's exchanges, paged, are theirs only and complete.
        let mine = ids(try pages(s, "/v1/exchanges", limit: 4, token: s.tokens["an"]))
        let theirs = ids(try pages(s, "/v1/exchanges?member=an", limit: 500, token: s.coordinator))
        #expect(mine == theirs && mine.count == 19)
        let members = try pages(s, "/v1/members", limit: 5, token: s.coordinator)
        #expect(ids(members) == (fixtureMembers.map(\.0.handle) + ["pool"]).sorted())
        let offers = try pages(s, "/v1/offers", limit: 5, token: nil)
        let allOffers = try pages(s, "/v1/offers", limit: 500, token: nil)
        #expect(ids(offers).count == 12 && ids(offers) == ids(allOffers))
        // Loans page by number, newest first.
        for i in 0..<9 {
            let r = try s.call("POST", "/v1/loans", token: s.tokens["an"], body: #"{"borrower":"bram","what":"ding \#(i)","due":"2026-06-20"}"#, key: newKey())
            #expect(r.status == 201, "\(r.text)")
        }
        let loans = try pages(s, "/v1/loans", limit: 4, token: s.coordinator)
        #expect(loans.count == 3 && ids(loans) == (1...9).reversed().map { "ln-\($0)" })
        #expect(ids(try pages(s, "/v1/loans?open=true", limit: 2, token: s.tokens["bram"])).count == 9)
        // Statement pages chain: each opens where the previous closed, and the lines run on.
        let statement = try pages(s, "/v1/members/an/statement", limit: 4, token: s.tokens["an"])
        let full = try pages(s, "/v1/members/an/statement", limit: 500, token: s.tokens["an"])[0]
        var previousClosing: Int64 = 0
        var lines = [JSON]()
        for page in statement {
            #expect(page["opening_minutes"]?.intValue == previousClosing)
            previousClosing = page["closing_minutes"]?.intValue ?? -1
            lines += page["lines"]?.arrayValue ?? []
        }
        #expect(lines == full["lines"]?.arrayValue)
        #expect(previousClosing == full["closing_minutes"]?.intValue)
        let balance = try Reader(path: s.path).balance("an")
        #expect(previousClosing == balance?.value)
    }
}

@Suite("HTTP statistics")
struct StatsHTTPTests {
    @Test("/v1/verify compares the maintained statistics with a recomputation: equal on a sound ledger; a projection changed behind the server's back shows, and the next report reads every fact again")
    func verifyComparesMaintainedStatistics() throws {
        let s = try TestServer()
        defer { s.stop() }
        func record(_ i: Int) throws {
            let (p, r) = (fixtureMembers[i % 6].0.handle, fixtureMembers[(i + 1) % 6].0.handle)
            #expect(try s.call("POST", "/v1/exchanges/recorded", token: s.coordinator, body: exchangeBody(p, r, what: "x\(i)"), key: newKey()).status == 201)
        }
        for i in 0..<12 { try record(i) }
        #expect(try s.call("GET", "/v1/verify", token: s.coordinator).json?["statistics"] == .null, "none kept before the first report")
        #expect(try s.call("GET", "/v1/stats?period=year").status == 200)
        try record(12)
        let sound = try s.call("GET", "/v1/verify", token: s.coordinator).json?["statistics"]
        let head = try s.headSeq()
        #expect(sound?["equal"] == .bool(true) && sound?["seq"]?.intValue == head, "\(String(describing: sound))")
        #expect(s.api.statsFollower.paths.rebuilds == 1 && s.api.statsFollower.paths.catchUps == 1)
        // An exchange's domain changed in the projection, with no journal entry: the
        // maintained statistics cannot know; the recomputation reads it.
        try Connection(path: s.path).execute("UPDATE exchanges SET domain = 'culture' WHERE num = 2")
        try record(13)
        let tampered = try s.call("GET", "/v1/verify", token: s.coordinator).json?["statistics"]
        #expect(tampered?["equal"] == .bool(false), "\(String(describing: tampered))")
        let culture = try s.call("GET", "/v1/stats?period=quarter&k=5").json?["tables"]?.arrayValue?.first { $0["name"]?.stringValue == "domain" }
        #expect(s.api.statsFollower.paths.rebuilds == 2, "read every fact again after the difference")
        #expect(culture?["rows"]?.arrayValue?.contains { $0["category"]?.stringValue == "culture" } == true)
    }

    @Test("GET /v1/stats gives JSON, or CSV when asked; GET /stats the page; all public, with the ledger head")
    func statsOverHTTP() throws {
        let s = try TestServer()
        defer { s.stop() }
        for i in 0..<12 {
            let (p, r) = (fixtureMembers[i % 6].0.handle, fixtureMembers[(i + 1) % 6].0.handle)
            _ = try s.call("POST", "/v1/exchanges/recorded", token: s.coordinator, body: exchangeBody(p, r, what: "x\(i)"), key: newKey())
        }
        let head = try s.headSeq()
        let json = try s.call("GET", "/v1/stats?period=year")
        #expect(json.status == 200 && json.header("Content-Type") == "application/json")
        #expect(json.json?["ledger_head"]?["seq"]?.intValue == head && json.json?["k"]?.intValue == 5)
        // Six people helped each other: enough for the totals at k = 5.
        let total = json.json?["tables"]?.arrayValue?.first { $0["name"]?.stringValue == "total" }
        let allCredits = total?["rows"]?.arrayValue?.first?["cells"]?.arrayValue?.last?["credits"]?.intValue
        #expect(allCredits == Int64(12 * 60))
        let c = try RawClient(port: s.port)
        c.send(requestBytes("GET", "/v1/stats", extra: ["Accept: text/csv"]))
        let csv = c.read()
        #expect(csv?.status == 200 && csv?.header("Content-Type")?.hasPrefix("text/csv") == true && csv?.text.hasPrefix("table,category,period") == true)
        let page = try s.call("GET", "/stats?lang=en")
        #expect(page.status == 200 && page.header("Content-Type")?.hasPrefix("text/html") == true && page.text.contains("Kring in figures"))
        // A second call at the same head is served from the cache, byte for byte.
        #expect(try s.call("GET", "/v1/stats?period=year").body == json.body)
        #expect(try s.call("GET", "/v1/stats?k=2").status == 400)
        // A write moves the head; within a minute the same question gets the same (named) answer,
        // another question a fresh one.
        _ = try s.call("POST", "/v1/exchanges/recorded", token: s.coordinator, body: exchangeBody("an", "bram", what: "later"), key: newKey())
        #expect(try s.call("GET", "/v1/stats?period=year").json?["ledger_head"]?["seq"]?.intValue == head)
        #expect(try s.call("GET", "/v1/stats?period=quarter").json?["ledger_head"]?["seq"]?.intValue == head + 1)
    }
}
