import Foundation
import KringCore

/// A login to the web pages: one person's way in for a member (a company has one for its
/// front desk and one for its manager). Its name is the member's handle for the first login
/// and `handle/label` for the others; it acts for its member, or as a coordinator.
public struct LoginInfo: Sendable, Equatable {
    public let id: LoginID
    public let member: MemberID
    /// What the person types to sign in: `hotel-aerts` or `hotel-aerts/balie`.
    public let name: String
    /// The label (`balie`), empty for the member's first login.
    public let label: String
    public let role: TokenRole
    public let createdAt: Int64
    public let revokedAt: Int64?
    /// When the password was last set; nil until the invitation is used.
    public let passwordSetAt: Int64?

    /// The actor its commands run as.
    public var actor: Actor { role == .coordinator ? .coordinatorLogin(id) : .member(member) }
}

/// A password as stored: the algorithm, its parameters and the derived key, so the
/// parameters can be raised later (a login signing in with an older one is rehashed).
public struct PasswordHash: Sendable, Equatable {
    public let iterations: Int
    public let salt: [UInt8]
    public let key: [UInt8]

    /// Iterations for new passwords: OWASP's figure for PBKDF2-HMAC-SHA256.
    public static let iterations = 600_000
    /// Shortest and longest password.
    public static let minLength = 10, maxLength = 200

    /// Hashes `password` with a fresh 16-byte salt.
    public static func make(_ password: String, iterations: Int = PasswordHash.iterations) -> PasswordHash {
        let salt = Logins.randomBytes(16)
        return PasswordHash(iterations: iterations, salt: salt, key: PBKDF2.sha256(password: Array(password.utf8), salt: salt, iterations: iterations))
    }

    /// Whether `password` is the one hashed (in time independent of where they differ).
    public func matches(_ password: String) -> Bool {
        constantTimeEqual(PBKDF2.sha256(password: Array(password.utf8), salt: salt, iterations: iterations, length: key.count), key)
    }

    /// `pbkdf2-sha256$ITERATIONS$SALT$KEY` (hex).
    public var stored: String { "pbkdf2-sha256$\(iterations)$\(salt.hexString)$\(key.hexString)" }

    /// Reads the stored form; nil when it is not one.
    public init?(stored: String) {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let n = Int(parts[1]), n >= 1, let s = [UInt8](hex: parts[2]), let k = [UInt8](hex: parts[3]),
              !s.isEmpty, k.count == 32 else { return nil }
        self.init(iterations: n, salt: s, key: k)
    }

    public init(iterations: Int, salt: [UInt8], key: [UInt8]) {
        self.iterations = iterations
        self.salt = salt
        self.key = key
    }

    /// What is wrong with `password` as a new password: too short, too long or one of the
    /// most common. Counted in characters as people count them.
    public static func problem(_ password: String) -> Reason? {
        if password.count < minLength { return .passwordTooShort(least: minLength, got: password.count) }
        if password.count > maxLength { return .passwordTooLong(most: maxLength, got: password.count) }
        if CommonPasswords.all.contains(password.lowercased()) { return .passwordCommon }
        return nil
    }

    /// A record to hash against when a login name is unknown, so that answer takes as long as
    /// a wrong password.
    static let dummy = PasswordHash.make("kring-dummy-password-never-matches")
}

/// An invitation as the coordinator prints it: the link's code (shown once) and its login.
public struct Invitation: Sendable {
    public let code: String
    public let login: LoginInfo
    public let expiresAt: Int64
}

/// What an invitation code comes to when opened.
public enum InvitationState: Sendable, Equatable {
    case valid(LoginInfo)
    case used
    case expired(Int64)
    case unknown

    /// Why the code does not open its invitation; nil when it does.
    public var refusal: Reason? {
        switch self {
        case .valid: nil
        case .used: .invitationUsed
        case .expired(let at): .invitationExpired(Day(timestamp: at))
        case .unknown: .invitationUnknown
        }
    }
}

/// A signed-in session: its login, and the secret its forms carry against cross-site posts.
public struct Session: Sendable, Equatable {
    public let login: LoginInfo
    /// The CSRF token of this session's forms (hex).
    public let csrf: String
    public let createdAt: Int64
    public let lastSeen: Int64
}

