#if canImport(Glibc)
import Glibc
#endif
import Foundation
import KringCore
@testable import KringHTTP
import KringStore
import KringTestSupport
import Testing

@Suite("HTTP server lifecycle", .serialized)
struct LifecycleTests {
    @Test("SIGTERM and SIGINT stop the server gracefully: in-flight writes are answered and committed, exit 0")
    func gracefulStop() throws {
        let dir = TempDir("kring-stop")
        defer { dir.remove() }
        let path = dir.file("ledger.sqlite")
        let token = try loadLedger(at: path)
        let acks = Acks()
        for sig in [SIGTERM, SIGINT] {
            let (p, port, _) = try startKringServe(path, ["--quiet"])
            let before = acks.accepted.count
            let group = startLoad(port: port, token: token, seed: UInt64(sig * 100 + 1), acks: acks)
            #expect(waitUntil { acks.accepted.count >= before + 20 }, "the load got going")
            kill(p.processIdentifier, sig)
            p.waitUntilExit()
            group.wait()
            #expect(p.terminationReason == .exit && p.terminationStatus == 0, "signal \(sig): \(p.terminationReason) \(p.terminationStatus)")
            #expect(acks.accepted.count > 0)
            // A graceful stop answers what it took in: a request that got no answer (it reached a
            // connection as the server closed it) was not carried out either.
            let reader = try Reader(path: path)
            var whats = Set<String>()
            try reader.forEachExchange { whats.insert($0.record.info.what) }
            #expect(acks.unknown.allSatisfy { !whats.contains($0) }, "a request without an answer was committed")
            #expect(acks.failures.isEmpty, "\(acks.failures.prefix(2))")
            try checkLedger(path, acks: acks, exact: true)
        }
    }

    @Test("at the connection cap the connection idle longest makes room; when every connection is busy, one more is answered 503 and closed")
    func connectionCap() throws {
        var limits = HTTPLimits()
        limits.maxConnections = 2
        let s = try TestServer(limits: limits)
        defer { s.stop() }
        let a = try RawClient(port: s.port), b = try RawClient(port: s.port)
        a.send(requestBytes("GET", "/health"))
        #expect(a.read()?.status == 200)
        b.send(requestBytes("GET", "/health"))
        #expect(b.read()?.status == 200)
        #expect(waitUntil { s.server.idleConnections == 2 })
        // Both idle: a new client takes the place of the one idle longest.
        let c = try RawClient(port: s.port)
        c.send(requestBytes("GET", "/health"))
        #expect(c.read()?.status == 200)
        #expect(a.isClosed())
        b.send(requestBytes("GET", "/v1/ledger/head"))
        #expect(b.read()?.status == 200)
        // Both busy (a request's head in, its body still coming): no room.
        let head = Array("POST /v1/exchanges HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n".utf8)
        #expect(waitUntil { s.server.idleConnections == 2 && s.server.openConnections == 2 })
        b.send(head)
        c.send(head)
        #expect(waitUntil { s.server.idleConnections == 0 })
        let d = try RawClient(port: s.port)
        let refused = d.read()
        #expect(refused?.status == 503 && refused?.header("Retry-After") != nil)
        #expect(d.isClosed())
        b.send("{}")
        #expect(b.read()?.status == 401)
    }

    @Test("the access log has a line per request and never a token")
    func accessLog() throws {
        let dir = TempDir("kring-log")
        defer { dir.remove() }
        let path = dir.file("ledger.sqlite")
        let token = try fixtureLedger(at: path, clock: TestClock()).issueToken(member: "an", role: .member, label: "log").token
        let (p, port, err) = try startKringServe(path, [])
        for target in ["/v1/me", "/v1/members/an/balance", "/v1/\(token)", "/v1/offers?q=\(token)"] {
            let c = try RawClient(port: port)
            c.send(requestBytes("GET", target, token: token))
            #expect(c.read() != nil)
        }
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let lines = log.split(separator: "\n").filter { $0.contains(" GET ") }
        #expect(lines.count == 4, "\(log)")
        #expect(!log.contains(token) && !log.contains(String(token.dropFirst(6).prefix(20))))
        // The token's id names the caller wherever a route was found (a 404 is answered before
        // the token is looked at).
        #expect(lines.filter { $0.hasSuffix(" tk-1") || $0.contains(" tk-1 ") }.count == 3, "\(lines)")
        #expect(lines.contains { $0.contains("[token]") }, "a token-shaped path is redacted")
    }
}

@Suite("HTTP tokens")
struct TokenHTTPTests {
    @Test("a balance over HTTP: the member's figures and the head they stand at, as canonical JSON")
    func balanceAnswer() throws {
        let s = try TestServer()
        defer { s.stop() }
        let token = try Ledger(path: s.path).issueToken(member: "an", role: .member, label: "phone").token
        let r = try s.call("GET", "/v1/members/an/balance", token: token)
        let reader = try Reader(path: s.path)
        guard let row = try reader.member("an") else { Issue.record("no member an"); return }
        let expected = JSON.object(["member": .string("an"), "balance_minutes": .int(row.state.balance.value), "floor_minutes": .int(row.floor.value),
                                    "ceiling_minutes": row.ceiling.map { .int($0.value) } ?? .null, "ledger_head": try reader.head().json])
        #expect(r.status == 200 && r.json == expected, "\(String(decoding: r.body, as: UTF8.self))")
        #expect(r.body == expected.canonicalBytes, "the answer is canonical JSON")
    }

    @Test("a company holds several tokens (front desk, manager); a revoked one stops at the next request")
    func severalTokensAndRevocation() throws {
        let s = try TestServer()
        defer { s.stop() }
        let ledger = try Ledger(path: s.path)
        let desk = try ledger.issueToken(member: "coworking", role: .member, label: "front desk")
        let manager = try ledger.issueToken(member: "coworking", role: .member, label: "manager")
        let a = try s.call("GET", "/v1/me", token: desk.token), b = try s.call("GET", "/v1/me", token: manager.token)
        #expect(a.json?["member"]?["id"]?.stringValue == "coworking" && b.json?["member"]?["id"]?.stringValue == "coworking")
        #expect(a.json?["token_id"]?.stringValue == desk.info.id.description && b.json?["token_id"]?.stringValue == manager.info.id.description)
        // Both act for the company, and only for it.
        #expect(try s.call("POST", "/v1/offers", token: desk.token, body: #"{"kind":"space","domain":"work","title":"Zaal"}"#, key: newKey()).status == 201)
        #expect(try s.call("POST", "/v1/offers", token: manager.token, body: #"{"author":"bakkerij","kind":"goods","domain":"food","title":"Brood"}"#, key: newKey()).status == 403)
        try ledger.revokeToken(desk.info.id)
        #expect(try s.call("GET", "/v1/me", token: desk.token).status == 401)
        #expect(try s.call("GET", "/v1/me", token: manager.token).status == 200)
        // Idempotency keys belong to the member: another of its tokens retrying a key gets the first answer.
        let key = newKey()
        let body = #"{"kind":"time","domain":"work","title":"Workshop"}"#
        let first = try s.call("POST", "/v1/offers", token: manager.token, body: body, key: key)
        let other = try ledger.issueToken(member: "coworking", role: .member, label: "third")
        let again = try s.call("POST", "/v1/offers", token: other.token, body: body, key: key)
        #expect(first.status == 201 && again.body == first.body && again.header("Idempotent-Replayed") == "true")
    }
}
