#if canImport(Glibc)
import Glibc
#endif
import Foundation
import KringCore
import KringHTTP
import KringStore

// The HTTP section of KringBench: a server in a child process (this same binary, started with
// --serve-child), a load generator here, over loopback.

/// Child mode: serves `path` (or, with `minimal`, a constant answer) on a free port, prints the
/// port, and runs until killed.
func serveChild(path: String, minimal: Bool, maxBatch: Int) -> Never {
    var limits = HTTPLimits()
    limits.maxBatch = maxBatch
    let handler: HTTPHandler
    if minimal {
        let body = Array("{\"status\":\"ok\"}".utf8)
        handler = { _ in .json(200, body) }
    } else {
        let api = try! API(path: path, limits: limits)
        handler = { api.handle($0) }
    }
    let server = HTTPServer(limits: limits, log: nil, handler: handler)
    try! server.bind(host: "127.0.0.1", port: 0)
    print("port \(server.port)")
    fflush(nil)
    server.run()
    exit(0)
}

/// A server child process.
struct Child {
    let process: Process
    let port: UInt16

    init(path: String, minimal: Bool = false, maxBatch: Int = 256) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0].hasPrefix("/") ? CommandLine.arguments[0] : FileManager.default.currentDirectoryPath + "/" + CommandLine.arguments[0])
        process.arguments = ["--serve-child", path, minimal ? "minimal" : "api", String(maxBatch)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let d = pipe.fileHandleForReading.availableData
            if d.isEmpty { break }
            text += String(decoding: d, as: UTF8.self)
        }
        guard let p = UInt16(text.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") else {
            throw StoreError("the server child did not start: \(text)")
        }
        port = p
    }

    /// Resident memory (VmRSS) in MiB.
    var residentMiB: Double {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Double(line.split(separator: " ").dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
    }

    /// CPU time (user and system) the child has used so far, in seconds (`/proc/PID/stat`).
    var cpuSeconds: Double {
        guard let text = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return 0 }
        // After the command's closing parenthesis, the state is field 3; utime and stime are 14 and 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// `run`'s load, with the CPU time this child spent serving it.
    func measured(_ run: () -> LoadResult) -> LoadResult {
        let before = cpuSeconds
        var result = run()
        result.serverCPU = cpuSeconds - before
        return result
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// A keep-alive load client: one connection, blocking sends and reads, responses parsed on
/// the bytes (status and Content-Length only) so the generator spends little of the CPU it
/// shares with the server.
final class LoadConnection {
    let fd: Int32
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    var filled = 0

    init(port: UInt16) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(fd) }

    static let contentLength = Array("content-length:".utf8)

    /// The status and total length of the response at the start of the buffer, once complete.
    private func complete() -> (status: Int, length: Int)? {
        return buffer.withUnsafeBufferPointer { b -> (Int, Int)? in
            guard filled >= 16 else { return nil }
            var i = 0
            var lineStart = 0
            var length = 0
            while i + 1 < filled {
                if b[i] == 13 && b[i + 1] == 10 {
                    if i == lineStart {  // empty line: end of head
                        let total = i + 2 + length
                        guard filled >= total else { return nil }
                        let status = Int(b[9] - 48) * 100 + Int(b[10] - 48) * 10 + Int(b[11] - 48)
                        return (status, total)
                    }
                    if i - lineStart > 15 && (b[lineStart] | 0x20) == UInt8(ascii: "c") {
                        var match = true
                        for k in 0..<15 where (b[lineStart + k] | 0x20) != LoadConnection.contentLength[k] { match = false; break }
                        if match {
                            var j = lineStart + 15
                            while b[j] == 32 { j += 1 }
                            length = 0
                            while j < i { length = length * 10 + Int(b[j] - 48); j += 1 }
                        }
                    }
                    i += 2
                    lineStart = i
                } else {
                    i += 1
                }
            }
            return nil
        }
    }

    /// Sends a whole request; false when the connection failed.
    func send(_ request: [UInt8]) -> Bool {
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, request.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }

    /// Reads what has arrived; false when the connection closed.
    func receive() -> Bool {
        if filled == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + filled, $0.count - filled, 0) }
        guard n > 0 else { return false }
        filled += n
        return true
    }

    /// The status of the next complete response in the buffer, consuming it.
    func next() -> Int? {
        guard let (status, total) = complete() else { return nil }
        buffer.withUnsafeMutableBytes { b in _ = memmove(b.baseAddress!, b.baseAddress! + total, filled - total) }
        filled -= total
        return status
    }
}

