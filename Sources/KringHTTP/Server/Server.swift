import KringCore
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What the server calls for each request: the request, the peer's address, and returns the
/// response. Called on the connection's own thread; must be thread-safe.
public typealias HTTPHandler = @Sendable (HTTPRequest) -> HTTPResponse

/// One line of the access log, handed to the log sink.
public struct AccessRecord: Sendable {
    public let method: String
    /// The path only: query strings may hold search words, and never reach the log.
    public let path: String
    public let status: Int
    public let bytes: Int
    public let micros: Int64
    public let peer: String
    /// Who called, as set by the handler in the `X-Kring-Principal` response header (a token
    /// id, never a token); the header is removed before sending.
    public let principal: String?

    public var line: String {
        "\(Int64(Date().timeIntervalSince1970)) \(peer) \(AccessRecord.redacted(method)) \(AccessRecord.redacted(path)) \(status) \(bytes)B \(micros)us \(principal ?? "-")"
    }

    /// `text` as the log shows it: percent-decoded (up to three times, so `%6bring_…` and
    /// `%256bring_…` are seen for what they are), anything shaped like a bearer token replaced
    /// whatever its case, control bytes escaped (one record, one line), cut to 200 bytes.
    static func redacted(_ text: String) -> String {
        var bytes = Array(text.utf8.prefix(4_096))
        for _ in 0..<3 {
            let decoded = lenientlyDecoded(bytes)
            if decoded == bytes { break }
            bytes = decoded
        }
        let prefix = Array("kring_".utf8)
        var out = [UInt8]()
        var i = 0
        while i < bytes.count {
            if i + prefix.count <= bytes.count, zip(bytes[i..<(i + prefix.count)], prefix).allSatisfy({ ($0 | 0x20) == $1 || $0 == $1 }) {
                var j = i + prefix.count
                while j < bytes.count, isHex(bytes[j]) { j += 1 }
                out += Array("[token]".utf8)
                i = j
                continue
            }
            let b = bytes[i]
            if b < 0x20 || b == 0x7F { out += Array(String(format: "\\x%02x", b).utf8) } else { out.append(b) }
            i += 1
        }
        return String(decoding: out.prefix(200), as: UTF8.self)
    }

    private static func isHex(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) || (0x41...0x46).contains(b) || (0x61...0x66).contains(b) }

    /// `%XX` sequences decoded, anything else kept as it is.
    private static func lenientlyDecoded(_ bytes: [UInt8]) -> [UInt8] {
        func value(_ b: UInt8) -> UInt8 { b <= 0x39 ? b - 0x30 : (b | 0x20) - 0x61 + 10 }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x25, i + 2 < bytes.count, isHex(bytes[i + 1]), isHex(bytes[i + 2]) {
                out.append(value(bytes[i + 1]) << 4 | value(bytes[i + 2]))
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }
}

/// An HTTP/1.1 server on POSIX sockets: a thread per connection (measured here as fast as an
/// epoll loop for this load, and simpler to reason about), keep-alive and pipelining,
/// bodies by Content-Length, the named limits of `HTTPLimits`, and a graceful stop.
public final class HTTPServer: @unchecked Sendable {
    public let limits: HTTPLimits
    /// Addresses of reverse proxies whose `X-Forwarded-For` is believed (`serve --trusted-proxy`).
    public let trustedProxies: Set<String>
    private let handler: HTTPHandler
    private let log: (@Sendable (AccessRecord) -> Void)?
    private var listenFD: Int32 = -1
    private let state = NSCondition()
    private var open = 0
    private var stopping = false
    /// Open connections by id, with their address and since when they are idle (nil while a
    /// request is in flight); guarded by `state`.
    private var registry = [UInt64: Registered]()
    private var perAddress = [String: Int]()
    private var nextConnectionID: UInt64 = 0
    /// Connections closed to make room for new ones (metrics, tests).
    public private(set) var evictions = 0
    private var acceptThreadDone = false
    /// The port bound (useful with port 0).
    public private(set) var port: UInt16 = 0

    /// The answer to a connection that arrives while the server stops.
    static let stopping = Problem.response(status: 503, code: .face(.httpStopping), detail: "The server is shutting down; retry shortly.",
                                           headers: [("Retry-After", "5")], close: true)

    /// How long an idle wait sleeps before looking at the stop flag.
    static let pollSliceMillis: Int32 = 200

