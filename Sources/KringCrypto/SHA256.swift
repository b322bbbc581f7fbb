import CKringSHA

/// SHA-256 as specified in FIPS 180-4, written here because the project takes no packages.
///
/// Incremental: `update` any number of times, then `finalize` once. Tested against the
/// FIPS 180-4 example vectors (including one million 'a') and fuzzed against split updates.
///
/// On a processor with the SHA extensions the compression runs on them (CKringSHA, checked
/// once at run time); the Swift compression below is the reference the tests hold it to, and
/// the one used everywhere else.
public struct SHA256: Sendable {
    /// Whether this processor compresses with its SHA instructions.
    public static let hardware = kring_sha256_hardware() != 0
    /// The digest length in bytes.
    public static let digestBytes = 32
    private static let blockBytes = 64

    /// The eight state words, inline (a tuple), so the compression works on them in place.
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    private var buffer: [UInt8] = []
    private var totalBytes: UInt64 = 0
    private let useHardware: Bool

    /// A fresh hash state.
    public init() {
        useHardware = SHA256.hardware
        buffer.reserveCapacity(SHA256.blockBytes)
    }

    /// A fresh hash state that compresses in Swift even where the processor could (the
    /// reference, for tests and the benchmark).
    public init(portable: Bool) {
        useHardware = SHA256.hardware && !portable
        buffer.reserveCapacity(SHA256.blockBytes)
    }

