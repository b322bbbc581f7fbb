import CSQLite
import Foundation
import KringCore
import KringReport
import KringStore
import KringTestSupport

// KringBench: each capability beside a baseline measured in the same run, printed as a ratio.
// Run with `swift run -c release KringBench [--members N] [--months M] [--only bulk,durable,verify,balance,stats,sha,search,match,import,batch,reads,handler,writes,http]`.

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let t = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9
}

/// A member id the bench names (always canonical).
func member(_ handle: String) -> MemberID { MemberID(canonical: handle)! }

func fmt(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }

let args = CommandLine.arguments
if args.count >= 5, args[1] == "--serve-child" { serveChild(path: args[2], minimal: args[3] == "minimal", maxBatch: Int(args[4]) ?? 256) }
func arg(_ name: String, _ d: Int) -> Int {
    guard let i = args.firstIndex(of: "--" + name), i + 1 < args.count, let n = Int(args[i + 1]) else { return d }
    return n
}
let members = arg("members", 100_000), months = arg("months", 24)
let only: Set<String> = {
    guard let i = args.firstIndex(of: "--only"), i + 1 < args.count else { return ["bulk", "durable", "verify", "balance", "stats", "sha", "search", "match", "import", "batch", "http"] }
    return Set(args[i + 1].split(separator: ",").map(String.init))
}()
let dir = FileManager.default.fileExists(atPath: "/dev/shm") && args.contains("--shm") ? "/dev/shm" : NSTemporaryDirectory()
let base = "\(dir)/kringbench-\(getpid())"
try? FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
// KRINGBENCH_KEEP=1 keeps the databases (to look at them after a run).
defer { if ProcessInfo.processInfo.environment["KRINGBENCH_KEEP"] == nil { try? FileManager.default.removeItem(atPath: base) } }

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
    var portable = SHA256(portable: true)
    let portableSeconds = seconds { for _ in 0..<64 { portable.update(mb) }; _ = portable.finalize() }
    let portableSmall = seconds { for _ in 0..<200_000 { var h = SHA256(portable: true); h.update(entry); _ = h.finalize() } }
    print("SHA-256 (\(SHA256.hardware ? "the processor's SHA instructions" : "Swift")): \(fmt(64 / shaSeconds)) MiB/s over 64 MiB; \(fmt(200_000 / small, 0)) digests/s of 300-byte journal-sized messages")
    print("  baseline the portable Swift compression: \(fmt(64 / portableSeconds)) MiB/s; \(fmt(200_000 / portableSmall, 0)) digests/s (ratio \(fmt(portableSmall / small, 1))x)")
    print("")
}

