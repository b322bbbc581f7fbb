import Foundation
import KringStore

/// Counters for `GET /metrics` in the Prometheus text format (version 0.0.4): requests by route
/// and status, a latency histogram, commits and group-commit batch sizes. Routes are their
/// templates (`/v1/members/{id}`), so member ids never become label values.
final class Metrics: @unchecked Sendable {
    static let latencyBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
    static let batchBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256]

    private let lock = NSLock()
    /// A request's labels, kept apart and written out only when `/metrics` is read.
    private struct RequestKey: Hashable {
        let method: String, route: String, status: Int
        var labels: String { "method=\"\(method)\",route=\"\(route)\",status=\"\(status)\"" }
    }
    private var requests = [RequestKey: Int]()
    private var latency = [Int](repeating: 0, count: latencyBuckets.count + 1)
    private var latencySum = 0.0
    private var latencyCount = 0
    private var commits = 0
    private var batches = [Int](repeating: 0, count: batchBuckets.count + 1)
    private var batchSum = 0
    /// The phases of a write through the group committer, in the order it goes through them.
    enum WritePhase: String, CaseIterable {
        case prepare, queue, sweep, keys, decide, append, commit, wake, answer
    }
    /// Where the writes' time went, in seconds summed over writes (a batch's phases count once
    /// per write it carried).
    private var writeSeconds = [WritePhase: Double]()
    private var writes = 0

    /// The methods counted by name; any other counts as `other`, so a client cannot grow the
    /// label set (and /metrics) by inventing methods.
    static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    /// Counts one answer. `route` is a route template or `unmatched`; `status` is a status the
    /// server sends (a fixed set), so every label value comes from a fixed set.
    func recordRequest(route: String, method: String, status: Int, seconds: Double) {
        let m = Metrics.methods.contains(method) ? method : "other"
        let key = RequestKey(method: m, route: route, status: status)
        let bucket = Metrics.latencyBuckets.firstIndex { seconds <= $0 } ?? Metrics.latencyBuckets.count
        lock.lock()
        requests[key, default: 0] += 1
        latency[bucket] += 1
        latencySum += seconds
        latencyCount += 1
        lock.unlock()
    }

    func recordCommit(batch: Int) {
        let bucket = Metrics.batchBuckets.firstIndex { Double(batch) <= $0 } ?? Metrics.batchBuckets.count
        lock.lock()
        commits += 1
        batches[bucket] += 1
        batchSum += batch
        lock.unlock()
    }

    /// A batch's phases and how long its writes waited in the queue before it began.
    func recordBatch(_ t: BatchTimes, waited: Double, writes n: Int) {
        let share = Double(n)
        lock.lock()
        writeSeconds[.queue, default: 0] += waited
        writeSeconds[.sweep, default: 0] += t.sweep * share
        writeSeconds[.keys, default: 0] += t.keys * share
        writeSeconds[.decide, default: 0] += t.decide * share
        writeSeconds[.append, default: 0] += t.append * share
        writeSeconds[.commit, default: 0] += t.commit * share
        writes += n
        lock.unlock()
    }

    /// From a write's batch being answered to its request thread running again.
    func recordWake(_ seconds: Double) {
        lock.lock()
        writeSeconds[.wake, default: 0] += seconds
        lock.unlock()
    }

    /// An API write's own time before it was queued (authentication, the body read into a
    /// command) and after it was answered (its response rendered). A page's write renders a
    /// page instead and is not counted here.
    func recordWrite(prepare: Double, answer: Double) {
        lock.lock()
        writeSeconds[.prepare, default: 0] += prepare
        writeSeconds[.answer, default: 0] += answer
        lock.unlock()
    }

    /// A histogram in the text format: cumulative buckets (the last one +Inf), sum and count.
    static func histogram(_ name: String, _ help: String, bounds: [String], counts: [Int], sum: String, count: Int) -> String {
        var out = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        var cumulative = 0
        for (i, le) in (bounds + ["+Inf"]).enumerated() {
            cumulative += counts[i]
            out += "\(name)_bucket{le=\"\(le)\"} \(cumulative)\n"
        }
        return out + "\(name)_sum \(sum)\n\(name)_count \(count)\n"
    }

    func render(headSeq: Int64, openConnections: Int) -> String {
        lock.lock()
        defer { lock.unlock() }
        var out = ""
        out += "# HELP kring_http_requests_total HTTP requests answered, by method, route template and status.\n"
        out += "# TYPE kring_http_requests_total counter\n"
        for (k, v) in requests.map({ ($0.key.labels, $0.value) }).sorted(by: { $0.0 < $1.0 }) { out += "kring_http_requests_total{\(k)} \(v)\n" }
        out += Metrics.histogram("kring_http_request_duration_seconds", "Time from a request's head to its response.",
                                 bounds: Metrics.latencyBuckets.map { "\($0)" }, counts: latency, sum: "\(latencySum)", count: latencyCount)
        out += "# HELP kring_commits_total Write transactions committed by the group committer.\n"
        out += "# TYPE kring_commits_total counter\n"
        out += "kring_commits_total \(commits)\n"
        out += Metrics.histogram("kring_commit_batch_size", "Commands per group commit.",
                                 bounds: Metrics.batchBuckets.map { "\(Int($0))" }, counts: batches, sum: "\(batchSum)", count: commits)
        out += "# HELP kring_write_seconds_total Time the writes through the group committer spent, by phase (a batch's phases count once per write it carried).\n"
        out += "# TYPE kring_write_seconds_total counter\n"
        for phase in WritePhase.allCases { out += "kring_write_seconds_total{phase=\"\(phase.rawValue)\"} \(writeSeconds[phase, default: 0])\n" }
        out += "# HELP kring_writes_total Writes the group committer carried in its batches.\n"
        out += "# TYPE kring_writes_total counter\n"
        out += "kring_writes_total \(writes)\n"
        out += "# HELP kring_ledger_head_seq Sequence number of the ledger's last journal entry.\n"
        out += "# TYPE kring_ledger_head_seq gauge\n"
        out += "kring_ledger_head_seq \(headSeq)\n"
        out += "# HELP kring_http_open_connections Client connections open now.\n"
        out += "# TYPE kring_http_open_connections gauge\n"
        out += "kring_http_open_connections \(openConnections)\n"
        return out
    }
}
