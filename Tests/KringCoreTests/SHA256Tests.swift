import Foundation
import Testing
@testable import KringCore
import KringTestSupport

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
        var portable = SHA256(portable: true)
        portable.update(Array(message.utf8))
        #expect(portable.finalize().hexString == digest)
    }

    @Test(arguments: [false, true]) func oneMillionA(portable: Bool) {
        var h = SHA256(portable: portable)
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { h.update(chunk) }
        #expect(h.finalize().hexString == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// The processor's SHA instructions, where used, give the Swift compression's digests:
    /// random messages of every length up to several blocks, fed whole and in pieces.
    @Test func hardwareCompressionEqualsThePortableOne() {
        var rng = SplitMix64(seed: 180_4)
        for _ in 0..<2_000 {
            let bytes = (0..<rng.below(700)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            var portable = SHA256(portable: true)
            portable.update(bytes)
            var pieces = SHA256()
            var i = 0
            while i < bytes.count {
                let k = min(bytes.count - i, 1 + rng.below(200))
                pieces.update(Array(bytes[i..<i + k]))
                i += k
            }
            let reference = portable.finalize()
            #expect(SHA256.hash(bytes) == reference && pieces.finalize() == reference, "length \(bytes.count)")
        }
    }

    /// The run-time check finds the instructions where the processor reports them.
    @Test func hardwareIsDetectedAsTheProcessorReportsIt() throws {
        #if os(Linux) && arch(x86_64)
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }.map { Set($0.split(separator: " ").map(String.init)) } ?? []
        #expect(SHA256.hardware == (flags.contains("sha_ni") && flags.contains("sse4_1") && flags.contains("ssse3")))
        #endif
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

    // Messages of 'a' around the 55/56/64-byte padding edges; digests from Python's hashlib
    // (OpenSSL), an implementation independent of this one.
    @Test(arguments: [
        (55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
        (56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
        (57, "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6"),
        (63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
        (64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
        (65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"),
        (119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"),
        (120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"),
        (1000, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"),
    ])
    func paddingBoundaries(length: Int, digest: String) {
        #expect(SHA256.hash([UInt8](repeating: 0x61, count: length)).hexString == digest)
    }
}

/// The journal's hash is SHA-256 of the previous hash, the header line and the payload, as
/// docs/architecture.md gives it to outside verifiers; digests from Python's hashlib.
@Suite struct ChainHashTests {
    @Test func theChainHashIsTheDocumentedDigest() {
        #expect(Chain.hash(previous: Chain.genesis, seq: 1, timestamp: 1_700_000_000, type: "exchange.recorded", payload: Array(#"{"a":1}"#.utf8)).hexString
                == "a4c7db7705261242ba054b31b7bdfecb6400fba488add9d9a60a9f541d3bbf3b")
        #expect(Chain.hash(previous: (0..<32).map { UInt8($0) }, seq: .max, timestamp: -86_401, type: "pool.granted", payload: [UInt8](repeating: UInt8(ascii: "x"), count: 300)).hexString
                == "26eb035b3804a2e070f4cc6548a672aaf3d901346f27b4fadd62ed2986211f74")
    }
}

/// The digest as a value, from bytes in place: the same digest as the array form at every
/// length around the block edges, and the 32 bytes back.
@Suite struct DigestValueTests {
    @Test func theValueDigestEqualsTheArrayDigest() {
        var rng = SplitMix64(seed: 32)
        for n in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 500, 4_097] {
            let bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let value = bytes.withUnsafeBufferPointer { SHA256.digest($0) }
            #expect(value.bytes == SHA256.hash(bytes), "\(n) bytes")
            #expect(SHA256.Digest(value.bytes) == value)
            #expect(value.hexString == SHA256.hash(bytes).hexString)
        }
    }

    @Test func onlyThirtyTwoBytesSpellADigest() {
        #expect(SHA256.Digest([UInt8](repeating: 7, count: 31)) == nil)
        #expect(SHA256.Digest([UInt8](repeating: 7, count: 33)) == nil)
        #expect(SHA256.Digest([UInt8]()) == nil)
        let a = SHA256.Digest([UInt8](repeating: 7, count: 32))!
        var other = [UInt8](repeating: 7, count: 32)
        other[31] = 8
        #expect(a != SHA256.Digest(other)!)
        #expect(a.bytes == [UInt8](repeating: 7, count: 32))
    }
}

/// A journal entry's type read from its bytes: every type by its name, nothing else.
@Suite struct EventTypeBytesTests {
    @Test func everyTypeAndNothingElse() {
        func read(_ text: String) -> EventType? { Array(text.utf8).withUnsafeBufferPointer { EventType(utf8: $0) } }
        for type in EventType.allCases {
            #expect(read(type.rawValue) == type)
            #expect(read(type.rawValue + " ") == nil)
            #expect(read(String(type.rawValue.dropLast())) == nil)
            #expect(read(type.rawValue.uppercased()) == nil)
        }
        #expect(read("") == nil)
        #expect(read("exchange.recorded\0") == nil)
    }
}