/// Requests per second and latency percentiles of a load.
struct LoadResult {
    let requests: Int
    let failures: Int
    let seconds: Double
    let latencies: [Double]
    /// CPU seconds the server spent meanwhile (`Child.measured`), 0 when not measured.
    var serverCPU = 0.0
    var rate: Double { Double(requests) / seconds }
    /// The server's CPU per answered request, in µs: steadier than the rate, which also moves
    /// with what the load generator takes of the machine.
    var cpuMicros: Double { requests > 0 ? serverCPU / Double(requests) * 1e6 : 0 }
    func percentile(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] * 1000 }
    var line: String {
        "\(fmt(rate, 0)) req/s, p50 \(fmt(percentile(0.5), 2)) ms, p99 \(fmt(percentile(0.99), 2)) ms\(serverCPU > 0 ? ", server CPU \(fmt(cpuMicros, 1)) µs a request" : "")\(failures > 0 ? ", \(failures) failed" : "")"
    }
}

/// `connections` keep-alive clients, each with one request in flight, sending
/// `request(connection, n)` for `duration` seconds, driven by two threads polling their share
/// of the sockets (as wrk does: few threads, so the generator takes little CPU from the
/// server); `ok` says which statuses count as answered.
func load(port: UInt16, connections: Int, duration: Double, ok: @escaping @Sendable (Int) -> Bool = { $0 == 200 },
          request: @escaping @Sendable (Int, Int) -> [UInt8]) -> LoadResult {
    final class Box: @unchecked Sendable {
        let lock = NSLock()
        var latencies = [Double]()
        var failures = 0
    }
    let box = Box()
    let group = DispatchGroup()
    let start = DispatchTime.now().uptimeNanoseconds
    let end = start + UInt64(duration * 1e9)
    let threads = 2
    for t in 0..<threads {
        group.enter()
        let th = Thread {
            let mine = Array(stride(from: t, to: connections, by: threads))
            let conns = mine.map { _ in LoadConnection(port: port) }
            var sentAt = [UInt64](repeating: 0, count: conns.count)
            var counts = [Int](repeating: 0, count: conns.count)
            var open = [Bool](repeating: true, count: conns.count)
            var latencies = [Double]()
            var failed = 0
            for (i, c) in conns.enumerated() {
                sentAt[i] = DispatchTime.now().uptimeNanoseconds
                if !c.send(request(mine[i], 0)) { open[i] = false }
            }
            var fds = conns.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            while DispatchTime.now().uptimeNanoseconds < end && open.contains(true) {
                guard poll(&fds, nfds_t(fds.count), 100) > 0 else { continue }
                for i in fds.indices where fds[i].revents != 0 && open[i] {
                    fds[i].revents = 0
                    guard conns[i].receive() else { open[i] = false; fds[i].fd = -1; failed += 1; continue }
                    while let status = conns[i].next() {
                        let now = DispatchTime.now().uptimeNanoseconds
                        if ok(status) { latencies.append(Double(now - sentAt[i]) / 1e9) } else { failed += 1 }
                        counts[i] += 1
                        guard now < end else { break }
                        sentAt[i] = now
                        if !conns[i].send(request(mine[i], counts[i])) { open[i] = false; fds[i].fd = -1 }
                    }
                }
            }
            box.lock.lock()
            box.latencies += latencies
            box.failures += failed
            box.lock.unlock()
            group.leave()
        }
        th.stackSize = 1 << 20
        th.start()
    }
    group.wait()
    let secs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return LoadResult(requests: box.latencies.count, failures: box.failures, seconds: secs, latencies: box.latencies.sorted())
}