/// Logins, invitations and sessions (schema 8): access data outside the journal.
public enum Logins {
    /// Longest validity of an invitation, in days.
    public static let maxInvitationDays: Int64 = 90
    /// A session ends after this long without a request, and this long after it began.
    public static let idleSeconds: Int64 = 2 * 3_600, absoluteSeconds: Int64 = 7 * 86_400
    /// How often a session's last-seen time is written: at most once a minute, so a page view
    /// is not a write.
    public static let touchSeconds: Int64 = 60

    /// The login name for `member` with `label` (empty for the first login).
    public static func name(_ member: MemberID, label: String) -> String { label.isEmpty ? member.handle : "\(member.handle)/\(label)" }

    /// Whether `label` is a login label: 1 to 30 lower-case letters, digits and dashes.
    public static func isLabel(_ label: String) -> Bool {
        (1...30).contains(label.utf8.count) && label.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 45 }
    }

    /// The stored form of a code or session id: as a token's (`Tokens.hash`, SHA-256).
    static func hash(_ secret: String) -> [UInt8] { Tokens.hash(secret) }

    /// `count` bytes from the system's secure random source (session ids, CSRF secrets,
    /// salts, the forms' idempotency keys).
    public static func randomBytes(_ count: Int = 32) -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }
}

extension Ledger {
    /// Invites a person to sign in for `member`: makes the login `handle` (or `handle/label`)
    /// if there is none, and a one-time code valid `days` days. For an existing login (a
    /// forgotten password) the code sets a new password; earlier unused codes stop working.
    public func invite(member: MemberID, label: String = "", role: TokenRole = .member, days: Int64 = 14) throws(LedgerError) -> Invitation {
        guard label.isEmpty || Logins.isLabel(label) else { throw .rule(RuleViolation(.inputInvalid, .loginLabel(label), field: .label)) }
        guard (1...Logins.maxInvitationDays).contains(days) else {
            throw .rule(RuleViolation(.inputInvalid, .invitationDays(most: Logins.maxInvitationDays, got: days), field: .days))
        }
        return try locked { () throws(LedgerError) in
            guard let status = try store({ () throws(StoreError) in try db.scalarText("SELECT status FROM members WHERE id = ?", .id(member)) }) else {
                throw .rule(RuleViolation(.memberNotFound, .notFound(.member(member)), field: .member))
            }
            guard status != MemberStatus.left.rawValue else { throw .rule(RuleViolation(.ruleInactive, .noLoginForLeft(member), field: .member)) }
            let now = clockNow(), name = Logins.name(member, label: label)
            return try transaction { () throws(LedgerError) in
                var login = try store { () throws(StoreError) in try LoginQueries.login(db, name: name) }
                if let l = login, l.role != role {
                    throw .rule(RuleViolation(.inputInvalid, .loginRole(name: name, isCoordinator: l.role == .coordinator), field: .role))
                }
                let code = Tokens.generate()
                let expires = now + days * 86_400
                try store { () throws(StoreError) in
                    if login == nil {
                        try db.cached("INSERT INTO logins(member, name, label, role, created_at) VALUES (?, ?, ?, ?, ?)")
                            .run(.id(member), .text(name), .text(label), .text(role.rawValue), .int(now))
                        login = try LoginQueries.login(db, name: name)
                    }
                    guard let login else { throw StoreError("the login \(name) was not written") }
                    try db.cached("UPDATE invitations SET replaced_at = ? WHERE login = ? AND used_at IS NULL AND replaced_at IS NULL").run(.int(now), .int(login.id.number))
                    try db.cached("INSERT INTO invitations(hash, login, created_at, expires_at) VALUES (?, ?, ?, ?)")
                        .run(.blob(Logins.hash(code)), .int(login.id.number), .int(now), .int(expires))
                }
                return Invitation(code: code, login: login!, expiresAt: expires)
            }
        }
    }

