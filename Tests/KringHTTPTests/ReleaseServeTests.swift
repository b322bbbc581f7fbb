#if canImport(Glibc)
import Glibc
#endif
import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing

/// The release build, as an operator builds it (`swift build -c release`), in its own scratch
/// directory so it never waits on the debug build's lock. `.ci/run` builds it before the tests;
/// when it is missing the test builds it (a few minutes, once).
enum ReleaseBinary {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let scratch = packageRoot + "/.build-release"
    static var path: String { scratch + "/release/kring" }

    /// The release binary, built (again) when it is missing or older than a source file.
    static func ensureBuilt() throws -> String {
        if FileManager.default.isExecutableFile(atPath: path), let built = modified(path), newestSource() <= built { return path }
        let swift = FileManager.default.isExecutableFile(atPath: "/opt/swift/usr/bin/swift") ? "/opt/swift/usr/bin/swift" : "/usr/bin/env"
        let args = (swift == "/usr/bin/env" ? ["swift"] : []) + ["build", "-c", "release", "--product", "kring", "--scratch-path", scratch, "--package-path", packageRoot]
        let r = try runProcess(swift, args)
        guard r.status == 0, FileManager.default.isExecutableFile(atPath: path) else {
            throw ServerTestError("could not build the release binary: \(r.stderr.suffix(2_000))")
        }
        return path
    }

    static func modified(_ path: String) -> Date? { (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date }

    static func newestSource() -> Date {
        var newest = Date.distantPast
        let root = packageRoot + "/Sources"
        if let files = FileManager.default.enumerator(atPath: root) {
            for case let file as String in files {
                if let d = modified(root + "/" + file), d > newest { newest = d }
            }
        }
        if let d = modified(packageRoot + "/Package.swift"), d > newest { newest = d }
        return newest
    }
}

/// `kring serve` started from a shell the way an operator starts it: `/bin/sh -c`, spawned with
/// a clean signal mask and default dispositions, as a login shell has them (a test process's
/// threads block signals, and a child started with Foundation's `Process` inherits that mask:
/// a test of the harness, not of the server). The server runs in the background of the
/// non-interactive shell, which starts it with SIGINT ignored, as POSIX says; it is stopped
/// with `kill -TERM` or `kill -INT` by its pid, and the shell's exit status is the server's.
final class ShellServer: @unchecked Sendable {
    let shell: pid_t
    let pid: pid_t
    let port: UInt16

    /// What the server wrote on stderr (its access log is off; errors and crashes land here).
    let stderrPath: String
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// What the server printed on stdout so far (its start-up lines: the address, and with
    /// `--demo` the invitations and the token).
    var output: String { outputLock.lock(); defer { outputLock.unlock() }; return printed }
    private var printed = ""
    private let outputLock = NSLock()

    /// - Parameter environment: variables set on the command line, as an operator writes
    ///   `KRING_NOW=… kring serve` (the tests that fix the server's clock).
    init(binary: String, db: String, arguments: [String] = ["--quiet"], environment: [String: String] = [:]) throws {
        stderrPath = db + ".stderr"
        func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\(quoted($0.value)) " }.joined()
        let command = "\(assignments)\(quoted(binary)) --db \(quoted(db)) serve --port 0 \(arguments.map(quoted).joined(separator: " ")) & echo \"pid $!\"; wait $!"
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw ServerTestError("pipe failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGCHLD, SIGPIPE, SIGQUIT, SIGHUP] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var child: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", command].map { (s: String) in strdup(s) } + [nil]
        defer { argv.forEach { free($0) } }
        let rc = posix_spawn(&child, "/bin/sh", &actions, &attributes, argv, environ)
        close(fds[1])
        guard rc == 0 else { close(fds[0]); throw ServerTestError("posix_spawn failed: \(rc)") }
        shell = child
        let out = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true)
        var text = "", pid: pid_t?, port: UInt16?
        while pid == nil || port == nil {
            let d = out.availableData
            if d.isEmpty { break }
            text += String(decoding: d, as: UTF8.self)
            if let r = text.range(of: "pid "), let n = Int32(text[r.upperBound...].prefix { $0.isNumber }) { pid = n }
            if let r = text.range(of: "127.0.0.1:"), let n = UInt16(text[r.upperBound...].prefix { $0.isNumber }) { port = n }
        }
        guard let pid, let port else {
            kill(child, SIGKILL)
            var status: Int32 = 0
            waitpid(child, &status, 0)
            throw ServerTestError("kring serve did not start from the shell: \(text)")
        }
        self.pid = pid
        self.port = port
        printed = text
        // Read the rest as a terminal would, so the server's stdout stays open.
        Thread { [self] in
            while true {
                let d = out.availableData
                if d.isEmpty { break }
                outputLock.lock()
                printed += String(decoding: d, as: UTF8.self)
                outputLock.unlock()
            }
        }.start()
    }

