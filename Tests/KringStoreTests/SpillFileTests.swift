import Foundation
import Testing
import KringCore
@testable import KringStore

/// `SpillFile`: a replay's column in a temporary file of which the process keeps only the
/// pages last used (`verify`). Held to an `Array` as the oracle, and its resident pages read
/// from the kernel (`/proc/self/smaps`).
struct SpillFileTests {
    @Test("On random appends and changes across many releases, a spilled column holds what an Array holds")
    func agreesWithAnArray() throws {
        // Held by the column alone: a second reference would make its first write copy it.
        var column = ColumnArray<ColumnArrayRow>(memory: SpillFile()), oracle = [ColumnArrayRow]()
        var rng = SplitMix64(seed: 11)
        for _ in 0..<300_000 {
            if oracle.isEmpty || rng.below(3) != 0 {
                let r = ColumnArrayRow(&rng)
                column.append(r)
                oracle.append(r)
            } else {
                let i = rng.below(4) == 0 ? rng.below(oracle.count) : oracle.count - 1 - rng.below(min(oracle.count, 500))
                let r = ColumnArrayRow(&rng)
                column[i] = r
                oracle[i] = r
            }
        }
        let file = try #require(column.storage as? SpillFile)
        #expect(file.spills, "still in its file after growing to \(file.capacity) bytes")
        column.releaseResident()
        #expect((0..<oracle.count).allSatisfy { column[$0] == oracle[$0] }, "read back after its pages were given back")
        var seen = [ColumnArrayRow]()
        column.forEach { seen.append($0) }
        #expect(seen == oracle)
    }

    @Test("A copy has a file of its own: changing either leaves the other as it was")
    func copyOnWrite() {
        var a = ColumnArray<Int64>(memory: SpillFile())
        for i in 0..<200_000 { a.append(Int64(i)) }
        var b = a
        b[5] = -5
        a[6] = -6
        #expect(a[5] == 5 && a[6] == -6 && b[5] == -5 && b[6] == 6)
        #expect((b.storage as? SpillFile)?.spills == true && a.storage !== b.storage)
    }

    @Test("Without a place for its file it keeps the values in memory, and giving pages back loses none")
    func withoutAFileItKeepsMemory() {
        var a = ColumnArray<Int64>(memory: SpillFile(directory: "/nonexistent-kring-dir"))
        for i in 0..<400_000 { a.append(Int64(i) * 3) }
        #expect((a.storage as? SpillFile)?.spills == false)
        a.releaseResident()
        #expect((0..<400_000).allSatisfy { a[$0] == Int64($0) * 3 })
        var b = a
        b[0] = -1
        #expect(a[0] == 0 && (b.storage as? SpillFile)?.spills == false)
    }

    @Test("Its file is unlinked at once: nothing is left in the directory, even while it is used")
    func leavesNoFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spill-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var a = ColumnArray<Int64>(memory: SpillFile(directory: dir))
        for i in 0..<10_000 { a.append(Int64(i)) }
        #expect((a.storage as? SpillFile)?.spills == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        #expect(a[9_999] == 9_999)
    }

    /// The resident kilobytes of the mapping at `address`, as the kernel counts them.
    static func residentKiB(of address: UnsafeMutableRawPointer?) -> Int? {
        guard let address else { return nil }
        // Read to its end: Foundation's one read of a /proc file stops at its first page.
        let fd = open("/proc/self/smaps", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](), chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += chunk[..<n]
        }
        var inside = false
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            if let dash = line.firstIndex(of: "-"), let start = UInt(line[..<dash], radix: 16), line.contains(" ") {
                inside = start == UInt(bitPattern: address)
            } else if inside, line.hasPrefix("Rss:") {
                return Int(line.split(separator: " ")[1])
            }
        }
        return nil
    }

    @Test("Its resident pages stay about the last megabytes used, whether it is written, read in order, or read all over")
    func residentPagesStayBounded() throws {
        var a = ColumnArray<Int64>(memory: SpillFile())
        // 48 MiB of values.
        let n = 6 << 20
        for i in 0..<n { a.append(Int64(i)) }
        // Only read from here on, so holding the memory copies nothing.
        let file = try #require(a.storage as? SpillFile)
        let bound = (ColumnArray<Int64>.keptBytes + ColumnArray<Int64>.releaseStride) / 1024 + 64
        #expect(file.capacity >= n * 8 && file.spills)
        let afterWriting = try #require(Self.residentKiB(of: file.base))
        #expect(afterWriting <= bound, "written: \(afterWriting) KiB resident of \(file.capacity / 1024)")

        var sum: Int64 = 0
        a.forEach { sum &+= $0 }
        #expect(sum == Int64(n) * Int64(n - 1) / 2)
        let afterForEach = try #require(Self.residentKiB(of: file.base))
        #expect(afterForEach <= bound, "read in order: \(afterForEach) KiB")

        // Reading by index maps every page again; giving them back keeps only the last.
        var check: Int64 = 0
        for i in Swift.stride(from: 0, to: n, by: 512) { check &+= a[i] }
        #expect(check > 0)
        let afterReading = try #require(Self.residentKiB(of: file.base))
        #expect(afterReading > bound, "reading by index maps the pages read (\(afterReading) KiB): the check above can fail")
        a.releaseResident()
        let afterRelease = try #require(Self.residentKiB(of: file.base))
        #expect(afterRelease <= bound, "given back: \(afterRelease) KiB")
    }
}

/// 24 bytes, so values straddle pages.
struct ColumnArrayRow: BitwiseCopyable, Equatable {
    var a: Int64, b: Int32, c: Bool, d: Int64

    init(_ rng: inout SplitMix64) {
        (a, b, c, d) = (Int64(bitPattern: rng.next()), Int32(truncatingIfNeeded: rng.next()), rng.below(2) == 0, Int64(rng.below(10_000)))
    }
}