    /// Runs `body` in a write transaction the caller's lock covers: committed when it returns,
    /// rolled back when it throws.
    private func transaction<T>(_ body: () throws(LedgerError) -> T) throws(LedgerError) -> T {
        try store { () throws(StoreError) in try db.execute("BEGIN IMMEDIATE") }
        do {
            let value = try body()
            try store { () throws(StoreError) in try db.execute("COMMIT") }
            return value
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }

    /// A store operation inside a command: its failure is the command's storage error.
    private func store<T>(_ body: () throws(StoreError) -> T) throws(LedgerError) -> T {
        do { return try body() } catch { throw .storage(error) }
    }

    /// What `code` comes to: a login to set a password for, used, expired or unknown.
    public func invitation(_ code: String) throws(StoreError) -> InvitationState {
        try locked { () throws(StoreError) in try invitationState(code) }
    }

    /// Uses `code` to set `password` for its login, ends that login's other sessions and
    /// signs it in. The password is hashed before the ledger is locked (it takes a while).
    public func acceptInvitation(_ code: String, password: String) throws(LedgerError) -> (session: String, info: Session) {
        if let problem = PasswordHash.problem(password) { throw .rule(RuleViolation(.inputInvalid, problem, field: .password)) }
        let hash = PasswordHash.make(password)
        return try locked { () throws(LedgerError) in
            try transaction { () throws(LedgerError) in
                let state = try store { () throws(StoreError) in try invitationState(code) }
                guard case .valid(let login) = state else { throw .rule(RuleViolation(.inputInvalid, state.refusal ?? .invitationUnknown)) }
                let now = clockNow()
                return try store { () throws(StoreError) in
                    try db.cached("UPDATE invitations SET used_at = ? WHERE hash = ?").run(.int(now), .blob(Logins.hash(code)))
                    try db.cached("UPDATE logins SET password = ?, password_set_at = ? WHERE id = ?").run(.text(hash.stored), .int(now), .int(login.id.number))
                    try db.cached("UPDATE sessions SET ended_at = ? WHERE login = ? AND ended_at IS NULL").run(.int(now), .int(login.id.number))
                    return try startSession(login.id, now: now)
                }
            }
        }
    }

    /// The invitation's state (the caller holds the lock).
    private func invitationState(_ code: String) throws(StoreError) -> InvitationState {
        let s = try db.cached("SELECT login, expires_at, used_at, replaced_at FROM invitations WHERE hash = ?")
        defer { s.reset() }
        try s.bind([.blob(Logins.hash(code))])
        guard try s.step() else { return .unknown }
        let login = s.int(0), expires = s.int(1), used = !s.isNull(2) || !s.isNull(3)
        s.reset()
        if used { return .used }
        if expires <= clockNow() { return .expired(expires) }
        guard let l = try LoginQueries.login(db, id: LoginID(uncheckedNumber: login)), l.revokedAt == nil else { return .unknown }
        return .valid(l)
    }

    /// Signs in by login name and password; nil when they do not match. An unknown name is
    /// hashed against a dummy record, so it takes as long as a wrong password and fails the
    /// same way; so do a revoked login, a login without a password yet, and a member who is
    /// suspended or gone (so a guess does not learn a member's status).
    public func signIn(name: String, password: String) throws(LedgerError) -> (session: String, info: Session)? {
        let found = try locked { () throws(LedgerError) -> (LoginInfo, PasswordHash)? in
            try store { () throws(StoreError) -> (LoginInfo, PasswordHash)? in
                guard let l = try LoginQueries.login(db, name: name), let stored = try LoginQueries.password(db, l.id) else { return nil }
                return (l, stored)
            }
        }
        let matches = (found?.1 ?? PasswordHash.dummy).matches(password)
        guard let (login, _) = found, matches, login.revokedAt == nil else { return nil }
        return try locked { () throws(LedgerError) in
            try store { () throws(StoreError) in
                guard try db.scalarText("SELECT status FROM members WHERE id = ?", .id(login.member)) == MemberStatus.active.rawValue else { return nil }
                return try startSession(login.id, now: clockNow())
            }
        }
    }

    /// Changes `login`'s password when `current` is its password: every session of the login
    /// ends (sessions begun before a password was set do not count), and a new one begins for
    /// the browser that asked. Nil when `current` is wrong.
    public func changePassword(_ login: LoginID, current: String, new: String) throws(LedgerError) -> (session: String, info: Session)? {
        if let problem = PasswordHash.problem(new) { throw .rule(RuleViolation(.inputInvalid, problem, field: .password)) }
        let stored = try locked { () throws(LedgerError) in try store { () throws(StoreError) in try LoginQueries.password(db, login) } }
        guard let stored, stored.matches(current) else { return nil }
        let hash = PasswordHash.make(new)
        return try locked { () throws(LedgerError) in
            try transaction { () throws(LedgerError) in
                try store { () throws(StoreError) in
                    let now = clockNow()
                    try db.cached("UPDATE logins SET password = ?, password_set_at = ? WHERE id = ?").run(.text(hash.stored), .int(now), .int(login.number))
                    try db.cached("UPDATE sessions SET ended_at = ? WHERE login = ? AND ended_at IS NULL").run(.int(now), .int(login.number))
                    return try startSession(login, now: now)
                }
            }
        }
    }

    /// How many sessions of `login` are open (not ended; some may be past their idle time).
    public func openSessions(of login: LoginID) throws(StoreError) -> Int {
        try locked { () throws(StoreError) in
            Int(try db.scalarInt("SELECT COUNT(*) FROM sessions WHERE login = ? AND ended_at IS NULL", .int(login.number)) ?? 0)
        }
    }

    /// A new session for `login`: a random id (the cookie; only its hash is stored) and a
    /// random CSRF secret.
    private func startSession(_ login: LoginID, now: Int64) throws(StoreError) -> (session: String, info: Session) {
        let id = Logins.randomBytes().hexString, csrf = Logins.randomBytes()
        try db.cached("INSERT INTO sessions(hash, login, csrf, created_at, last_seen) VALUES (?, ?, ?, ?, ?)")
            .run(.blob(Logins.hash(id)), .int(login.number), .blob(csrf), .int(now), .int(now))
        guard let l = try LoginQueries.login(db, id: login) else { throw StoreError("the login \(login) vanished") }
        return (id, Session(login: l, csrf: csrf.hexString, createdAt: now, lastSeen: now))
    }

    /// Records that the session a cookie names was used now (the pages call it at most about
    /// once a minute per session: `Reader.session` says when).
    public func touchSession(_ cookie: String) throws(StoreError) {
        try locked { () throws(StoreError) in
            try db.cached("UPDATE sessions SET last_seen = ? WHERE hash = ?").run(.int(clockNow()), .blob(Logins.hash(cookie)))
        }
    }

    /// The session a cookie names, if it is still good (see `Reader.session`), recording the
    /// request's time at most once a minute.
    public func session(_ cookie: String) throws(StoreError) -> Session? {
        let found = try locked { () throws(StoreError) in try LoginQueries.session(db, cookie, now: clockNow()) }
        guard let (session, stale) = found else { return nil }
        if stale { try touchSession(cookie) }
        return session
    }

    /// Ends the session a cookie names (sign out).
    public func endSession(_ cookie: String) throws(StoreError) {
        try locked { () throws(StoreError) in
            try db.cached("UPDATE sessions SET ended_at = ? WHERE hash = ? AND ended_at IS NULL").run(.int(clockNow()), .blob(Logins.hash(cookie)))
        }
    }

    /// Ends every session of `login` (sign out everywhere); returns how many.
    @discardableResult
    public func endSessions(of login: LoginID) throws(StoreError) -> Int {
        try locked { () throws(StoreError) in
            try db.cached("UPDATE sessions SET ended_at = ? WHERE login = ? AND ended_at IS NULL").run(.int(clockNow()), .int(login.number))
            return db.changes
        }
    }

    /// Revokes `login`: it signs in no more, and its sessions end at their next request.
    public func revokeLogin(_ id: LoginID) throws(LedgerError) {
        try locked { () throws(LedgerError) in
            guard let l = try store({ () throws(StoreError) in try LoginQueries.login(db, id: id) }) else {
                throw .rule(RuleViolation(.loginNotFound, .notFound(.login(id))))
            }
            guard l.revokedAt == nil else { return }
            try store { () throws(StoreError) in try db.cached("UPDATE logins SET revoked_at = ? WHERE id = ?").run(.int(clockNow()), .int(id.number)) }
        }
    }

    /// Every login, optionally of one member, oldest first.
    public func logins(member: MemberID? = nil) throws(StoreError) -> [LoginInfo] {
        try locked { () throws(StoreError) in try LoginQueries.list(db, member: member) }
    }
}

extension Reader {
    /// The session a cookie names, if it is still good: not ended, used within the idle time,
    /// younger than the absolute limit, begun after the login's password was last set, its
    /// login not revoked and its member active; and whether its last-seen time is a minute or
    /// more old (the caller records it through the writer). Read on the reader's connection,
    /// so a page view does not wait for the writer.
    public func session(_ cookie: String, now: Int64) throws(StoreError) -> (session: Session, stale: Bool)? {
        try LoginQueries.session(db, cookie, now: now)
    }
}

enum LoginQueries {
    static func session(_ db: Connection, _ cookie: String, now: Int64) throws(StoreError) -> (session: Session, stale: Bool)? {
        let s = try db.cached("""
            SELECT s.login, s.csrf, s.created_at, s.last_seen, s.ended_at, l.revoked_at, l.password_set_at, m.status
            FROM sessions s JOIN logins l ON l.id = s.login JOIN members m ON m.id = l.member WHERE s.hash = ?
            """)
        defer { s.reset() }
        try s.bind([.blob(Logins.hash(cookie))])
        guard try s.step() else { return nil }
        let login = LoginID(uncheckedNumber: s.int(0)), csrf = s.blob(1), created = s.int(2), lastSeen = s.int(3)
        let ended = !s.isNull(4), revoked = !s.isNull(5), passwordSet = s.isNull(6) ? nil : s.int(6), status = s.text(7)
        s.reset()
        guard !ended, !revoked, status == MemberStatus.active.rawValue, now - lastSeen < Logins.idleSeconds, now - created < Logins.absoluteSeconds,
              passwordSet.map({ created >= $0 }) ?? false, let l = try LoginQueries.login(db, id: login) else { return nil }
        let stale = now - lastSeen >= Logins.touchSeconds
        return (Session(login: l, csrf: csrf.hexString, createdAt: created, lastSeen: stale ? now : lastSeen), stale)
    }

