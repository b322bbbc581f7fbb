import Foundation
import KringCore
import KringStore

/// Who may call a route.
public enum Access: String, Sendable {
    /// Anyone, without a token.
    case `public`
    /// Any valid token (a member's or a coordinator's).
    case token
    /// A coordinator's token.
    case coordinator
}

/// One request being answered: its parameters, query, the caller, and the API.
struct Context {
    let request: HTTPRequest
    let params: [String: String]
    var query: Query
    let principal: Principal?
    let api: API
    /// A GET's reader: the request authenticates and reads in one snapshot on it. Nil for a
    /// write, whose reads each lend a reader of their own (a write's answer must not come from a
    /// snapshot taken before it).
    let reader: Reader?
    /// When the API began to handle the request.
    let started: Double

    /// Runs `body` on the request's reader, or on a pooled one.
    func read<T>(_ body: (Reader) throws -> T) throws -> T {
        if let reader { return try body(reader) }
        return try api.read(body)
    }

    func param(_ name: String) -> String { params[name] ?? "" }

    /// The id in the path parameter `name`. Text that is not the canonical form of such an id
    /// names nothing: 404 with the not-found code of its kind, and no command ever sees it.
    func pathID<T: JournalID>(_ type: T.Type, _ name: String = "id") throws(APIError) -> T {
        let text = param(name)
        guard let v = T(canonical: text) else { throw APIError(404, T.notFound, "There is no \(T.noun) \(quoted(text)).") }
        return v
    }

    /// The caller, for routes that need a token (the router checked there is one).
    var caller: Principal { principal! }
    var isCoordinator: Bool { principal?.role == .coordinator }

    /// Refuses a member acting on another member's data.
    func requireSelfOrCoordinator(_ member: MemberID, _ what: String) throws(APIError) {
        guard let p = principal, p.role == .coordinator || p.member == member else {
            throw APIError.forbidden("A member sees only their own \(what); \(member)'s is not yours to read.")
        }
    }

    /// Today by the server's clock.
    /// Today in the circle's time zone (a policy setting), UTC should the policy be unreadable.
    var today: Day {
        let now = api.clock()
        return (try? read { try $0.policy() }.day(now)) ?? Day(timestamp: now)
    }
}

/// A route: method, path template, who may call it, what it does.
/// A class: the dispatcher looks at many routes per request, and copying a struct of strings,
/// arrays and a closure costs a retain for each.
final class Route: Sendable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case param(String)
    }

    let method: String
    let template: String
    let access: Access
    let summary: String
    let handler: @Sendable (inout Context) throws -> HTTPResponse
    let segments: [Segment]
    /// How many segments are literal (the more, the more specific the route).
    let literals: Int

    init(_ method: String, _ template: String, _ access: Access, _ summary: String, _ handler: @escaping @Sendable (inout Context) throws -> HTTPResponse) {
        self.method = method
        self.template = template
        self.access = access
        self.summary = summary
        self.handler = handler
        segments = template.split(separator: "/").map { s in
            s.hasPrefix("{") ? .param(String(s.dropFirst().dropLast())) : .literal(String(s))
        }
        literals = segments.count { if case .literal = $0 { true } else { false } }
    }

    /// Whether `path` (split and decoded) fits the template; nothing is allocated.
    func fits(_ parts: [String]) -> Bool {
        guard parts.count == segments.count else { return false }
        for (seg, part) in zip(segments, parts) {
            switch seg {
            case .literal(let l): if l != part { return false }
            case .param: if part.isEmpty { return false }
            }
        }
        return true
    }

    /// The parameters of `path`, which `fits` the template.
    func parameters(_ parts: [String]) -> [String: String] {
        var params = [String: String]()
        for (seg, part) in zip(segments, parts) {
            if case .param(let name) = seg { params[name] = part }
        }
        return params
    }
}

/// The HTTP face of the ledger: routes requests to the same commands and queries as the CLI.
/// No rule lives here: the core decides, this maps HTTP to commands and answers to HTTP.
public final class API: @unchecked Sendable {
    /// Rows in a page when the client does not say.
    public static let defaultPageSize = 100
    /// Most rows in a page.
    public static let maxPageSize = 500
    /// Longest idempotency key.
    public static let maxKeyLength = 200
    /// Seconds between two recordings of a token's last use.
    public static let tokenUseResolution: Int64 = 60