// 1. Bulk append of a demo workload (verify and the balance lookups read its database).
let demoPath = base + "/demo.sqlite"
if !only.isDisjoint(with: ["bulk", "verify", "balance", "stats"]) {
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
    for m in ["an", "bram", "chloe", "daan"] { _ = try ledger.execute(.addMember(MemberDraft(id: member(m), name: m, kind: .person)), by: .coordinator) }
    let pairs = [("an", "bram"), ("bram", "an"), ("chloe", "daan"), ("daan", "chloe")].map { (member($0.0), member($0.1)) }
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

/// Runs the release `kring` beside this binary (when built) with `args` and returns its peak
/// resident memory in MiB (to within its last 5 ms) and its wall time, or nil without the binary.
func kringChild(_ args: [String]) -> (peakMiB: Double, seconds: Double)? {
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("kring").path
    guard FileManager.default.isExecutableFile(atPath: binary) else { return nil }
    var pid: pid_t = 0
    let argv: [UnsafeMutablePointer<CChar>?] = ([binary] + args).map { strdup($0) } + [nil]
    defer { for a in argv { free(a) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    defer { posix_spawn_file_actions_destroy(&actions) }
    let started = DispatchTime.now().uptimeNanoseconds
    guard posix_spawn(&pid, binary, &actions, nil, argv, environ) == 0 else { return nil }
    // The child's own high-water mark, read from /proc while it runs (a spawned child's
    // rusage would count this process's memory, which it shared until its exec).
    var peakKiB = 0.0
    var status: Int32 = 0
    while waitpid(pid, &status, WNOHANG) == 0 {
        if let kib = procStatusKiB("/proc/\(pid)/status", "VmHWM:") { peakKiB = max(peakKiB, kib) }
        usleep(5_000)
    }
    return (peakKiB / 1024, Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
}

// 3. Verify.
if only.contains("verify") {
    var report: VerifyReport!
    let verifySeconds = try seconds { report = try Verifier.verify(path: demoPath) }
    print("verify of \(report.entries) journal entries: \(fmt(Double(report.entries) / verifySeconds, 0)) entries/s (\(fmt(verifySeconds)) s, ok: \(report.ok))")
    if let cli = kringChild(["--db", demoPath, "verify"]) {
        print("  `kring verify` (release, as an operator runs it): \(fmt(cli.seconds)) s, peak resident memory \(fmt(cli.peakMiB, 0)) MiB")
    }
    let serialSeconds = try seconds { _ = try Verifier.verify(path: demoPath, parallel: false) }
    print("  on one thread, as the server verifies on request: \(fmt(Double(report.entries) / serialSeconds, 0)) entries/s (ratio to both cores \(fmt(verifySeconds / serialSeconds, 2)))")
    print("")
}

// 4. Balance lookup.
if only.contains("balance") {
    let reader = try Reader(path: demoPath)
    let ids = try reader.balances().map(\.member)
    var rng = SplitMix64(seed: 9)
    func sample(_ lookup: (MemberID) throws -> Void) rethrows -> [Double] {
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
    let baseline = try sample { _ = try raw.scalarInt("SELECT balance FROM accounts WHERE member = ?", .text($0.handle)) }
    print("balance lookup (Reader.balance): median \(fmt(ours[ours.count / 2], 2)) µs, p99 \(fmt(ours[ours.count * 99 / 100], 2)) µs")
    print("  baseline one prepared SELECT on a raw connection: median \(fmt(baseline[baseline.count / 2], 2)) µs, p99 \(fmt(baseline[baseline.count * 99 / 100], 2)) µs")
    print("")
}

// 5. The market: search over 100,000 listings, and matching 10,000 requests to 50,000 offers.
if !only.isDisjoint(with: ["search", "match"]) {
    let marketPath = base + "/market.sqlite"
    let start = Day(iso: "2026-11-01")!
    let loader = try BulkLoader(path: marketPath, genesisAt: start.timestamp)
    var rng = SplitMix64(seed: 5)
    let authors = (0..<20_000).map { member("m\($0)") }
    for id in authors {
        _ = try loader.execute(.addMember(MemberDraft(id: id, name: id.handle, kind: rng.chance(0.9) ? .person : .company,
                                                      neighbourhood: rng.pick(["Noord", "Oost", "Zuid", "West", "Centrum"]))),
                               by: .coordinator, at: start.timestamp)
    }
    let vocabulary = ["zaal", "fiets", "boodschappen", "koken", "tuin", "computer", "taalcafé", "verhuis", "ladder", "boormachine",
                      "wandelen", "huiswerk", "energie", "isolatie", "kleding", "repetitie", "koffie", "gitaar", "school", "markt",
                      "room", "bike", "garden", "lessons", "help", "dinsdag", "woensdag", "avond", "weekend", "buurt"]
    let fillers = (0..<2_000).map { "woord\($0)" }
    func text(_ n: Int) -> String { (0..<n).map { _ in rng.chance(0.3) ? rng.pick(vocabulary) : rng.pick(fillers) }.joined(separator: " ") }
    let listingCount = 100_000, offerShare = 0.5
    var requestsPosted = 0, offersPosted = 0
    for i in 0..<listingCount {
        let side: ListingSide = Double(i % 100) < offerShare * 100 ? .offer : .request
        let author = rng.pick(authors)
        let d = ListingDraft(side: side, author: author, kind: rng.pick(ExchangeKind.allCases), domain: rng.pick(Policy.standard.domains),
                             title: text(4), text: text(20), availability: rng.chance(0.3) ? rng.pick(["dinsdag", "weekend", "avond"]) : nil)
        if case .success = try loader.execute(.postListing(d), by: .member(author), at: start.timestamp + Int64(i)) {
            if side == .offer { offersPosted += 1 } else { requestsPosted += 1 }
        }
    }
    _ = try loader.finish()
    let reader = try Reader(path: marketPath)
    let today = start + 1
    if only.contains("search") {
        func percentile(_ xs: [Double], _ p: Int) -> Double { xs[min(xs.count - 1, xs.count * p / 100)] }
        var ours = [Double](), like = [Double]()
        let raw = try Connection(path: marketPath)
        // The baseline answers the same question without an index: the newest 50 listings whose
        // title or text contains the word, by scanning the whole table (NOT INDEXED: the
        // recency index of schema 6 would let it stop after 50 hits of a common word, which is
        // not what a search without a full-text index costs in general).
        let scan = try raw.prepare("SELECT num FROM listings NOT INDEXED WHERE (title LIKE ?1 OR text LIKE ?1) AND state = 'active' ORDER BY updated_seq DESC LIMIT 50")
        // The index in memory (as `kring serve` keeps it): built once, then every search.
        let index = SearchIndex()
        let buildSeconds = try seconds { _ = try reader.search("zaal", filter: ListingFilter(), today: today, index: index) }
        let indexMiB = Double(index.heldBytes) / 1_048_576
        var kept = [Double](), same = 0, overlap = 0.0
        for i in 0..<400 {
            // Common words (in a third of all listings) and rare ones (in a few hundred), alone and in pairs.
            let q: String
            switch i % 4 {
            case 0: q = rng.pick(vocabulary)
            case 1: q = "\(rng.pick(vocabulary)) \(rng.pick(vocabulary))"
            case 2: q = rng.pick(fillers)
            default: q = "\(rng.pick(fillers)) \(rng.pick(vocabulary))"
            }
            var t = DispatchTime.now().uptimeNanoseconds
            let sql = try reader.search(q, filter: ListingFilter(), today: today)
            ours.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
            t = DispatchTime.now().uptimeNanoseconds
            let fromMemory = try reader.search(q, filter: ListingFilter(), today: today, index: index)
            kept.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
            let a = sql.map { "\($0.record.info.id) \($0.rank!)" }, b = fromMemory.map { "\($0.record.info.id) \($0.rank!)" }
            if a == b { same += 1 }
            overlap += sql.isEmpty ? 1 : Double(Set(a).intersection(b).count) / Double(a.count)
            let word = q.split(separator: " ")[0]
            t = DispatchTime.now().uptimeNanoseconds
            scan.reset()
            try scan.bind([.text("%\(word)%")])
            while try scan.step() {}
            like.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
        }
        // A search right after one listing changed: the index reads that listing first.
        let writer = try Ledger(path: marketPath)
        var afterChange = [Double]()
        for i in 0..<20 {
            let author = authors[i]
            _ = try writer.execute(.postListing(ListingDraft(side: .offer, author: author, kind: .time, domain: "care", title: "zaal \(i)", text: text(20))), by: .member(author))
            let t = DispatchTime.now().uptimeNanoseconds
            _ = try reader.search("zaal", filter: ListingFilter(), today: today, index: index)
            afterChange.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
        }
        afterChange.sort()
        ours.sort(); like.sort(); kept.sort()
        print("search over \(listingCount) listings (FTS5, ranked by bm25 then recency, 50 results): median \(fmt(percentile(ours, 50), 2)) ms, p99 \(fmt(percentile(ours, 99), 2)) ms")
        print("  from the index in memory: median \(fmt(percentile(kept, 50), 3)) ms, p99 \(fmt(percentile(kept, 99), 3)) ms = \(fmt(percentile(ours, 99) / percentile(kept, 99), 1))x faster at p99; built in \(fmt(buildSeconds, 2)) s, holding \(fmt(indexMiB, 0)) MiB in its arrays")
        print("  a search right after one listing was posted (the index reads it first): median \(fmt(percentile(afterChange, 50), 2)) ms of 20")
        print("  identical results (same listings, order and ranks): \(same) of 400 searches; overlap of the first 50 with SQL's: \(fmt(100 * overlap / 400, 1)) %; answered in memory \(index.answered), in SQL \(index.fellBack)")
        print("  baseline LIKE '%word%' scan of the same table (newest 50, first word only): median \(fmt(percentile(like, 50), 2)) ms, p99 \(fmt(percentile(like, 99), 2)) ms")
        print("  ratio LIKE/FTS at the median: \(fmt(percentile(like, 50) / percentile(ours, 50), 1))x")
        print("")
    }
    if only.contains("match") {
        let open = try reader.listings(ListingFilter(), today: today, limit: Reader.maxRows)
        let requests = Array(open.filter { $0.record.info.side == .request }.prefix(10_000)).map(\.matchListing)
        let offers = Array(open.filter { $0.record.info.side == .offer }.prefix(50_000)).map(\.matchListing)
        var result = [RequestMatches]()
        let matchSeconds = seconds { result = Matcher.match(requests: requests, offers: offers) }
        let suggested = result.reduce(0) { $0 + $1.suggestions.count }
        print("match of \(requests.count) open requests against \(offers.count) open offers: \(fmt(matchSeconds, 2)) s (\(suggested) suggestions)")
        print("  (\(requestsPosted) requests and \(offersPosted) offers posted; reading them from SQLite is not included)")
    }
}

if only.contains("stats") {
    // The whole report (facts read in one snapshot, every figure, suppression at k = 5) beside
    // a plain SQL GROUP BY of one of its tables: credits by domain by month.
    var report: StatsReport!
    var loadSeconds = 0.0, computeSeconds = 0.0, exchanges = 0
    let total = try seconds {
        var input: StatsInput!
        loadSeconds = try seconds { input = try Reader(path: demoPath).statsInput(parallel: true) }
        exchanges = input.exchanges.count
        computeSeconds = seconds { report = Statistics.report(input, period: .month, from: nil, to: nil, k: 5) }
    }
    var rows = 0
    let sqlSeconds = try seconds {
        let db = try Connection(path: demoPath, readOnly: true)
        let s = try db.prepare("""
            SELECT e.domain, strftime('%Y-%m', t.day * 86400, 'unixepoch') AS month, SUM(t.minutes)
            FROM transfers t JOIN exchanges e ON e.num = t.exchange
            WHERE t.kind = 'exchange' AND e.state = 'confirmed' GROUP BY e.domain, month
            """)
        while try s.step() { rows += 1 }
    }
    let cells = report.tables.reduce(0) { $0 + $1.cells.reduce(0) { $0 + $1.count } }
    let hidden = report.tables.reduce(0) { $0 + $1.cells.reduce(0) { $0 + $1.filter(\.suppressed).count } }
    print("statistics over \(exchanges) standing exchanges, by month, k = 5: \(fmt(total, 2)) s (facts \(fmt(loadSeconds, 2)) s, figures and suppression \(fmt(computeSeconds, 2)) s); \(cells) cells, \(hidden) withheld")
    print("  baseline plain SQL GROUP BY, credits by domain by month only: \(fmt(sqlSeconds, 2)) s (\(rows) rows)")
    print("  ratio whole report / one GROUP BY: \(fmt(total / sqlSeconds, 1))")
    if let cli = kringChild(["--db", demoPath, "stats"]) {
        print("  `kring stats` (release): \(fmt(cli.seconds, 2)) s, peak resident memory \(fmt(cli.peakMiB, 0)) MiB")
    }
    var pageSeconds = 0.0
    pageSeconds = seconds { _ = report.html(.nl) }
    print("  the HTML page: \(fmt(pageSeconds * 1000, 1)) ms")
    try maintainedStatsBench(scratchSeconds: total)
    print("")
}

/// The maintained statistics as the server keeps them (`StatsFollower`): every fact read once,
/// then brought to the head by applying the journal entries written since, beside the whole
/// report computed from scratch at the same head. Writes exchanges into the demo ledger, so
/// it runs last of what reads it.
func maintainedStatsBench(scratchSeconds: Double) throws {
    let follower = StatsFollower()
    let reader = try Reader(path: demoPath)
    let rssBefore = residentMiB()
    var maintained: StatsReport!
    let firstSeconds = try seconds { maintained = try follower.report(reader, period: .month, k: 5) }
    let kept = residentMiB() - rssBefore
    let sameSeconds = try seconds { maintained = try follower.report(reader, period: .month, k: 5) }
    // New exchanges through the writer, on today's clock, between active residents.
    let ledger = try Ledger(path: demoPath)
    let people = try reader.members(kind: .person, status: .active).map(\.state.info.id)
    let domain = try reader.policy().domains[0]
    var recorded = 0
    for i in 0..<200 {
        let d = ExchangeDraft(providers: [people[(2 * i) % people.count]], receivers: [people[(2 * i + 1) % people.count]], kind: .time,
                              domain: domain, what: "bench", credits: Minutes(60))
        if (try? ledger.execute(.record(d, reason: nil), by: .coordinator)) != nil { recorded += 1 }
    }
    let headSeconds = try seconds { maintained = try follower.report(reader, period: .month, k: 5) }
    var scratch: StatsReport!
    let scratchAtHead = try seconds { scratch = Statistics.report(try reader.statsInput(), period: .month, from: nil, to: nil, k: 5) }
    let same = maintained.tables.map(\.cells) == scratch.tables.map(\.cells) && maintained.columns == scratch.columns
    let quarterSeconds = try seconds { _ = try follower.report(reader, period: .quarter, k: 5) }
    let yearSeconds = try seconds { _ = try follower.report(reader, period: .year, k: 5) }
    // A reversal of an exchange of the first month: that month and the whole range are summed again.
    let first = try Connection(path: demoPath, readOnly: true).scalarInt("SELECT MIN(num) FROM exchanges WHERE state = 'confirmed'") ?? 1
    _ = try ledger.execute(.reverse(ExchangeID(uncheckedNumber: first), reason: "bench"), by: .coordinator)
    let reversalSeconds = try seconds { maintained = try follower.report(reader, period: .month, k: 5) }
    print("maintained statistics (the server's): the first report reads every fact: \(fmt(firstSeconds, 2)) s, keeping about \(fmt(kept, 0)) MiB")
    print("  at the head after \(recorded) new exchanges: \(fmt(headSeconds * 1000, 0)) ms; at the same head again \(fmt(sameSeconds * 1000, 0)) ms; by quarter \(fmt(quarterSeconds * 1000, 0)) ms, by year \(fmt(yearSeconds * 1000, 0)) ms")
    print("  after reversing an exchange of the first month: \(fmt(reversalSeconds * 1000, 0)) ms")
    print("  baseline the whole report from scratch at the same head: \(fmt(scratchAtHead, 2)) s (earlier \(fmt(scratchSeconds, 2)) s); ratio scratch/maintained \(fmt(scratchAtHead / headSeconds, 1))x; identical figures: \(same ? "yes" : "NO")")
}

/// This process's resident memory now, in MiB (VmRSS).
func residentMiB() -> Double { (procStatusKiB("/proc/self/status", "VmRSS:") ?? 0) / 1024 }

/// A field of a /proc status file (`VmHWM:`, `VmRSS:`), in KiB.
func procStatusKiB(_ path: String, _ field: String) -> Double? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field) }) else { return nil }
    return Double(line.split(separator: " ").dropFirst().first ?? "")
}

if only.contains("import") {
    // A TimeOverflow time bank's report downloads, scaled to 100,000 transfers, imported as the
    // CLI does (read, plan, load, check every balance), beside the bulk loader alone running the
    // same planned commands into another new ledger.
    let transfers = arg("import-transfers", 100_000)
    let fixture = TimeOverflowFixture(members: 2_000, transfers: transfers, posts: 0)
    var plan: ImportPlan!, outcome: ImportOutcome!
    let importSeconds = try seconds {
        let reader = ImportReader(mapping: .standard)
        plan = reader.timeOverflow(members: try ImportFile(name: "members.csv", data: Data(fixture.membersReport.utf8)),
                                   transfers: try ImportFile(name: "transfers.csv", data: Data(fixture.transfersReport.utf8)),
                                   offers: nil, inquiries: nil, adminPosts: nil)
        outcome = try Importer.run(plan, to: base + "/imported.sqlite", now: Int64(Date().timeIntervalSince1970), dryRun: false)
    }
    let entries = Double(plan.steps.count)
    let loaderSeconds = try seconds {
        let loader = try BulkLoader(path: base + "/loader.sqlite", genesisAt: plan.steps.first!.at, expected: (plan.members, plan.exchanges))
        for step in plan.steps { _ = try loader.execute(step.command, by: step.actor, at: step.at) }
        _ = try loader.finish()
    }
    print("import of a TimeOverflow report (\(plan.members) members, \(transfers) transfers): \(fmt(importSeconds, 2)) s = \(fmt(entries / importSeconds, 0)) entries/s, \(outcome.ok ? "all \(outcome.checked) balances agree" : "\(outcome.problems.count) problems")")
    print("  baseline the bulk loader alone, the same commands: \(fmt(loaderSeconds, 2)) s = \(fmt(entries / loaderSeconds, 0)) entries/s")
    print("  ratio import / bulk loader: \(fmt(loaderSeconds / importSeconds, 2))x")
    print("")
}

if only.contains("reads") { try readsBench(base: base) }
if only.contains("handler") { try handlerBench(base: base) }
if only.contains("writes") { try writesBench(base: base) }
if only.contains("batch") { try batchBench(base: base) }
if only.contains("http") { try httpBench(base: base) }