    public init(limits: HTTPLimits = HTTPLimits(), trustedProxies: Set<String> = [], log: (@Sendable (AccessRecord) -> Void)? = nil,
                handler: @escaping HTTPHandler) {
        self.limits = limits
        self.trustedProxies = trustedProxies
        self.handler = handler
        self.log = log
        overloaded = Problem.response(status: 503, code: .face(.httpOverloaded), detail: "Too many connections (\(limits.maxConnections)); retry shortly.",
                                      headers: [("Retry-After", "1")], close: true)
    }

    /// The answer to a connection over the cap.
    private let overloaded: HTTPResponse

    /// Binds and listens on `host:port` (IPv4 dotted address; "localhost" is 127.0.0.1).
    public func bind(host: String, port: UInt16) throws {
        signal(SIGPIPE, SIG_IGN)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        let h = host == "localhost" ? "127.0.0.1" : host
        guard inet_pton(AF_INET, h, &addr.sin_addr) == 1 else {
            close(fd)
            throw ServerError("--host takes an IPv4 address such as 127.0.0.1 or 0.0.0.0, not \(host).")
        }
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else {
            let e = String(cString: strerror(errno))
            close(fd)
            throw ServerError("cannot bind \(h):\(port): \(e)")
        }
        guard listen(fd, 1024) == 0 else {
            close(fd)
            throw ServerError("listen: \(String(cString: strerror(errno)))")
        }
        var bound = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        self.port = UInt16(bigEndian: bound.sin_port)
        listenFD = fd
    }

