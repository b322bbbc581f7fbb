#if canImport(Glibc)
import Glibc
#endif
import Foundation
import KringCore
@testable import KringHTTP
@testable import KringStore
import KringTestSupport
import Testing

/// The smaller findings of the outside test, each with the behaviour it protects.
@Suite("Outside findings", .serialized)
struct OutsideFindingsTests {
    @Test("/metrics stays bounded: made-up methods count as other")
    func metricsLabelsComeFromAFixedSet() throws {
        let s = try TestServer()
        defer { s.stop() }
        let before = try s.call("GET", "/metrics").body.count
        for i in 0..<300 { _ = try s.call("X\(i)Y", "/health") }
        for i in 0..<300 { _ = try s.call("GET", "/made/up/\(i)") }
        let after = try s.call("GET", "/metrics")
        #expect(after.text.contains("method=\"other\""))
        #expect(!after.text.contains("X17Y") && !after.text.contains("/made/up"))
        #expect(after.body.count < before + 4_000, "metrics grew from \(before) to \(after.body.count) bytes")
    }

    @Test("content negotiation of /v1/stats follows the q-values; JSON on a tie; 406 when nothing offered is acceptable")
    func statsNegotiation() throws {
        let s = try TestServer()
        defer { s.stop() }
        func type(_ accept: String?) throws -> (Int, String?) {
            let c = try RawClient(port: s.port)
            c.send(requestBytes("GET", "/v1/stats", extra: accept.map { ["Accept: \($0)"] } ?? []))
            guard let r = c.read() else { throw ServerTestError("no answer") }
            return (r.status, r.header("Content-Type"))
        }
        #expect(try type(nil).1 == "application/json")
        #expect(try type("application/json;q=1, text/csv;q=0.5").1 == "application/json")
        #expect(try type("text/csv").1?.hasPrefix("text/csv") == true)
        #expect(try type("application/json;q=0.2, text/csv").1?.hasPrefix("text/csv") == true)
        #expect(try type("text/csv;q=0.5, application/json;q=0.5").1 == "application/json")
        #expect(try type("text/*").1?.hasPrefix("text/csv") == true)
        #expect(try type("*/*").1 == "application/json")
        #expect(try type("text/html").0 == 406)
        #expect(try type("application/json;q=0, text/csv;q=0").0 == 406)
    }

    @Test("a malformed search (too long, too many words) is 400")
    func malformedSearchIs400() throws {
        let s = try TestServer()
        defer { s.stop() }
        let long = String(repeating: "a", count: 501)
        #expect(try s.call("GET", "/v1/search?q=\(long)").status == 400)
        let many = (0..<17).map { "w\($0)" }.joined(separator: "+")
        #expect(try s.call("GET", "/v1/search?q=\(many)").status == 400)
        #expect(try s.call("GET", "/v1/search?q=zaal").status == 200)
    }

    @Test("tokens expire (401 like a revoked one); their last use is recorded at most once a minute")
    func tokenExpiryAndLastUse() throws {
        let clock = TestClock()
        let s = try TestServer(clock: clock)
        defer { s.stop() }
        let ledger = try Ledger(path: s.path, clock: clock.clock)
        let (token, info) = try ledger.issueToken(member: "an", role: .member, label: "phone", expiresAt: clock.now + 3_600)
        #expect(try s.call("GET", "/v1/me", token: token).status == 200)
        func lastUsed() throws -> Int64? { try ledger.tokens(member: "an").first { $0.id == info.id }?.lastUsedAt }
        let first = try lastUsed()
        #expect(first != nil)
        clock.advance(seconds: 30)
        #expect(try s.call("GET", "/v1/me", token: token).status == 200)
        #expect(try lastUsed() == first, "a read within the minute is not a write")
        clock.advance(seconds: 40)
        #expect(try s.call("GET", "/v1/me", token: token).status == 200)
        #expect(try lastUsed() != first)
        // Used again within the minute: nothing is written, so the server answers from the
        // principal it found; at its expiry that principal is refused all the same.
        clock.advance(seconds: 10)
        #expect(try s.call("GET", "/v1/me", token: token).status == 200)
        clock.advance(seconds: 3_600 - 80)
        let expired = try s.call("GET", "/v1/me", token: token)
        #expect(expired.status == 401 && expired.code == "http.unauthorized")
        #expect(throws: LedgerError.self) { try ledger.issueToken(member: "an", role: .member, label: "x", expiresAt: clock.now - 1) }
    }

    @Test("the access log never holds a token, however it is encoded")
    func encodedTokensAreRedacted() {
        let token = "kring_" + String(repeating: "ab12", count: 16)
        let hex = String(token.dropFirst(6))
        for path in ["/x/\(token)", "/x/%6bring_\(hex)", "/x/%256bring_\(hex)", "/x/KRING_\(hex.uppercased())", "/x/%4B%52%49%4E%47_\(hex)"] {
            let line = AccessRecord(method: "GET", path: path, status: 404, bytes: 0, micros: 1, peer: "127.0.0.1", principal: nil).line
            #expect(!line.lowercased().contains(hex.prefix(16)), "\(path) -> \(line)")
            #expect(line.contains("[token]"), "\(path) -> \(line)")
        }
        let injected = AccessRecord(method: "GET", path: "/x%0aforged 200", status: 404, bytes: 0, micros: 1, peer: "127.0.0.1", principal: nil).line
        #expect(!injected.contains("\n"))
    }
}

