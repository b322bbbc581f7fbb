import Foundation
import Testing
import KringCore
@testable import KringStore
@testable import KringHTTP
import KringTestSupport

/// Every byte outside the unreserved set percent-encoded, so any text can stand in a path or
/// a query.
func percentEncoded(_ s: String) -> String {
    var out = ""
    for b in s.utf8 {
        if (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E {
            out.append(Character(UnicodeScalar(b)))
        } else {
            out += String(format: "%%%02X", b)
        }
    }
    return out
}

/// Ids as a client might type them: canonical, and the variants that are not.
enum IDVariants {
    /// The prefix of the id a path segment takes (`/v1/exchanges/{id}` → `ex-`), or nil for a
    /// member's handle.
    static func prefix(of template: String) -> String? {
        if template.hasPrefix("/v1/members/") { return nil }
        if template.hasPrefix("/v1/exchanges/") { return "ex-" }
        if template.hasPrefix("/v1/offers/") || template.hasPrefix("/v1/listings/") { return "of-" }
        if template.hasPrefix("/v1/bookings/") { return "bk-" }
        if template.hasPrefix("/v1/loans/") { return "ln-" }
        if template.hasPrefix("/v1/challenges/") { return "ch-" }
        return "ex-"
    }

    static let badHandles = ["AN", "an ", " an", "-an", "an_b", "än", "", "an\u{0}", "an\u{200B}", String(repeating: "a", count: 41), "an/b"]

    static func bad(prefix: String?, number: Int64) -> [String] {
        guard let prefix else { return badHandles }
        return nonCanonical(prefix: prefix, number: number)
    }

    /// The same list as the core's identity tests, kept here so the faces are checked against
    /// the variants independently of the core's parser.
    static func nonCanonical(prefix: String, number: Int64) -> [String] {
        let n = String(number)
        return ["\(prefix)0\(n)", "\(prefix)+\(n)", "\(prefix) \(n)", "\(prefix)\(n) ", "\(prefix.uppercased())\(n)", "\(prefix)",
                "\(prefix)0", "\(prefix)\u{0661}", "\(prefix)\u{FF11}", "\(prefix)9223372036854775808", "\(prefix)-\(n)", "\(prefix)00\(n)"]
    }

    /// A random id for `prefix`: canonical one time in three, else a variant that is not.
    static func random(prefix: String?, rng: inout SplitMix64) -> (text: String, canonical: Bool) {
        let n = Int64(1 + rng.below(4))
        if rng.chance(0.33) { return (prefix.map { "\($0)\(n)" } ?? rng.pick(["an", "bram", "stad", "nobody"]), true) }
        return (rng.pick(bad(prefix: prefix, number: n)), false)
    }
}

@Suite(.serialized) struct IdentityHTTPTests {
    /// The outside tester's reproduction: a member cancels `ex-01` for `ex-1`. It used to act on
    /// exchange 1 and journal `ex-01`, after which verify failed for everyone.
    @Test func aNonCanonicalIDInAPathNamesNothing() throws {
        let s = try TestServer()
        defer { s.stop() }
        let an = s.tokens["an"]!
        #expect(try s.call("POST", "/v1/exchanges", token: an, body: exchangeBody("an", "bram"), key: newKey()).status == 201)
        let head = try s.headSeq()
        for text in IDVariants.nonCanonical(prefix: "ex-", number: 1) {
            for verb in ["cancel", "confirm", "reject"] {
                let r = try s.call("POST", "/v1/exchanges/\(percentEncoded(text))/\(verb)", token: an, body: "{}", key: newKey())
                #expect(r.status == 404 && r.code == "exchange.not_found", "\(verb) \(text): \(r.status) \(r.text)")
            }
            let r = try s.call("POST", "/v1/exchanges/\(percentEncoded(text))/reverse", token: s.coordinator, body: "{\"reason\":\"x\"}", key: newKey())
            #expect(r.status == 404, "reverse \(text): \(r.status)")
        }
        #expect(try s.headSeq() == head, "nothing was written")
        #expect(try s.call("POST", "/v1/exchanges/ex-1/cancel", token: an, body: "{}", key: newKey()).status == 200)
        let report = try Verifier.verify(path: s.path)
        #expect(report.ok && report.legacyIDs.isEmpty)
    }

    /// Every route that takes an id in its path answers 404 for every variant that is not the
    /// canonical form, to the coordinator too, and changes nothing.
    @Test func everyPathWithAnIDRefusesEveryVariant() throws {
        let s = try TestServer()
        defer { s.stop() }
        let head = try s.headSeq()
        let withID = s.api.routeTable.filter { $0.template.contains("{id}") }
        #expect(withID.count >= 20)
        var checked = 0
        for route in withID {
            let prefix = IDVariants.prefix(of: route.template)
            for text in IDVariants.bad(prefix: prefix, number: 1) where !text.isEmpty {
                let path = route.template.replacingOccurrences(of: "{id}", with: percentEncoded(text))
                let r = route.method == "POST"
                    ? try s.call("POST", path, token: s.coordinator, body: "{}", key: newKey())
                    : try s.call("GET", path, token: s.coordinator)
                #expect(r.status == 404, "\(route.method) \(path): \(r.status) \(r.text)")
                #expect(r.code?.hasSuffix(".not_found") == true, "\(route.method) \(path): \(r.code ?? "")")
                checked += 1
            }
        }
        #expect(checked > 200)
        #expect(try s.headSeq() == head)
        #expect(try Verifier.verify(path: s.path).ok)
    }

    /// Ids in a body or a query that are not canonical are malformed input: 400, nothing written.
    @Test func aNonCanonicalIDInABodyOrQueryIsMalformed() throws {
        let s = try TestServer()
        defer { s.stop() }
        let head = try s.headSeq()
        let c = s.coordinator
        let bodies: [(String, String)] = [
            ("/v1/exchanges/recorded", exchangeBody("an ", "bram")),
            ("/v1/exchanges/recorded", exchangeBody("an", "BRAM")),
            ("/v1/exchanges/recorded", exchangeBody("an", "bram", extra: ",\"links\":[\"rq-01\"]")),
            ("/v1/exchanges", exchangeBody("an", "bram", extra: ",\"as\":\"an \"")),
            ("/v1/pool/grants", "{\"to\":\"an \",\"credits_minutes\":60,\"reason\":\"r\"}"),
            ("/v1/loans", "{\"lender\":\"an\",\"borrower\":\"bram\",\"what\":\"ladder\",\"due\":\"2026-06-10\",\"offer\":\"of-01\"}"),
            ("/v1/bookings", "{\"member\":\"an\",\"offer\":\"of-+1\",\"date\":\"2026-06-02\",\"from\":\"10:00\",\"to\":\"11:00\",\"people\":1}"),
            ("/v1/offers", "{\"author\":\"an\",\"kind\":\"time\",\"domain\":\"care\",\"title\":\"t\",\"challenge\":\"ch-01\"}"),
            ("/v1/members", "{\"id\":\"An-Peeters\",\"name\":\"An\",\"kind\":\"person\"}"),
        ]
        for (path, body) in bodies {
            let r = try s.call("POST", path, token: c, body: body, key: newKey())
            #expect(r.status == 400 && r.code == "input.invalid", "\(path) \(body): \(r.status) \(r.text)")
        }
        for target in ["/v1/exchanges?member=AN", "/v1/loans?member=an%20", "/v1/matches?request=rq-01", "/v1/offers?author=-an",
                       "/v1/search?q=zaal&author=An", "/v1/members?cursor=A"] {
            let r = try s.call("GET", target, token: c)
            #expect(r.status == 400, "\(target): \(r.status) \(r.text)")
        }
        #expect(try s.headSeq() == head)
    }

    /// Seeded random ids in every position that takes one: a canonical id is carried out or
    /// refused for a reason (never 5xx); any other text is refused where it stands; the ledger
    /// verifies afterwards and holds no id that is not canonical.
    @Test func idsFuzzedInEveryPosition() throws {
        let s = try TestServer()
        defer { s.stop() }
        var rng = SplitMix64(seed: UInt64(ProcessInfo.processInfo.environment["KRING_FUZZ_SEED"].flatMap { UInt64($0) } ?? 20261201))
        let c = s.coordinator
        // Something for the ids to find.
        for i in 0..<3 { _ = try s.call("POST", "/v1/exchanges", token: s.tokens["an"]!, body: exchangeBody("an", "bram", what: "p\(i)"), key: newKey()) }
        _ = try s.call("POST", "/v1/exchanges/recorded", token: c, body: exchangeBody("bram", "an"), key: newKey())
        _ = try s.call("POST", "/v1/offers", token: c, body: "{\"author\":\"an\",\"kind\":\"time\",\"domain\":\"care\",\"title\":\"t\"}", key: newKey())
        let paths = s.api.routeTable.filter { $0.template.contains("{id}") }
        for _ in 0..<400 {
            switch rng.below(3) {
            case 0:
                let route = rng.pick(paths)
                let (text, canonical) = IDVariants.random(prefix: IDVariants.prefix(of: route.template), rng: &rng)
                let path = route.template.replacingOccurrences(of: "{id}", with: percentEncoded(text))
                let r = route.method == "POST" ? try s.call("POST", path, token: c, body: "{}", key: newKey()) : try s.call("GET", path, token: c)
                #expect(r.status < 500, "\(path): \(r.status)")
                if !canonical { #expect(r.status == 404, "\(path): \(r.status)") }
            case 1:
                let (p, pc) = IDVariants.random(prefix: nil, rng: &rng), (q, qc) = IDVariants.random(prefix: nil, rng: &rng)
                let (link, lc) = IDVariants.random(prefix: rng.pick(["of-", "rq-", "ch-", "bk-"]), rng: &rng)
                let body = "{\"providers\":[\(JSON.string(p).canonicalString)],\"receivers\":[\(JSON.string(q).canonicalString)],\"kind\":\"time\",\"domain\":\"care\",\"what\":\"f\",\"credits_minutes\":15,\"links\":[\(JSON.string(link).canonicalString)]}"
                let r = try s.call("POST", "/v1/exchanges/recorded", token: c, body: body, key: newKey())
                #expect(r.status < 500)
                if !(pc && qc && lc) { #expect(r.status == 400, "\(body): \(r.status)") }
            default:
                let (m, mc) = IDVariants.random(prefix: nil, rng: &rng)
                let r = try s.call("GET", "/v1/exchanges?member=\(percentEncoded(m))", token: c)
                #expect(mc ? r.status == 200 : r.status == 400, "member=\(m): \(r.status)")
            }
        }
        let report = try Verifier.verify(path: s.path)
        #expect(report.ok && report.legacyIDs.isEmpty, "\(String(describing: report.divergence))")
    }
}
