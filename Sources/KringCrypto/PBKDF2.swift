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
                        SHA256.compress(s.baseAddress!, w.baseAddress!)
                        for i in 0..<8 { w[i] = s[i]; s[i] = outerState[i] }
                        w[8] = 0x8000_0000
                        for i in 9..<15 { w[i] = 0 }
                        w[15] = 768
                        SHA256.compress(s.baseAddress!, w.baseAddress!)
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
        var s = SHA256.initialState
        var w = [UInt32](repeating: 0, count: 64)
        for i in 0..<16 { w[i] = word(block, i) }
        s.withUnsafeMutableBufferPointer { sp in w.withUnsafeMutableBufferPointer { wp in SHA256.compress(sp.baseAddress!, wp.baseAddress!) } }
        return s
    }
}
