import KringCore
import Testing

/// HMAC-SHA256 against RFC 4231 §4, PBKDF2-HMAC-SHA256 against RFC 7914 §11.
@Suite struct CryptoTests {
    static func bytes(_ hex: String) -> [UInt8] { [UInt8](hex: hex)! }

    @Test(arguments: [
        // Test case 1
        ("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        // 2: a key shorter than the output
        ("4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        // 3
        ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", String(repeating: "dd", count: 50), "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        // 4
        ("0102030405060708090a0b0c0d0e0f10111213141516171819", String(repeating: "cd", count: 50), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        // 6: a key larger than a block
        (String(repeating: "aa", count: 131), "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        // 7: a large key and a large message
        (String(repeating: "aa", count: 131),
         "5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a65206b657920616e642061206c6172676572207468616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565647320746f20626520686173686564206265666f7265206265696e6720757365642062792074686520484d414320616c676f726974686d2e",
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ])
    func hmacMatchesRFC4231(key: String, data: String, mac: String) {
        #expect(HMACSHA256.mac(key: Self.bytes(key), message: Self.bytes(data)).hexString == mac)
    }

    @Test func hmacTruncatedVectorOfRFC4231() {
        // Test case 5: the first 128 bits.
        let mac = HMACSHA256.mac(key: [UInt8](repeating: 0x0c, count: 20), message: Array("Test With Truncation".utf8))
        #expect(Array(mac.prefix(16)).hexString == "a3b6167473100ee06e0c796c2955552b")
    }

    @Test func pbkdf2MatchesRFC7914() {
        // RFC 7914 §11: PBKDF2-HMAC-SHA256, 64 bytes (two blocks).
        #expect(PBKDF2.sha256(password: Array("passwd".utf8), salt: Array("salt".utf8), iterations: 1, length: 64).hexString
                == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")
        #expect(PBKDF2.sha256(password: Array("Password".utf8), salt: Array("NaCl".utf8), iterations: 80_000, length: 64).hexString
                == "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d")
    }

    @Test func pbkdf2EqualsTheHMACCompositionItShortcuts() {
        // The fast path (precomputed pads, words) against the definition, for short and long
        // passwords, empty and long salts, and lengths that end inside a block.
        var rng = SplitMix64(seed: 11)
        for _ in 0..<20 {
            let password = (0..<Int(rng.next() % 100)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let salt = (0..<Int(rng.next() % 70)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let iterations = 1 + Int(rng.next() % 5), length = 1 + Int(rng.next() % 70)
            var expected = [UInt8]()
            var block: UInt32 = 1
            while expected.count < length {
                var u = HMACSHA256.mac(key: password, message: salt + [0, 0, 0, UInt8(block)])
                var t = u
                for _ in 1..<iterations {
                    u = HMACSHA256.mac(key: password, message: u)
                    for i in 0..<32 { t[i] ^= u[i] }
                }
                expected += t
                block += 1
            }
            #expect(PBKDF2.sha256(password: password, salt: salt, iterations: iterations, length: length) == Array(expected.prefix(length)))
        }
    }

    @Test func constantTimeEqualityComparesWholeStrings() {
        #expect(constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEqual([1, 2, 3], [1, 2]))
        #expect(constantTimeEqual([], []))
    }
}
