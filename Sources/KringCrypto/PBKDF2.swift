/// PBKDF2 with HMAC-SHA256 as its pseudo-random function (RFC 8018 §5.2), for passwords.
/// Tested against the RFC 7914 §11 vectors and against the plain HMAC composition.
///
/// Each iteration is one HMAC of a 32-byte value: with the key's inner and outer blocks
/// compressed once beforehand, that is two SHA-256 compressions on 32-bit words, with no
/// allocation and no byte conversion inside the loop.
public enum PBKDF2 {
    /// The derived key of `length` bytes.
    public static func sha256(password: [UInt8], salt: [UInt8], iterations: Int, length: Int = 32) -> [UInt8] {
        precondition(iterations >= 1 && length >= 1)
        let (innerPad, outerPad) = HMACSHA256.pads(password)
        let innerState = stateAfter(innerPad), outerState = stateAfter(outerPad)
        var out = [UInt8]()
        out.reserveCapacity(length)
        var block: UInt32 = 1
        while out.count < length {
            // U1 = HMAC(P, S || INT(block)), through the general HMAC.
            let u1 = HMACSHA256.mac(key: password, message: salt + [UInt8(block >> 24), UInt8((block >> 16) & 0xff), UInt8((block >> 8) & 0xff), UInt8(block & 0xff)])
            var u = words(u1)
            var t = u
            // U2… by compressions from the precomputed states: the message block is U (8
            // words), the padding bit, zeros and the length of pad + U, 768 bits.
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 8) { s in
                    for _ in 1..<iterations {
                        for i in 0..<8 { s[i] = innerState[i]; w[i] = u[i] }
                        w[8] = 0x8000_0000
                        for i in 9..<15 { w[i] = 0 }
                        w[15] = 768
                        compress(s.baseAddress!, w.baseAddress!)
                        for i in 0..<8 { w[i] = s[i]; s[i] = outerState[i] }
                        w[8] = 0x8000_0000
                        for i in 9..<15 { w[i] = 0 }
                        w[15] = 768
                        compress(s.baseAddress!, w.baseAddress!)
                        for i in 0..<8 { u[i] = s[i]; t[i] ^= s[i] }
                    }
                }
            }
            for word in t where out.count < length {
                for shift in [24, 16, 8, 0] where out.count < length { out.append(UInt8(truncatingIfNeeded: word >> UInt32(shift))) }
            }
            block += 1
        }
        return out
    }

    /// Big-endian words of a 32-byte digest.
    private static func words(_ bytes: [UInt8]) -> [UInt32] { (0..<8).map { word(bytes, $0) } }

    /// The big-endian word `i` of `bytes`.
    private static func word(_ bytes: [UInt8], _ i: Int) -> UInt32 {
        let b0 = UInt32(bytes[4 * i]) << 24, b1 = UInt32(bytes[4 * i + 1]) << 16
        let b2 = UInt32(bytes[4 * i + 2]) << 8, b3 = UInt32(bytes[4 * i + 3])
        return b0 | b1 | b2 | b3
    }

    /// The SHA-256 state after compressing one 64-byte block from the initial state.
    private static func stateAfter(_ block: [UInt8]) -> [UInt32] {
        var s: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        var w = [UInt32](repeating: 0, count: 64)
        for i in 0..<16 { w[i] = word(block, i) }
        s.withUnsafeMutableBufferPointer { sp in w.withUnsafeMutableBufferPointer { wp in compress(sp.baseAddress!, wp.baseAddress!) } }
        return s
    }

    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    @inline(__always) private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    /// One SHA-256 compression of the 16 message words in `w[0..<16]` (w has room for 64) into
    /// the state `s[0..<8]`.
    private static func compress(_ s: UnsafeMutablePointer<UInt32>, _ w: UnsafeMutablePointer<UInt32>) {
        for i in 16..<64 {
            let x = w[i - 15], y = w[i - 2]
            let s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3)
            let s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >> 10)
            w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
        }
        var a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7]
        k.withUnsafeBufferPointer { k in
            for i in 0..<64 {
                let t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[i] &+ w[i]
                let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
                h = g; g = f; f = e; e = d &+ t1
                d = c; c = b; b = a; a = t1 &+ t2
            }
        }
        s[0] &+= a; s[1] &+= b; s[2] &+= c; s[3] &+= d; s[4] &+= e; s[5] &+= f; s[6] &+= g; s[7] &+= h
    }
}
