import Foundation
import KringCore

/// A replay's column (`ColumnArray`) kept in a temporary file mapped into memory, of which the
/// process keeps only the pages last used, so that `verify`'s resident memory does not grow with
/// the journal's columns of exchanges and listings.
///
/// - When the column says bytes will not be needed soon (`relinquish`), the process gives back
///   its mapping of those pages (`madvise(MADV_DONTNEED)`). The values stay in the file: a page
///   read again is mapped again from the kernel's page cache, or read back from the disk if the
///   kernel wrote it out to free memory.
/// - The file is unlinked as soon as it is made: nothing is left behind, whatever ends the
///   process. It lies in `TMPDIR` (or `/tmp`). Its blocks are reserved before they are used
///   (`posix_fallocate`), so a full disk is a failed reservation, not a fault on a write.
/// - Where no file can be made or grown, the values move to anonymous memory and stay there: the
///   column still works, it only no longer spills (`spills`).
final class SpillFile: ColumnMemory, @unchecked Sendable {
    private let directory: String?
    /// The file, or -1 once the values are in anonymous memory.
    private(set) var fd: Int32 = -1

    /// A column's memory in a new file in `directory` (nil: `TMPDIR`, or `/tmp`); with `spill`
    /// false, in anonymous memory from the start.
    init(directory: String? = nil, spill: Bool = true) {
        self.directory = directory
        super.init()
        #if os(Linux)
        if spill { fd = Self.makeFile(in: directory) }
        #endif
    }

    deinit {
        if let base { munmap(base, capacity) }
        base = nil  // not the heap's: the base class must not free it
        if fd >= 0 { close(fd) }
    }

    /// Whether the values are in a file (their pages may be given back), not in memory.
    var spills: Bool { fd >= 0 }

    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// A new file, already unlinked, or -1.
    private static func makeFile(in directory: String?) -> Int32 {
        let dir = directory ?? ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(dir)/kring-spill-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return -1 }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return fd
    }

    override func grow(to bytes: Int, keeping used: Int) {
        let rounded = (bytes + Self.pageSize - 1) / Self.pageSize * Self.pageSize
        if fd >= 0, growFile(to: rounded) { return }
        growMemory(to: rounded, keeping: used)
    }

    /// Reserves the file's blocks and maps it whole; false (nothing changed) if either fails.
    private func growFile(to bytes: Int) -> Bool {
        #if os(Linux)
        guard posix_fallocate(fd, 0, off_t(bytes)) == 0 else { return false }
        guard let mapped = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), mapped != MAP_FAILED else { return false }
        if let base { munmap(base, capacity) }
        base = mapped
        capacity = bytes
        return true
        #else
        return false
        #endif
    }

    /// Moves the values into anonymous memory of `bytes`; the column stops spilling.
    private func growMemory(to bytes: Int, keeping used: Int) {
        #if os(Linux)
        let anonymous = MAP_PRIVATE | MAP_ANONYMOUS
        #else
        let anonymous = MAP_PRIVATE | MAP_ANON
        #endif
        guard let mapped = mmap(nil, bytes, PROT_READ | PROT_WRITE, anonymous, -1, 0), mapped != MAP_FAILED else {
            fatalError("out of memory: \(bytes) bytes for a replay's column")
        }
        if let base {
            mapped.copyMemory(from: base, byteCount: used)
            munmap(base, capacity)
        }
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        base = mapped
        capacity = bytes
    }

    /// Gives back the mapping's pages below `offset`: only a file's (anonymous memory would
    /// lose its values).
    override func relinquish(below offset: Int) {
        guard fd >= 0, let base else { return }
        let end = min(max(0, offset), capacity) / Self.pageSize * Self.pageSize
        if end > 0 { madvise(base, end, MADV_DONTNEED) }
    }

    override func copy(keeping used: Int) -> ColumnMemory {
        let other = SpillFile(directory: directory, spill: spills)
        other.copyIn(from: self, used: used)
        return other
    }
}
