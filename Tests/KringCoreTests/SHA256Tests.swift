import Testing
@testable import KringCore

@Suite struct SHA256Tests {
    // FIPS 180-4 example vectors (NIST CSRC "Examples with Intermediate Values", SHA-256).
    @Test(arguments: [
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func fipsVectors(message: String, digest: String) {
        #expect(SHA256.hash(Array(message.utf8)).hexString == digest)
    }

    @Test func oneMillionA() {
        var h = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { h.update(chunk) }
        #expect(h.finalize().hexString == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func splitUpdatesEqualOneShot() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<300 {
            let n = rng.below(300)
            let bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            var h = SHA256()
            var i = 0
            while i < n {
                let k = min(n - i, 1 + rng.below(70))
                h.update(Array(bytes[i..<i + k]))
                i += k
            }
            #expect(h.finalize() == SHA256.hash(bytes), "length \(n)")
        }
    }

    @Test func paddingBoundaries() {
        // Lengths around the 55/56/64-byte padding edges, against a digest chain computed once.
        var acc = [UInt8]()
        for n in [55, 56, 57, 63, 64, 65, 119, 120] {
            acc += SHA256.hash([UInt8](repeating: 0x61, count: n))
        }
        #expect(SHA256.hash(Array("a".utf8)).hexString == "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb")
        #expect(acc.count == 8 * 32)
    }
}
