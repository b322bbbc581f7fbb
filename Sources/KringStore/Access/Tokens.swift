import Foundation
import KringCore

/// What a bearer token lets its holder do: act for its member, or act for anyone.
public enum TokenRole: String, Sendable, CaseIterable {
    case member
    case coordinator
}

/// A token as listings show it: never the token itself, which is printed once at issue.
public struct TokenInfo: Sendable, Equatable {
    public let id: TokenID
    public let member: MemberID
    public let role: TokenRole
    public let label: String
    public let createdAt: Int64
    public let revokedAt: Int64?
    /// When it stops working (Unix seconds); nil: until revoked.
    public let expiresAt: Int64?
    /// When it was last used, to the minute or so (recorded at most once a minute per token).
    public let lastUsedAt: Int64?

    public var json: JSON {
        .object([
            "id": .id(id), "member": .id(member), "role": .string(role.rawValue), "label": .string(label),
            "created_at": .int(createdAt), "revoked_at": revokedAt.map(JSON.int) ?? .null,
            "expires_at": expiresAt.map(JSON.int) ?? .null, "last_used_at": lastUsedAt.map(JSON.int) ?? .null,
        ])
    }
}

/// Who is calling: the token's id (for logs), its member and its role.
public struct Principal: Sendable, Equatable {
    public let tokenID: TokenID
    public let member: MemberID
    public let role: TokenRole
    /// When the token was last recorded as used.
    public let lastUsedAt: Int64?

    public init(tokenID: TokenID, member: MemberID, role: TokenRole, lastUsedAt: Int64? = nil) {
        self.tokenID = tokenID
        self.member = member
        self.role = role
        self.lastUsedAt = lastUsedAt
    }

    /// The actor commands run as.
    public var actor: Actor { role == .coordinator ? .coordinatorToken(tokenID) : .member(member) }
}

/// Bearer tokens: `kring_` and 64 hex digits from the system's secure random source (256
/// bits). Only SHA-256 of the token is stored; a plain hash suffices because the token is
/// random, not a password.
public enum Tokens {
    /// The prefix of every token (lets secret scanners recognise a leaked one).
    public static let prefix = "kring_"
    /// Longest label.
    public static let maxLabel = 100

    /// A new random token.
    public static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(32)
        for _ in 0..<4 { withUnsafeBytes(of: rng.next() as UInt64) { bytes.append(contentsOf: $0) } }
        return prefix + bytes.hexString
    }

    /// The stored form of `token`.
    public static func hash(_ token: String) -> [UInt8] { digest(token[...]).bytes }

    /// The SHA-256 of `token` as a value, hashed where its bytes lie.
    static func digest(_ token: Substring) -> SHA256.Digest {
        token.utf8.withContiguousStorageIfAvailable { SHA256.digest($0) } ?? Array(token.utf8).withUnsafeBufferPointer { SHA256.digest($0) }
    }
}

extension Ledger {
    /// Issues a token for `member` (who must exist and not have left). Returns the token, to
    /// be shown once, and its record.
    public func issueToken(member: MemberID, role: TokenRole, label: String, expiresAt: Int64? = nil) throws(LedgerError) -> (token: String, info: TokenInfo) {
        guard label.count <= Tokens.maxLabel else { throw .rule(RuleViolation(.inputInvalid, .textTooLong(.label, most: Tokens.maxLabel, got: label.count), field: .label)) }
        return try locked { () throws(LedgerError) in
            let status: String?
            do throws(StoreError) { status = try db.scalarText("SELECT status FROM members WHERE id = ?", .id(member)) } catch { throw .storage(error) }
            guard let status else { throw .rule(RuleViolation(.memberNotFound, .notFound(.member(member)), field: .member)) }
            guard status != MemberStatus.left.rawValue else { throw .rule(RuleViolation(.ruleInactive, .noTokenForLeft(member), field: .member)) }
            let token = Tokens.generate()
            let now = clockNow()
            if let e = expiresAt, e <= now { throw .rule(RuleViolation(.inputInvalid, .tokenExpiry(at: e, now: now))) }
            do throws(StoreError) {
                try db.cached("INSERT INTO api_tokens(member, role, label, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)")
                    .run(.id(member), .text(role.rawValue), .text(label), .blob(Tokens.hash(token)), .int(now), .int(expiresAt))
            } catch { throw .storage(error) }
            return (token, TokenInfo(id: TokenID(uncheckedNumber: sqlite3LastInsertRowID(db)), member: member, role: role, label: label, createdAt: now,
                                     revokedAt: nil, expiresAt: expiresAt, lastUsedAt: nil))
        }
    }

