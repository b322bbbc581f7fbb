import Foundation
import KringCore
import KringStore

/// A refusal of the API: status, stable code, sentence; rendered as problem+json.
public struct APIError: Error, Sendable {
    public let status: Int
    public let code: ProblemCode
    public let detail: String
    public var headers: [(name: String, value: String)] = []
    /// The input field a rule's refusal concerns, answered as the problem's `field` member.
    public var field: Field?

    public init(_ status: Int, _ code: ProblemCode, _ detail: String, headers: [(name: String, value: String)] = []) {
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers
    }

    /// A rule's refusal, with the status its code has.
    public init(_ v: RuleViolation) {
        self.init(APIError.status(of: v.code), .rule(v.code), v.message)
        field = v.field
    }

    /// The problem's extension members beyond `code`: the field, when there is one.
    var extra: [String: JSON] { field.map { ["field": .string($0.rawValue)] } ?? [:] }

    /// One code, one status, whoever raises it (the core or the face): 403 when the actor may
    /// not do it, 404 when its subject does not exist, 409 for an idempotency conflict, 400 for
    /// `input.invalid` (the request does not say something the rules can judge: a malformed
    /// or out-of-range value, an id that is not canonical, text that is empty or too long),
    /// 422 for every other rule (the request was understood; the ledger's rules say no).
    public static func status(of code: RuleCode) -> Int {
        switch code {
        case .ruleForbidden, .exchangeNotParty: 403
        case .memberNotFound, .exchangeNotFound, .listingNotFound, .loanNotFound, .bookingNotFound, .challengeNotFound, .tokenNotFound, .loginNotFound: 404
        case .ruleIdempotency: 409
        case .inputInvalid, .inputText: 400
        default: 422
        }
    }

    public var response: HTTPResponse { Problem.response(status: status, code: code, detail: detail, extra: extra, headers: headers) }

    /// A face's refusal.
    public init(_ status: Int, _ code: FaceCode, _ detail: String, headers: [(name: String, value: String)] = []) {
        self.init(status, .face(code), detail, headers: headers)
    }

    /// A rule's refusal raised by the face itself (the status its code has).
    public init(_ status: Int, _ code: RuleCode, _ detail: String, headers: [(name: String, value: String)] = []) {
        self.init(status, .rule(code), detail, headers: headers)
    }

    static func badRequest(_ detail: String, code: ProblemCode = .rule(.inputInvalid)) -> APIError { APIError(400, code, detail) }
    static let unauthorized = APIError(401, .httpUnauthorized, "This needs a bearer token: Authorization: Bearer kring_…",
                                       headers: [("WWW-Authenticate", "Bearer realm=\"kring\"")])
    static func forbidden(_ detail: String) -> APIError { APIError(403, RuleCode.ruleForbidden, detail) }
    static func notFound(_ detail: String) -> APIError { APIError(404, .httpNotFound, detail) }
}

/// A request's JSON body, read field by field; unknown fields are refused so a misspelt
/// field never passes silently.
struct Body {
    private let fields: [String: JSON]
    private var used = Set<String>()

    /// Most bytes of a JSON body are the server's body limit; nesting is the parser's.
    init(_ request: HTTPRequest) throws(APIError) {
        if request.body.isEmpty {
            fields = [:]
            return
        }
        let type = (request.header("content-type") ?? "").lowercased()
        let media = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard media == "application/json" else {
            throw APIError(415, .httpMediaType, "Request bodies are application/json, not \(media.isEmpty ? "unlabelled" : String(media.prefix(60))).")
        }
        let json: JSON
        do { json = try JSON.parse(request.body) } catch {
            throw APIError.badRequest("The body is not valid JSON: \(error).", code: .face(.inputJSON))
        }
        guard case .object(let o) = json else { throw APIError.badRequest("The body is a JSON object.", code: .face(.inputJSON)) }
        fields = o
    }

    private mutating func take(_ key: String) -> JSON? {
        used.insert(key)
        guard let v = fields[key], !v.isNull else { return nil }
        return v
    }

    /// Whether `key` is present (even as null).
    func has(_ key: String) -> Bool { fields[key] != nil }

    mutating func string(_ key: String) throws(APIError) -> String {
        guard let v = try optString(key) else { throw APIError.badRequest("The field \(key) is required.") }
        return v
    }

    mutating func optString(_ key: String, max: Int = 10_000) throws(APIError) -> String? {
        guard let v = take(key) else { return nil }
        guard case .string(let s) = v else { throw APIError.badRequest("The field \(key) is a string.") }
        guard s.utf8.count <= max else { throw APIError.badRequest("The field \(key) is at most \(max) bytes.") }
        return s
    }

    mutating func int(_ key: String, min: Int64 = 0, max: Int64 = Int64(Int32.max)) throws(APIError) -> Int64 {
        guard let v = try optInt(key, min: min, max: max) else { throw APIError.badRequest("The field \(key) is required.") }
        return v
    }

