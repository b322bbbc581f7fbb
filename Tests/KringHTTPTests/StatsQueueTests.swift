import Foundation
import KringCore
@testable import KringHTTP
import KringStore
import KringTestSupport
import Testing

/// The public statistics under many distinct requests: a cached answer never waits for a
/// computation, the default report is never pushed out, and computations are bounded.
@Suite("Statistics under many distinct requests", .serialized)
struct StatsQueueTests {
    @Test("twenty distinct uncached reports at once: the cached default report and /health answer while they compute; the rest wait in a short queue or get 503")
    func cachedAnswersNeverWait() throws {
        let dir = TempDir("kring-statsq"); defer { dir.remove() }
        let path = dir.file("demo.sqlite")
        // Large enough that one report takes a noticeable while to compute.
        _ = try DemoCommunity.build(at: path, options: DemoOptions(members: 1_200, months: 9, seed: 3, endDay: Day(iso: "2026-11-29")!))
        let api = try API(path: path)
        let server = HTTPServer(handler: { api.handle($0) })
        try server.bind(host: "127.0.0.1", port: 0)
        Thread { server.run() }.start()
        defer { server.stop(); server.waitUntilStopped(); api.shutdown() }
        let port = server.port
        @Sendable func get(_ target: String) -> WireResponse? {
            guard let c = try? RawClient(port: port) else { return nil }
            c.send(requestBytes("GET", target))
            return c.read(timeout: 120)
        }
        #expect(get("/v1/stats")?.status == 200)
        let defaultKeys = api.statsCache.keys
        #expect(defaultKeys.count == 1)

        let results = Results()
        let group = DispatchGroup()
        for k in 6..<26 {
            group.enter()
            Thread {
                let r = get("/v1/stats?from=1980-01-01&to=2029-12-31&k=\(k)")
                results.add((r?.status ?? 0, Monotonic.now, r?.header("Retry-After") != nil))
                group.leave()
            }.start()
        }
        // While a computation runs, the cached default report and /health answer.
        let deadline = Date().addingTimeInterval(30)
        while api.statsCache.pending == 0 && Date() < deadline { usleep(1_000) }
        #expect(api.statsCache.pending > 0, "no computation started")
        var defaultDone = [Double]()
        for _ in 0..<5 {
            #expect(get("/v1/stats")?.status == 200)
            #expect(get("/health")?.status == 200)
            defaultDone.append(Monotonic.now)
            #expect(api.statsCache.pending > 0, "the cached answer came only after the computations")
        }
        group.wait()
        let distinct = results.all
        #expect(distinct.count == 20)
        #expect(distinct.allSatisfy { $0.status == 200 || ($0.status == 503 && $0.retryAfter) }, "\(distinct.map(\.status))")
        let computed = distinct.filter { $0.status == 200 }.count
        #expect(computed >= 1 && computed <= 3, "one computes and two wait; the others are told to retry (\(computed) computed)")
        #expect(defaultDone.max()! < distinct.map(\.done).max()!, "the default answers came before the last computation ended")

        // Thirty-four more distinct reports (more than the cache holds), one after another: the default report stays.
        for k in 30..<64 { _ = get("/v1/stats?period=year&k=\(k)") }
        #expect(api.statsCache.keys.isSuperset(of: defaultKeys))
        #expect(api.statsCache.keys.count <= api.statsCache.capacity)
    }
}

/// Answers collected from several threads.
final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var items = [(status: Int, done: Double, retryAfter: Bool)]()
    func add(_ r: (status: Int, done: Double, retryAfter: Bool)) { lock.lock(); items.append(r); lock.unlock() }
    var all: [(status: Int, done: Double, retryAfter: Bool)] { lock.lock(); defer { lock.unlock() }; return items }
}