    /// Accepts connections until `stop()`; returns once every connection has closed.
    public func run() {
        while true {
            state.lock()
            let stop = stopping
            state.unlock()
            if stop { break }
            var pfd = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, HTTPServer.pollSliceMillis)
            guard ready > 0 else { continue }
            var peerAddr = sockaddr_in()
            var peerLen = socklen_t(MemoryLayout<sockaddr_in>.size)
            let client = withUnsafeMutablePointer(to: &peerAddr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listenFD, $0, &peerLen) } }
            guard client >= 0 else {
                // Out of file descriptors: the pending connection stays ready, so wait a little
                // instead of spinning until one is freed.
                if errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM { usleep(10_000) }
                continue
            }
            let address = HTTPServer.text(of: peerAddr.sin_addr)
            let id: UInt64
            switch admit(fd: client, address: address) {
            case .refused(let answer):
                var bytes = answer.serialized(keepAlive: false)
                _ = send(client, &bytes, bytes.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
                close(client)
                continue
            case .admitted(let n):
                id = n
            }
            let thread = Thread { [self] in
                var connection = Connection(fd: client, id: id, peer: address, server: self)
                connection.serve()
                state.lock()
                open -= 1
                state.broadcast()
                state.unlock()
            }
            thread.stackSize = 512 * 1024
            thread.start()
        }
        close(listenFD)
        // Let connections finish what they were doing; idle ones notice the flag within a slice.
        state.lock()
        while open > 0 { state.wait() }
        acceptThreadDone = true
        state.broadcast()
        state.unlock()
    }

    /// An open connection as admission sees it.
    struct Registered {
        let fd: Int32
        let address: String
        /// Since when it waits for a request; nil while one is in flight.
        var idleSince: Double?
        /// Closed to make room: it takes no further request.
        var evicted = false
    }

    enum Admission {
        case admitted(UInt64)
        case refused(HTTPResponse)
    }

    /// Counts and registers a new connection from `address`, or says why not. One address holds
    /// at most `maxConnectionsPerAddress` (a trusted proxy is exempt); at `maxConnections` the
    /// connection idle longest is closed to make room, and only when none is idle is the new
    /// one refused.
    private func admit(fd: Int32, address: String) -> Admission {
        state.lock()
        defer { state.unlock() }
        if stopping { return .refused(HTTPServer.stopping) }
        if !trustedProxies.contains(address), perAddress[address, default: 0] >= limits.maxConnectionsPerAddress {
            return .refused(Problem.response(status: 503, code: .face(.httpOverloaded),
                                             detail: "Too many connections from \(address) (\(limits.maxConnectionsPerAddress)); close some or retry shortly.",
                                             headers: [("Retry-After", "1")], close: true))
        }
        if open >= limits.maxConnections {
            var victim: (id: UInt64, since: Double)?
            for (id, c) in registry where !c.evicted {
                if let since = c.idleSince, since < victim?.since ?? .infinity { victim = (id, since) }
            }
            guard let victim else { return .refused(overloaded) }
            // Its thread sees the socket shut, unregisters and closes it (the fd stays valid
            // until then: closing happens after unregistering, under this lock).
            shutdown(registry[victim.id]!.fd, Int32(SHUT_RDWR))
            registry[victim.id]!.evicted = true
            evictions += 1
        }
        nextConnectionID += 1
        open += 1
        registry[nextConnectionID] = Registered(fd: fd, address: address, idleSince: Monotonic.now)
        perAddress[address, default: 0] += 1
        return .admitted(nextConnectionID)
    }

    /// A connection's request is in flight (`idleSince` nil) or it waits for the next one
    /// since then. False when the connection was closed to make room: its request is not
    /// carried out.
    @discardableResult
    func mark(_ id: UInt64, idleSince: Double?) -> Bool {
        state.lock()
        defer { state.unlock() }
        guard let c = registry[id], !c.evicted else { return false }
        registry[id]!.idleSince = idleSince
        return true
    }

    /// Forgets a connection before its socket is closed.
    func unregister(_ id: UInt64) {
        state.lock()
        if let entry = registry.removeValue(forKey: id) {
            perAddress[entry.address]! -= 1
            if perAddress[entry.address] == 0 { perAddress[entry.address] = nil }
        }
        state.unlock()
    }

    /// The dotted text of an IPv4 address.
    static func text(of address: in_addr) -> String {
        var a = address
        var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        inet_ntop(AF_INET, &a, &text, socklen_t(INET_ADDRSTRLEN))
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The client behind a trusted proxy: the last address in `X-Forwarded-For` (the one the
    /// proxy appended; earlier ones are the client's word), when it is an IP address; else the
    /// peer itself. Anyone else's `X-Forwarded-For` is ignored.
    func clientAddress(peer: String, forwardedFor: String?) -> String {
        guard trustedProxies.contains(peer), let header = forwardedFor,
              let last = header.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), HTTPServer.isIPAddress(last) else { return peer }
        return last
    }

    public static func isIPAddress(_ s: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return s.withCString { inet_pton(AF_INET, $0, &v4) == 1 || inet_pton(AF_INET6, $0, &v6) == 1 }
    }

    /// Stops accepting, lets in-flight requests finish, and makes `run()` return.
    public func stop() {
        state.lock()
        stopping = true
        state.unlock()
    }

    /// Blocks until `run()` has returned after `stop()`.
    public func waitUntilStopped() {
        state.lock()
        while !acceptThreadDone { state.wait() }
        state.unlock()
    }

    var isStopping: Bool {
        state.lock()
        defer { state.unlock() }
        return stopping
    }

    /// Connections open now that wait for a request (none in flight).
    var idleConnections: Int {
        state.lock()
        defer { state.unlock() }
        return registry.values.filter { $0.idleSince != nil && !$0.evicted }.count
    }

    /// Connections open now.
    public var openConnections: Int {
        state.lock()
        defer { state.unlock() }
        return open
    }

    /// One client connection, served on its own thread.
    struct Connection {
        let fd: Int32
        let id: UInt64
        let server: HTTPServer
        var buffer = [UInt8]()
        /// Where reads land before they join `buffer` (one allocation per connection).
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        /// The peer's address, and the client's (they differ behind a trusted proxy).
        let peer: String
        var client: String
        /// When the connection was accepted (its first request has `firstRequestTimeout`).
        let accepted = Monotonic.now
        var served = 0

        init(fd: Int32, id: UInt64, peer: String, server: HTTPServer) {
            self.fd = fd
            self.id = id
            self.server = server
            self.peer = peer
            client = peer
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            var tv = timeval(tv_sec: Int(server.limits.sendTimeout), tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }

        enum Read { case data, closed, timeout, stopping }

        /// Reads more bytes into `buffer`, waiting until `deadline` (monotonic seconds). When
        /// `idle`, gives up early if the server is stopping.
        mutating func readMore(until deadline: Double, idle: Bool) -> Read {
            while true {
                // Stopping: an idle connection closes, unless a request has already arrived on
                // it (that one is read and answered first).
                if idle && server.isStopping {
                    var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    guard poll(&pfd, 1, 0) > 0 else { return .stopping }
                }
                let left = deadline - Monotonic.now
                if left <= 0 { return .timeout }
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let wait = min(Int32(left * 1000) + 1, HTTPServer.pollSliceMillis)
                let ready = poll(&pfd, 1, wait)
                if ready < 0 && errno != EINTR { return .closed }
                if ready <= 0 { continue }
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n > 0 {
                    chunk.withUnsafeBufferPointer { buffer.append(contentsOf: $0[0..<n]) }
                    return .data
                }
                if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                return .closed
            }
        }

        func write(_ bytes: [UInt8]) -> Bool {
            var sent = 0
            while sent < bytes.count {
                let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                sent += n
            }
            return true
        }

        /// Answers a refusal of the parser or a timeout, then the connection closes.
        func refuse(_ status: Int, _ code: FaceCode, _ detail: String, method: String = "-", path: String = "-") {
            let response = Problem.response(status: status, code: .face(code), detail: detail)
            let bytes = response.serialized(keepAlive: false)
            _ = write(bytes)
            server.log?(AccessRecord(method: method, path: path, status: status, bytes: response.body.count, micros: 0, peer: peer, principal: nil))
        }

        mutating func serve() {
            defer {
                server.unregister(id)
                shutdown(fd, Int32(SHUT_RDWR))
                close(fd)
            }
            let limits = server.limits
            while true {
                // Wait for a request's head: idle until its first byte, then the header timeout;
                // the first request of a connection must be complete within its own deadline.
                var headDeadline: Double? = buffer.isEmpty ? nil : Monotonic.now + limits.headerTimeout
                let firstDeadline = served == 0 ? accepted + limits.firstRequestTimeout : Double.infinity
                var scanned = 0
                let parsed: (HTTPRequest, Int, Int)
                while true {
                    switch RequestParser.parse(buffer[...], limits: limits, scanned: scanned) {
                    case .head(let r, let length, let bodyLength):
                        parsed = (r, length, bodyLength)
                    case .failure(let f):
                        refuse(f.status, f.code, f.detail)
                        return
                    case .incomplete:
                        scanned = buffer.count
                        let idle = buffer.isEmpty
                        switch readMore(until: min(headDeadline ?? Monotonic.now + limits.idleTimeout, firstDeadline), idle: idle) {
                        case .data:
                            if headDeadline == nil { headDeadline = Monotonic.now + limits.headerTimeout }
                            continue
                        case .timeout:
                            // A connection that never sent a byte is closed without a word.
                            if !buffer.isEmpty { refuse(408, .httpTimeout, "The request headers did not arrive in time (\(Int(min(limits.headerTimeout, served == 0 ? limits.firstRequestTimeout : .infinity))) seconds).") }
                            return
                        case .closed, .stopping:
                            return
                        }
                    }
                    break
                }
                var (request, headLength, bodyLength) = parsed
                guard server.mark(id, idleSince: nil) else { return }
                client = server.clientAddress(peer: peer, forwardedFor: request.header("x-forwarded-for"))
                request.clientAddress = client
                let started = Monotonic.now
                let bodyDeadline = started + limits.bodyTimeout
                while buffer.count < headLength + bodyLength {
                    switch readMore(until: bodyDeadline, idle: false) {
                    case .data: continue
                    case .timeout:
                        refuse(408, .httpTimeout, "The body did not arrive within \(Int(limits.bodyTimeout)) seconds.", method: request.method, path: request.path)
                        return
                    case .closed, .stopping: return
                    }
                }
                request.body = Array(buffer[headLength..<(headLength + bodyLength)])
                buffer.removeFirst(headLength + bodyLength)

                var response = server.handler(request)
                var principal: String? = nil
                if let i = response.headers.firstIndex(where: { $0.name == "X-Kring-Principal" }) {
                    principal = response.headers[i].value
                    response.headers.remove(at: i)
                }
                let keepAlive = request.keepAlive && !response.close && !server.isStopping
                // Idle from the moment its answer is ready: a connection answered earlier has
                // waited longer, whatever order the threads run in afterwards.
                let answered = Monotonic.now
                let ok = write(response.serialized(keepAlive: keepAlive, head: request.method == "HEAD"))
                let micros = Int64((Monotonic.now - started) * 1_000_000)
                server.log?(AccessRecord(method: request.method, path: request.path, status: response.status, bytes: response.body.count,
                                         micros: micros, peer: client, principal: principal))
                if !ok || !keepAlive { return }
                served += 1
                server.mark(id, idleSince: answered)
            }
        }
    }
}

/// A failure to start the server.
public struct ServerError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}
