#if canImport(Glibc)
import Glibc
#endif
import Foundation
import KringCore
import KringHTTP
import KringStore
import KringTestSupport
import Testing

/// What the load's clients were told: acknowledged keys with the exchange each became.
final class Acks: @unchecked Sendable {
    private let lock = NSLock()
    private var _accepted = [String: String]()  // key → exchange id
    private var _refused = 0, _replays = 0
    private var _failures = [String]()
    private var _unknown = Set<String>()

    /// Every read takes the lock too: the test reads while the clients' threads write (an
    /// unlocked read of the dictionary crashed a loaded run).
    private func locked<T>(_ body: () -> T) -> T { lock.lock(); defer { lock.unlock() }; return body() }
    var accepted: [String: String] { locked { _accepted } }
    var refused: Int { locked { _refused } }
    var replays: Int { locked { _replays } }
    var failures: [String] { locked { _failures } }
    /// Keys sent whose answer never came (the connection closed): either outcome is allowed.
    var unknown: Set<String> { locked { _unknown } }

    func accept(_ key: String, _ id: String) { locked { _accepted[key] = id } }
    func refuse() { locked { _refused += 1 } }
    func replay() { locked { _replays += 1 } }
    func fail(_ s: String) { locked { _failures.append(s) } }
    func lost(_ key: String) { locked { _ = _unknown.insert(key) } }
}

/// The ten members of the load and the body of one recorded exchange, its `what` the key.
let loadMembers = ["an", "bram", "chloe", "daan", "els", "fatima", "bakkerij", "coworking", "fanfare", "moestuin"]

func loadBody(_ rng: inout SplitMix64, key: String) -> String {
    let p = loadMembers[rng.below(loadMembers.count)]
    var r = loadMembers[rng.below(loadMembers.count)]
    if r == p { r = loadMembers[(loadMembers.firstIndex(of: p)! + 1) % loadMembers.count] }
    return exchangeBody(p, r, minutes: 15 * (1 + rng.below(16)), what: key)
}

/// One client of the load: keep-alive, a fresh key per exchange, and now and then the same
/// request again (a retry), which must be answered from the first answer.
func runLoadClient(port: UInt16, token: String, seed: UInt64, until deadline: Date, acks: Acks) {
    var rng = SplitMix64(seed: seed)
    var client = try? RawClient(port: port)
    while Date() < deadline {
        guard let c = client else { return }
        let key = "load-\(seed)-\(rng.next())"
        let bytes = requestBytes("POST", "/v1/exchanges/recorded", token: token, body: loadBody(&rng, key: key), key: key)
        guard c.send(bytes), let r = c.read(timeout: 30) else { acks.lost(key); client = try? RawClient(port: port); continue }
        // A client honours Connection: close: the next request goes on a new connection.
        if r.header("Connection") == "close" { client = try? RawClient(port: port) }
        switch r.status {
        case 201:
            guard let id = r.json?["id"]?.stringValue else { acks.fail("201 without id: \(r.text)"); continue }
            acks.accept(key, id)
            if rng.below(5) == 0, r.header("Connection") != "close" {
                guard c.send(bytes), let again = c.read(timeout: 30) else { client = try? RawClient(port: port); continue }
                if again.status == 201, again.body == r.body, again.header("Idempotent-Replayed") == "true" { acks.replay() } else { acks.fail("retry of \(key): \(again.status) \(again.text)") }
            }
        case 422: acks.refuse()
        case 503 where r.code == "http.stopping": return  // the server is going away: nothing was done
        default: acks.fail("\(r.status) \(r.text)")
        }
    }
}

/// Starts `clients` load clients against `port` for `seconds`; wait on the group they leave.
func startLoad(port: UInt16, token: String, seed: UInt64, clients: Int = 8, seconds: Double = 3, acks: Acks) -> DispatchGroup {
    let group = DispatchGroup()
    let until = Date().addingTimeInterval(seconds)
    for i in 0..<clients {
        group.enter()
        Thread {
            runLoadClient(port: port, token: token, seed: seed + UInt64(i), until: until, acks: acks)
            group.leave()
        }.start()
    }
    return group
}