    mutating func optInt(_ key: String, min: Int64 = 0, max: Int64 = Int64(Int32.max)) throws(APIError) -> Int64? {
        guard let v = take(key) else { return nil }
        guard case .int(let n) = v else { throw APIError.badRequest("The field \(key) is a whole number.") }
        guard n >= min, n <= max else {
            throw APIError.badRequest("The field \(key) is between \(min) and \(max), not \(n).")
        }
        return n
    }

    /// Minutes: a whole, non-negative number of minutes (`credits_minutes: 90`). The bound
    /// (one year of minutes) only keeps arithmetic safe; the rules set the real maximum.
    mutating func minutes(_ key: String) throws(APIError) -> Minutes {
        Minutes(try int(key, min: 0, max: 525_600))
    }

    mutating func day(_ key: String) throws(APIError) -> Day? {
        guard let s = try optString(key, max: 10) else { return nil }
        guard let d = Day(iso: s) else { throw APIError.badRequest("The field \(key) is a date like 2026-11-29, not \(s).") }
        return d
    }

    /// A list of strings; a single string is taken as a list of one.
    mutating func strings(_ key: String, max: Int = 100) throws(APIError) -> [String]? {
        guard let v = take(key) else { return nil }
        if case .string(let s) = v { return [s] }
        guard case .array(let items) = v, items.count <= max else { throw APIError.badRequest("The field \(key) is a list of at most \(max) strings.") }
        var out = [String]()
        for item in items {
            guard case .string(let s) = item, s.utf8.count <= 200 else { throw APIError.badRequest("The field \(key) is a list of strings.") }
            out.append(s)
        }
        return out
    }

    /// An id; text that is not its canonical form is malformed input (400), named by field.
    mutating func id<T: JournalID>(_ key: String, _ type: T.Type) throws(APIError) -> T {
        guard let v = try optID(key, T.self) else { throw APIError.badRequest("The field \(key) is required.") }
        return v
    }

    mutating func optID<T: JournalID>(_ key: String, _ type: T.Type) throws(APIError) -> T? {
        guard let s = try optString(key, max: 200) else { return nil }
        return try Body.parse(s, T.self, field: key)
    }

    /// A list of ids (a single string is a list of one).
    mutating func ids<T: JournalID>(_ key: String, _ type: T.Type, max: Int = 100) throws(APIError) -> [T]? {
        guard let items = try strings(key, max: max) else { return nil }
        var out = [T]()
        for s in items { out.append(try Body.parse(s, T.self, field: key)) }
        return out
    }

    static func parse<T: JournalID>(_ s: String, _ type: T.Type, field: String) throws(APIError) -> T {
        guard let v = T(canonical: s) else {
            throw APIError.badRequest("The field \(field) takes \(T.noun) ids like \(T.example), not \(quoted(s)).")
        }
        return v
    }

    mutating func enumValue<T: RawRepresentable>(_ key: String, _ type: T.Type) throws(APIError) -> T? where T.RawValue == String {
        guard let s = try optString(key, max: 40) else { return nil }
        guard let v = T(rawValue: s) else { throw APIError.badRequest("The field \(key) does not take the value \(s).") }
        return v
    }

    /// Refuses fields nobody read.
    func finish() throws(APIError) {
        let unknown = fields.keys.filter { !used.contains($0) }.sorted()
        guard unknown.isEmpty else { throw APIError.badRequest("Unknown field\(unknown.count > 1 ? "s" : ""): \(unknown.joined(separator: ", ")).") }
    }
}

/// Query parameters, each given at most once, unknown ones refused.
struct Query {
    private let items: [String: String]
    private var used = Set<String>()

    init(_ request: HTTPRequest) throws(APIError) {
        guard let list = request.queryItems else { throw APIError.badRequest("The query string is not valid percent-encoded UTF-8.") }
        var d = [String: String]()
        for (k, v) in list {
            guard d[k] == nil else { throw APIError.badRequest("The query parameter \(k) is given more than once.") }
            d[k] = v
        }
        items = d
    }

    mutating func string(_ key: String) -> String? {
        used.insert(key)
        return items[key]
    }

    mutating func int(_ key: String, range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let s = string(key) else { return nil }
        guard let n = Int(s), range.contains(n) else { throw APIError.badRequest("The query parameter \(key) is a whole number from \(range.lowerBound) to \(range.upperBound), not \(s).") }
        return n
    }

    mutating func day(_ key: String) throws(APIError) -> Day? {
        guard let s = string(key) else { return nil }
        guard let d = Day(iso: s) else { throw APIError.badRequest("The query parameter \(key) is a date like 2026-11-29, not \(s).") }
        return d
    }

