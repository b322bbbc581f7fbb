/// What the standing exchanges of one column of a report add up to: the values and the member
/// sets of every flow table's cells, the members active in the column, and the pairs who
/// exchanged. Sums add and sets unite, so the columns of shorter periods combine exactly into
/// a longer one (`formUnion`): the maintained statistics keep one per month and build quarters,
/// years and the whole range from them.
///
/// Domains and neighbourhoods are numbered by the caller (`domain`, `memberHood`); the rows of
/// those tables grow as numbers appear.
public struct StatsFlows: Sendable {
    /// One cell: exchanges (or a count), flows, credits, quantity; who gave and who received.
    struct Acc: Sendable {
        var v: (Int64, Int64, Int64, Int64) = (0, 0, 0, 0)
        var givers = MemberSet()
        var takers = MemberSet()

        mutating func formUnion(_ o: Acc) {
            v.0 += o.v.0; v.1 += o.v.1; v.2 += o.v.2; v.3 += o.v.3
            givers.formUnion(o.givers)
            takers.formUnion(o.takers)
        }
    }

    var total = [Acc()]
    var byKind = Array(repeating: Acc(), count: ExchangeKind.allCases.count)
    var byDomain = [Acc]()
    var given = Array(repeating: Acc(), count: exchangingKinds.count)
    var received = Array(repeating: Acc(), count: exchangingKinds.count)
    var pairs = Array(repeating: Acc(), count: exchangingKinds.count * exchangingKinds.count)
    var byHood = [Acc]()
    var gifts = Array(repeating: Acc(), count: 2)
    var sessions = Acc()
    var sessionsByDomain = [Acc]()
    var active = MemberSet()
    var gave = MemberSet()
    var got = MemberSet()
    /// Distinct unordered pairs of members who exchanged, as (smaller << 32 | larger).
    var pairSet = Set<UInt64>()
    /// The groups the pairs connect, kept as exchanges are added once `trackGroups` was called
    /// (the maintained months and whole range): the largest group then needs no pass over the
    /// pairs. Uniting columns drops them.
    var groups: Groups?

    public init() {}

    /// Keeps the groups the pairs connect from now on (built from the pairs already added).
    public mutating func trackGroups() {
        var g = Groups()
        for pair in pairSet { g.join(Int32(truncatingIfNeeded: pair >> 32), Int32(truncatingIfNeeded: pair & 0xFFFF_FFFF)) }
        groups = g
    }

    /// The share of the active members in the largest group the pairs connect, in thousandths.
    func largestGroupPerMille(count: Int) -> Int64 {
        guard active.count > 0 else { return 0 }
        if let groups { return Int64((Double(groups.largest) * 1000 / Double(active.count)).rounded()) }
        return Statistics.largestGroupPerMille(pairSet, members: active.members, count: count)
    }

    /// Whether no exchange has been added.
    public var isEmpty: Bool { total[0].v.0 == 0 }

    /// Adds one standing exchange. `memberKind` gives each member's row in the tables by kind
    /// (an index into `exchangingKinds`), `memberHood` its neighbourhood's number; `capacity`
    /// is the number of members (it sizes the member sets once).
    public mutating func add(kind: ExchangeKind, domain: Int, credits: Int64, quantity: Int64, session: Bool,
                      providers: ArraySlice<Int32>, receivers: ArraySlice<Int32>,
                      memberKind: [Int], memberHood: [Int], capacity: Int) {
        let n = Int64(providers.count * receivers.count)
        func cell(_ a: inout Acc) {
            a.v.0 += 1
            a.v.1 += n
            a.v.2 += credits * n
            a.v.3 += quantity * n
            for p in providers { a.givers.insert(p, capacity: capacity) }
            for r in receivers { a.takers.insert(r, capacity: capacity) }
        }
        cell(&total[0])
        cell(&byKind[ExchangeKind.allCases.firstIndex(of: kind)!])
        while byDomain.count <= domain { byDomain.append(Acc()) }
        cell(&byDomain[domain])
        if credits == 0, kind != .time { cell(&gifts[kind == .space ? 0 : 1]) }
        if session {
            cell(&sessions)
            while sessionsByDomain.count <= domain { sessionsByDomain.append(Acc()) }
            cell(&sessionsByDomain[domain])
        }
        func flow(_ a: inout Acc, _ p: Int32, _ r: Int32) {
            a.v.1 += 1
            a.v.2 += credits
            a.givers.insert(p, capacity: capacity)
            a.takers.insert(r, capacity: capacity)
        }
        let kinds = exchangingKinds.count
        for p in providers {
            for r in receivers {
                let gk = memberKind[Int(p)], rk = memberKind[Int(r)], hood = memberHood[Int(r)]
                flow(&given[gk], p, r)
                flow(&received[rk], p, r)
                flow(&pairs[gk * kinds + rk], p, r)
                while byHood.count <= hood { byHood.append(Acc()) }
                flow(&byHood[hood], p, r)
                active.insert(p, capacity: capacity); active.insert(r, capacity: capacity)
                gave.insert(p, capacity: capacity); got.insert(r, capacity: capacity)
                if pairSet.insert(UInt64(UInt32(min(p, r))) << 32 | UInt64(UInt32(max(p, r)))).inserted, groups != nil { groups!.join(p, r) }
            }
        }
    }

