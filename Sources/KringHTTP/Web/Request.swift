import Foundation
import KringCore
import KringStore

/// A page request as the pages see it: the path's segments, the form, the cookies, the
/// session they name and the person's language; and the cookies the answer sets.
struct Request {
    let raw: HTTPRequest
    let parts: [String]
    let method: String
    let form: [String: String]
    /// Every value of each field name, in the order sent (checkboxes send one field each).
    let formValues: [String: [String]]
    let cookies: [String: String]
    let session: Session?
    let language: Language
    private let expectedOrigin: String?
    private let secureCookies: Bool
    private(set) var setCookies: [String] = []

    /// Most fields a form may have (the desk's paper slips: 10 rows of 8, and the token), and
    /// the longest value. A form with more is refused whole, never read in part.
    static let maxFields = 100, maxValue = 10_000

    init(_ request: HTTPRequest, web: Web) {
        raw = request
        method = request.method == "HEAD" ? "GET" : request.method
        parts = request.path.split(separator: "/").map { PercentDecoding.decode($0) ?? "" }
        var cookies = [String: String]()
        for header in request.headers where header.name == "cookie" {
            for pair in header.value.split(separator: ";") {
                let kv = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if kv.count == 2, cookies[kv[0]] == nil { cookies[kv[0]] = kv[1] }
            }
        }
        self.cookies = cookies
        var form = [String: String](), formValues = [String: [String]]()
        let pairs = request.body.split(separator: UInt8(ascii: "&"))
        if request.method == "POST", request.header("content-type")?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true,
           pairs.count <= Request.maxFields {
            for pair in pairs {
                let kv = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
                guard let k = PercentDecoding.decode(Substring(decoding: kv[0], as: UTF8.self), plusIsSpace: true),
                      let v = PercentDecoding.decode(Substring(decoding: kv.count == 2 ? kv[1] : [], as: UTF8.self), plusIsSpace: true),
                      v.utf8.count <= Request.maxValue else { continue }
                formValues[k, default: []].append(v)
                if form[k] == nil { form[k] = v }
            }
        }
        self.form = form
        self.formValues = formValues
        session = cookies[Web.sessionCookie].flatMap { c in c.utf8.count == 64 ? web.session(c) : nil }
        language = cookies[Web.languageCookie].flatMap(Language.init(rawValue:)) ?? Request.preferred(request.header("accept-language"))
        secureCookies = web.publicURL?.hasPrefix("https://") == true
        expectedOrigin = web.publicURL ?? request.header("host").map { "http://\($0)" }
    }

    /// The first of Dutch and English the browser asks for (by q-value); Dutch otherwise.
    static func preferred(_ header: String?) -> Language {
        guard let header else { return .nl }
        var best: (Language, Double)?
        for item in header.split(separator: ",") {
            let fields = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let tag = fields.first else { continue }
            let q = fields.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            let lang: Language? = tag.hasPrefix("nl") ? .nl : tag.hasPrefix("en") ? .en : nil
            if let lang, q > 0, q > (best?.1 ?? 0) { best = (lang, q) }
        }
        return best?.0 ?? .nl
    }

    func cookie(_ name: String) -> String? { cookies[name] }

    /// Sets a cookie on the answer: `HttpOnly`, `SameSite=Lax`, `Path=/`, and `Secure` when
    /// the site is served over https. No `maxAge`: until the browser closes.
    mutating func setCookie(_ name: String, _ value: String, maxAge: Int?) {
        var c = "\(name)=\(value); Path=/; HttpOnly; SameSite=Lax"
        if let maxAge { c += "; Max-Age=\(maxAge)" }
        if secureCookies { c += "; Secure" }
        setCookies.append(c)
    }

    func requireSession() throws -> Session {
        guard let session else { throw PageError.signInNeeded }
        return session
    }

    /// A POST from another site is refused before anything else: its `Origin`, when the
    /// browser sends one, must be this site's.
    func checkOrigin() throws {
        guard let origin = raw.header("origin") else { return }
        guard let expected = expectedOrigin, origin == expected else { throw PageError.forbidden }
    }

