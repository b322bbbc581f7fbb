import Testing
@testable import KringCore

/// `ColumnArray`: the fixed-size columns a replay keeps per exchange and per listing, held to an
/// `Array` as the oracle, in the heap's memory and in a memory that records what it is told
/// (the store's `SpillFile`, which maps a file, is tested in `SpillFileTests`).
struct ColumnArrayTests {
    /// 24 bytes, so values straddle pages.
    struct Row: BitwiseCopyable, Equatable {
        var a: Int64, b: Int32, c: Bool, d: Minutes
    }

    static func row(_ rng: inout SplitMix64) -> Row {
        Row(a: Int64(bitPattern: rng.next()), b: Int32(truncatingIfNeeded: rng.next()), c: rng.below(2) == 0, d: Minutes(Int64(rng.below(10_000))))
    }

    /// Heap memory that records the offsets it is told are not needed soon (and keeps the
    /// values, as any memory must: it is only a hint).
    final class Recording: ColumnMemory, @unchecked Sendable {
        var relinquished: [Int] = []
        override func relinquish(below offset: Int) { relinquished.append(offset) }
        override func copy(keeping used: Int) -> ColumnMemory {
            let other = Recording()
            other.copyIn(from: self, used: used)
            return other
        }
    }

    /// Random appends and changes, mostly recent, some at any distance (a reversal of an old exchange).
    static func fill(_ column: inout ColumnArray<Row>, _ oracle: inout [Row], seed: UInt64, steps: Int) {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<steps {
            if oracle.isEmpty || rng.below(3) != 0 {
                let r = Self.row(&rng)
                column.append(r)
                oracle.append(r)
            } else {
                let i = rng.below(4) == 0 ? rng.below(oracle.count) : oracle.count - 1 - rng.below(min(oracle.count, 500))
                let r = Self.row(&rng)
                column[i] = r
                oracle[i] = r
            }
        }
    }

    @Test("On random appends and changes it holds what an Array holds, and says now and then which bytes it will not need soon")
    func agreesWithAnArray() throws {
        // Held by the column alone: a second reference would make its first write copy it.
        var column = ColumnArray<Row>(memory: Recording()), oracle = [Row]()
        #expect(column.isEmpty && column.storage.base == nil, "no memory until the first value")
        Self.fill(&column, &oracle, seed: 7, steps: 300_000)
        let memory = try #require(column.storage as? Recording)
        #expect(column.count == oracle.count)
        #expect((0..<oracle.count).allSatisfy { column[$0] == oracle[$0] })
        var seen = [Row]()
        column.forEach { seen.append($0) }
        #expect(seen == oracle)
        // 300,000 steps of 24 bytes: a release every megabyte written, each keeping the last megabyte.
        let stride = MemoryLayout<Row>.stride
        #expect(memory.relinquished.count >= 300_000 * stride / ColumnArray<Row>.releaseStride)
        #expect(memory.relinquished.allSatisfy { $0 <= oracle.count * stride })
        #expect(memory.capacity >= oracle.count * stride && memory.capacity < 4 * oracle.count * stride)
    }

    @Test("A copy is a value: changing either leaves the other as it was, in memory of its own of the same kind")
    func copyOnWrite() {
        var a = ColumnArray<Int64>(memory: Recording())
        for i in 0..<200_000 { a.append(Int64(i)) }
        var b = a
        #expect(a.storage === b.storage)
        b[5] = -5
        b.append(-1)
        a[6] = -6
        #expect(a.count == 200_000 && b.count == 200_001)
        #expect(a[5] == 5 && a[6] == -6 && b[5] == -5 && b[6] == 6 && b[200_000] == -1)
        #expect(a.storage !== b.storage && b.storage is Recording)
    }

    @Test("ColumnByNumber appends the next number, replaces a held one, and keeps nothing at 0, below, or past the next")
    func byNumberKeepsOnlyTheSequence() {
        var t = ColumnByNumber<Int64>()
        t[2] = 20
        t[0] = 1
        t[-1] = 1
        #expect(t.count == 0 && t[1] == nil)
        t[1] = 10
        t[2] = 20
        t[3] = 30
        t[2] = 21
        t[5] = 50
        t[3] = nil
        #expect(t.count == 3 && t[1] == 10 && t[2] == 21 && t[3] == 30)
        #expect(t[0] == nil && t[4] == nil && t[Int64.max] == nil && t[Int64.min] == nil)
        // Set past the next number, with padding: the numbers skipped hold the padding.
        t.set(6, 60, padding: 0)
        #expect(t.count == 6 && t[4] == 0 && t[5] == 0 && t[6] == 60 && t[3] == 30)
        t.set(2, 22, padding: 0)
        t.set(7, 70, padding: 0)
        #expect(t.count == 7 && t[2] == 22 && t[6] == 60 && t[7] == 70)
    }
}
