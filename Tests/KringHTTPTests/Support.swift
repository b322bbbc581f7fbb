#if canImport(Glibc)
import Glibc
#endif
import Foundation
import KringCore
import KringHTTP
import KringStore
import KringTestSupport

/// A response as the test client read it off the wire.
struct WireResponse {
    let status: Int
    let headers: [(String, String)]
    let body: [UInt8]

    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    var json: JSON? { try? JSON.parse(body) }
    var text: String { String(decoding: body, as: UTF8.self) }
    var code: String? { json?["code"]?.stringValue }
}

/// A blocking TCP client that writes raw bytes and reads HTTP/1.1 responses.
final class RawClient {
    let fd: Int32
    private var buffer = [UInt8]()

    /// Connects to 127.0.0.1:`port`, from the loopback address `source` when given (any of
    /// 127.0.0.0/8 is this machine: a test can be several clients).
    init(port: UInt16, from source: String? = nil) throws {
        fd = try Self.connected(port: port, from: source)
    }

    /// A socket connected to `port`; on failure it is closed here and nothing is returned.
    /// (Closing it in `init` and again in `deinit` closed one descriptor twice: a throwing
    /// initializer of a class still runs `deinit`. The second close could hit a file another
    /// thread had opened in between, which SQLite then reported as "disk I/O error".)
    private static func connected(port: UInt16, from source: String?) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerTestError("socket: \(String(cString: strerror(errno)))") }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, source, &local.sin_addr)
            let rc = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard rc == 0 else {
                let e = String(cString: strerror(errno))
                close(fd)
                throw ServerTestError("bind \(source): \(e)")
            }
        }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else {
            let e = String(cString: strerror(errno))
            close(fd)
            throw ServerTestError("connect: \(e)")
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    deinit { close(fd) }

    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    /// Reads until `count` bytes are buffered; false on close or timeout.
    private func fill(_ count: Int, deadline: Double) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while buffer.count < count {
            let left = deadline - Date().timeIntervalSince1970
            guard left > 0 else { return false }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, Int32(left * 1000) + 1) > 0 else { return false }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return false }
            buffer.append(contentsOf: chunk[0..<n])
        }
        return true
    }

    /// Reads one response; nil when the server closed or did not answer in time.
    func read(timeout: Double = 30) -> WireResponse? {
        let deadline = Date().timeIntervalSince1970 + timeout
        var end: Int?
        while end == nil {
            if let r = findHeadEnd() { end = r; break }
            guard fill(buffer.count + 1, deadline: deadline) else { return nil }
        }
        let head = String(decoding: buffer[0..<end!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        var headers = [(String, String)]()
        for l in lines where !l.isEmpty {
            let parts = l.split(separator: ":", maxSplits: 1)
            headers.append((String(parts[0]), parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""))
        }
        let length = Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
        guard fill(end! + 4 + length, deadline: deadline) else { return nil }
        let body = Array(buffer[(end! + 4)..<(end! + 4 + length)])
        buffer.removeFirst(end! + 4 + length)
        return WireResponse(status: status, headers: headers, body: body)
    }

    private func findHeadEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 { return i }
        return nil
    }

    /// True when the server closed the connection (reads EOF within `timeout`).
    func isClosed(timeout: Double = 5) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().timeIntervalSince1970 + timeout
        while Date().timeIntervalSince1970 < deadline {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 100) > 0 else { continue }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return true }
        }
        return false
    }
}

struct ServerTestError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Builds an HTTP/1.1 request's bytes.
func requestBytes(_ method: String, _ target: String, token: String? = nil, body: String? = nil, key: String? = nil,
                  contentType: String? = "application/json", extra: [String] = []) -> [UInt8] {
    var lines = ["\(method) \(target) HTTP/1.1", "Host: test"]
    if let token { lines.append("Authorization: Bearer \(token)") }
    if let key { lines.append("Idempotency-Key: \(key)") }
    if let body {
        if let contentType { lines.append("Content-Type: \(contentType)") }
        lines.append("Content-Length: \(body.utf8.count)")
    }
    lines += extra
    return Array((lines.joined(separator: "\r\n") + "\r\n\r\n" + (body ?? "")).utf8)
}

/// A server on a loopback port over a fixture ledger: the fixture members, a member token for
/// each, and a coordinator token (held by `stad`).
final class TestServer: @unchecked Sendable {
    let dir: TempDir
    let path: String
    let api: API
    let server: HTTPServer
    let clock: TestClock
    var tokens = [String: String]()
    var coordinator: String { tokens["coordinator"]! }
    var port: UInt16 { server.port }

    init(limits: HTTPLimits = HTTPLimits(), clock: TestClock = TestClock(), policy: Policy = .standard) throws {
        self.clock = clock
        dir = TempDir("kring-http")
        path = dir.file("ledger.sqlite")
        do {
            let ledger = try fixtureLedger(at: path, clock: clock, policy: policy)
            for (id, _) in fixtureMembers { tokens[id.handle] = try ledger.issueToken(member: id, role: .member, label: "test").token }
            tokens["coordinator"] = try ledger.issueToken(member: "stad", role: .coordinator, label: "test").token
        }
        api = try API(path: path, limits: limits, clock: clock.clock)
        let api = self.api
        server = HTTPServer(limits: limits, log: nil, handler: { api.handle($0) })
        try server.bind(host: "127.0.0.1", port: 0)
        let s = server
        let t = Thread { s.run() }
        t.start()
    }

    /// Sends one request on a fresh connection and reads its response.
    func call(_ method: String, _ target: String, token: String? = nil, body: String? = nil, key: String? = nil,
              contentType: String? = "application/json") throws -> WireResponse {
        let c = try RawClient(port: port)
        c.send(requestBytes(method, target, token: token, body: body, key: key, contentType: contentType))
        guard let r = c.read() else { throw ServerTestError("no response to \(method) \(target)") }
        return r
    }

    /// The journal's head sequence number, read directly.
    func headSeq() throws -> Int64 { try Reader(path: path).head().seq }

    func stop() {
        server.stop()
        server.waitUntilStopped()
        api.shutdown()
        dir.remove()
    }
}

/// A unique idempotency key.
func newKey() -> String { "k-\(UInt64.random(in: 0...UInt64.max))" }

/// The body of a time exchange between two members.
func exchangeBody(_ provider: String, _ receiver: String, minutes: Int = 60, what: String = "help", extra: String = "") -> String {
    "{\"providers\":[\"\(provider)\"],\"receivers\":[\"\(receiver)\"],\"kind\":\"time\",\"domain\":\"care\",\"what\":\"\(what)\",\"credits_minutes\":\(minutes)\(extra)}"
}

/// Starts the built `kring serve` on a free port over `path`: the process, its port (read from
/// its first lines) and its stderr.
func startKringServe(_ path: String, _ args: [String]) throws -> (Process, UInt16, Pipe) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: productsDirectory + "/kring")
    p.arguments = ["--db", path, "serve", "--port", "0"] + args
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    var text = ""
    while true {
        let d = out.fileHandleForReading.availableData
        if d.isEmpty { break }
        text += String(decoding: d, as: UTF8.self)
        if let r = text.range(of: "127.0.0.1:"), let port = UInt16(text[r.upperBound...].prefix { $0.isNumber }) { return (p, port, err) }
    }
    p.terminate()
    throw ServerTestError("kring serve did not start: \(text)")
}

/// Waits until `condition` holds, up to `seconds`; whether it came to hold.
func waitUntil(seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(2_000)
    }
    return condition()
}
