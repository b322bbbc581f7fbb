import Foundation

/// The members' numbers (0, 1, 2, … in the order they were added) by their id as the
/// projections store it, looked up on the bytes SQLite hands back: the statistics read a member
/// for every party and posting (millions of rows), and a `[String: Int32]` made a String of each
/// and hashed and compared it as one. Here the keys lie end to end in one buffer, each after its
/// number; the table (open addressing, at most half full) holds where each key lies, its length
/// and part of its hash, so a lookup reads two places in memory. It hashes the row's bytes with
/// Swift's `Hasher` (seeded afresh per process, so ids cannot be chosen to collide).
struct MemberNumbers: Sendable {
    /// Per slot, 0 for none, else the key's place in `arena` (32 bits), its length (8 bits)
    /// and 24 bits of its hash, so a probe touches the arena only for a likely match.
    private var slots: [UInt64]
    /// Per member: its number (4 bytes), then its id's bytes.
    private var arena: [UInt8] = [0]  // offset 0 is never a key's, so 0 marks an empty slot
    private(set) var count = 0

    init() {
        slots = Array(repeating: 0, count: 16)
    }

    /// Gives `id` the next number and returns it; an id seen before keeps its number.
    @discardableResult
    mutating func append(_ id: String) -> Int32 {
        var id = id
        return id.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    @discardableResult
    mutating func append(_ id: UnsafeRawBufferPointer) -> Int32 {
        precondition(id.count < 256, "a member id is at most 255 bytes")
        if let n = number(id) { return n }
        if 2 * (count + 1) > slots.count { grow() }
        let n = Int32(count)
        let at = arena.count
        precondition(at + 4 + id.count < 1 << 32, "member ids take at most 4 GiB")
        withUnsafeBytes(of: n.littleEndian) { arena.append(contentsOf: $0) }
        arena.append(contentsOf: id)
        count += 1
        place(UInt64(at) | UInt64(id.count) << 32, hash: Self.hash(id))
        return n
    }

    /// The number of the member whose stored id is `bytes`, or nil.
    func number(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        guard bytes.count < 256 else { return nil }
        let h = Self.hash(bytes), mask = slots.count - 1
        let want = UInt64(bytes.count) << 32 | UInt64(UInt(bitPattern: h) >> 40) << 40
        var i = h & mask
        return arena.withUnsafeBytes { all -> Int32? in
            while true {
                let slot = slots[i]
                if slot == 0 { return nil }
                if slot & ~0xFFFF_FFFF == want {
                    let key = all.baseAddress! + Int(slot & 0xFFFF_FFFF)
                    if Self.equal(key + 4, bytes) { return Int32(littleEndian: key.loadUnaligned(as: Int32.self)) }
                }
                i = (i + 1) & mask
            }
        }
    }

    /// The numbers of many ids at once (`ids`: each id's bytes, ended at `ends`), appended to
    /// `out`; nil when one names no member, else the count. Each lookup at 100,000 members
    /// misses the cache twice; done in two tight passes (every slot, then every key), the
    /// misses overlap instead of waiting one after the other between the rows' reads.
    func numbers(_ ids: UnsafeRawBufferPointer, ends: [Int], into out: inout [Int32]) -> Int? {
        let mask = slots.count - 1
        var found = [UInt64](repeating: 0, count: ends.count), wants = [UInt64](repeating: 0, count: ends.count)
        var start = 0
        for (k, end) in ends.enumerated() {
            let key = UnsafeRawBufferPointer(rebasing: ids[start..<end])
            let h = Self.hash(key)
            wants[k] = UInt64(key.count) << 32 | UInt64(UInt(bitPattern: h) >> 40) << 40
            found[k] = slots[h & mask]
            start = end
        }
        return arena.withUnsafeBytes { all -> Int? in
            var start = 0
            for (k, end) in ends.enumerated() {
                let key = UnsafeRawBufferPointer(rebasing: ids[start..<end])
                start = end
                let slot = found[k]
                if slot != 0, slot & ~0xFFFF_FFFF == wants[k], key.count < 256 {
                    let at = all.baseAddress! + Int(slot & 0xFFFF_FFFF)
                    if Self.equal(at + 4, key) {
                        out.append(Int32(littleEndian: at.loadUnaligned(as: Int32.self)))
                        continue
                    }
                }
                // Not in its first slot: probe on.
                guard let n = number(key) else { return k }
                out.append(n)
            }
            return nil
        }
    }

    func number(_ id: String) -> Int32? {
        var id = id
        return id.withUTF8 { number(UnsafeRawBufferPointer($0)) }
    }

    private static func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
        var h = Hasher()
        h.combine(bytes: bytes)
        return h.finalize()
    }

