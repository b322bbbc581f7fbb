/// Writes canonical JSON (the encoding of `JSON.canonicalBytes`) straight into bytes, for the
/// hot path of sealing journal entries. Object keys must be written in canonical (byte) order;
/// debug builds assert it, and a test checks every event against `JSON.canonicalBytes`.
public struct CanonicalWriter {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []
    /// Per open container: whether it holds a value already (a comma is due), and its last key.
    private var levels: [(comma: Bool, lastKey: String?)] = []
    /// A key was just written: the next value belongs to it.
    private var afterKey = false

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    private mutating func valueStart() {
        if afterKey { afterKey = false; return }
        guard let last = levels.indices.last else { return }
        if levels[last].comma { bytes.append(UInt8(ascii: ",")) }
        levels[last].comma = true
    }

    /// Writes an object key (plain ASCII, needing no escapes); the next value written is its value.
    public mutating func key(_ k: StaticString) {
        let last = levels.count - 1
        assert(levels[last].lastKey.map { $0.utf8.lexicographicallyPrecedes(k.description.utf8) } ?? true, "keys out of canonical order at \(k)")
        if levels[last].comma { bytes.append(UInt8(ascii: ",")) }
        levels[last].comma = true
        #if DEBUG
        levels[last].lastKey = k.description
        #endif
        bytes.append(UInt8(ascii: "\""))
        k.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func beginObject() { valueStart(); bytes.append(UInt8(ascii: "{")); levels.append((false, nil)) }
    public mutating func endObject() { levels.removeLast(); bytes.append(UInt8(ascii: "}")) }
    public mutating func beginArray() { valueStart(); bytes.append(UInt8(ascii: "[")); levels.append((false, nil)) }
    public mutating func endArray() { levels.removeLast(); bytes.append(UInt8(ascii: "]")) }

    public mutating func string(_ s: String) { valueStart(); JSON.writeString(s, into: &bytes) }
    public mutating func int(_ n: Int64) {
        valueStart()
        bytes.appendDecimal(n)
    }
    /// A string of `prefix` (needing no escapes) and `n` in decimal: a numbered id.
    public mutating func prefixedNumber(_ prefix: String, _ n: Int64) {
        valueStart()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: prefix.utf8)
        bytes.appendDecimal(n)
        bytes.append(UInt8(ascii: "\""))
    }
    public mutating func null() { valueStart(); bytes.append(contentsOf: [110, 117, 108, 108]) }
    public mutating func string(_ s: String?) { if let s { string(s) } else { null() } }
    public mutating func int(_ n: Int64?) { if let n { int(n) } else { null() } }
    public mutating func strings(_ items: [String]) { beginArray(); for s in items { string(s) }; endArray() }
    /// Any JSON value, canonically.
    public mutating func value(_ j: JSON) { valueStart(); j.write(into: &bytes) }
}

extension [UInt8] {
    /// Appends `n` in decimal digits, `-` first when negative (Swift's `String(n)`, without the string).
    mutating func appendDecimal(_ n: Int64) {
        if n < 0 { append(UInt8(ascii: "-")) }
        // The digits of |n| written last first into a buffer on the stack, then appended at
        // once (Int64.min's magnitude fits a UInt64, in at most 20 digits).
        var m = n.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var i = 20
            repeat {
                i -= 1
                digits[i] = UInt8(ascii: "0") + UInt8(m % 10)
                m /= 10
            } while m > 0
            append(contentsOf: UnsafeBufferPointer(rebasing: digits[i..<20]))
        }
    }
}
