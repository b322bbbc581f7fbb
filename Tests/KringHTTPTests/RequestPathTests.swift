import KringCore
import KringTestSupport
import Testing
@testable import KringHTTP

/// The request's path and bearer token are read on their bytes (the busiest reads' path). Each is
/// held to the straightforward reading on strings it replaced, over random inputs built from the
/// characters that matter.
@Suite struct RequestPathTests {
    /// The path's segments after the first `/`, each percent-decoded, as the router read them
    /// before: a split of the text, then each piece decoded.
    static func segmentsBySplitting(_ path: String) -> [String]? {
        var parts = [String]()
        for raw in path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst() {
            guard let p = PercentDecoding.decode(Substring(raw)) else { return nil }
            parts.append(p)
        }
        return parts
    }

    /// The bearer token as it was read through the string's indices.
    static func tokenByIndices(_ value: String) -> Substring? {
        let u = value.utf8
        var i = u.startIndex
        while i < u.endIndex, u[i] == 0x20 { i = u.index(after: i) }
        let scheme = i
        while i < u.endIndex, u[i] != 0x20 { i = u.index(after: i) }
        guard i < u.endIndex, u.distance(from: scheme, to: i) == 6,
              zip(u[scheme..<i], "bearer".utf8).allSatisfy({ $0 | 0x20 == $1 }) else { return nil }
        let rest = Substring(value)[u.index(after: i)...]
        let r = rest.utf8
        var lo = r.startIndex, hi = r.endIndex
        while lo < hi, r[lo] == 0x20 || r[lo] == 0x09 { lo = r.index(after: lo) }
        while hi > lo, r[r.index(before: hi)] == 0x20 || r[r.index(before: hi)] == 0x09 { hi = r.index(before: hi) }
        let token = rest[lo..<hi]
        return token.isEmpty ? nil : token
    }

    @Test("a path's segments are the split text's, percent-decoded; a bad escape is refused")
    func pathSegments() {
        var rng = SplitMix64(seed: 13)
        let pieces = ["/", "/", "/", "v1", "members", "an-peeters", "balance", "%20", "%2F", "%zz", "%ff", "%", "%4", "%C3%A9", "-", "a", "~", "?", "+"]
        for path in ["", "/", "//", "/health", "/v1/members/an/balance", "v1/x", "/a//b/", "/%"] + (0..<3_000).map({ _ in
            (0..<rng.below(9)).map { _ in rng.pick(pieces) }.joined()
        }) {
            #expect(API.pathSegments(path) == RequestPathTests.segmentsBySplitting(path), "\(path)")
        }
        #expect(API.pathSegments("/v1/members/an/balance") == ["v1", "members", "an", "balance"])
        #expect(API.pathSegments("/v1/members/%C3%A9") == ["v1", "members", "é"])
        #expect(API.pathSegments("/v1/%ff%fe") == nil && API.pathSegments("/v1/%zz") == nil)
    }

    @Test("the bearer token is the one read through the string's indices, in every case, blank and scheme")
    func bearerTokens() {
        var rng = SplitMix64(seed: 21)
        let token = "kr_" + String(repeating: "0123456789abcdef", count: 4)
        let pieces = [" ", " ", "\t", "Bearer", "bearer", "BEARER", "BeArEr", "Bearers", "Basic", token, "x", "é", "\u{301}", "kr_"]
        for value in ["", "Bearer", "Bearer ", "Bearer \(token)", "  bearer \t\(token)\t ", "Bearer\t\(token)", "Bearer \(token) x"] + (0..<3_000).map({ _ in
            (0..<rng.below(6)).map { _ in rng.pick(pieces) }.joined()
        }) {
            let fast = API.bearerToken(value), slow = RequestPathTests.tokenByIndices(value)
            #expect(fast.map(String.init) == slow.map(String.init), "\(value.debugDescription)")
        }
        #expect(API.bearerToken("  BEARER  \t \(token) \t").map(String.init) == token)
        #expect(API.bearerToken("Bearer") == nil && API.bearerToken("Bearer  \t ") == nil && API.bearerToken("Basic \(token)") == nil)
    }

    @Test("a handle is read from a String or a Substring by the one rule: 1 to 40 of a-z, 0-9 and -, not first -")
    func handlesFromStrings() {
        func byTheRule(_ text: String) -> Bool {
            let bytes = Array(text.utf8)
            return (1...MemberID.maxLength).contains(bytes.count) && bytes[0] != UInt8(ascii: "-")
                && bytes.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") }
        }
        var rng = SplitMix64(seed: 34)
        let alphabet = Array("abz09-abz09-abz09-A_ é.") + ["\u{301}", "\u{200B}"]
        for _ in 0..<3_000 {
            let text = String((0..<rng.below(44)).map { _ in rng.pick(alphabet) })
            let direct = MemberID(canonical: text), sliced = MemberID(canonical: Substring(text))
            #expect((direct != nil) == byTheRule(text), "\(text.debugDescription)")
            #expect(direct == sliced && direct.map { $0.handle == text } ?? true, "\(text.debugDescription)")
        }
    }
}
