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

    /// `text` with anything shaped like a bearer token replaced, in case a client put one in
    /// a path; and cut to 200 characters.
    static func redacted(_ text: String) -> String {
        var t = String(text.prefix(200))
        while let r = t.range(of: "kring_") {
            let end = t[r.upperBound...].prefix { $0.isHexDigit }.endIndex
            t.replaceSubrange(r.lowerBound..<end, with: "[token]")
        }
        return t
    }
}

/// An HTTP/1.1 server on POSIX sockets: a thread per connection (measured here as fast as an
/// epoll loop for this load, and simpler to reason about), keep-alive and pipelining,
/// bodies by Content-Length, the named limits of `HTTPLimits`, and a graceful stop.
public final class HTTPServer: @unchecked Sendable {
    public let limits: HTTPLimits
    private let handler: HTTPHandler
    private let log: (@Sendable (AccessRecord) -> Void)?
    private var listenFD: Int32 = -1
    private let state = NSCondition()
    private var open = 0
    private var stopping = false
    private var acceptThreadDone = false
    /// The port bound (useful with port 0).
    public private(set) var port: UInt16 = 0

    /// The answer to a connection that arrives while the server stops.
    static let stopping = Problem.response(status: 503, code: .face(.httpStopping), detail: "The server is shutting down; retry shortly.",
                                           headers: [("Retry-After", "5")], close: true)

    /// How long an idle wait sleeps before looking at the stop flag.
    static let pollSliceMillis: Int32 = 200

    public init(limits: HTTPLimits = HTTPLimits(), log: (@Sendable (AccessRecord) -> Void)? = nil, handler: @escaping HTTPHandler) {
        self.limits = limits
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
            let client = accept(listenFD, nil, nil)
            guard client >= 0 else {
                // Out of file descriptors: the pending connection stays ready, so wait a little
                // instead of spinning until one is freed.
                if errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM { usleep(10_000) }
                continue
            }
            state.lock()
            let admitted = open < limits.maxConnections && !stopping
            let closing = stopping
            if admitted { open += 1 }
            state.unlock()
            if !admitted {
                var bytes = (closing ? HTTPServer.stopping : overloaded).serialized(keepAlive: false)
                _ = send(client, &bytes, bytes.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
                close(client)
                continue
            }
            let thread = Thread { [self] in
                var connection = Connection(fd: client, server: self)
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

    /// Connections open now.
    public var openConnections: Int {
        state.lock()
        defer { state.unlock() }
        return open
    }

    /// One client connection, served on its own thread.
    struct Connection {
        let fd: Int32
        let server: HTTPServer
        var buffer = [UInt8]()
        /// Where reads land before they join `buffer` (one allocation per connection).
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let peer: String

        init(fd: Int32, server: HTTPServer) {
            self.fd = fd
            self.server = server
            var addr = sockaddr_in()
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &len) } }
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            inet_ntop(AF_INET, &addr.sin_addr, &text, socklen_t(INET_ADDRSTRLEN))
            peer = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
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
                shutdown(fd, Int32(SHUT_RDWR))
                close(fd)
            }
            let limits = server.limits
            while true {
                // Wait for a request's head: idle until its first byte, then the header timeout.
                var headDeadline: Double? = buffer.isEmpty ? nil : Monotonic.now + limits.headerTimeout
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
                        let idle = headDeadline == nil
                        switch readMore(until: headDeadline ?? Monotonic.now + limits.idleTimeout, idle: idle) {
                        case .data:
                            if headDeadline == nil { headDeadline = Monotonic.now + limits.headerTimeout }
                            continue
                        case .timeout:
                            if !idle { refuse(408, .httpTimeout, "The request headers did not arrive within \(Int(limits.headerTimeout)) seconds.") }
                            return
                        case .closed, .stopping:
                            return
                        }
                    }
                    break
                }
                var (request, headLength, bodyLength) = parsed
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
                let ok = write(response.serialized(keepAlive: keepAlive, head: request.method == "HEAD"))
                let micros = Int64((Monotonic.now - started) * 1_000_000)
                server.log?(AccessRecord(method: request.method, path: request.path, status: response.status, bytes: response.body.count,
                                         micros: micros, peer: peer, principal: principal))
                if !ok || !keepAlive { return }
            }
        }
    }
}

/// A failure to start the server.
public struct ServerError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}

/// Monotonic seconds.
enum Monotonic {
    static var now: Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