    /// Revokes token `id`; it stops working at the next request.
    public func revokeToken(_ id: TokenID) throws(LedgerError) {
        try locked { () throws(LedgerError) in
            let row: (exists: Bool, revoked: Bool)
            do throws(StoreError) {
                let s = try db.cached("SELECT revoked_at IS NOT NULL FROM api_tokens WHERE id = ?")
                defer { s.reset() }
                try s.bind([.int(id.number)])
                row = try s.step() ? (true, s.int(0) == 1) : (false, false)
            } catch { throw .storage(error) }
            guard row.exists else { throw .rule(RuleViolation(.tokenNotFound, .notFound(.token(id)))) }
            guard !row.revoked else { throw .rule(RuleViolation(.inputInvalid, .tokenRevoked(id))) }
            do throws(StoreError) { try db.cached("UPDATE api_tokens SET revoked_at = ? WHERE id = ?").run(.int(clockNow()), .int(id.number)) } catch { throw .storage(error) }
        }
    }

    /// Records that token `id` was used at `now`. Callers do it at most about once a minute
    /// per token, so reads do not become writes.
    public func touchToken(_ id: TokenID) throws(StoreError) {
        try locked { () throws(StoreError) in
            try db.cached("UPDATE api_tokens SET last_used_at = ? WHERE id = ?").run(.int(clockNow()), .int(id.number))
        }
    }

    /// Revokes every token of `member` labelled `label` that is still valid; returns how many.
    public func revokeTokens(member: MemberID, label: String) throws(StoreError) -> Int {
        try locked { () throws(StoreError) in
            try db.cached("UPDATE api_tokens SET revoked_at = ? WHERE member = ? AND label = ? AND revoked_at IS NULL").run(.int(clockNow()), .id(member), .text(label))
            return db.changes
        }
    }

    /// Every token, optionally of one member, oldest first.
    public func tokens(member: MemberID? = nil) throws(StoreError) -> [TokenInfo] {
        try locked { () throws(StoreError) in try TokenQueries.list(db, member: member) }
    }
}

enum TokenQueries {
    static func list(_ db: Connection, member: MemberID?) throws(StoreError) -> [TokenInfo] {
        let s = try db.cached("SELECT id, member, role, label, created_at, revoked_at, expires_at, last_used_at FROM api_tokens WHERE (?1 IS NULL OR member = ?1) ORDER BY id")
        defer { s.reset() }
        try s.bind([.id(member)])
        var out = [TokenInfo]()
        while try s.step() {
            out.append(TokenInfo(id: TokenID(uncheckedNumber: s.int(0)), member: try s.id(1), role: try s.value(2), label: s.text(3),
                                 createdAt: s.int(4), revokedAt: s.optionalInt(5), expiresAt: s.optionalInt(6), lastUsedAt: s.optionalInt(7)))
        }
        return out
    }
}

extension Reader {
    /// The principal holding `token` at `now`, or nil when it is unknown, revoked, expired, or
    /// its member left.
    ///
    /// Each reader keeps the principals it found, by the token's hash, for as long as nothing
    /// has been committed to the ledger since (SQLite's `data_version`, which changes with a
    /// commit by any other connection, this process's or another's: a revocation, a member
    /// leaving, a token's use recorded). Expiry is checked against `now` on every call.
    public func principal(token: String, now: Int64) throws(StoreError) -> Principal? { try principal(token: token[...], now: now) }

    /// `principal(token:now:)` for a token read out of a longer text (an Authorization header).
    public func principal(token: Substring, now: Int64) throws(StoreError) -> Principal? {
        // The form checked and the digest made on the token's bytes where they lie.
        var token = token
        token.makeContiguousUTF8()  // a header's value already is: no copy
        guard let key = token.utf8.withContiguousStorageIfAvailable({ b -> SHA256.Digest? in
            guard b.count == Tokens.prefix.utf8.count + 64, b.starts(with: Tokens.prefix.utf8) else { return nil }
            return SHA256.digest(b)
        }) ?? nil else { return nil }
        let version = try dataVersion()
        if principals.version != version { principals = (version, [:]) }
        if let hit = principals.found[key] {
            return hit.expiresAt.map { $0 > now } ?? true ? hit.principal : nil
        }
        let s = try db.cached("""
            SELECT t.id, t.member, t.role, t.last_used_at, t.expires_at FROM api_tokens t JOIN members m ON m.id = t.member
            WHERE t.hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?) AND m.status != 'left'
            """)
        defer { s.reset() }
        try s.bind([.blob(key.bytes), .int(now)])
        guard try s.step() else { return nil }
        let p = Principal(tokenID: TokenID(uncheckedNumber: s.int(0)), member: try s.id(1), role: try s.value(2), lastUsedAt: s.optionalInt(3))
        if principals.found.count >= Reader.principalsKept { principals.found = [:] }
        principals.found[key] = (p, s.optionalInt(4))
        return p
    }
}