    /// Sends `signal` and waits (with a deadline) for the shell, whose exit status is the
    /// server's. Nil when the server did not stop in time (it is then killed).
    func stop(with signal: Int32, deadline seconds: Double = 20) -> Int32? {
        kill(pid, signal)
        let end = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        while Date() < end {
            let r = waitpid(shell, &status, WNOHANG)
            if r == shell { return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f) }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        waitpid(shell, &status, 0)
        return nil
    }
}

@Suite("The release binary, started from a shell", .serialized)
struct ReleaseServeTests {
    @Test("SIGTERM and SIGINT stop the release build started from /bin/sh: idle and under load, exit 0, every acknowledged write committed")
    func releaseBinaryStopsOnSignals() throws {
        let binary = try ReleaseBinary.ensureBuilt()
        let dir = TempDir("kring-release")
        defer { dir.remove() }
        let path = dir.file("ledger.sqlite")
        let token = try loadLedger(at: path)
        let acks = Acks()
        for sig in [SIGTERM, SIGINT] {
            // Idle: started, answered one request, then the signal.
            let idle = try ShellServer(binary: binary, db: path)
            let c = try RawClient(port: idle.port)
            c.send(requestBytes("GET", "/health"))
            #expect(c.read()?.status == 200)
            #expect(idle.stop(with: sig) == 0, "signal \(sig) on an idle release server: \(idle.stderr.suffix(1_000))")

            // Under load: eight clients writing, then the signal.
            let busy = try ShellServer(binary: binary, db: path)
            let before = acks.accepted.count
            let group = startLoad(port: busy.port, token: token, seed: UInt64(sig * 1_000 + 7), acks: acks)
            #expect(waitUntil { acks.accepted.count >= before + 20 }, "the load got going")
            #expect(busy.stop(with: sig) == 0, "signal \(sig) on a release server under load: \(busy.stderr.suffix(1_000))")
            group.wait()
            #expect(acks.failures.isEmpty, "\(acks.failures.prefix(2))")
            try checkLedger(path, acks: acks, exact: true)
            // A graceful stop answers what it took in: a request left without an answer was
            // not carried out either.
            var whats = Set<String>()
            try Reader(path: path).forEachExchange { whats.insert($0.record.info.what) }
            #expect(acks.unknown.allSatisfy { !whats.contains($0) }, "a request without an answer was committed")
        }
        #expect(acks.accepted.count > 0)
    }
}

@Suite("Tokens against the release binary: revocation from another process", .serialized)
struct ReleaseTokenTests {
    @Test("a token revoked with the CLI (another process) stops at the very next request, on every connection, though the server had it cached")
    func cliRevocationReachesTheRunningServer() throws {
        let binary = try ReleaseBinary.ensureBuilt()
        let dir = TempDir("kring-release-token")
        defer { dir.remove() }
        let path = dir.file("ledger.sqlite")
        _ = try loadLedger(at: path)
        func cli(_ args: String...) throws -> ProcessResult { try runProcess(binary, ["--db", path] + args) }
        let issued = try cli("token", "issue", "an", "--role", "member", "--label", "phone", "--json")
        let other = try cli("token", "issue", "an", "--role", "member", "--label", "laptop", "--json")
        guard issued.status == 0, other.status == 0, let j = try? JSON.parse(issued.stdout), let token = j["token"]?.stringValue, let id = j["id"]?.stringValue,
              let second = (try? JSON.parse(other.stdout))?["token"]?.stringValue else {
            Issue.record("no token: \(issued.stderr) \(other.stderr)")
            return
        }
        let server = try ShellServer(binary: binary, db: path)
        defer { _ = server.stop(with: SIGKILL) }
        // Four connections with their requests in flight at once, five times over: the server
        // serves each connection on its own thread, and the threads that overlap are lent
        // readers of their own, each of which then keeps the token.
        let clients = try (0..<4).map { _ in try RawClient(port: server.port) }
        for _ in 0..<5 {
            for c in clients { c.send(requestBytes("GET", "/v1/members/an/balance", token: token)) }
            for c in clients { #expect(c.read()?.status == 200) }
        }
        #expect(try cli("token", "revoke", id).status == 0)
        for c in clients {
            c.send(requestBytes("GET", "/v1/members/an/balance", token: token))
            let r = c.read()
            #expect(r?.status == 401 && r?.json?["code"]?.stringValue == "http.unauthorized", "a revoked token still read a balance")
            c.send(requestBytes("GET", "/v1/members/an/balance", token: second))
            #expect(c.read()?.status == 200, "the member's other token keeps working")
        }
    }
}

/// The release server started from a shell on a fixture ledger, with the release CLI beside it
/// on the same file (another process).
struct ReleaseBeside {
    let binary: String, dir: TempDir, path: String, server: ShellServer, client: RawClient

    init(_ name: String) throws {
        binary = try ReleaseBinary.ensureBuilt()
        dir = TempDir(name)
        path = dir.file("ledger.sqlite")
        var started: ShellServer?
        do {
            _ = try loadLedger(at: path)
            let s = try ShellServer(binary: binary, db: path)
            started = s
            client = try RawClient(port: s.port)
            server = s
        } catch {
            _ = started?.stop(with: SIGKILL)
            dir.remove()
            throw error
        }
    }

