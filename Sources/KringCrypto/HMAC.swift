/// HMAC-SHA256 (RFC 2104), on this package's SHA-256. Tested against the RFC 4231 vectors.
public enum HMACSHA256 {
    /// The authentication code of `message` under `key`.
    public static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        let (inner, outer) = pads(key)
        var i = SHA256()
        i.update(inner)
        i.update(message)
        var o = SHA256()
        o.update(outer)
        o.update(i.finalize())
        return o.finalize()
    }

    /// The key, hashed if longer than a block and padded with zeros to one, XORed with 0x36
    /// (inner) and 0x5c (outer).
    static func pads(_ key: [UInt8]) -> (inner: [UInt8], outer: [UInt8]) {
        var k = key.count > 64 ? SHA256.hash(key) : key
        k += [UInt8](repeating: 0, count: 64 - k.count)
        return (k.map { $0 ^ 0x36 }, k.map { $0 ^ 0x5c })
    }
}

/// Compares two byte strings in time that depends only on their lengths, not on where they
/// first differ (for secrets: password hashes, CSRF tokens).
public func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<a.count { diff |= a[i] ^ b[i] }
    return diff == 0
}