    /// Adds `other`'s exchanges to these (the two hold different exchanges).
    public mutating func formUnion(_ other: StatsFlows) {
        func unite(_ a: inout [Acc], _ b: [Acc]) {
            while a.count < b.count { a.append(Acc()) }
            for i in b.indices { a[i].formUnion(b[i]) }
        }
        unite(&total, other.total)
        unite(&byKind, other.byKind)
        unite(&byDomain, other.byDomain)
        unite(&given, other.given)
        unite(&received, other.received)
        unite(&pairs, other.pairs)
        unite(&byHood, other.byHood)
        unite(&gifts, other.gifts)
        sessions.formUnion(other.sessions)
        unite(&sessionsByDomain, other.sessionsByDomain)
        active.formUnion(other.active)
        gave.formUnion(other.gave)
        got.formUnion(other.got)
        if pairSet.isEmpty { pairSet = other.pairSet } else { pairSet.formUnion(other.pairSet) }
        groups = nil
    }

    /// A domain's or a neighbourhood's cell; empty when nothing was added to it.
    static func row(_ rows: [Acc], _ i: Int?) -> Acc {
        guard let i, i < rows.count else { return Acc() }
        return rows[i]
    }
}

/// Members joined into groups by the pairs who exchanged (union by size, path halving), with the
/// size of the largest group.
struct Groups: Sendable {
    private var parent: [Int32] = []
    private var size: [Int32] = []
    private(set) var largest: Int32 = 0

    private mutating func find(_ x: Int32) -> Int32 {
        var x = Int(x)
        while parent[x] != Int32(x) {
            parent[x] = parent[Int(parent[x])]
            x = Int(parent[x])
        }
        return Int32(x)
    }

    mutating func join(_ a: Int32, _ b: Int32) {
        let need = Int(max(a, b)) + 1
        if parent.count < need {
            parent.append(contentsOf: Int32(parent.count)..<Int32(need))
            size.append(contentsOf: repeatElement(1, count: need - size.count))
        }
        var ra = find(a), rb = find(b)
        guard ra != rb else { return }
        if size[Int(ra)] < size[Int(rb)] { swap(&ra, &rb) }
        parent[Int(rb)] = ra
        size[Int(ra)] += size[Int(rb)]
        largest = max(largest, size[Int(ra)])
    }
}

/// A set of member numbers as a bitset, with its size kept as members are added.
struct MemberSet: Sendable {
    private var words: [UInt64] = []
    private(set) var count = 0

    /// Adds `m`; `capacity` (the number of members) sizes the set on its first insertion, and
    /// it grows when a member beyond it arrives.
    mutating func insert(_ m: Int32, capacity: Int) {
        let i = Int(m) >> 6, bit = UInt64(1) << UInt64(Int(m) & 63)
        if i >= words.count { words.append(contentsOf: repeatElement(0, count: max(i + 1, (capacity + 63) / 64) - words.count)) }
        if words[i] & bit == 0 {
            words[i] |= bit
            count += 1
        }
    }

    mutating func formUnion(_ other: MemberSet) {
        guard other.count > 0 else { return }
        guard count > 0 else { self = other; return }
        if words.count < other.words.count { words.append(contentsOf: repeatElement(0, count: other.words.count - words.count)) }
        var n = 0
        words.withUnsafeMutableBufferPointer { w in
            other.words.withUnsafeBufferPointer { o in
                for i in o.indices { w[i] |= o[i] }
            }
            for x in w { n += x.nonzeroBitCount }
        }
        count = n
    }

    func intersectionCount(_ other: MemberSet) -> Int {
        var n = 0
        for i in 0..<min(words.count, other.words.count) { n += (words[i] & other.words[i]).nonzeroBitCount }
        return n
    }

    /// The members, in order.
    var members: [Int32] {
        var out = [Int32]()
        out.reserveCapacity(count)
        for (i, w) in words.enumerated() where w != 0 {
            var x = w
            while x != 0 {
                out.append(Int32(i * 64 + x.trailingZeroBitCount))
                x &= x - 1
            }
        }
        return out
    }
}