/// Checks the ledger after a load: every acknowledged exchange exactly once, nothing else,
/// limits kept, zero sum, verify.
func checkLedger(_ path: String, acks: Acks, exact: Bool) throws {
    let reader = try Reader(path: path)
    var byWhat = [String: [String]]()
    try reader.forEachExchange { x in byWhat[x.record.info.what, default: []].append(x.record.info.id.description) }
    for (key, id) in acks.accepted {
        #expect(byWhat[key] == [id], "acknowledged \(key) as \(id), ledger has \(byWhat[key] ?? [])")
    }
    if exact {
        for (what, ids) in byWhat where what.hasPrefix("load-") && !acks.unknown.contains(what) {
            #expect(acks.accepted[what] != nil && ids.count == 1, "unacknowledged \(what) in the ledger")
        }
    }
    var sum: Int64 = 0
    for m in try reader.members() {
        sum += m.state.balance.value
        #expect(m.state.balance >= m.floor, "\(m.state.info.id) below the floor")
        if let c = m.ceiling { #expect(m.state.balance <= c, "\(m.state.info.id) above the ceiling") }
    }
    #expect(sum == 0)
    let report = try Verifier.verify(path: path)
    #expect(report.ok, "\(report.divergence.map { "seq \($0.seq): \($0.reason)" } ?? "")")
}

/// The policy of load tests: the pair cap lifted, so only the limits refuse.
func loadPolicy() throws -> Policy { try Policy.standard.setting("pair-cap", to: "100000h") }

/// A fixture ledger for load tests at `path`, on today's clock, and a coordinator token for it.
func loadLedger(at path: String) throws -> String {
    let clock = TestClock(Day(timestamp: Int64(Date().timeIntervalSince1970)))
    let ledger = try fixtureLedger(at: path, clock: clock, policy: try loadPolicy())
    return try ledger.issueToken(member: "stad", role: .coordinator, label: "load").token
}

@Suite("HTTP under concurrent load", .serialized)
struct ConcurrencyTests {

    @Test("50 clients posting exchanges among 10 members: each acknowledged once, limits kept, zero sum, verify")
    func fiftyClients() throws {
        let s = try TestServer(policy: try loadPolicy())
        defer { s.stop() }
        let acks = Acks()
        let deadline = Date().addingTimeInterval(3)
        let group = DispatchGroup()
        for i in 0..<50 {
            group.enter()
            let port = s.port, token = s.coordinator
            Thread {
                runLoadClient(port: port, token: token, seed: UInt64(i + 1), until: deadline, acks: acks)
                group.leave()
            }.start()
        }
        group.wait()
        #expect(acks.failures.isEmpty, "\(acks.failures.prefix(3))")
        #expect(acks.accepted.count > 100 && acks.replays > 10 && acks.refused > 0,
                "accepted \(acks.accepted.count), replays \(acks.replays), refused \(acks.refused)")
        try checkLedger(s.path, acks: acks, exact: true)
        // Writes were group-committed: some transaction carried more than one command.
        let metrics = try s.call("GET", "/metrics").text
        func value(_ name: String) -> Double { metrics.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) } ?? 0 }
        #expect(value("kring_commit_batch_size_sum") > value("kring_commits_total"), "no batch held more than one command")
        // Where the writes' time went: every phase named, the batch's own ones measured, every
        // answered write counted, and no more time than the requests took in all (a batch's
        // phases count once per write it carried, which waited through all of them).
        let phases = ["prepare", "queue", "sweep", "keys", "decide", "append", "commit", "wake", "answer"]
        let spent = phases.map { p in (p, metrics.split(separator: "\n").first { $0.hasPrefix("kring_write_seconds_total{phase=\"\(p)\"} ") }.flatMap { Double($0.split(separator: " ")[1]) }) }
        #expect(spent.allSatisfy { $0.1 != nil && $0.1! >= 0 }, "\(spent)")
        #expect(["decide", "append", "commit"].allSatisfy { p in (spent.first { $0.0 == p }?.1 ?? 0) > 0 }, "\(spent)")
        #expect(value("kring_writes_total") >= Double(acks.accepted.count + acks.refused + acks.replays))
        let total = spent.reduce(0) { $0 + ($1.1 ?? 0) }
        #expect(total > 0 && total <= value("kring_http_request_duration_seconds_sum"), "phases \(total) s, requests \(value("kring_http_request_duration_seconds_sum")) s")
    }

    @Test("the server killed with SIGKILL under load, then restarted: every acknowledged write is there, verify passes")
    func killedUnderLoad() throws {
        let dir = TempDir("kring-http-crash")
        defer { dir.remove() }
        let path = dir.file("ledger.sqlite")
        let token = try loadLedger(at: path)
        let acks = Acks()
        var rng = SplitMix64(seed: 99)
        for round in 0..<3 {
            let (child, port, _) = try startKringServe(path, ["--quiet"])
            let deadline = Date().addingTimeInterval(2)
            let group = DispatchGroup()
            for i in 0..<20 {
                group.enter()
                Thread {
                    runLoadClient(port: port, token: token, seed: UInt64(round * 100 + i + 1), until: deadline, acks: acks)
                    group.leave()
                }.start()
            }
            Thread.sleep(forTimeInterval: 0.4 + Double(rng.below(1000)) / 1000)
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            group.wait()
            #expect(child.terminationReason == .uncaughtSignal)
            try checkLedger(path, acks: acks, exact: false)
        }
        #expect(acks.accepted.count > 20)
        // After a restart, an acknowledged key is still known: another request under it is refused.
        let (child, port, _) = try startKringServe(path, ["--quiet"])
        defer { kill(child.processIdentifier, SIGTERM); child.waitUntilExit() }
        let (key, id) = acks.accepted.first!
        let c = try RawClient(port: port)
        c.send(requestBytes("POST", "/v1/exchanges/recorded", token: token, body: exchangeBody("an", "bram", what: "other"), key: key))
        #expect(c.read()?.status == 409, "the key \(key) of \(id) was forgotten")
    }

}