/// One request on a connection of its own, read to its end: the head and the body.
func fetch(port: UInt16, _ path: String, cookie: String? = nil) throws -> (headers: String, body: String) {
    let c = LoadConnection(port: port)
    let request = "GET \(path) HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\(cookie.map { "Cookie: \($0)\r\n" } ?? "")\r\n"
    guard c.send(Array(request.utf8)) else { throw StoreError("could not send GET \(path)") }
    var bytes = [UInt8]()
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = read(c.fd, &chunk, chunk.count)
        if n <= 0 { break }
        bytes += chunk[0..<n]
    }
    let text = String(decoding: bytes, as: UTF8.self)
    guard let split = text.range(of: "\r\n\r\n") else { throw StoreError("no answer to GET \(path)") }
    return (String(text[..<split.lowerBound]), String(text[split.upperBound...]))
}

func get(_ path: String, token: String? = nil) -> [UInt8] {
    Array("GET \(path) HTTP/1.1\r\nHost: bench\r\n\(token.map { "Authorization: Bearer \($0)\r\n" } ?? "")\r\n".utf8)
}

/// A new ledger of `count` persons `m0`, `m1`, … (100 unless told) with the pair cap lifted
/// (the write loads meet the same pairs many times; only the limits should refuse).
func benchLedger(at path: String, count: Int = 100) throws -> Ledger {
    var policy = Policy.standard
    policy.pairCapMinutes = 100_000 * 60
    let ledger = try Ledger.create(path: path, policy: policy)
    for i in 0..<count { _ = try ledger.execute(.addMember(MemberDraft(id: member("m\(i)"), name: "M \(i)", kind: .person)), by: .coordinator) }
    return ledger
}

/// The demo community the HTTP sections read, with a coordinator's token and every member id.
func readsDemo(_ path: String) throws -> (token: String, ids: [MemberID]) {
    _ = try DemoCommunity.build(at: path, options: DemoOptions(members: 150, months: 18, seed: 42, endDay: Day(iso: "2026-11-29")!))
    let token = try Ledger(path: path).issueToken(member: member("gemeente-kring"), role: .coordinator, label: "bench").token
    return (token, try Reader(path: path).balances().map(\.member))
}

/// `/health` of a minimal server on the same HTTP code, then `/health` and a balance with a
/// token from `server`: 50 connections, `duration` seconds each.
func readLoads(demo: String, server: Child, token: String, ids: [MemberID], duration: Double) throws -> (bare: LoadResult, health: LoadResult, balance: LoadResult) {
    let minimal = try Child(path: demo, minimal: true)
    let bare = minimal.measured { load(port: minimal.port, connections: 50, duration: duration) { _, _ in get("/health") } }
    minimal.stop()
    let health = server.measured { load(port: server.port, connections: 50, duration: duration) { _, _ in get("/health") } }
    let balance = server.measured {
        load(port: server.port, connections: 50, duration: duration) { c, n in get("/v1/members/\(ids[(c * 7919 + n) % ids.count])/balance", token: token) }
    }
    return (bare, health, balance)
}

/// The reads alone (`--only reads`; quick to run under a profiler).
func readsBench(base: String) throws {
    let duration = 3.0
    let demo = base + "/reads-demo.sqlite"
    let (token, ids) = try readsDemo(demo)
    let server = try Child(path: demo)
    let (bare, health, balance) = try readLoads(demo: demo, server: server, token: token, ids: ids, duration: duration)
    server.stop()
    print("reads, 50 keep-alive connections over loopback, \(Int(duration)) s each:")
    print("  minimal server GET /health:                   \(bare.line)")
    print("  kring serve GET /health:                      \(health.line)  (ratio to minimal \(fmt(health.rate / bare.rate, 2)))")
    print("  kring serve GET /v1/members/{id}/balance:     \(balance.line)  (ratio to the same server's /health \(fmt(balance.rate / health.rate, 2)))")
    print("  the server's CPU a request, /health over balance: \(fmt(health.cpuMicros / balance.cpuMicros, 2))")
    try handlerCosts(demo: demo, token: token, ids: ids)
    print("")
}

