import Foundation
import KringCore
import KringStore

/// A clock tests move by hand. `@unchecked Sendable`: the value is guarded by `lock`.
public final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: Int64

    public init(_ day: Day = Day(iso: "2026-06-01")!) { seconds = day.timestamp + 9 * 3600 }

    public var now: Int64 { lock.lock(); defer { lock.unlock() }; return seconds }
    public var today: Day { Day(timestamp: now) }
    public func advance(seconds s: Int64) { lock.lock(); seconds += s; lock.unlock() }
    public func advance(days d: Int64) { advance(seconds: d * 86_400) }
    public var clock: Clock { { [self] in self.now } }
}

/// A fresh directory for one test's databases, on tmpfs when the machine has it (so
/// fsync-heavy tests stay fast), removed by `remove()`.
public struct TempDir: Sendable {
    public let path: String

    public init(_ name: String = "kring") {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        path = "\(base)/\(name)-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { "\(path)/\(name)" }
    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// The directory of the built products (where `kring` and `KringCrashWriter` are).
public var productsDirectory: String {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
    // On Linux the test bundle is an executable beside the products.
    while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("kring").path), dir.path != "/" {
        dir = dir.deletingLastPathComponent()
    }
    return dir.path
}

/// What a child process printed and how it ended.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs a program to completion with the given environment additions and standard input.
public func runProcess(_ path: String, _ args: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> ProcessResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "KRING_DB")
    env.removeValue(forKey: "KRING_NOW")
    for (k, v) in environment { env[k] = v }
    p.environment = env
    let outPipe = Pipe(), errPipe = Pipe()
    p.standardOutput = outPipe
    p.standardError = errPipe
    if let stdin {
        let inPipe = Pipe()
        p.standardInput = inPipe
        inPipe.fileHandleForWriting.write(Data(stdin.utf8))
        try inPipe.fileHandleForWriting.close()
    } else {
        p.standardInput = FileHandle.nullDevice
    }
    try p.run()
    // Read both pipes before waiting, so a full pipe cannot block the child.
    let group = DispatchGroup()
    nonisolated(unsafe) var errData = Data()
    group.enter()
    DispatchQueue.global().async {
        errData = errPipe.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    p.waitUntilExit()
    return ProcessResult(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
}

/// Members of every kind for fixtures: id, kind.
public let fixtureMembers: [(MemberID, MemberKind)] = [
    ("an", .person), ("bram", .person), ("chloe", .person), ("daan", .person), ("els", .person), ("fatima", .person),
    ("bakkerij", .company), ("coworking", .company), ("fanfare", .association), ("repaircafe", .association),
    ("moestuin", .initiative), ("stad", .municipality),
]

/// Creates a ledger with `fixtureMembers` registered.
public func fixtureLedger(at path: String, clock: TestClock, policy: Policy = .standard) throws -> Ledger {
    let ledger = try Ledger.create(path: path, policy: policy, clock: clock.clock)
    for (id, kind) in fixtureMembers {
        _ = try ledger.execute(.addMember(MemberDraft(id: id, name: id.handle.capitalized, kind: kind)), by: .coordinator)
    }
    return ledger
}