    /// The CLI on the same ledger.
    func cli(_ args: String...) throws -> ProcessResult { try runProcess(binary, ["--db", path] + args) }

    func stop() {
        _ = server.stop(with: SIGKILL)
        dir.remove()
    }
}

@Suite("Statistics of the release binary, following another process")
struct ReleaseStatsTests {
    @Test("the running server's statistics follow exchanges recorded and reversed by the CLI (another process), and equal `kring stats` at the same head")
    func statisticsFollowTheCLI() throws {
        let beside = try ReleaseBeside("kring-release-stats")
        defer { beside.stop() }
        let c = beside.client, cli = beside.cli
        c.send(requestBytes("GET", "/v1/stats?period=year"))
        let before = c.read()
        #expect(before?.status == 200)
        // Exchanges among the fixture's members, through the CLI while the server runs; the
        // first one reversed.
        let pairs = [("an", "bram"), ("bram", "chloe"), ("chloe", "an"), ("daan", "els"), ("els", "fatima"), ("fatima", "daan"), ("bakkerij", "an")]
        for (p, r) in pairs {
            let recorded = try cli("exchange", "record", "--provider", p, "--receiver", r, "--kind", "time", "--domain", "care", "--what", "hulp", "--credits", "1h")
            #expect(recorded.status == 0, "\(recorded.stderr)")
        }
        #expect(try cli("exchange", "reverse", "ex-1", "--reason", "vergissing").status == 0)
        // Other parameters than the first request's, so the answer is computed at the new head.
        c.send(requestBytes("GET", "/v1/stats?period=month"))
        let after = try #require(c.read())
        #expect(after.status == 200)
        let local = try cli("stats", "--format", "json", "--period", "month", "--k", "5")
        #expect(local.status == 0, "\(local.stderr)")
        let served = try #require(after.json), computed = try #require(try? JSON.parse(Array(local.stdout.utf8)))
        #expect(served["ledger_head"]?["seq"] != before?.json?["ledger_head"]?["seq"], "the server's answer names the new head")
        #expect(served == computed, "the server's maintained report is the one the CLI computes from scratch")
        // Six exchanges stand (the reversed one left out), among six givers and five receivers:
        // the whole range's total is published at k = 5.
        let total = served["tables"]?.arrayValue?.first { $0["name"]?.stringValue == "total" }
        #expect(total?["rows"]?.arrayValue?.first?["cells"]?.arrayValue?.last?["exchanges"] == .int(6), "\(String(describing: total))")
    }
}

@Suite("Search of the release binary, following another process")
struct ReleaseSearchTests {
    @Test("the running server's search (from memory) follows listings posted, edited and withdrawn by the CLI (another process), and equals `kring search` at each step")
    func searchFollowsTheCLI() throws {
        let beside = try ReleaseBeside("kring-release-search")
        defer { beside.stop() }
        let c = beside.client, cli = beside.cli
        /// The ids the server finds for `q`, and those `kring search --json` finds.
        func both(_ q: String) throws -> (served: [String], local: [String]) {
            c.send(requestBytes("GET", "/v1/search?q=" + (q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q)))
            let r = try #require(c.read())
            #expect(r.status == 200, "\(r.text)")
            let served = r.json?["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            let local = try cli("search", q, "--json")
            #expect(local.status == 0, "\(local.stderr)")
            let ids = (try? JSON.parse(Array(local.stdout.utf8)))?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            return (served, ids)
        }
        #expect(try both("zaal").served.isEmpty)
        let posts = [("coworking", "Vergaderzaal in het café", "Een zaal voor twintig, met koffie"), ("fanfare", "Repetitiezaal", "Zaal zaal zaal"),
                     ("bakkerij", "Zaal boven de bakkerij", "Een kleine zaal"), ("an", "Hulp bij boodschappen", "Naar de markt")]
        for (who, title, text) in posts {
            let r = try cli("offer", "add", "--as", who, "--kind", "space", "--domain", "culture", "--title", title, "--text", text)
            #expect(r.status == 0, "\(r.stderr)")
        }
        var found = try both("zaal")
        #expect(found.served == found.local && found.served.count == 3, "\(found)")
        #expect(found.served.first == "of-2", "the listing that says zaal most often comes first")
        // Edited so it no longer says zaal, then another withdrawn, while the server runs.
        #expect(try cli("offer", "edit", "of-2", "--kind", "space", "--domain", "culture", "--title", "Repetitieruimte", "--text", "Vrij op maandag").status == 0)
        #expect(try cli("offer", "withdraw", "of-3").status == 0)
        found = try both("zaal")
        #expect(found.served == found.local && found.served == ["of-1"], "\(found)")
        found = try both("CAFE koffie")
        #expect(found.served == found.local && found.served == ["of-1"], "accents and case: \(found)")
        found = try both("maandag")
        #expect(found.served == found.local && found.served == ["of-2"], "the edited text is found: \(found)")
    }
}