    /// An id; text that is not its canonical form is malformed input (400).
    mutating func id<T: JournalID>(_ key: String, _ type: T.Type) throws(APIError) -> T? {
        guard let s = string(key) else { return nil }
        guard let v = T(canonical: s) else {
            throw APIError.badRequest("The query parameter \(key) takes \(T.noun) ids like \(T.example), not \(quoted(s)).")
        }
        return v
    }

    mutating func enumValue<T: RawRepresentable>(_ key: String, _ type: T.Type) throws(APIError) -> T? where T.RawValue == String {
        guard let s = string(key) else { return nil }
        guard let v = T(rawValue: s) else { throw APIError.badRequest("The query parameter \(key) does not take the value \(s).") }
        return v
    }

    func finish() throws(APIError) {
        guard !items.isEmpty else { return }  // most requests have no query
        let unknown = items.keys.filter { !used.contains($0) }.sorted()
        guard unknown.isEmpty else { throw APIError.badRequest("Unknown query parameter\(unknown.count > 1 ? "s" : ""): \(unknown.joined(separator: ", ")).") }
    }
}

/// Readers on connections of their own, lent to one request at a time; each lending is one
/// read transaction (one snapshot of the ledger).
final class ReaderPool: @unchecked Sendable {
    private let path: String
    private let lock = NSLock()
    private var idle = [Reader]()

    init(path: String) { self.path = path }

    /// The SQL each pooled reader has compiled (tests read their query plans).
    var compiledSQL: [String] {
        lock.lock()
        defer { lock.unlock() }
        return idle.flatMap(\.compiledSQL)
    }

    func with<T>(_ body: (Reader) throws -> T) throws -> T {
        lock.lock()
        let reader = idle.popLast()
        lock.unlock()
        let r = try reader ?? Reader(path: path)
        defer {
            lock.lock()
            if idle.count < 64 { idle.append(r) }
            lock.unlock()
        }
        // One read transaction per lending: whatever the body reads is one snapshot.
        return try r.snapshot { try body(r) }
    }
}

/// The group committer: request threads queue write commands; one writer thread takes all
/// that are waiting (up to `HTTPLimits.maxBatch`) into one transaction with a savepoint each, commits
/// once, then answers each. A full queue answers 503 at once.
final class Committer: @unchecked Sendable {
    enum Failure: Error {
        case overloaded
        case storage(StoreError)
        case stopped
    }

    private final class Pending: @unchecked Sendable {
        let item: BatchItem
        var result: Result<BatchResult, Failure> = .failure(.stopped)
        let done = DispatchSemaphore(value: 0)
        /// When it was queued, and when its batch was answered.
        let queued = Monotonic.now
        var answered = 0.0
        init(_ item: BatchItem) { self.item = item }
    }

    private let ledger: Ledger
    private let metrics: Metrics
    private let maxQueued: Int
    private let maxBatch: Int
    private let cond = NSCondition()
    private var queue = [Pending]()
    private var stopped = false
    private var finished = false

    init(ledger: Ledger, metrics: Metrics, maxQueued: Int, maxBatch: Int) {
        self.maxBatch = max(1, maxBatch)
        self.ledger = ledger
        self.metrics = metrics
        self.maxQueued = maxQueued
        let t = Thread { [self] in loop() }
        t.stackSize = 1 << 20
        t.start()
    }

    /// Runs `item` in the next batch and waits for its answer.
    func submit(_ item: BatchItem) -> Result<BatchResult, Failure> {
        let p = Pending(item)
        cond.lock()
        if stopped {
            cond.unlock()
            return .failure(.stopped)
        }
        if queue.count >= maxQueued {
            cond.unlock()
            return .failure(.overloaded)
        }
        queue.append(p)
        cond.signal()
        cond.unlock()
        p.done.wait()
        metrics.recordWake(Monotonic.now - p.answered)
        return p.result
    }

    private func loop() {
        while true {
            cond.lock()
            while queue.isEmpty && !stopped { cond.wait() }
            if queue.isEmpty && stopped {
                finished = true
                cond.broadcast()
                cond.unlock()
                return
            }
            let batch = Array(queue.prefix(maxBatch))
            queue.removeFirst(batch.count)
            cond.unlock()
            let start = Monotonic.now
            var times = BatchTimes()
            do {
                let results = try ledger.executeBatch(batch.map(\.item), times: &times)
                for (p, r) in zip(batch, results) { p.result = .success(r) }
                metrics.recordCommit(batch: batch.count)
            } catch {
                for p in batch { p.result = .failure(.storage(error)) }
            }
            let end = Monotonic.now
            metrics.recordBatch(times, waited: batch.reduce(0) { $0 + (start - $1.queued) }, writes: batch.count)
            for p in batch {
                p.answered = end
                p.done.signal()
            }
        }
    }

    /// Refuses new writes, finishes the queued ones, and returns when the writer is idle.
    func stop() {
        cond.lock()
        stopped = true
        cond.broadcast()
        while !finished { cond.wait() }
        cond.unlock()
    }
}