    let ledger: Ledger
    let readers: ReaderPool
    let path: String
    let metrics = Metrics()
    let clock: Clock
    private var committer: Committer!
    private let limits: HTTPLimits
    /// Connections open now (the server's count, for /metrics).
    public var openConnections: @Sendable () -> Int = { 0 }
    private let verifyLock = NSLock()
    private var lastVerify: (seq: Int64, report: JSON)?
    /// Statistics answers by parameters: 32 kept, the default report pinned, one computation
    /// at a time with two waiting, an answer served up to 60 s after the ledger moved on.
    let statsCache = StatsCache()
    /// The statistics maintained from the journal, for reports over the whole history.
    public let statsFollower = StatsFollower()
    /// The listings' full-text search in memory (the same results as SQL's, faster).
    public let searchIndex = SearchIndex()

    /// Every route, in the order docs/openapi.yaml lists them.
    let routes: [Route]
    /// The routes by their number of segments (a path is only matched against those).
    private let routesByLength: [Int: [Route]]
    /// The web pages, on the same ledger and writer.
    private var web: Web!

    public init(path: String, limits: HTTPLimits = HTTPLimits(), clock: @escaping Clock = systemClock, publicURL: String? = nil) throws {
        ledger = try Ledger(path: path, clock: clock)
        self.path = path
        readers = ReaderPool(path: path)
        self.clock = clock
        self.limits = limits
        routes = API.readRoutes + API.writeRoutes
        routesByLength = Dictionary(grouping: routes, by: \.segments.count)
        committer = Committer(ledger: ledger, metrics: metrics, maxQueued: limits.maxQueuedWrites, maxBatch: limits.maxBatch)
        web = Web(api: self, publicURL: publicURL)
    }

    /// Submits a command to the group committer (the web pages' writes).
    func commit(_ item: BatchItem) -> Result<BatchResult, Committer.Failure> { committer.submit(item) }

    /// Every route's method and template (the OpenAPI test compares them with the document).
    public var routeTable: [(method: String, template: String, access: Access)] { routes.map { ($0.method, $0.template, $0.access) } }

    /// Finishes queued writes and stops the writer; later writes get 503.
    public func shutdown() { committer.stop() }

