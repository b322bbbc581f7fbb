import CSQLite
import Foundation
import KringCore
import KringStore

// KringBench: each capability beside a baseline measured in the same run, printed as a ratio.
// Run with `swift run -c release KringBench [--members N] [--months M] [--only bulk,durable,verify,balance,sha]`.

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let t = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9
}

func fmt(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }

let args = CommandLine.arguments
func arg(_ name: String, _ d: Int) -> Int {
    guard let i = args.firstIndex(of: "--" + name), i + 1 < args.count, let n = Int(args[i + 1]) else { return d }
    return n
}
let members = arg("members", 100_000), months = arg("months", 24)
let only: Set<String> = {
    guard let i = args.firstIndex(of: "--only"), i + 1 < args.count else { return ["bulk", "durable", "verify", "balance", "sha"] }
    return Set(args[i + 1].split(separator: ",").map(String.init))
}()
let dir = FileManager.default.fileExists(atPath: "/dev/shm") && args.contains("--shm") ? "/dev/shm" : NSTemporaryDirectory()
let base = "\(dir)/kringbench-\(getpid())"
try? FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: base) }

/// Raw SQLite: `rows` inserts of a journal-shaped row, with a prepared statement, all in one transaction.
func rawInserts(_ path: String, rows: Int, perTransaction: Bool) throws -> Double {
    let db = try Connection(path: path)
    try db.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE t(seq INTEGER PRIMARY KEY, ts INTEGER, type TEXT, payload TEXT, prev BLOB, hash BLOB)")
    let s = try db.prepare("INSERT INTO t VALUES (?,?,?,?,?,?)")
    let payload = String(repeating: "x", count: 220), hash = [UInt8](repeating: 7, count: 32)
    return try seconds {
        if !perTransaction { try db.execute("BEGIN") }
        for i in 0..<rows {
            if perTransaction { try db.execute("BEGIN") }
            try s.run(.int(Int64(i + 1)), .int(1_700_000_000), .text("exchange.recorded"), .text(payload), .blob(hash), .blob(hash))
            if perTransaction { try db.execute("COMMIT") }
        }
        if !perTransaction { try db.execute("COMMIT") }
    }
}

print("KringBench — \(ProcessInfo.processInfo.processorCount) cores, database files in \(dir)")
print("")

if only.contains("sha") {
    var sha = SHA256()
    let mb = [UInt8](repeating: 0x61, count: 1 << 20)
    let shaSeconds = seconds { for _ in 0..<64 { sha.update(mb) }; _ = sha.finalize() }
    var small = 0.0
    let entry = [UInt8](repeating: 0x62, count: 300)
    small = seconds { for _ in 0..<200_000 { _ = SHA256.hash(entry) } }
    print("SHA-256: \(fmt(64 / shaSeconds)) MiB/s over 64 MiB; \(fmt(200_000 / small, 0)) digests/s of 300-byte journal-sized messages")
    print("")
}

// 1. Bulk append of a demo workload (verify and the balance lookups read its database).
let demoPath = base + "/demo.sqlite"
if !only.isDisjoint(with: ["bulk", "verify", "balance"]) {
    var summary: DemoSummary!
    let endDay = Day(iso: "2026-11-29")!
    let demoSeconds = try seconds {
        summary = try DemoCommunity.build(at: demoPath, options: DemoOptions(members: members, months: months, seed: 1, endDay: endDay))
    }
    if only.contains("bulk") {
        let events = Double(summary.events)
        let rawSeconds = try rawInserts(base + "/raw.sqlite", rows: summary.events, perTransaction: false)
        print("bulk append (demo, \(members) members, \(months) months): \(summary.events) events in \(fmt(demoSeconds)) s = \(fmt(events / demoSeconds, 0)) events/s")
        print("  baseline raw SQLite, same number of rows, one transaction: \(fmt(events / rawSeconds, 0)) rows/s")
        print("  ratio kring/raw: \(fmt((events / demoSeconds) / (events / rawSeconds), 3))  (each kring event also decides the rules, hashes, and writes 4–9 projection rows)")
        print("")
    }
}

// 2. Durable single-command append.
if only.contains("durable") {
    let n = 300
    let ledger = try Ledger.create(path: base + "/single.sqlite")
    for m in ["an", "bram", "chloe", "daan"] { _ = try ledger.execute(.addMember(MemberDraft(id: m, name: m, kind: .person)), by: .coordinator) }
    let pairs = [("an", "bram"), ("bram", "an"), ("chloe", "daan"), ("daan", "chloe")]
    let singleSeconds = try seconds {
        for i in 0..<n {
            let (p, r) = pairs[i % 4]
            _ = try ledger.execute(.record(ExchangeDraft(providers: [p], receivers: [r], kind: .time, domain: "care", what: "bench", credits: Minutes(15)), reason: nil), by: .coordinator)
        }
    }
    let rawSingle = try rawInserts(base + "/rawsingle.sqlite", rows: n, perTransaction: true)
    print("durable single-command append (one exchange per transaction, synchronous=FULL): \(fmt(Double(n) / singleSeconds, 0)) /s")
    print("  baseline raw SQLite, one row per transaction, same settings: \(fmt(Double(n) / rawSingle, 0)) /s")
    print("  ratio kring/raw: \(fmt((Double(n) / singleSeconds) / (Double(n) / rawSingle), 3))")
    print("")
}

// 3. Verify.
if only.contains("verify") {
    var report: VerifyReport!
    let verifySeconds = try seconds { report = try Verifier.verify(path: demoPath) }
    print("verify of \(report.entries) journal entries: \(fmt(Double(report.entries) / verifySeconds, 0)) entries/s (\(fmt(verifySeconds)) s, ok: \(report.ok))")
    print("")
}

// 4. Balance lookup.
if only.contains("balance") {
    let reader = try Reader(path: demoPath)
    let ids = try reader.balances().map(\.member)
    var rng = SplitMix64(seed: 9)
    func sample(_ lookup: (String) throws -> Void) rethrows -> [Double] {
        var samples = [Double]()
        for _ in 0..<20_000 {
            let id = rng.pick(ids)
            let t = DispatchTime.now().uptimeNanoseconds
            try lookup(id)
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1000)
        }
        return samples.sorted()
    }
    let ours = try sample { _ = try reader.balance($0) }
    let raw = try Connection(path: demoPath)
    let baseline = try sample { _ = try raw.scalarInt("SELECT balance FROM accounts WHERE member = ?", .text($0)) }
    print("balance lookup (Reader.balance): median \(fmt(ours[ours.count / 2], 2)) µs, p99 \(fmt(ours[ours.count * 99 / 100], 2)) µs")
    print("  baseline one prepared SELECT on a raw connection: median \(fmt(baseline[baseline.count / 2], 2)) µs, p99 \(fmt(baseline[baseline.count * 99 / 100], 2)) µs")
}