    static let columns = "id, member, name, label, role, created_at, revoked_at, password_set_at"

    static func read(_ s: Statement) throws(StoreError) -> LoginInfo {
        LoginInfo(id: LoginID(uncheckedNumber: s.int(0)), member: try s.id(1), name: s.text(2), label: s.text(3), role: try s.value(4),
                  createdAt: s.int(5), revokedAt: s.isNull(6) ? nil : s.int(6), passwordSetAt: s.isNull(7) ? nil : s.int(7))
    }

    static func login(_ db: Connection, name: String) throws(StoreError) -> LoginInfo? {
        let s = try db.cached("SELECT \(columns) FROM logins WHERE name = ?")
        defer { s.reset() }
        try s.bind([.text(name)])
        return try s.step() ? try read(s) : nil
    }

    static func login(_ db: Connection, id: LoginID) throws(StoreError) -> LoginInfo? {
        let s = try db.cached("SELECT \(columns) FROM logins WHERE id = ?")
        defer { s.reset() }
        try s.bind([.int(id.number)])
        return try s.step() ? try read(s) : nil
    }

    static func password(_ db: Connection, _ id: LoginID) throws(StoreError) -> PasswordHash? {
        try db.scalarText("SELECT password FROM logins WHERE id = ?", .int(id.number)).flatMap(PasswordHash.init(stored:))
    }

    static func list(_ db: Connection, member: MemberID?) throws(StoreError) -> [LoginInfo] {
        let s = try db.cached("SELECT \(columns) FROM logins WHERE (?1 IS NULL OR member = ?1) ORDER BY id")
        defer { s.reset() }
        try s.bind([.id(member)])
        var out = [LoginInfo]()
        while try s.step() { out.append(try read(s)) }
        return out
    }
}
