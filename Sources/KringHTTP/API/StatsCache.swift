import Foundation

/// The statistics answers the server keeps, by parameters, and the one computation at a time
/// that fills it. A cached answer never waits for a computation; the default report (the
/// statistics page and `/v1/stats` without parameters) is never evicted by others; and
/// computations of uncached parameters are bounded: one runs, a few wait, the rest are
/// answered 503 with Retry-After at once. `@unchecked Sendable`: every field is guarded by
/// `lock`, and `computing` serialises the computations.
final class StatsCache: @unchecked Sendable {
    struct Entry {
        let seq: Int64
        let at: Double
        let body: [UInt8]
        var used: UInt64
    }

    /// Most answers kept; beyond it the least recently used one that is not pinned goes.
    let capacity: Int
    /// Computations that may wait while one runs.
    let maxWaiting: Int
    /// Seconds an answer is served after the ledger moved on (published figures need not follow
    /// every write; every answer names the head it was computed at).
    let maxAge: Double

    private let lock = NSLock()
    private let computing = NSLock()
    private var entries = [String: Entry]()
    private var pinned = Set<String>()
    private var inFlight = 0
    private var clock: UInt64 = 0

    init(capacity: Int = 32, maxWaiting: Int = 2, maxAge: Double = 60) {
        self.capacity = capacity
        self.maxWaiting = maxWaiting
        self.maxAge = maxAge
    }

    /// Computations running or waiting now (tests watch it).
    var pending: Int { lock.lock(); defer { lock.unlock() }; return inFlight }

    /// The keys kept now (tests look at them).
    var keys: Set<String> { lock.lock(); defer { lock.unlock() }; return Set(entries.keys) }

    /// The answer for `key` at ledger head `head`: the kept one when it is fresh (computed at
    /// this head, or less than `maxAge` ago), or a kept one while another computation runs,
    /// else computed by `compute` (which returns the head it computed at).
    /// - Parameter pin: keep this answer whatever else is asked (the default report).
    func answer(_ key: String, head: Int64, now: Double, pin: Bool, compute: () throws -> (seq: Int64, body: [UInt8])) throws -> [UInt8] {
        lock.lock()
        clock += 1
        if let hit = entries[key], hit.seq == head || now - hit.at < maxAge || inFlight > 0 {
            // Fresh, or stale while the one computation slot is busy: never wait behind others.
            entries[key]!.used = clock
            lock.unlock()
            return hit.body
        }
        guard inFlight <= maxWaiting else {
            lock.unlock()
            throw APIError(503, .httpOverloaded, "The statistics for other parameters are being computed; retry in a few seconds (the default report is always ready).",
                           headers: [("Retry-After", "5")])
        }
        inFlight += 1
        lock.unlock()
        defer { lock.lock(); inFlight -= 1; lock.unlock() }
        computing.lock()
        defer { computing.unlock() }
        // Someone may have computed it while this one waited.
        lock.lock()
        if let hit = entries[key], hit.seq == head || now - hit.at < maxAge {
            lock.unlock()
            return hit.body
        }
        lock.unlock()
        let (seq, body) = try compute()
        lock.lock()
        defer { lock.unlock() }
        clock += 1
        entries[key] = Entry(seq: seq, at: now, body: body, used: clock)
        if pin { pinned.insert(key) }
        while entries.count > capacity, let victim = entries.filter({ !pinned.contains($0.key) }).min(by: { $0.value.used < $1.value.used }) {
            entries[victim.key] = nil
        }
        return body
    }
}