    /// A signed-in form carries its session's CSRF token.
    func checkSessionForm() throws {
        guard let session, let token = form["csrf"], constantTimeEqual(Array(token.utf8), Array(session.csrf.utf8)) else { throw PageError.forbidden }
    }

    /// A form drawn before a session (sign-in, invitation) carries the HMAC of its pre-session
    /// cookie.
    func checkPreSessionForm(_ key: [UInt8]) throws {
        guard let pre = cookies[Web.preCookie], let token = form["csrf"],
              constantTimeEqual(Array(token.utf8), Array(HMACSHA256.mac(key: key, message: Array(pre.utf8)).hexString.utf8)) else { throw PageError.forbidden }
    }
}

/// Failed sign-ins, throttled per (login, address) and per address with a growing wait, never
/// by locking a login for everyone (handles are public: a lock-out would let anyone lock
/// anyone out). Five failures are free; then each one doubles the wait, up to 15 minutes.
/// Per address the free allowance is twenty (people behind one NAT).
final class SignInThrottle: @unchecked Sendable {
    private let lock = NSLock()
    private var failures: [String: (count: Int, last: Int64)] = [:]
    /// Entries kept; the oldest go first beyond it.
    static let maxEntries = 10_000, freePerLogin = 5, freePerAddress = 20, maxWait: Int64 = 900

    private func wait(_ key: String, free: Int, now: Int64) -> Int64? {
        guard let f = failures[key], f.count >= free else { return nil }
        let wait = min(Int64(1) << min(f.count - free, 10), SignInThrottle.maxWait)
        let left = f.last + wait - now
        return left > 0 ? left : nil
    }

    /// Seconds to wait before `login` may be tried again from `address`, if any.
    func wait(login: String, address: String, now: Int64 = Int64(Date().timeIntervalSince1970)) -> Int64? {
        lock.lock(); defer { lock.unlock() }
        return [wait("l:\(login)\n\(address)", free: SignInThrottle.freePerLogin, now: now), wait("a:\(address)", free: SignInThrottle.freePerAddress, now: now)]
            .compactMap { $0 }.max()
    }

    func failed(login: String, address: String, now: Int64 = Int64(Date().timeIntervalSince1970)) {
        lock.lock(); defer { lock.unlock() }
        for key in ["l:\(login)\n\(address)", "a:\(address)"] { failures[key] = ((failures[key]?.count ?? 0) + 1, now) }
        if failures.count > SignInThrottle.maxEntries, let oldest = failures.min(by: { $0.value.last < $1.value.last })?.key { failures[oldest] = nil }
    }

    func succeeded(login: String, address: String) {
        lock.lock(); defer { lock.unlock() }
        failures["l:\(login)\n\(address)"] = nil
    }
}

/// Bounds password hashing server-wide: `running` at once, `waiting` more queued; a request
/// beyond that is told to come back (nil), so anonymous sign-ins cannot take the cores from
/// everyone else.
final class HashingGate: @unchecked Sendable {
    private let cond = NSCondition()
    private var active = 0, queued = 0
    let running: Int, waiting: Int

    init(running: Int, waiting: Int) {
        self.running = running
        self.waiting = waiting
    }

    /// Runs `body` when a slot is free; nil when the queue is full.
    func run<T>(_ body: () throws -> T) rethrows -> T? {
        cond.lock()
        if active >= running {
            guard queued < waiting else { cond.unlock(); return nil }
            queued += 1
            while active >= running { cond.wait() }
            queued -= 1
        }
        active += 1
        cond.unlock()
        defer {
            cond.lock()
            active -= 1
            cond.signal()
            cond.unlock()
        }
        return try body()
    }
}

extension Request {
    /// The form as the person typed it: without its CSRF token and idempotency key, to draw
    /// the form again beside a refusal.
    var typed: [String: String] {
        var values = form
        for k in ["csrf", "key"] { values[k] = nil }
        return values
    }
}

extension Web {
    /// The rule's sentence for a date the form could not read, in the page's language.
    static func unreadableDate(_ text: String, _ field: Field, _ l: Language) -> String {
        RuleViolation(.inputInvalid, .dateUnreadable(String(text.prefix(40))), field: field).sentence(in: l)
    }
}