    /// Answers one request. Never throws, never traps on input: every failure is a problem.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let started = Monotonic.now
        if Web.handles(request.path) {
            let response = web.handle(request)
            metrics.recordRequest(route: "web", method: request.method, status: response.status, seconds: Monotonic.now - started)
            return response
        }
        var routeName = "unmatched"
        var principal: Principal?
        var response: HTTPResponse
        do {
            response = try dispatch(request, started: started, routeName: &routeName, principal: &principal)
        } catch let e as APIError {
            response = e.response
        } catch let v as RuleViolation {
            response = APIError(v).response
        } catch {
            try? FileHandle.standardError.write(contentsOf: Data("kring serve: \(request.method) \(request.path): \(error)\n".utf8))
            response = Problem.response(status: 500, code: .face(.storageError), detail: "The ledger could not answer; the failure is logged on the server.")
        }
        if let p = principal {
            // The access log names the caller by the token's id (the server strips this header).
            response.headers.append(("X-Kring-Principal", p.tokenID.description))
            response.headers.append(("Cache-Control", "no-store"))
        }
        metrics.recordRequest(route: routeName, method: request.method, status: response.status, seconds: Monotonic.now - started)
        return response
    }

    private func dispatch(_ request: HTTPRequest, started: Double, routeName: inout String, principal caller: inout Principal?) throws -> HTTPResponse {
        guard let parts = API.pathSegments(request.path) else {
            throw APIError.badRequest("The path is not valid percent-encoded UTF-8.", code: .face(.httpMalformed))
        }
        let method = request.method == "HEAD" ? "GET" : request.method
        // The resource is named by the most specific templates that take the path: literal
        // segments before parameters (`/v1/exchanges/recorded` is not the exchange `recorded`).
        let candidates = routesByLength[parts.count] ?? []
        var found: Route?
        var specificity = -1
        for r in candidates where r.literals >= specificity && r.fits(parts) {
            if r.literals > specificity {
                specificity = r.literals
                found = nil
            }
            if found == nil, r.method == method { found = r }
        }
        guard let route = found else {
            // The methods the resource allows, worked out only when the request's is not one.
            var allowed = Set(candidates.filter { $0.literals == specificity && $0.fits(parts) }.map(\.method))
            if allowed.isEmpty { throw APIError.notFound("There is no resource at \(request.path.prefix(200)).") }
            if allowed.contains("GET") { allowed.insert("HEAD") }
            let allow = allowed.sorted().joined(separator: ", ")
            throw APIError(405, .httpMethod, "\(request.method) is not allowed here; allowed: \(allow).", headers: [("Allow", allow)])
        }
        routeName = route.template
        // A read authenticates and answers in one read transaction, on one lent reader.
        if method == "GET" {
            return try readers.with { reader in try answer(route, parts, request, reader: reader, started: started, principal: &caller) }
        }
        return try answer(route, parts, request, reader: nil, started: started, principal: &caller)
    }

    /// The segments of a path after its first `/`, percent-decoded; nil when one does not
    /// decode to UTF-8. Split on the bytes: the target is visible ASCII (the parser refuses
    /// anything else), so a `/` byte is a `/` character. A segment without `%` is its bytes as
    /// they are (most of them), made into a string straight from the path's buffer.
    static func pathSegments(_ path: String) -> [String]? {
        var path = path
        path.makeContiguousUTF8()  // the parser's strings already are: no copy
        return path.utf8.withContiguousStorageIfAvailable { b -> [String]? in
            var parts = [String]()
            parts.reserveCapacity(6)  // more than any route has
            var start: Int?  // where the current segment began; nil before the first `/`
            for i in 0...b.count where i == b.count || b[i] == UInt8(ascii: "/") {
                if let s = start {
                    let segment = UnsafeBufferPointer(rebasing: b[s..<i])
                    if segment.contains(UInt8(ascii: "%")) {
                        guard let p = PercentDecoding.decode(Substring(String(decoding: segment, as: UTF8.self))) else { return nil }
                        parts.append(p)
                    } else {
                        parts.append(String(decoding: segment, as: UTF8.self))
                    }
                }
                start = i + 1
            }
            return parts
        } ?? nil
    }

    private func answer(_ route: Route, _ parts: [String], _ request: HTTPRequest, reader: Reader?, started: Double, principal caller: inout Principal?) throws -> HTTPResponse {
        let principal = try authenticate(request, reader: reader)
        caller = principal
        switch route.access {
        case .public: break
        case .token: guard principal != nil else { throw APIError.unauthorized }
        case .coordinator:
            guard let p = principal else { throw APIError.unauthorized }
            guard p.role == .coordinator else { throw APIError.forbidden("Only a coordinator may \(route.summary).") }
        }
        var ctx = Context(request: request, params: route.parameters(parts), query: try Query(request), principal: principal, api: self, reader: reader, started: started)
        return try route.handler(&ctx)
    }

    /// The principal of the bearer token, nil without one; 401 for a malformed, unknown or
    /// revoked token (even on a public route: a wrong token is never silently ignored).
    private func authenticate(_ request: HTTPRequest, reader: Reader?) throws -> Principal? {
        var header: String?
        for h in request.headers where h.name == "authorization" {
            guard header == nil else { throw APIError(400, .httpMalformed, "Authorization is given more than once.") }
            header = h.value
        }
        guard let header else { return nil }
        guard let token = API.bearerToken(header) else { throw APIError.unauthorized }
        let now = clock()
        let lookup = { (r: Reader) throws in try r.principal(token: token, now: now) }
        guard let p = try reader.map(lookup) ?? readers.with(lookup) else {
            throw APIError(401, .httpUnauthorized, "The bearer token is unknown, revoked or expired.", headers: [("WWW-Authenticate", "Bearer realm=\"kring\", error=\"invalid_token\"")])
        }
        // When it was last used, coarsely: at most one write a minute per token.
        if now - (p.lastUsedAt ?? .min / 2) >= API.tokenUseResolution { try ledger.touchToken(p.tokenID) }
        return p
    }

    /// The token of an Authorization value `Bearer TOKEN` (the scheme in any case; optional
    /// whitespace around the token, RFC 9110 §5.6.3), read on the bytes; nil for anything else.
    static func bearerToken(_ value: String) -> Substring? {
        var value = value
        value.makeContiguousUTF8()  // the parser's strings already are: no copy
        let u = value.utf8
        // Offsets into the value's bytes, worked out on its buffer (not through the string's
        // index type, which costs more than the token's lookup).
        let found = u.withContiguousStorageIfAvailable { b -> Range<Int>? in
            // Leading spaces before the scheme, then the scheme up to the first space.
            var i = 0
            while i < b.count, b[i] == 0x20 { i += 1 }
            let scheme = i
            while i < b.count, b[i] != 0x20 { i += 1 }
            guard i < b.count, i - scheme == 6 else { return nil }
            var k = 0
            for c in "bearer".utf8 {
                guard b[scheme + k] | 0x20 == c else { return nil }
                k += 1
            }
            // The token, without the spaces and tabs around it.
            var lo = i + 1, hi = b.count
            while lo < hi, b[lo] == 0x20 || b[lo] == 0x09 { lo += 1 }
            while hi > lo, b[hi - 1] == 0x20 || b[hi - 1] == 0x09 { hi -= 1 }
            return lo < hi ? lo..<hi : nil
        }
        guard let found, let range = found else { return nil }
        // UTF-8 offsets into a native string: constant time.
        return Substring(value)[u.index(u.startIndex, offsetBy: range.lowerBound)..<u.index(u.startIndex, offsetBy: range.upperBound)]
    }

    /// Reads with a pooled reader.
    func read<T>(_ body: (Reader) throws -> T) throws -> T { try readers.with(body) }

    // MARK: writes

    /// Runs a write through the group committer with the request's idempotency key and
    /// renders its answer: `status` on success, the rule's problem otherwise.
    func write(_ ctx: Context, status: Int, command: Command, actor: Actor) throws -> HTTPResponse {
        guard let key = ctx.request.header("idempotency-key") else {
            throw APIError.badRequest("Every POST takes an Idempotency-Key header (a unique string per intended change, e.g. a UUID).", code: .face(.inputIdempotencyKey))
        }
        guard !key.isEmpty, key.utf8.count <= API.maxKeyLength, key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw APIError.badRequest("An Idempotency-Key is 1 to \(API.maxKeyLength) visible ASCII characters.", code: .face(.inputIdempotencyKey))
        }
        let p = ctx.caller
        var hashed = Array("\(ctx.request.method) \(ctx.request.path)\n".utf8)
        hashed.append(contentsOf: ctx.request.body)
        let idem = IdempotencyKey(scope: "\(p.role.rawValue):\(p.member)", key: key, requestHash: SHA256.hash(hashed))
        let item = BatchItem(command: command, actor: actor, idempotency: idem)
        let queued = Monotonic.now
        let submitted = committer.submit(item)
        let answered = Monotonic.now
        defer { metrics.recordWrite(prepare: queued - ctx.started, answer: Monotonic.now - answered) }
        switch submitted {
        case .success(.fresh(let result)): return API.answer(API.rendered(result, status: status), replayed: false)
        case .success(.replay(let result)): return API.answer(API.rendered(result, status: status), replayed: true)
        case .success(.replayAnswer(let answer)): return API.answer(answer, replayed: true)
        case .success(.conflict):
            throw APIError(409, RuleCode.ruleIdempotency, "The Idempotency-Key \(key) was used before with another request; a key names one change.")
        case .failure(.overloaded):
            throw APIError(503, .httpOverloaded, "Too many writes are waiting (\(limits.maxQueuedWrites)); retry with the same Idempotency-Key.", headers: [("Retry-After", "1")])
        case .failure(.stopped):
            throw APIError(503, .httpStopping, "The server is shutting down; retry with the same Idempotency-Key.", headers: [("Retry-After", "5")])
        case .failure(.storage(let e)):
            try? FileHandle.standardError.write(contentsOf: Data("kring serve: write failed: \(e)\n".utf8))
            throw APIError(500, .storageError, "The write was not committed (storage failure, logged on the server); retry with the same Idempotency-Key.")
        }
    }

    /// The API's rendering of a write's outcome: `status` and the outcome's JSON when accepted,
    /// the rule's problem otherwise. The same for a first answer and a repeated key.
    static func rendered(_ result: Result<Outcome, RuleViolation>, status: Int) -> StoredAnswer {
        switch result {
        case .success(let o): return StoredAnswer(status: status, body: API.outcomeBody(o))
        case .failure(let v):
            let e = APIError(v)
            return StoredAnswer(status: e.status, body: String(decoding: Problem.body(status: e.status, code: e.code, detail: e.detail, extra: e.extra), as: UTF8.self))
        }
    }

    static func answer(_ a: StoredAnswer, replayed: Bool) -> HTTPResponse {
        var headers: [(name: String, value: String)] = [("Content-Type", a.status >= 400 ? "application/problem+json" : "application/json")]
        if replayed { headers.append(("Idempotent-Replayed", "true")) }
        return HTTPResponse(status: a.status, headers: headers, body: Array(a.body.utf8))
    }

    /// The answer to an accepted command, in canonical JSON: where it landed (`seq`, `hash`),
    /// the event's type, the id of what it created or changed, its payload as `record`, its
    /// warnings and the proposals that expired before it. Written directly (it runs inside the
    /// writer's transaction, once per command): the journal's own payload bytes are the record.
    static func outcomeBody(_ o: Outcome) -> String {
        var out = [UInt8]()
        out.reserveCapacity(512)
        out.append(contentsOf: "{\"event\":".utf8)
        JSON.writeString(o.event.type.rawValue, into: &out)
        out.append(contentsOf: ",\"expired_before\":\(o.expiredBefore),\"hash\":\"\(o.hash.hexString)\",\"id\":".utf8)
        if let id = o.event.subjectID { JSON.writeString(id, into: &out) } else { out.append(contentsOf: "null".utf8) }
        out.append(contentsOf: ",\"record\":".utf8)
        out.append(contentsOf: o.event.payloadBytes)
        out.append(contentsOf: ",\"seq\":\(o.seq),\"warnings\":".utf8)
        JSON.array(o.warnings.map { .object(["code": .string($0.code.rawValue), "message": .string($0.message)]) }).write(into: &out)
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: reads

    static func ok(_ json: JSON) -> HTTPResponse { .json(200, json.canonicalBytes) }

    /// A page of `rows` (fetched as up to limit + 1): the items and the cursor of the next page.
    static func page<T>(_ rows: [T], limit: Int, json: (T) -> JSON, cursor: (T) -> String) -> HTTPResponse {
        let items = rows.prefix(limit)
        let next: JSON = rows.count > limit ? .string(cursor(rows[limit - 1])) : .null
        return ok(.object(["items": .array(items.map(json)), "next_cursor": next]))
    }

    /// A page of an in-memory list in its own order, continuing after the item whose key is
    /// `after`.
    static func slice<T>(_ rows: [T], after: String?, limit: Int, key: (T) -> String, json: (T) -> JSON) throws -> HTTPResponse {
        var start = 0
        if let after {
            guard let i = rows.firstIndex(where: { key($0) == after }) else {
                throw APIError(404, .httpNotFound, "The cursor \(after.prefix(60)) is not in this list (any more); start again without it.")
            }
            start = i + 1
        }
        return page(Array(rows[start...].prefix(limit + 1)), limit: limit, json: json, cursor: key)
    }

    /// A statistics answer: computed once per ledger head and parameters (and at most once a
    /// minute while the ledger keeps moving), one computation at a time with a short queue (see
    /// `StatsCache`); `isDefault` pins the default report in the cache.
    func statistics(key: String, isDefault: Bool, render: (StatsReport) -> [UInt8], period: StatsPeriod, from: Day?, to: Day?, k: Int) throws -> [UInt8] {
        let head = try read { try $0.head() }
        return try statsCache.answer(key, head: head.seq, now: Monotonic.now, pin: isDefault) { () throws -> (seq: Int64, body: [UInt8]) in
            if from == nil, to == nil {
                // The whole history: from the maintained statistics, brought to the head.
                let report: StatsReport
                do { report = try read { try statsFollower.report($0, period: period, k: k) } } catch let v as RuleViolation { throw APIError.badRequest(v.message) }
                return (report.headSeq, render(report))
            }
            let input = try read { try $0.statsInput() }
            do { try Statistics.validate(input, from: from, to: to) } catch let v as RuleViolation { throw APIError.badRequest(v.message) }
            return (input.headSeq, render(Statistics.report(input, period: period, from: from, to: to, k: k)))
        }
    }

    /// Reads every listing into the search index and every fact of the maintained statistics
    /// once, on a thread of its own, so that the first visitor of either does not wait for it
    /// (`kring serve` calls it once it listens). A request meanwhile waits for this reading
    /// rather than doing its own.
    public func warm() {
        let thread = Thread { [self] in
            _ = try? read { try searchIndex.follow($0) }
            _ = try? read { try statsFollower.report($0, period: .month, k: 5) }
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// The last verification this server ran, if any: the head it reached and its report.
    var lastVerification: (seq: Int64, report: JSON)? {
        verifyLock.lock()
        defer { verifyLock.unlock() }
        return lastVerify
    }

    /// The verifier's report at the current head, computed once per head.
    func verifyReport() throws -> JSON {
        verifyLock.lock()
        defer { verifyLock.unlock() }
        let head = try read { try $0.head() }
        if let last = lastVerify, last.seq == head.seq { return last.report }
        // On this request's thread alone: the server's other threads keep serving.
        let report = try Verifier.verify(path: path, parallel: false)
        var json = report.json
        if case .object(var fields) = json {
            fields["statistics"] = try statisticsCheck()
            json = .object(fields)
        }
        lastVerify = (head.seq, json)
        return json
    }

    /// The maintained statistics against the statistics recomputed from the projections, at
    /// one head (one snapshot): every table, category, cell and withholding, by month at k = 1.
    /// Null when the server keeps none yet. When they differ, the maintained ones are dropped,
    /// so the next report reads every fact again.
    func statisticsCheck() throws -> JSON {
        guard statsFollower.seq != nil else { return .null }
        let (seq, equal) = try read { reader in
            let maintained = try statsFollower.report(reader, period: .month, k: 1)
            let scratch = Statistics.report(try reader.statsInput(), period: .month, from: nil, to: nil, k: 1)
            return (maintained.headSeq, maintained.columns == scratch.columns && maintained.tables.map(\.categories) == scratch.tables.map(\.categories)
                        && maintained.tables.map(\.cells) == scratch.tables.map(\.cells))
        }
        if !equal { statsFollower.reset() }
        return .object(["seq": .int(seq), "equal": .bool(equal)])
    }
}

extension Event {
    /// The id of what the event created or changed.
    var subjectID: String? {
        switch self {
        case .ledgerCreated, .policyChanged: return nil
        case .memberAdded(let e): return e.member.id.description
        case .memberSuspended(let e): return e.id.description
        case .memberReinstated(let e): return e.id.description
        case .memberLimitsSet(let e): return e.id.description
        case .memberLeft(let e): return e.id.description
        case .poolDonated(let e): return "\(e.transfer.from)->\(e.transfer.to)"
        case .poolGranted(let e): return "\(e.transfer.from)->\(e.transfer.to)"
        case .listingPosted(let e): return e.listing.id.description
        case .listingEdited(let e): return e.listing.id.description
        case .listingWithdrawn(let e): return e.id.description
        case .listingRenewed(let e): return e.id.description
        case .goodsLent(let e): return e.loan.id.description
        case .goodsReturned(let e): return e.id.description
        case .spaceHoursSet(let e): return e.offer.description
        case .spaceBooked(let e): return e.booking.id.description
        case .spaceCancelled(let e): return e.id.description
        case .challengePosted(let e): return e.challenge.id.description
        case .challengeJoined(let e): return e.id.description
        case .challengeClosed(let e): return e.id.description
        case .challengePledged(let e): return e.pledge.challenge.description
        case .introductionMade(let e): return e.request.description
        default: return exchangeID?.description
        }
    }
}

/// Client text quoted for a message: at most 60 characters, in quotes.
func quoted(_ text: String) -> String { "\"\(text.prefix(60))\"" }