    /// The digest of `bytes` in one call.
    public static func hash<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        hash(Array(bytes))
    }

    /// The digest of `bytes` in one call: the whole blocks straight from the array, the last one
    /// or two padded on the stack, with no buffer (the journal hashes every entry this way).
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBufferPointer { digest($0).bytes }
    }

    /// The digest of the bytes at `input`, as a value (no array): for hashing many entries laid
    /// end to end in one buffer.
    public static func digest(_ input: UnsafeBufferPointer<UInt8>) -> Digest {
        var h = SHA256(unbuffered: ())
        let whole = input.count / blockBytes
        if whole > 0 { h.compress(input.baseAddress!, blocks: whole) }
        let rest = input.count - whole * blockBytes
        // The rest, 0x80, zeros, and the length in bits: one block, or two when the rest
        // leaves no room for the 8 bytes of length.
        let tailBytes = rest < blockBytes - 8 ? blockBytes : 2 * blockBytes
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * blockBytes) { tail in
            for k in 0..<rest { tail[k] = input[whole * blockBytes + k] }
            tail[rest] = 0x80
            for k in (rest + 1)..<tailBytes { tail[k] = 0 }
            let bitLength = UInt64(input.count) &* 8
            for k in 0..<8 { tail[tailBytes - 1 - k] = UInt8(truncatingIfNeeded: bitLength >> UInt64(8 * k)) }
            h.compress(UnsafePointer(tail.baseAddress!), blocks: tailBytes / blockBytes)
        }
        let (h0, h1, h2, h3, h4, h5, h6, h7) = h.state
        return Digest(UInt64(h0) << 32 | UInt64(h1), UInt64(h2) << 32 | UInt64(h3), UInt64(h4) << 32 | UInt64(h5), UInt64(h6) << 32 | UInt64(h7))
    }

    /// A SHA-256 digest as a value: 32 bytes in four words, big-endian, so comparing and
    /// keeping one allocates nothing.
    public struct Digest: Hashable, Sendable {
        let w0, w1, w2, w3: UInt64

        init(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) { (self.w0, self.w1, self.w2, self.w3) = (w0, w1, w2, w3) }

        /// The digest these 32 bytes spell; nil for any other length.
        public init?(_ bytes: UnsafeRawBufferPointer) {
            guard bytes.count == SHA256.digestBytes else { return nil }
            func word(_ i: Int) -> UInt64 {
                var w: UInt64 = 0
                for k in 0..<8 { w = w << 8 | UInt64(bytes[8 * i + k]) }
                return w
            }
            self.init(word(0), word(1), word(2), word(3))
        }

        /// The digest these 32 bytes spell; nil for any other length.
        public init?(_ bytes: [UInt8]) {
            guard let d = bytes.withUnsafeBytes({ Digest($0) }) else { return nil }
            self = d
        }

        /// The 32 bytes.
        public var bytes: [UInt8] {
            [UInt8](unsafeUninitializedCapacity: 32) { out, count in
                for (i, word) in [w0, w1, w2, w3].enumerated() {
                    for k in 0..<8 { out[8 * i + k] = UInt8(truncatingIfNeeded: word >> UInt64(56 - 8 * k)) }
                }
                count = 32
            }
        }

        public var hexString: String { bytes.hexString }
    }

    private init(unbuffered: Void) { useHardware = SHA256.hardware }

    /// Compresses `blocks` whole blocks from `start`.
    private mutating func compress(_ start: UnsafePointer<UInt8>, blocks: Int) {
        if useHardware {
            withUnsafeMutableBytes(of: &state) { s in kring_sha256_blocks(s.baseAddress!.assumingMemoryBound(to: UInt32.self), start, blocks) }
            return
        }
        for b in 0..<blocks { compress(start + b * SHA256.blockBytes) }
    }

    /// The state words as the 32 bytes of the digest, big-endian.
    private var digest: [UInt8] {
        let (h0, h1, h2, h3, h4, h5, h6, h7) = state
        return [UInt8](unsafeUninitializedCapacity: 32) { out, count in
            for (i, word) in [h0, h1, h2, h3, h4, h5, h6, h7].enumerated() {
                out[4 * i] = UInt8(truncatingIfNeeded: word >> 24)
                out[4 * i + 1] = UInt8(truncatingIfNeeded: word >> 16)
                out[4 * i + 2] = UInt8(truncatingIfNeeded: word >> 8)
                out[4 * i + 3] = UInt8(truncatingIfNeeded: word)
            }
            count = 32
        }
    }

    /// Feeds more message bytes.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { update($0) }
    }

    /// Feeds the UTF-8 bytes of `string`.
    public mutating func update(_ string: String) {
        var s = string
        s.withUTF8 { update($0) }
    }

    /// Feeds more message bytes from a buffer.
    public mutating func update(_ input: UnsafeBufferPointer<UInt8>) {
        totalBytes &+= UInt64(input.count)
        var offset = 0
        if !buffer.isEmpty {
            let take = min(SHA256.blockBytes - buffer.count, input.count)
            buffer.append(contentsOf: input[0..<take])
            offset = take
            if buffer.count == SHA256.blockBytes {
                let block = buffer
                block.withUnsafeBufferPointer { compress($0.baseAddress!) }
                buffer.removeAll(keepingCapacity: true)
            }
        }
        let whole = (input.count - offset) / SHA256.blockBytes
        if whole > 0, useHardware {
            withUnsafeMutableBytes(of: &state) { s in
                kring_sha256_blocks(s.baseAddress!.assumingMemoryBound(to: UInt32.self), input.baseAddress! + offset, whole)
            }
            offset += whole * SHA256.blockBytes
        }
        while input.count - offset >= SHA256.blockBytes {
            compress(input.baseAddress! + offset)
            offset += SHA256.blockBytes
        }
        if offset < input.count {
            buffer.append(contentsOf: input[offset..<input.count])
        }
    }

    /// Pads, processes the last block and returns the 32-byte digest.
    public mutating func finalize() -> [UInt8] {
        let bitLength = totalBytes &* 8
        var tail = buffer
        tail.append(0x80)
        while tail.count % SHA256.blockBytes != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        tail.withUnsafeBufferPointer { p in
            var off = 0
            while off < p.count { compress(p.baseAddress! + off); off += SHA256.blockBytes }
        }
        buffer.removeAll()
        return digest
    }

    @inline(__always) private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    private mutating func compress(_ block: UnsafePointer<UInt8>) {
        if useHardware {
            withUnsafeMutableBytes(of: &state) { s in kring_sha256_blocks(s.baseAddress!.assumingMemoryBound(to: UInt32.self), block, 1) }
            return
        }
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for i in 0..<16 {
                let b = block + i * 4
                let hi = UInt32(b[0]) << 24 | UInt32(b[1]) << 16
                w[i] = hi | UInt32(b[2]) << 8 | UInt32(b[3])
            }
            withUnsafeMutableBytes(of: &state) { s in
                SHA256.portableCompress(s.baseAddress!.assumingMemoryBound(to: UInt32.self), w.baseAddress!)
            }
        }
    }

    /// The initial state (FIPS 180-4 §5.3.3).
    static let initialState: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]

    /// One compression (FIPS 180-4 §6.2.2) of the 16 message words in `w[0..<16]` (`w` has
    /// room for 64) into the state `s[0..<8]`. SHA-256 and PBKDF2's inner loop share it.
    static func compress(_ s: UnsafeMutablePointer<UInt32>, _ w: UnsafeMutablePointer<UInt32>) {
        if hardware {
            kring_sha256_words(s, w)
            return
        }
        portableCompress(s, w)
    }

    /// `compress` in Swift.
    static func portableCompress(_ s: UnsafeMutablePointer<UInt32>, _ w: UnsafeMutablePointer<UInt32>) {
        for i in 16..<64 {
            let x = w[i - 15], y = w[i - 2]
            let s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3)
            let s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >> 10)
            w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
        }
        var a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7]
        // The round constants, kept once in CKringSHA for both compressions.
        let k = kring_sha256_k()!
        for i in 0..<64 {
            let t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[i] &+ w[i]
            let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
            h = g; g = f; f = e; e = d &+ t1
            d = c; c = b; b = a; a = t1 &+ t2
        }
        s[0] &+= a; s[1] &+= b; s[2] &+= c; s[3] &+= d; s[4] &+= e; s[5] &+= f; s[6] &+= g; s[7] &+= h
    }
}

extension Array where Element == UInt8 {
    /// Lower-case hexadecimal, two digits a byte.
    public var hexString: String {
        // Written straight into the string's storage (no table, no array in between).
        @inline(__always) func digit(_ d: UInt8) -> UInt8 { d < 10 ? 0x30 + d : 0x57 + d }
        return String(unsafeUninitializedCapacity: count * 2) { out in
            for (i, byte) in enumerated() {
                out[2 * i] = digit(byte >> 4)
                out[2 * i + 1] = digit(byte & 0x0f)
            }
            return count * 2
        }
    }

    /// Parses lower- or upper-case hexadecimal; nil when malformed.
    public init?(hex: String) {
        let chars = Array(hex.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 2)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            case 65...70: return c - 55
            default: return nil
            }
        }
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        self = out
    }
}
