import Foundation
import KringCore
import KringHTTP
import KringTestSupport
import Testing

/// The request parser under a seeded random mutator: bit flips, byte insertions and deletions,
/// splices of header fragments, truncations. Run longer with KRING_FUZZ_ITERATIONS (see
/// docs/operations.md).
@Suite("HTTP request parser")
struct ParserFuzzTests {
    static let seeds: [String] = [
        "GET /health HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /v1/exchanges HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nIdempotency-Key: k\r\nContent-Length: 2\r\n\r\n{}",
        "GET /v1/offers?limit=5&kind=time HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer kring_00\r\nConnection: keep-alive\r\n\r\n",
        "GET /health HTTP/1.0\r\n\r\n",
    ]
    static let fragments: [String] = [
        "\r\n", "\n", "\r", ":", " ", "\t", "\0", "Content-Length: 5\r\n", "Content-Length: 99999999999999999999\r\n",
        "Transfer-Encoding: chunked\r\n", "Host: y\r\n", "HTTP/1.1", "%00", "\u{FF}", "GET ", "/../../", "\r\n\r\n",
    ]

    static var iterations: Int { Int(ProcessInfo.processInfo.environment["KRING_FUZZ_ITERATIONS"] ?? "") ?? 30_000 }

    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = input
        for _ in 0..<(1 + rng.below(4)) {
            switch rng.below(6) {
            case 0 where !b.isEmpty: b[rng.below(b.count)] ^= UInt8(1 << rng.below(8))
            case 1: b.insert(UInt8(truncatingIfNeeded: rng.next()), at: rng.below(b.count + 1))
            case 2 where !b.isEmpty: b.remove(at: rng.below(b.count))
            case 3: b.insert(contentsOf: Array(fragments[rng.below(fragments.count)].utf8), at: rng.below(b.count + 1))
            case 4 where !b.isEmpty: b = Array(b.prefix(rng.below(b.count)))
            default: b += Array(seeds[rng.below(seeds.count)].utf8)
            }
        }
        return b
    }

    @Test("valid requests parse whole and byte by byte to the same head")
    func incremental() {
        for seed in Self.seeds {
            let bytes = Array(seed.utf8)
            guard case .head(let whole, let length, let bodyLength) = RequestParser.parse(bytes[...], limits: HTTPLimits()) else {
                Issue.record("\(seed.debugDescription) did not parse")
                continue
            }
            #expect(length + bodyLength == bytes.count)
            // Fed one byte at a time, resuming where the last call stopped, as the server does.
            var scanned = 0
            for cut in 0..<length {
                if case .incomplete = RequestParser.parse(bytes[0..<cut], limits: HTTPLimits(), scanned: scanned) { scanned = cut; continue }
                Issue.record("\(seed.debugDescription) cut at \(cut) was not incomplete")
            }
            if case .head(let resumed, _, _) = RequestParser.parse(bytes[...], limits: HTTPLimits(), scanned: scanned) {
                #expect(resumed.target == whole.target && resumed.headers.count == whole.headers.count)
            } else {
                Issue.record("\(seed.debugDescription) resumed parse failed")
            }
            if case .head(let again, _, _) = RequestParser.parse(bytes[...], limits: HTTPLimits()) {
                #expect(again.method == whole.method && again.target == whole.target && again.headers.map(\.value) == whole.headers.map(\.value))
            }
        }
    }

    func verdict(_ p: HeadParse) -> String {
        switch p {
        case .incomplete: "incomplete"
        case .head(let r, let l, let b): "head \(r.method) \(r.target) \(r.headers.count) \(l) \(b)"
        case .failure(let f): "failure \(f.status)"
        }
    }

    @Test("mutated requests never crash the parser and every verdict is consistent")
    func fuzzParser() {
        var rng = SplitMix64(seed: 20_261_129)
        let limits = HTTPLimits()
        var verdicts = [0, 0, 0]
        for i in 0..<Self.iterations {
            let input = Self.mutate(Array(Self.seeds[i % Self.seeds.count].utf8), &rng)
            // The verdict is the same whether the bytes came at once or in two parts.
            let cut = rng.below(input.count + 1)
            if case .incomplete = RequestParser.parse(input[0..<cut], limits: limits) {
                let whole = RequestParser.parse(input[...], limits: limits)
                let resumed = RequestParser.parse(input[...], limits: limits, scanned: cut)
                #expect(verdict(whole) == verdict(resumed), "resuming at \(cut) changed the verdict")
            }
            switch RequestParser.parse(input[...], limits: limits) {
            case .incomplete:
                verdicts[0] += 1
                #expect(input.count < limits.maxHeaderBytes + 16)
            case .head(let r, let length, let bodyLength):
                verdicts[1] += 1
                #expect(length <= input.count && bodyLength >= 0 && bodyLength <= limits.maxBodyBytes)
                #expect(r.method.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F } && r.target.hasPrefix("/"))
                #expect(r.headers.allSatisfy { !$0.value.contains("\r") && !$0.value.contains("\n") })
                #expect(r.headers.filter { $0.name == "content-length" }.count <= 1)
            case .failure(let f):
                verdicts[2] += 1
                #expect((400...505).contains(f.status) && !f.detail.isEmpty)
            }
        }
        // The mutator reaches all three outcomes.
        #expect(verdicts.allSatisfy { $0 > 0 }, "\(verdicts)")
    }

    @Test("mutated requests sent to a live server never stop it serving others")
    func fuzzServer() throws {
        var limits = HTTPLimits()
        limits.headerTimeout = 0.3
        limits.bodyTimeout = 0.3
        let s = try TestServer(limits: limits)
        defer { s.stop() }
        var rng = SplitMix64(seed: 7)
        let before = try s.headSeq()
        for i in 0..<300 {
            let input = Self.mutate(Array(Self.seeds[i % Self.seeds.count].utf8), &rng)
            let c = try RawClient(port: s.port)
            c.send(input)
            shutdown(c.fd, Int32(SHUT_WR))
            _ = c.read(timeout: 2)
            if i % 25 == 0 { #expect(try s.call("GET", "/health").status == 200) }
        }
        #expect(try s.call("GET", "/health").status == 200)
        #expect(try s.headSeq() == before)
    }
}