@Suite("CSV cells")
struct CSVCellTests {
    @Test(arguments: ["=cmd|' /C calc'!A0", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
    func formulasStayText(cell: String) {
        let out = csvText(cell)
        #expect(out.hasPrefix("'") || out.hasPrefix("\"'"), "\(out)")
    }

    @Test func ordinaryTextIsUnchangedOrQuoted() {
        #expect(csvText("zaal") == "zaal")
        #expect(csvText("a,b") == "\"a,b\"")
        #expect(csvText("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(csvText("=a,b") == "\"'=a,b\"")
    }
}

@Suite("serve --demo tokens", .serialized)
struct DemoTokenTests {
    @Test("each start of serve --demo revokes the coordinator token of the previous start: tokens do not pile up")
    func demoTokensDoNotPileUp() throws {
        let dir = TempDir("kring-demotoken"); defer { dir.remove() }
        let path = dir.file("demo.sqlite")
        for _ in 0..<3 {
            let (p, _, _) = try startKringServe(path, ["--demo", "--quiet"])
            kill(p.processIdentifier, SIGTERM)
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
        }
        let tokens = try Ledger(path: path).tokens(member: "gemeente-kring").filter { $0.label == "kring serve --demo" }
        #expect(tokens.count == 3)
        #expect(tokens.filter { $0.revokedAt == nil }.count == 1)
    }
}

@Suite("Idempotency outcomes", .serialized)
struct IdempotencyOutcomeTests {
    /// A key keeps the typed outcome; a repeat is rendered from it and the journal, byte for
    /// byte the first answer, for an accepted and for a refused command. A key kept by a
    /// version before schema 7 (the HTTP answer itself) is answered as it was stored.
    @Test func repeatedKeysAnswerAsTheFirstTime() throws {
        let s = try TestServer()
        defer { s.stop() }
        let key = newKey(), refusedKey = newKey()
        let body = exchangeBody("an", "bram")
        let first = try s.call("POST", "/v1/exchanges/recorded", token: s.coordinator, body: body, key: key)
        let again = try s.call("POST", "/v1/exchanges/recorded", token: s.coordinator, body: body, key: key)
        #expect(first.status == 201 && again.status == 201 && again.body == first.body && again.header("Idempotent-Replayed") == "true")
        let tooMuch = exchangeBody("an", "bram", minutes: 25 * 60)
        let refused = try s.call("POST", "/v1/exchanges/recorded", token: s.coordinator, body: tooMuch, key: refusedKey)
        let refusedAgain = try s.call("POST", "/v1/exchanges/recorded", token: s.coordinator, body: tooMuch, key: refusedKey)
        #expect(refused.status == 422 && refusedAgain.status == 422 && refusedAgain.body == refused.body)
        #expect(refused.json?["field"]?.stringValue == "credits_minutes" && refused.json?["detail"]?.stringValue?.contains("25 h") == true)
        let raw = try Connection(path: s.path)
        // A refusal is kept by its typed reason (so a page can say it in Dutch), not its sentence.
        let keptRefusal = try raw.scalarText("SELECT outcome FROM idempotency WHERE key = ?", .text(refusedKey)) ?? ""
        #expect(keptRefusal.contains("\"reason\":{\"largestExchange\"") && !keptRefusal.contains("25 h"), "\(keptRefusal)")
        // A refusal as the previous version kept it, by its English sentence, replays as it was.
        try raw.cached("INSERT INTO idempotency(scope, key, request_hash, status, body, seq, created_at, outcome) VALUES (?, 'old-refusal', ?, 0, '', NULL, 0, ?)")
            .run(.text("coordinator:stad"), .blob(SHA256.hash(Array("POST /v1/exchanges/recorded\n\(tooMuch)".utf8))),
                 .text(#"{"refused":{"code":"rule.max_exchange","message":"An old sentence."}}"#))
        let oldRefusal = try s.call("POST", "/v1/exchanges/recorded", token: s.coordinator, body: tooMuch, key: "old-refusal")
        #expect(oldRefusal.status == 422 && oldRefusal.json?["detail"]?.stringValue == "An old sentence." && oldRefusal.json?["code"]?.stringValue == "rule.max_exchange")
        let kept = try raw.scalarText("SELECT outcome FROM idempotency WHERE key = ?", .text(key)) ?? ""
        #expect(kept.hasPrefix("{\"accepted\":") && !kept.contains("\"record\""), "the key keeps the outcome, not an HTTP answer: \(kept)")
        // A key as schema 6 kept it.
        let legacyBody = "{\"legacy\":true}"
        var hashed = Array("POST /v1/exchanges/recorded\n".utf8)
        hashed.append(contentsOf: Array(body.utf8))
        let scope = "coordinator:stad"
        try raw.cached("INSERT INTO idempotency(scope, key, request_hash, status, body, seq, created_at) VALUES (?, 'old-key', ?, 201, ?, NULL, 0)")
            .run(.text(scope), .blob(SHA256.hash(hashed)), .text(legacyBody))
        let old = try s.call("POST", "/v1/exchanges/recorded", token: s.coordinator, body: body, key: "old-key")
        #expect(old.status == 201 && old.text == legacyBody && old.header("Idempotent-Replayed") == "true")
    }
}
