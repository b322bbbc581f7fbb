import Foundation
import KringCore
import KringHTTP
import KringStore
import KringTestSupport
import Testing

/// Every route as each role: the public (no token), a member acting for themself, a member
/// reaching for another's account, and the coordinator.
@Suite("HTTP authorisation matrix")
struct AuthorizationTests {
    /// One call of the matrix: who calls (nil is the public), what, and the status expected.
    struct Row: CustomStringConvertible {
        let who: String?
        let method: String
        let path: String
        let body: String?
        let status: Int
        var description: String { "\(who ?? "public") \(method) \(path) → \(status)" }
    }

    static func row(_ who: String?, _ method: String, _ path: String, _ status: Int, _ body: String? = nil) -> Row {
        Row(who: who, method: method, path: path, body: body ?? (method == "POST" ? "{}" : nil), status: status)
    }

    /// The route template a concrete path belongs to.
    static func template(of path: String, method: String, in table: [(method: String, template: String, access: Access)]) -> String? {
        let parts = path.split(separator: "?")[0].split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        return table.first { r in
            let segs = r.template.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
            return r.method == method && segs.count == parts.count && zip(segs, parts).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }?.template
    }

    @Test("members act only for themselves; the coordinator for anyone; the public reads public data only")
    func matrix() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = "coordinator"
        // State the rows act on: a space offer with hours, a proposal an → bram, a challenge.
        var setup = [
            try s.call("POST", "/v1/offers", token: s.coordinator, body: #"{"author":"coworking","kind":"space","domain":"work","title":"Vergaderzaal","text":"zaal voor tien"}"#, key: newKey()),
            try s.call("POST", "/v1/offers/of-1/hours", token: s.tokens["coworking"], body: #"{"capacity":10,"weekly":"mon-sun 08:00-22:00"}"#, key: newKey()),
            try s.call("POST", "/v1/exchanges", token: s.tokens["an"], body: exchangeBody("an", "bram"), key: newKey()),
            try s.call("POST", "/v1/challenges", token: s.tokens["fanfare"], body: #"{"title":"Pleinfeest","domains":["culture"],"ends":"2026-09-01"}"#, key: newKey()),
        ]
        setup.append(try s.call("POST", "/v1/exchanges", token: s.coordinator, body: exchangeBody("chloe", "daan", extra: #","as":"chloe""#), key: newKey()))
        for r in setup { #expect(r.status == 201 || r.status == 200, "setup: \(r.text)") }

        let rows: [Row] = [
            Self.row(nil, "GET", "/health", 200), Self.row(nil, "GET", "/metrics", 200), Self.row(nil, "GET", "/v1/ledger/head", 200),
            Self.row(nil, "GET", "/v1/offers", 200), Self.row(nil, "GET", "/v1/requests", 200), Self.row(nil, "GET", "/v1/listings/of-1", 200),
            Self.row(nil, "GET", "/v1/search?q=zaal", 200),
            Self.row("an", "GET", "/v1/offers", 200), Self.row(c, "GET", "/v1/requests", 200), Self.row("an", "GET", "/v1/search?q=zaal", 200),
            Self.row(c, "GET", "/health", 200), Self.row("an", "GET", "/metrics", 200), Self.row(c, "GET", "/v1/ledger/head", 200),
            Self.row("an", "GET", "/health", 200), Self.row(c, "GET", "/metrics", 200), Self.row("an", "GET", "/v1/ledger/head", 200),
            Self.row(c, "GET", "/v1/offers", 200), Self.row("an", "GET", "/v1/requests", 200), Self.row(c, "GET", "/v1/search?q=zaal&side=offer", 200),
            Self.row(c, "GET", "/v1/listings/of-1", 200), Self.row("an", "GET", "/v1/listings/of-1", 200),
            Self.row("an", "GET", "/v1/me", 200), Self.row(c, "GET", "/v1/me", 200),
            Self.row(nil, "GET", "/v1/stats", 200), Self.row("an", "GET", "/v1/stats?period=quarter&by=domain", 200), Self.row(c, "GET", "/v1/stats?k=10", 200),
            Self.row(nil, "GET", "/stats", 200), Self.row("an", "GET", "/stats?lang=en", 200), Self.row(c, "GET", "/stats?period=year", 200),
            Self.row(nil, "GET", "/v1/stats?k=4", 400), Self.row(nil, "GET", "/stats?lang=fr", 400), Self.row(nil, "GET", "/v1/stats?from=1900-01-01", 400),
            Self.row("an", "GET", "/v1/members", 200), Self.row(c, "GET", "/v1/members", 200),
            Self.row("an", "GET", "/v1/members/bram", 200), Self.row(c, "GET", "/v1/members/bram", 200),
            Self.row("an", "GET", "/v1/members/bram/balance", 403), Self.row("bram", "GET", "/v1/members/bram/balance", 200), Self.row(c, "GET", "/v1/members/bram/balance", 200),
            Self.row("an", "GET", "/v1/members/bram/statement", 403), Self.row("bram", "GET", "/v1/members/bram/statement", 200), Self.row(c, "GET", "/v1/members/bram/statement", 200),
            Self.row("an", "GET", "/v1/exchanges?member=bram", 403), Self.row("bram", "GET", "/v1/exchanges", 200), Self.row(c, "GET", "/v1/exchanges?member=bram", 200),
            Self.row("chloe", "GET", "/v1/exchanges/ex-1", 403), Self.row("an", "GET", "/v1/exchanges/ex-1", 200), Self.row("bram", "GET", "/v1/exchanges/ex-1", 200),
            Self.row(c, "GET", "/v1/exchanges/ex-1", 200),
            Self.row("an", "GET", "/v1/pool", 200), Self.row(c, "GET", "/v1/pool", 200),
            Self.row("an", "GET", "/v1/offers/of-1/bookings", 200), Self.row(c, "GET", "/v1/offers/of-1/bookings", 200),
            Self.row("an", "GET", "/v1/loans?member=bram", 403), Self.row("bram", "GET", "/v1/loans", 200), Self.row(c, "GET", "/v1/loans", 200),
            Self.row(c, "GET", "/v1/loans?open=true", 200), Self.row("bram", "GET", "/v1/loans?open=true", 200),
            Self.row("an", "GET", "/v1/loans/overdue", 403), Self.row(c, "GET", "/v1/loans/overdue", 200),
            Self.row("an", "GET", "/v1/matches", 200), Self.row(c, "GET", "/v1/matches", 200),
            Self.row("an", "GET", "/v1/introductions", 200), Self.row(c, "GET", "/v1/introductions", 200),
            Self.row("an", "POST", "/v1/introductions", 403, #"{"request":"rq-3","offer":"of-99"}"#),
            Self.row(c, "POST", "/v1/introductions", 404, #"{"request":"rq-3","offer":"of-99"}"#),
            Self.row("an", "GET", "/v1/challenges", 200), Self.row(c, "GET", "/v1/challenges", 200),
            Self.row("an", "GET", "/v1/challenges/ch-1", 200), Self.row(c, "GET", "/v1/challenges/ch-1", 200),
            Self.row("an", "GET", "/v1/policy", 200), Self.row(c, "GET", "/v1/policy", 200),
            Self.row("an", "GET", "/v1/verify", 403), Self.row(c, "GET", "/v1/verify", 200),

            Self.row("an", "POST", "/v1/members", 403, #"{"id":"gert","name":"Gert","kind":"person"}"#),
            Self.row(c, "POST", "/v1/members", 201, #"{"id":"gert","name":"Gert","kind":"person"}"#),
            Self.row("an", "POST", "/v1/members/daan/suspend", 403), Self.row(c, "POST", "/v1/members/gert/suspend", 200),
            Self.row("an", "POST", "/v1/members/gert/reinstate", 403), Self.row(c, "POST", "/v1/members/gert/reinstate", 200),
            Self.row("an", "POST", "/v1/members/an/limits", 403, #"{"floor_minutes":-600}"#), Self.row(c, "POST", "/v1/members/an/limits", 200, #"{"floor_minutes":-600}"#),
            Self.row("an", "POST", "/v1/members/bram/leave", 403), Self.row("gert", "POST", "/v1/members/gert/leave", 401),
            Self.row("els", "POST", "/v1/members/els/leave", 200), Self.row(c, "POST", "/v1/members/gert/leave", 200),
            Self.row("an", "POST", "/v1/policy", 403, #"{"setting":"pair-cap","value":"50h"}"#),
            Self.row(c, "POST", "/v1/policy", 200, #"{"setting":"pair-cap","value":"50h"}"#),
            Self.row("bram", "POST", "/v1/exchanges", 403, exchangeBody("an", "bram", extra: #","as":"an""#)),
            Self.row("chloe", "POST", "/v1/exchanges", 201, exchangeBody("chloe", "fatima")),
            Self.row(c, "POST", "/v1/exchanges", 403, exchangeBody("an", "bram")),  // a coordinator names the party in as
            Self.row("an", "POST", "/v1/exchanges/recorded", 403, exchangeBody("an", "bram")),
            Self.row(c, "POST", "/v1/exchanges/recorded", 201, exchangeBody("an", "fatima")),
            Self.row("chloe", "POST", "/v1/exchanges/ex-1/confirm", 403), Self.row("bram", "POST", "/v1/exchanges/ex-1/confirm", 200),
            Self.row("an", "POST", "/v1/exchanges/ex-2/reject", 403), Self.row(c, "POST", "/v1/exchanges/ex-2/reject", 200, #"{"as":"daan"}"#),
            Self.row("fatima", "POST", "/v1/exchanges/ex-3/cancel", 403), Self.row("chloe", "POST", "/v1/exchanges/ex-3/cancel", 200),
            Self.row("an", "POST", "/v1/exchanges/ex-1/reverse", 403, #"{"reason":"x"}"#), Self.row(c, "POST", "/v1/exchanges/ex-4/reverse", 200, #"{"reason":"typed twice"}"#),
            Self.row("an", "POST", "/v1/pool/donations", 403, #"{"from":"bram","credits_minutes":15}"#),
            Self.row("bram", "POST", "/v1/pool/donations", 201, #"{"credits_minutes":15}"#),
            Self.row("an", "POST", "/v1/pool/donations", 201, #"{"credits_minutes":30}"#),
            Self.row(c, "POST", "/v1/pool/donations", 201, #"{"from":"an","credits_minutes":15}"#),
            Self.row("an", "POST", "/v1/pool/grants", 403, #"{"to":"bram","credits_minutes":15,"reason":"x"}"#),
            Self.row(c, "POST", "/v1/pool/grants", 201, #"{"to":"bram","credits_minutes":15,"reason":"steun"}"#),
            Self.row("an", "POST", "/v1/offers", 403, #"{"author":"bram","kind":"time","domain":"care","title":"Koken"}"#),
            Self.row("an", "POST", "/v1/offers", 201, #"{"kind":"time","domain":"care","title":"Koken voor buren"}"#),
            Self.row("bram", "POST", "/v1/requests", 403, #"{"author":"an","kind":"time","domain":"care","title":"Hulp"}"#),
            Self.row("bram", "POST", "/v1/requests", 201, #"{"kind":"time","domain":"care","title":"Hulp bij koken"}"#),
            Self.row(c, "POST", "/v1/requests", 201, #"{"author":"chloe","kind":"goods","domain":"climate-energy","title":"Boormachine"}"#),
            Self.row("bram", "POST", "/v1/listings/of-2/edit", 403, #"{"kind":"time","domain":"care","title":"Koken"}"#),
            Self.row("an", "POST", "/v1/listings/of-2/edit", 200, #"{"kind":"time","domain":"care","title":"Koken voor de buurt"}"#),
            Self.row("bram", "POST", "/v1/listings/of-2/renew", 403), Self.row(c, "POST", "/v1/listings/of-2/renew", 200, #"{"days":30}"#),
            Self.row("bram", "POST", "/v1/listings/of-2/withdraw", 403), Self.row("an", "POST", "/v1/listings/of-2/withdraw", 200),
            // A withdrawn listing is history: its author and the coordinator still see it, others do not.
            Self.row(nil, "GET", "/v1/listings/of-2", 404), Self.row("bram", "GET", "/v1/listings/of-2", 404),
            Self.row("an", "GET", "/v1/listings/of-2", 200), Self.row(c, "GET", "/v1/listings/of-2", 200),
            Self.row("an", "POST", "/v1/offers/of-1/hours", 403, #"{"capacity":3,"weekly":"mon 08:00-09:00"}"#),
            Self.row(c, "POST", "/v1/offers/of-1/hours", 200, #"{"capacity":10,"weekly":"mon-sun 08:00-22:00","closed":["2026-12-25"]}"#),
            Self.row("an", "POST", "/v1/bookings", 403, #"{"offer":"of-1","member":"bram","date":"2026-06-03","from":"10:00","to":"12:00","people":4}"#),
            Self.row("an", "POST", "/v1/bookings", 201, #"{"offer":"of-1","date":"2026-06-03","from":"10:00","to":"12:00","people":4}"#),
            Self.row("bram", "POST", "/v1/bookings/bk-1/cancel", 403), Self.row("an", "POST", "/v1/bookings/bk-1/cancel", 200),
            Self.row(c, "POST", "/v1/bookings", 201, #"{"offer":"of-1","member":"bram","date":"2026-06-04","from":"10:00","to":"12:00","people":4}"#),
            Self.row(c, "POST", "/v1/bookings/bk-2/cancel", 200),
            Self.row("an", "POST", "/v1/loans", 403, #"{"lender":"bram","borrower":"an","what":"ladder","due":"2026-06-10"}"#),
            Self.row("an", "POST", "/v1/loans", 201, #"{"borrower":"bram","what":"ladder","due":"2026-06-10"}"#),
            Self.row("bram", "POST", "/v1/loans/ln-1/return", 403), Self.row("an", "POST", "/v1/loans/ln-1/return", 200),
            Self.row(c, "POST", "/v1/loans", 201, #"{"lender":"bakkerij","borrower":"bram","what":"bakvorm","due":"2026-06-10"}"#),
            Self.row(c, "POST", "/v1/loans/ln-2/return", 200),
            Self.row("bram", "POST", "/v1/challenges", 403, #"{"author":"fanfare","title":"X","domains":["culture"],"ends":"2026-09-01"}"#),
            Self.row(c, "POST", "/v1/challenges", 201, #"{"author":"stad","title":"Groene speelplaats","domains":["climate-energy"],"ends":"2026-10-01"}"#),
            Self.row("an", "POST", "/v1/challenges/ch-1/join", 403, #"{"member":"bram"}"#),
            Self.row("an", "POST", "/v1/challenges/ch-1/join", 200), Self.row(c, "POST", "/v1/challenges/ch-1/join", 200, #"{"member":"bram"}"#),
            Self.row("an", "POST", "/v1/challenges/ch-1/pledges", 403, #"{"member":"bram","kind":"time","what":"opbouw"}"#),
            Self.row("an", "POST", "/v1/challenges/ch-1/pledges", 201, #"{"kind":"time","what":"opbouw"}"#),
            Self.row(c, "POST", "/v1/challenges/ch-1/pledges", 201, #"{"member":"bram","kind":"goods","what":"tafels"}"#),
            Self.row("an", "POST", "/v1/challenges/ch-1/close", 403), Self.row("fanfare", "POST", "/v1/challenges/ch-1/close", 200),
            Self.row(c, "POST", "/v1/challenges/ch-2/close", 200),
            Self.row(c, "POST", "/v1/offers", 201, #"{"author":"bakkerij","kind":"goods","domain":"food","title":"Brood van gisteren"}"#),
            Self.row(c, "POST", "/v1/listings/of-5/edit", 200, #"{"kind":"goods","domain":"food","title":"Brood en koffiekoeken van gisteren"}"#),
            Self.row(c, "POST", "/v1/listings/of-5/withdraw", 200),
            Self.row("an", "POST", "/v1/exchanges", 201, exchangeBody("fatima", "an")),
            Self.row("an", "POST", "/v1/exchanges", 201, exchangeBody("an", "chloe")),
            Self.row("chloe", "POST", "/v1/exchanges", 201, exchangeBody("an", "chloe", minutes: 30)),
            Self.row("fatima", "POST", "/v1/exchanges/ex-1/cancel", 403),
            Self.row(c, "POST", "/v1/exchanges/ex-5/confirm", 200, #"{"as":"fatima"}"#),
            Self.row("an", "POST", "/v1/exchanges/ex-7/reject", 200),
            Self.row(c, "POST", "/v1/exchanges/ex-6/cancel", 200, #"{"as":"an"}"#),
            Self.row(c, "POST", "/v1/members/bram/leave", 422),
            Self.row("bram", "GET", "/v1/matches?request=rq-3", 200), Self.row("an", "GET", "/v1/matches?request=rq-3", 403),
            Self.row(c, "GET", "/v1/matches?request=rq-3", 200),
        ]
        // Every route without a public face refuses the public (401); every coordinator-only
        // route refuses a member's token (403), whatever the body.
        let table = s.api.routeTable
        var generated = [Row]()
        for r in table {
            let path = r.template.replacingOccurrences(of: "{id}", with: r.template.hasPrefix("/v1/exchanges") ? "ex-1" : r.template.hasPrefix("/v1/members") ? "an" : r.template.hasPrefix("/v1/challenges") ? "ch-1" : "of-1")
            if r.access != .public { generated.append(Self.row(nil, r.method, path, 401)) }
            if r.access == .coordinator { generated.append(Self.row("bram", r.method, path, 403)) }
        }
        for row in generated + rows {
            let before = try s.headSeq()
            let token = row.who.map { $0 == "coordinator" ? s.coordinator : s.tokens[$0] ?? "kring_" + String(repeating: "0", count: 64) }
            let r = try s.call(row.method, row.path, token: token, body: row.body, key: row.method == "POST" ? newKey() : nil)
            #expect(r.status == row.status, "\(row): got \(r.status) \(r.text)")
            if row.status >= 400 { #expect(try s.headSeq() == before, "\(row) changed the ledger") }
        }
        // What members see of others: a directory entry, never a balance.
        let dir = try s.call("GET", "/v1/members/bram", token: s.tokens["an"])
        #expect(dir.json?["balance_minutes"] == nil && dir.json?["name"]?.stringValue == "Bram")
        let own = try s.call("GET", "/v1/members/bram", token: s.tokens["bram"])
        #expect(own.json?["balance_minutes"]?.intValue != nil)
        let list = try s.call("GET", "/v1/members?limit=500", token: s.tokens["an"])
        for m in list.json?["items"]?.arrayValue ?? [] where m["id"]?.stringValue != "an" { #expect(m["balance_minutes"] == nil) }
        // A member's list of exchanges holds only their own.
        for x in try s.call("GET", "/v1/exchanges", token: s.tokens["bram"]).json?["items"]?.arrayValue ?? [] {
            let parties = (x["providers"]?.arrayValue ?? []) + (x["receivers"]?.arrayValue ?? [])
            #expect(parties.contains(.string("bram")))
        }
        // Every route was called by the public, by a member and by the coordinator.
        for r in table {
            let calls = (generated + rows).filter { Self.template(of: $0.path, method: $0.method, in: table) == r.template && $0.method == r.method }
            #expect(calls.contains { $0.who == nil }, "\(r.method) \(r.template) never called by the public")
            #expect(calls.contains { $0.who != nil && $0.who != "coordinator" }, "\(r.method) \(r.template) never called by a member")
            #expect(calls.contains { $0.who == "coordinator" }, "\(r.method) \(r.template) never called by the coordinator")
        }
        let verify = try Verifier.verify(path: s.path)
        #expect(verify.ok)
        // Having served every route, no statement it compiled walks a growing table whole.
        try expectIndexedPlans(s.api, path: s.path)
    }
}