/// The handler alone, on this thread, without sockets: what a balance costs beyond /health
/// (`--only handler` runs it alone, for a profiler).
func handlerCosts(demo: String, token: String, ids: [MemberID], requests n: Int = 100_000) throws {
    let api = try API(path: demo)
    defer { api.shutdown() }
    let health = HTTPRequest(method: "GET", target: "/health")
    let balances = ids.map { HTTPRequest(method: "GET", target: "/v1/members/\($0)/balance", headers: [("authorization", "Bearer \(token)")]) }
    for i in 0..<2_000 {
        for r in [health, balances[i % balances.count]] {
            let answer = api.handle(r)
            guard answer.status == 200 else { fatalError("\(answer.status) \(String(decoding: answer.body, as: UTF8.self))") }
        }
    }
    // The two in turns, a thousand at a time, so both see the machine as it is at that moment
    // (its speed moves by a quarter within seconds here).
    var healthNanos: UInt64 = 0, balanceNanos: UInt64 = 0
    let block = 1_000
    for b in 0..<(n / block) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<block { _ = api.handle(health) }
        let t1 = DispatchTime.now().uptimeNanoseconds
        for i in 0..<block { _ = api.handle(balances[(b * block + i) % balances.count]) }
        let t2 = DispatchTime.now().uptimeNanoseconds
        healthNanos += t1 - t0
        balanceNanos += t2 - t1
    }
    let requests = Double(n / block * block)
    let healthMicros = Double(healthNanos) / 1e3 / requests, balanceMicros = Double(balanceNanos) / 1e3 / requests
    print("  the handler alone (one thread, no sockets, in turns): /health \(fmt(healthMicros, 2)) µs, balance \(fmt(balanceMicros, 2)) µs a request; the balance's own \(fmt(balanceMicros - healthMicros, 2)) µs")
}

func handlerBench(base: String) throws {
    let demo = base + "/handler-demo.sqlite"
    let (token, ids) = try readsDemo(demo)
    print("reads:")
    try handlerCosts(demo: demo, token: token, ids: ids, requests: 500_000)
    print("")
}