    /// Whether the `bytes.count` bytes at `a` are `bytes`, eight at a time (ids are short:
    /// a call to `memcmp` cost more than the comparison).
    private static func equal(_ a: UnsafeRawPointer, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let b = bytes.baseAddress else { return true }
        let n = bytes.count
        var i = 0
        while i + 8 <= n {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        while i < n {
            if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
            i += 1
        }
        return true
    }

    private mutating func place(_ entry: UInt64, hash: Int) {
        let mask = slots.count - 1
        var i = hash & mask
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = entry | UInt64(UInt(bitPattern: hash) >> 40) << 40
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: 0, count: old.count * 2)
        for slot in old where slot != 0 {
            let at = Int(slot & 0xFFFF_FFFF), length = Int(slot >> 32 & 0xFF)
            let h = arena.withUnsafeBytes { Self.hash(UnsafeRawBufferPointer(rebasing: $0[(at + 4)..<(at + 4 + length)])) }
            place(slot & 0xFF_FFFF_FFFF, hash: h)
        }
    }
}

/// Rows read with a member's id, gathered in runs of 1,024 and their members looked up together
/// (`MemberNumbers.numbers`).
struct MemberRun<Row> {
    private var ids: [UInt8] = [], ends: [Int] = [], rows: [Row] = [], members: [Int32] = []
    /// Where the ids come from, for errors ("postings.member"), and each row's key, named after it.
    let column: String, key: String

    init(column: String, key: String) {
        (self.column, self.key) = (column, key)
    }

    /// Adds a row and its member's id; true when the run is full.
    mutating func add(_ id: UnsafeRawBufferPointer, _ row: Row) -> Bool {
        ids.append(contentsOf: id)
        ends.append(ids.count)
        rows.append(row)
        return rows.count == 1_024
    }

    /// Looks the run's members up and passes each row with its member's number to `body`, in
    /// order, then empties the run. An id that names no member is an integrity error naming the
    /// row (by `keyOf`).
    mutating func flush(in numbers: MemberNumbers, keyOf: (Row) -> Int64, _ body: (Row, Int32) -> Void) throws(StoreError) {
        let missing = ids.withUnsafeBytes { numbers.numbers($0, ends: ends, into: &members) }
        if let k = missing {
            let text = String(decoding: ids[(k == 0 ? 0 : ends[k - 1])..<ends[k]], as: UTF8.self)
            throw StoreError("\(column) in the row where \(key) is \"\(keyOf(rows[k]))\" holds \"\(text.prefix(60))\", which is not a member", integrity: true)
        }
        for (row, m) in zip(rows, members) { body(row, m) }
        ids.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        rows.removeAll(keepingCapacity: true)
        members.removeAll(keepingCapacity: true)
    }
}

extension Statement {
    /// The member number the text in `col` names, as `numbers` holds it; a text that names no
    /// member is an integrity error naming the column.
    func member(_ col: Int32, in numbers: MemberNumbers) throws(StoreError) -> Int32 {
        let bytes = columnBytes(col, text: true)
        guard let n = numbers.number(bytes) else {
            throw StoreError("\(origin(col)) holds \"\(String(decoding: bytes, as: UTF8.self).prefix(60))\", which is not a member", integrity: true)
        }
        return n
    }
}
