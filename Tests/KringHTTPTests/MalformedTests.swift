import Foundation
import KringCore
import KringHTTP
import KringStore
import KringTestSupport
import Testing

/// Malformed requests over real sockets: each gets its 4xx (or 5xx where HTTP says so), the
/// ledger is unchanged, and the server goes on serving.
@Suite("HTTP malformed input", .serialized)
struct MalformedTests {
    struct Case: CustomStringConvertible {
        let name: String
        let bytes: [UInt8]
        let status: Int
        var description: String { name }
    }

    static func raw(_ name: String, _ text: String, _ status: Int) -> Case { Case(name: name, bytes: Array(text.utf8), status: status) }

    static func cases(_ s: TestServer) -> [Case] {
        let t = s.coordinator
        let post = { (name: String, body: String, status: Int) -> Case in
            Case(name: name, bytes: requestBytes("POST", "/v1/exchanges/recorded", token: t, body: body, key: newKey()), status: status)
        }
        let big = String(repeating: "a", count: 17 * 1024)
        var deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        deep = "{\"providers\":\(deep)}"
        return [
            raw("truncated request line", "GET /health\r\n\r\n", 400),
            raw("bad method characters", "G@T /health HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            raw("unknown method", "BREW /health HTTP/1.1\r\nHost: x\r\n\r\n", 405),
            raw("relative target", "GET health HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            raw("absolute-form target", "GET http://x/health HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            raw("two spaces in the request line", "GET  /health HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            raw("malformed version", "GET /health HTTX/1.1\r\nHost: x\r\n\r\n", 400),
            raw("unsupported version", "GET /health HTTP/2.0\r\nHost: x\r\n\r\n", 505),
            raw("missing Host", "GET /health HTTP/1.1\r\n\r\n", 400),
            raw("two Hosts", "GET /health HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400),
            raw("bare LF line ends", "GET /health HTTP/1.1\nHost: x\n\n", 400),
            raw("obsolete line folding", "GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", 400),
            raw("space before the colon", "GET /health HTTP/1.1\r\nHost : x\r\n\r\n", 400),
            raw("header without colon", "GET /health HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400),
            raw("CR injected in a header value", "GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\rSet-Cookie: b\r\n\r\n", 400),
            raw("NUL in a header", "GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n", 400),
            raw("duplicate Content-Length", "POST /v1/exchanges HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}", 400),
            raw("conflicting Content-Length", "POST /v1/exchanges HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}", 400),
            raw("non-numeric Content-Length", "POST /v1/exchanges HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400),
            raw("negative Content-Length", "POST /v1/exchanges HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", 400),
            raw("Content-Length list", "POST /v1/exchanges HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 2\r\n\r\n{}", 400),
            raw("chunked body", "POST /v1/exchanges HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 411),
            raw("chunked with Content-Length (smuggling)", "POST /v1/exchanges HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}", 411),
            raw("unknown transfer coding", "POST /v1/exchanges HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
            raw("oversized header", "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: \(big)\r\n\r\n", 431),
            raw("oversized target", "GET /\(big) HTTP/1.1\r\nHost: x\r\n\r\n", 431),
            raw("too many headers", "GET /health HTTP/1.1\r\nHost: x\r\n" + (0..<150).map { "X-\($0): y\r\n" }.joined() + "\r\n", 431),
            raw("body over the limit", "POST /v1/exchanges HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n", 413),
            raw("empty lines only", "\r\n\r\n\r\n\r\n\r\n\r\n\r\n", 400),
            raw("invalid percent-encoding in the path", "GET /v1/members/%zz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(t)\r\n\r\n", 400),
            raw("non-UTF-8 percent-encoding", "GET /v1/members/%ff%fe HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(t)\r\n\r\n", 400),
            raw("duplicate query parameter", "GET /v1/offers?limit=1&limit=2 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            raw("page size 0", "GET /v1/offers?limit=0 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            raw("page size over 500", "GET /v1/offers?limit=501 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            raw("unknown query parameter", "GET /v1/offers?colour=red HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            raw("foreign cursor", "GET /v1/offers?cursor=abc HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            raw("unknown path", "GET /v2/everything HTTP/1.1\r\nHost: x\r\n\r\n", 404),
            raw("wrong method on a route", "DELETE /v1/offers HTTP/1.1\r\nHost: x\r\n\r\n", 405),
            raw("malformed bearer", "GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Basic YTpi\r\n\r\n", 401),
            raw("unknown token", "GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer kring_\(String(repeating: "0", count: 64))\r\n\r\n", 401),
            raw("the bearer scheme alone", "GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer\r\n\r\n", 401),
            raw("a bearer token without a space", "GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer\(t)\r\n\r\n", 401),
            raw("a bearer token after a tab", "GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer\t\(t)\r\n\r\n", 401),
            raw("a bearer token with more after it", "GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(t) x\r\n\r\n", 401),
            raw("a scheme longer than bearer", "GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearers \(t)\r\n\r\n", 401),
            raw("the scheme in lower case", "GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: bearer \(t)\r\n\r\n", 200),
            raw("the scheme in capitals, blanks around the token", "GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: BEARER  \t \(t) \t\r\n\r\n", 200),
            raw("two Authorization headers", "GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(t)\r\nAuthorization: Bearer \(t)\r\n\r\n", 400),
            post("invalid JSON", "{\"providers\": [", 400),
            Case(name: "non-UTF-8 JSON", bytes: requestBytes("POST", "/v1/exchanges/recorded", token: t, body: "{\"what\":\"\u{FFFD}\"}", key: newKey()).map { $0 == 0xEF ? 0xFF : $0 }, status: 400),
            post("JSON array instead of an object", "[1,2]", 400),
            post("JSON nested too deeply", deep, 400),
            post("credits as a string", exchangeBody("an", "bram").replacingOccurrences(of: ":60", with: ":\"60\""), 400),
            post("negative credits", exchangeBody("an", "bram", minutes: -60), 400),
            post("fractional credits", exchangeBody("an", "bram").replacingOccurrences(of: ":60", with: ":1.5"), 400),
            post("credits beyond Int64", exchangeBody("an", "bram").replacingOccurrences(of: ":60", with: ":99999999999999999999"), 400),
            post("huge credits", exchangeBody("an", "bram").replacingOccurrences(of: ":60", with: ":9000000000000000000"), 400),
            post("credits as true", exchangeBody("an", "bram").replacingOccurrences(of: ":60", with: ":true"), 400),
            post("credits above the maximum exchange (a rule)", exchangeBody("an", "bram", minutes: 25 * 60), 422),
            post("missing field", #"{"providers":["an"],"receivers":["bram"],"kind":"time","domain":"care","credits_minutes":60}"#, 400),
            post("unknown field", exchangeBody("an", "bram", extra: #","colour":"red""#), 400),
            post("unknown kind", exchangeBody("an", "bram").replacingOccurrences(of: "\"time\"", with: "\"money\""), 400),
            post("impossible date", exchangeBody("an", "bram", extra: #","date":"2026-13-45""#), 400),
            post("providers as a number", exchangeBody("an", "bram").replacingOccurrences(of: "[\"an\"]", with: "7"), 400),
            Case(name: "wrong content type", bytes: requestBytes("POST", "/v1/exchanges/recorded", token: t, body: exchangeBody("an", "bram"), key: newKey(), contentType: "text/plain"), status: 415),
            Case(name: "missing Idempotency-Key", bytes: requestBytes("POST", "/v1/exchanges/recorded", token: t, body: exchangeBody("an", "bram")), status: 400),
            Case(name: "Idempotency-Key too long", bytes: requestBytes("POST", "/v1/exchanges/recorded", token: t, body: exchangeBody("an", "bram"), key: String(repeating: "k", count: 300)), status: 400),
        ]
    }

    @Test("each malformed request gets its status, changes nothing, and the server serves on")
    func malformed() throws {
        var limits = HTTPLimits()
        limits.headerTimeout = 1
        limits.bodyTimeout = 1
        let s = try TestServer(limits: limits)
        defer { s.stop() }
        let cases = Self.cases(s)
        #expect(cases.count >= 30)
        let before = try s.headSeq()
        for c in cases {
            let client = try RawClient(port: s.port)
            client.send(c.bytes)
            let r = client.read()
            #expect(r?.status == c.status, "\(c.name): got \(r.map { "\($0.status) \($0.text)" } ?? "no answer")")
            if let r, r.status >= 400 {
                #expect(r.header("Content-Type") == "application/problem+json", "\(c.name)")
                #expect(r.json?["status"]?.intValue == Int64(r.status) && r.json?["code"]?.stringValue != nil && r.json?["detail"]?.stringValue != nil, "\(c.name)")
            }
            #expect(try s.headSeq() == before, "\(c.name) changed the ledger")
            #expect(try s.call("GET", "/health").status == 200, "the server stopped serving after \(c.name)")
        }
        // Timeouts: headers cut off midway, and a body that never comes, each get 408.
        for partial in ["GET /health HTTP/1.1\r\nHost: x\r\n", "POST /v1/exchanges HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{\"a\""] {
            let client = try RawClient(port: s.port)
            client.send(partial)
            #expect(client.read(timeout: 5)?.status == 408, "\(partial.debugDescription)")
            #expect(client.isClosed())
        }
        // Errors that leave the stream unreadable close the connection (a malformed head, a
        // malformed path); a refused body or a rule refusal does not.
        for unreadable in ["GET /health HTTP/1.1\nHost: x\n\n", "GET /v1/members/%ff HTTP/1.1\r\nHost: x\r\n\r\n"] {
            let closing = try RawClient(port: s.port)
            closing.send(unreadable)
            let answer = closing.read()
            #expect(answer?.status == 400 && answer?.json?["code"]?.stringValue == "http.malformed", "\(unreadable.debugDescription)")
            #expect(answer?.header("Connection") == "close" && closing.isClosed(), "\(unreadable.debugDescription)")
        }
        let client = try RawClient(port: s.port)
        client.send(requestBytes("POST", "/v1/exchanges/recorded", token: s.coordinator, body: exchangeBody("an", "bram", extra: #","colour":"red""#), key: newKey()))
        #expect(client.read()?.status == 400)
        client.send(requestBytes("POST", "/v1/exchanges/recorded", token: s.coordinator, body: exchangeBody("an", "bram", minutes: 25 * 60), key: newKey()))
        #expect(client.read()?.status == 422)
        client.send(requestBytes("GET", "/health"))
        #expect(client.read()?.status == 200)
        #expect(try Verifier.verify(path: s.path).ok)
    }

    @Test("a client sending its headers a byte at a time is cut off at the header timeout; others are served meanwhile")
    func slowClient() throws {
        var limits = HTTPLimits()
        limits.headerTimeout = 2
        let s = try TestServer(limits: limits)
        defer { s.stop() }
        let slow = try RawClient(port: s.port)
        let bytes = Array("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: \(String(repeating: "s", count: 100))\r\n\r\n".utf8)
        let started = Date()
        var served = 0
        var cutOff = false
        for b in bytes {
            if !slow.send([b]) { cutOff = true; break }
            // Meanwhile another client is served at once.
            let t0 = Date()
            #expect(try s.call("GET", "/health").status == 200)
            #expect(Date().timeIntervalSince(t0) < 1)
            served += 1
            Thread.sleep(forTimeInterval: 0.25)
            if Date().timeIntervalSince(started) > 2.5 { break }
        }
        let r = slow.read(timeout: 3)
        #expect(cutOff || r?.status == 408, "the slow client got \(r?.status ?? 0)")
        #expect(slow.isClosed())
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 2 && elapsed < 6, "cut off after \(elapsed) s")
        #expect(served >= 5)
    }

    @Test("pipelined requests are answered in order on one connection")
    func pipelining() throws {
        let s = try TestServer()
        defer { s.stop() }
        let client = try RawClient(port: s.port)
        var bytes = [UInt8]()
        for path in ["/health", "/v1/ledger/head", "/v1/nothing", "/v1/offers"] { bytes += requestBytes("GET", path) }
        client.send(bytes)
        let statuses = (0..<4).map { _ in client.read()?.status ?? 0 }
        #expect(statuses == [200, 200, 404, 200])
        // HTTP/1.0 closes unless asked to keep alive.
        let old = try RawClient(port: s.port)
        old.send("GET /health HTTP/1.0\r\n\r\n")
        #expect(old.read()?.header("Connection") == "close")
        #expect(old.isClosed())
    }
}