/// `POST /v1/exchanges/recorded` from 50 keep-alive clients for `duration` seconds against a
/// child server whose committer takes at most `maxBatch` writes per transaction.
func durableWrites(base: String, maxBatch: Int, duration: Double) throws -> (LoadResult, String) {
    let path = base + "/\(maxBatch == 1 ? "single-http" : "group-http").sqlite"
    // A fresh ledger each time (`writes` and `http` both run it in one bench).
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    let token = try benchLedger(at: path).issueToken(member: member("m0"), role: .coordinator, label: "bench").token
    @Sendable func post(_ c: Int, _ n: Int) -> [UInt8] {
        // Pairs spread as in real use and as the writer's own bench draws them (a pair meets a
        // few times a month, not hundreds). An earlier formula put every client on the same
        // 100 pairs, so each write's pair cap summed hundreds of that pair's transfers.
        let i = n * 50 + c, p = (i * 31) % 100, q = (i * 17 + i / 100 + 1) % 100, r = q == p ? (p + 1) % 100 : q
        let body = "{\"providers\":[\"m\(p)\"],\"receivers\":[\"m\(r)\"],\"kind\":\"time\",\"domain\":\"care\",\"what\":\"bench\",\"credits_minutes\":15}"
        return Array("POST /v1/exchanges/recorded HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer \(token)\r\nIdempotency-Key: \(c)-\(n)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
    }
    let child = try Child(path: path, maxBatch: maxBatch)
    let result = load(port: child.port, connections: 50, duration: duration, ok: { $0 == 201 || $0 == 422 }) { c, n in post(c, n) }
    let metrics = (try? fetch(port: child.port, "/metrics").body) ?? ""
    child.stop()
    let report = try Verifier.verify(path: path)
    if !report.ok { print("  ! verify failed after the write load") }
    return (result, writePhases(metrics))
}

/// Where a write's time went, from the server's `/metrics`: µs per write by phase.
func writePhases(_ metrics: String) -> String {
    var seconds = [(String, Double)](), writes = 0.0, batched = 0.0, commits = 0.0
    for line in metrics.split(separator: "\n") where !line.hasPrefix("#") {
        let parts = line.split(separator: " ")
        guard parts.count == 2, let v = Double(parts[1]) else { continue }
        if parts[0] == "kring_writes_total" { writes = v }
        if parts[0] == "kring_commit_batch_size_sum" { batched = v }
        if parts[0] == "kring_commits_total" { commits = v }
        if parts[0].hasPrefix("kring_write_seconds_total{phase=\"") {
            seconds.append((String(parts[0].dropFirst("kring_write_seconds_total{phase=\"".count).dropLast(2)), v))
        }
    }
    guard writes > 0 else { return "(no write metrics)" }
    return seconds.map { "\($0.0) \(fmt($0.1 / writes * 1e6, 0))" }.joined(separator: ", ")
        + " µs a write (of \(Int(writes)), in batches of \(fmt(batched / max(commits, 1), 1)) on average)"
}

/// The durable writes alone (`--only writes`; quick to run under a profiler).
func writesBench(base: String) throws {
    let (result, phases) = try durableWrites(base: base, maxBatch: 256, duration: 5)
    print("POST /v1/exchanges/recorded, group commit (FULL), 50 connections, 5 s: \(result.line)")
    print("  where a write's time went (the server's /metrics): \(phases)")
    print("")
}

func httpBench(base: String) throws {
    let duration = 3.0
    // A ledger of 100 members for the writes; the demo community for the reads.
    let demo = base + "/http-demo.sqlite"
    let (token, ids) = try readsDemo(demo)
    // A signed-in resident for the pages: an invitation used, its session's cookie kept.
    let resident = try Reader(path: demo).members(kind: .person, status: .active).first!.state.info.id
    let setup = try Ledger(path: demo)
    let (cookie, _) = try setup.acceptInvitation(try setup.invite(member: resident).code, password: "bench met een lange zin")
    var hashTimes = [Double]()
    for _ in 0..<5 {
        let t0 = Date()
        _ = PasswordHash.make("bench met een lange zin")
        hashTimes.append(Date().timeIntervalSince(t0) * 1000)
    }
    hashTimes.sort()

    let server = try Child(path: demo)
    let (bare, health, balance) = try readLoads(demo: demo, server: server, token: token, ids: ids, duration: duration)
    let home = load(port: server.port, connections: 50, duration: duration) { _, _ in
        Array("GET / HTTP/1.1\r\nHost: bench\r\nCookie: kring_session=\(cookie)\r\n\r\n".utf8)
    }
    // Sign-ins beside the pages: 8 clients sign in over and over (the right password, so no
    // throttling: each one is a full PBKDF2 hash and a session written) while 50 read the
    // overview. Hashing is gated (2 at once, 8 waiting, 503 beyond), so the pages keep going.
    let form = try fetch(port: server.port, "/sign-in")
    let pre = form.headers.split(separator: "\r\n").compactMap { line -> String? in
        guard line.lowercased().hasPrefix("set-cookie: kring_pre=") else { return nil }
        return String(line.dropFirst("set-cookie: kring_pre=".count).prefix { $0 != ";" })
    }.first ?? ""
    let csrf = form.body.components(separatedBy: "name=\"csrf\" value=\"").dropFirst().first?.prefix(64) ?? ""
    let signInBody = "csrf=\(csrf)&login=\(resident.handle)&password=bench+met+een+lange+zin"
    let signIn = Array(("POST /sign-in HTTP/1.1\r\nHost: bench\r\nCookie: kring_pre=\(pre)\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                        + "Content-Length: \(signInBody.utf8.count)\r\n\r\n\(signInBody)").utf8)
    final class Statuses: @unchecked Sendable {
        let lock = NSLock()
        var counts = [Int: Int]()
        func add(_ s: Int) { lock.lock(); counts[s, default: 0] += 1; lock.unlock() }
    }
    let statuses = Statuses()
    let homeRequest = Array("GET / HTTP/1.1\r\nHost: bench\r\nCookie: kring_session=\(cookie)\r\n\r\n".utf8)
    let signInsAlone = load(port: server.port, connections: 8, duration: duration, ok: { $0 == 303 || $0 == 503 }) { _, _ in signIn }
    let fewHomes = load(port: server.port, connections: 8, duration: duration) { _, _ in homeRequest }
    // The hashes the first load left queued finish first (at most 10, about 2.5 s of both cores).
    Thread.sleep(forTimeInterval: 3)
    let signing = DispatchGroup()
    signing.enter()
    Thread {
        // Two at a time: as many as the server hashes at once, so none is turned away.
        _ = load(port: server.port, connections: 2, duration: duration, ok: { s in statuses.add(s); return s == 303 || s == 503 }) { _, _ in signIn }
        signing.leave()
    }.start()
    let homeBeside = load(port: server.port, connections: 8, duration: duration) { _, _ in homeRequest }
    signing.wait()
    // The bytes a person's first visit of each page loads: its HTML and the stylesheet.
    var sizes = [(String, Int)]()
    for path in ["/", "/exchanges/new", "/offers", "/statement", "/settings", "/sign-in"] {
        sizes.append((path, try fetch(port: server.port, path, cookie: path == "/sign-in" ? nil : "kring_session=\(cookie)").body.utf8.count))
    }
    let cssPath = try fetch(port: server.port, "/").body.components(separatedBy: "href=\"/assets/").dropFirst().first?.prefix { $0 != "\"" } ?? ""
    let css = try fetch(port: server.port, "/assets/" + cssPath).body.utf8.count
    let demoRSS = server.residentMiB
    server.stop()
    print("HTTP, 50 keep-alive connections over loopback, \(Int(duration)) s each (server in a child process):")
    print("  minimal server (same HTTP code, constant answer) GET /health: \(bare.line)")
    print("  kring serve GET /health:                              \(health.line)  (ratio \(fmt(health.rate / bare.rate, 2)))")
    print("  kring serve GET /v1/members/{id}/balance (token):     \(balance.line)  (ratio \(fmt(balance.rate / bare.rate, 2)); to the same server's /health \(fmt(balance.rate / health.rate, 2)))")
    print("  kring serve GET / (a signed-in resident's overview):  \(home.line)  (ratio to the same server's /health \(fmt(home.rate / health.rate, 2)))")
    print("  a password hash (PBKDF2-HMAC-SHA256, \(PasswordHash.iterations) iterations), median of 5: \(fmt(hashTimes[2], 0)) ms of one core")
    print("  8 clients signing in continuously (each a full hash and a session): \(signInsAlone.line) (sign-ins and 503s)")
    let signedIn = statuses.counts[303, default: 0], busy = statuses.counts[503, default: 0]
    print("  GET / on 8 connections alone:                          \(fewHomes.line)")
    print("  GET / on 8 connections beside 2 signing in:            \(homeBeside.line)  (ratio \(fmt(homeBeside.rate / fewHomes.rate, 2)), p99 \(fmt(homeBeside.percentile(0.99) / max(fewHomes.percentile(0.99), 0.001), 1))x);"
          + " meanwhile \(fmt(Double(signedIn) / duration, 1)) sign-ins/s, \(fmt(Double(busy) / duration, 1))/s told to retry")
    print("  first load of a page, HTML + stylesheet (\(css) B): " + sizes.map { "\($0.0) \(fmt(Double($0.1 + css) / 1024, 1)) KB" }.joined(separator: ", "))

    // Durable writes: group commit against one transaction per write, same load.
    let writes = try [256, 1].map { try durableWrites(base: base, maxBatch: $0, duration: duration) }
    print("  POST /v1/exchanges/recorded, group commit (FULL):      \(writes[0].0.line)")
    print("    where a write's time went (the server's /metrics): \(writes[0].1)")
    print("  POST /v1/exchanges/recorded, a transaction per write:  \(writes[1].0.line)")
    print("  group commit / one transaction per write: \(fmt(writes[0].0.rate / max(writes[1].0.rate, 1), 1))x")

    // Resident memory: the demo community, and a ledger of 100,000 members.
    let big = base + "/http-100k.sqlite"
    _ = try DemoCommunity.build(at: big, options: DemoOptions(members: 100_000, months: 1, seed: 7, endDay: Day(iso: "2026-11-29")!))
    let bigToken = try Ledger(path: big).issueToken(member: member("gemeente-kring"), role: .coordinator, label: "bench").token
    let bigIDs = try Reader(path: big).balances().map(\.member)
    let bigServer = try Child(path: big)
    let bigLoad = load(port: bigServer.port, connections: 50, duration: duration) { c, n in get("/v1/members/\(bigIDs[(c * 7919 + n * 13) % bigIDs.count])/balance", token: bigToken) }
    let bigRSS = bigServer.residentMiB
    bigServer.stop()
    print("  GET balance with 100,000 members: \(bigLoad.line)")
    print("  resident memory of kring serve after the load: demo community (150 members) \(fmt(demoRSS)) MiB; 100,000 members \(fmt(bigRSS)) MiB")
    print("")
}

/// CPU time of this process so far, in seconds (user and system).
func processCPU() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// The writer alone, without HTTP: recorded exchanges through `Ledger.executeBatch` in batches
/// of 1 and of 50, each with an idempotency key, durable (FULL).
func batchBench(base: String) throws {
    var rates = [Int: Double]()
    var cpuPerExchange = [String: Double](), pagesPerExchange = [String: Double]()
    // Batches of 1 and 50 among 100 members; then batches of 50 among 5,000, where the writer's
    // cache misses more and the pair cap's window is read from the members' postings. The keys
    // `k1`, `k2`, … of one batch lie side by side in the idempotency table; the last run gives
    // random keys, as clients do (a UUID each), which land each on a leaf of its own.
    for (batch, members, random) in [(1, 100, false), (50, 100, false), (50, 5_000, false), (50, 5_000, true)] {
        let path = base + "/batch-\(batch)-\(members)\(random ? "-random" : "").sqlite"
        let ledger = try benchLedger(at: path, count: members)
        let n = batch == 1 ? 500 : 30_000
        var rng = SplitMix64(seed: 13)
        let randomKeys = random ? (0..<n).map { _ in String(format: "%016llx%016llx", rng.next(), rng.next()) } : []
        var k = 0
        let cpu = processCPU(), pages = ledger.pagesWritten
        let secs = try seconds {
            while k < n {
                let items = (0..<batch).map { j -> BatchItem in
                    // Pairs spread as in real use (a pair meets a few times a month, not hundreds).
                    let i = k + j, p = (i * 31) % members, q = (i * 17 + i / members + 1) % members, r = q == p ? (p + 1) % members : q
                    let draft = ExchangeDraft(providers: [member("m\(p)")], receivers: [member("m\(r)")], kind: .time, domain: "care", what: "bench", credits: Minutes(15))
                    return BatchItem(command: .record(draft, reason: nil), actor: .coordinator,
                                     idempotency: IdempotencyKey(scope: "bench", key: random ? randomKeys[i] : "k\(i)", requestHash: [UInt8](repeating: 1, count: 32)))
                }
                _ = try ledger.executeBatch(items)
                k += batch
            }
        }
        if members == 100 { rates[batch] = Double(n) / secs }
        if batch == 50 {
            let name = "\(members)\(random ? " random keys" : "")"
            cpuPerExchange[name] = (processCPU() - cpu) / Double(n) * 1e6
            pagesPerExchange[name] = Double(ledger.pagesWritten - pages) / Double(n)
        }
    }
    print("Writer alone (no HTTP), recorded exchanges with idempotency keys, FULL: batches of 1 \(fmt(rates[1]!, 0))/s, batches of 50 \(fmt(rates[50]!, 0))/s (\(fmt(rates[50]! / rates[1]!, 1))x)")
    for (name, label) in [("100", "100 members"), ("5000", "5000 members"), ("5000 random keys", "5000 members, random keys")] {
        print("  \(label), batches of 50: the writer's CPU per recorded exchange (deciding, SQL, hashing; fsync waits are not CPU) "
              + "\(fmt(cpuPerExchange[name]!, 1)) µs; WAL frames (pages of 4 KiB) per exchange \(fmt(pagesPerExchange[name]!, 2))")
    }
    print("")
}
