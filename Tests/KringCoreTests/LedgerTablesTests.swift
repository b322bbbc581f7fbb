import Testing
@testable import KringCore

/// The arrays a `LedgerState` keeps its rows in: by number (listings, loans, bookings,
/// challenges) and members by id in registration order, each held to the dictionary it replaced.
struct LedgerTablesTests {
    @Test("ByNumber appends the next number, replaces a held one, and keeps nothing at 0, below, or past the next")
    func byNumberKeepsOnlyTheSequence() {
        var t = ByNumber<String>()
        #expect(t.count == 0 && t.numbers.isEmpty && t[1] == nil)
        t[2] = "gap"
        t[0] = "zero"
        t[-1] = "negative"
        #expect(t.count == 0, "a number past the next, or below 1, is not kept")
        t[1] = "a"
        t[2] = "b"
        t[3] = "c"
        t[2] = "B"
        t[5] = "gap"
        t[3] = nil
        #expect(t.values == ["a", "B", "c"], "nil removes nothing; 5 is past the next (4)")
        #expect(Array(t.numbers) == [1, 2, 3])
        #expect(t[0] == nil && t[4] == nil && t[Int64.max] == nil && t[Int64.min] == nil)
        var u = ByNumber<String>()
        for (n, v) in zip(t.numbers, t.values) { u[n] = v }
        #expect(u == t)
    }

    @Test("MemberTable, on random ids added, updated and looked up, agrees with a dictionary and keeps registration order", arguments: [UInt64(1), 2])
    func memberTableAgreesWithADictionary(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var table = MemberTable(), oracle = [MemberID: MemberState](), order = [MemberID]()
        let day = Day(iso: "2026-06-01")!
        for i in 0..<3_000 {
            // Short ids (held inline), long ones (allocated apart), and repeats.
            let id = MemberID(canonical: (rng.below(2) == 0 ? "m" : "bewonersgroep-noord-") + String(rng.below(1_500)))!
            if var known = oracle[id] {
                known.balance += Minutes(Int64(i))
                table[id] = known
                oracle[id] = known
            } else {
                #expect(table[id] == nil)
                let state = MemberState(info: MemberInfo(id: id, name: "lid \(i)", kind: .person, joined: day))
                table[id] = state
                oracle[id] = state
                order.append(id)
            }
        }
        #expect(table.count == oracle.count && table.isEmpty == false)
        #expect(table.values.map(\.id) == order, "registration order")
        for (id, state) in oracle {
            #expect(table[id] == state)
            #expect(table.index(forKey: id).map { table.values[$0] } == state)
        }
        #expect(table[MemberID(canonical: "nobody")!] == nil && table.index(forKey: MemberID(canonical: "nobody")!) == nil)
        var copy = table
        #expect(copy == table)
        copy[order[0]]!.status = .suspended
        #expect(copy != table, "a state changed in place is a difference")
    }
}
