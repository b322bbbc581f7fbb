#if canImport(Glibc)
import Glibc
#endif
import Foundation
import KringCore
import KringHTTP
import KringStore
import KringTestSupport
import Testing

/// `kring serve` (the built binary, a child process) over a fixture ledger.
final class ServedFixture {
    let dir = TempDir("kring-served")
    let process: Process
    let port: UInt16

    init(_ args: [String]) throws {
        let path = dir.file("ledger.sqlite")
        _ = try fixtureLedger(at: path, clock: TestClock())
        (process, port, _) = try startKringServe(path, args)
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
        dir.remove()
    }
}

/// Connections that hold slots without being served must not keep other clients out. The
/// server runs as `kring serve` in a child process (its connections count against its own
/// descriptors); the clients come from several loopback addresses.
@Suite("Idle and slow connections", .serialized)
struct StarvationTests {
    /// Opens `count` connections from `source`; returns them and how many the server refused.
    func hold(_ count: Int, from source: String, port: UInt16) throws -> (open: [RawClient], refused: Int) {
        var open = [RawClient]()
        for _ in 0..<count { open.append(try RawClient(port: port, from: source)) }
        // The server answers a connection it will not take at once (503) and closes it.
        return (open, closed(open).count)
    }

    /// How many of `clients` the server has closed (their socket reads the end).
    func closed(_ clients: [RawClient]) -> [Int] {
        clients.indices.filter { i in
            var pfd = pollfd(fd: clients[i].fd, events: Int16(POLLIN), revents: 0)
            return poll(&pfd, 1, 0) > 0
        }
    }

    /// One GET /health from `source` on a fresh connection.
    func health(from source: String, port: UInt16) throws -> Int? {
        let c = try RawClient(port: port, from: source)
        c.send(requestBytes("GET", "/health"))
        return c.read(timeout: 10)?.status
    }

    @Test("600 idle connections from one address: another address is served, not refused, while they are held")
    func idleConnectionsFromOneAddress() throws {
        let server = try ServedFixture(["--quiet"])
        defer { server.stop() }
        let port = server.port
        let (held, _) = try hold(600, from: "127.0.0.1", port: port)
        let cap = HTTPLimits().maxConnectionsPerAddress
        // The server refuses the connections over the address's cap as it accepts them.
        _ = waitUntil { closed(held).count >= 600 - cap }
        let shut = closed(held).count
        #expect(600 - shut <= cap, "one address holds \(600 - shut) connections")
        #expect(try health(from: "127.0.0.2", port: port) == 200)
        #expect(try health(from: "127.0.0.1", port: port) == 503, "the address itself is at its cap")
        withExtendedLifetime(held) {}
    }

    @Test("600 connections trickling one header byte every two seconds: another address is served throughout")
    func slowHeadersFromOneAddress() throws {
        let server = try ServedFixture(["--quiet"])
        defer { server.stop() }
        let port = server.port
        let (held, _) = try hold(600, from: "127.0.0.1", port: port)
        let head = Array("GET /health HTTP/1.1\r\nHost: x\r\n".utf8)
        for round in 0..<3 {
            for c in held { c.send([head[round]]) }
            #expect(try health(from: "127.0.0.2", port: port) == 200, "round \(round)")
            Thread.sleep(forTimeInterval: 2)
        }
        withExtendedLifetime(held) {}
    }

    @Test("at the connection cap, a new client takes the place of the connection idle longest")
    func theLongestIdleMakesRoom() throws {
        let server = try ServedFixture(["--quiet", "--max-connections", "40", "--max-connections-per-address", "10"])
        defer { server.stop() }
        let port = server.port
        var held = [RawClient]()
        // The server accepts in the order the connections arrived (its backlog is a queue).
        for a in 10..<14 { held += try hold(10, from: "127.0.0.\(a)", port: port).open }
        // Forty slots taken by forty idle connections from four addresses; more clients come.
        for a in 20..<30 { #expect(try health(from: "127.0.0.\(a)", port: port) == 200, "127.0.0.\(a)") }
        // Room was made by closing idle connections, the oldest first (the health clients
        // close their own connections after the answer, which makes room too).
        let shut = closed(held)
        #expect(!shut.isEmpty)
        #expect(shut == Array(0..<shut.count), "closed \(shut), not the oldest")
        withExtendedLifetime(held) {}
    }

    @Test("behind a trusted proxy the client is X-Forwarded-For's last address, in the access log; anyone else's header is ignored")
    func trustedProxy() throws {
        let dir = TempDir("kring-proxy"); defer { dir.remove() }
        let path = dir.file("ledger.sqlite")
        _ = try fixtureLedger(at: path, clock: TestClock())
        let (p, port, err) = try startKringServe(path, ["--trusted-proxy", "127.0.0.3", "--public-url", "https://kring.example.be", "--max-connections-per-address", "2"])
        // The proxy's own connections are not capped per address.
        var proxied = [RawClient]()
        for i in 0..<5 {
            let c = try RawClient(port: port, from: "127.0.0.3")
            c.send(requestBytes("GET", "/health", extra: ["X-Forwarded-For: 198.51.100.7, 203.0.113.\(i + 1)"]))
            #expect(c.read()?.status == 200)
            proxied.append(c)
        }
        let other = try RawClient(port: port, from: "127.0.0.4")
        other.send(requestBytes("GET", "/health", extra: ["X-Forwarded-For: 203.0.113.99"]))
        #expect(other.read()?.status == 200)
        let third = try RawClient(port: port, from: "127.0.0.4"), fourth = try RawClient(port: port, from: "127.0.0.4")
        fourth.send(requestBytes("GET", "/health"))
        #expect(fourth.read()?.status == 503, "the third connection of one address over a cap of two")
        p.terminate()
        p.waitUntilExit()
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        for i in 0..<5 { #expect(log.contains(" 203.0.113.\(i + 1) GET /health 200"), "\(log)") }
        #expect(!log.contains("198.51.100.7") && !log.contains("203.0.113.99"))
        #expect(log.contains(" 127.0.0.4 GET /health 200"))
        withExtendedLifetime((proxied, third)) {}
    }
}

