import Foundation
import KringCore
import KringHTTP
import KringStore

/// The member the demo's coordinator token belongs to.
let demoCoordinator = MemberID(canonical: "gemeente-kring")!
/// The label of the coordinator token `serve --demo` issues at each start.
let demoTokenLabel = "kring serve --demo"

/// The HTTP API, its tokens, and backups.
let serveCommands: [CommandSpec] = [
    CommandSpec(path: "serve", summary: "serve the web pages and the HTTP API (http://127.0.0.1:8080 by default)",
                usage: "kring serve [--host 127.0.0.1] [--port 8080] [--public-url https://…] [--demo] [--quiet] [--max-connections 512] [--max-connections-per-address 128] [--header-timeout 10] [--first-request-timeout 5] [--idle-timeout 60] [--trusted-proxy ADDR[,ADDR…]]",
                options: ["host", "port", "public-url", "max-connections", "max-connections-per-address", "header-timeout", "first-request-timeout", "idle-timeout", "trusted-proxy"],
                flags: ["demo", "quiet"]) { inv in
        let host = inv.option("host") ?? "127.0.0.1"
        guard let port = UInt16(inv.option("port") ?? "8080") else { throw ArgumentError(.inputInvalid, "--port is 0 to 65535, not \(inv.option("port")!).") }
        var limits = HTTPLimits()
        func count(_ name: String) throws -> Int? {
            guard let c = inv.option(name) else { return nil }
            guard let n = Int(c), (1...100_000).contains(n) else { throw ArgumentError(.inputInvalid, "--\(name) is 1 to 100000, not \(c).") }
            return n
        }
        if let n = try count("max-connections") { limits.maxConnections = n }
        if let n = try count("max-connections-per-address") { limits.maxConnectionsPerAddress = n }
        var proxies = Set<String>()
        for a in inv.list("trusted-proxy") where inv.option("trusted-proxy") != nil {
            guard HTTPServer.isIPAddress(a) else { throw ArgumentError(.inputInvalid, "--trusted-proxy takes IP addresses like 127.0.0.1, not \"\(a.prefix(60))\".") }
            proxies.insert(a)
        }
        // Behind a proxy the Host header is the proxy's to pass on, not proof of the site's
        // origin: the pages accept a form only from the origin named here.
        if !proxies.isEmpty && inv.option("public-url") == nil {
            throw ArgumentError(.inputInvalid, "Behind a proxy (--trusted-proxy), name the address people use with --public-url https://…: the pages accept forms only from that origin.")
        }
        func seconds(_ name: String) throws -> Double? {
            guard let t = inv.option(name) else { return nil }
            guard let v = Double(t), v > 0, v <= 3600 else { throw ArgumentError(.inputInvalid, "--\(name) is a number of seconds from 0 to 3600, not \(t).") }
            return v
        }
        if let v = try seconds("header-timeout") { limits.headerTimeout = v }
        if let v = try seconds("idle-timeout") { limits.idleTimeout = v }
        if let v = try seconds("first-request-timeout") { limits.firstRequestTimeout = v }
        return try serve(inv, host: host, port: port, limits: limits, trustedProxies: proxies)
    },
    CommandSpec(path: "token issue", summary: "issue an API token for a member (shown once; only its hash is stored)",
                usage: "kring token issue MEMBER [--role member|coordinator] [--label TEXT] [--expires 90d|12h|YYYY-MM-DD] [--json]",
                options: ["role", "label", "expires"], flags: ["json"], positionals: 1...1) { inv in
        let roleText = inv.option("role") ?? "member"
        guard let role = TokenRole(rawValue: roleText) else { throw ArgumentError(.inputInvalid, "--role is member or coordinator, not \(roleText).") }
        var expiresAt: Int64?
        if let e = inv.option("expires") {
            let now = systemClock()
            if let d = Day(iso: e) { expiresAt = d.timestamp }
            else if e.count > 1, let n = Int64(e.dropLast()), n > 0, n <= 3_650 * 24, let unit = e.last, unit == "d" || unit == "h" {
                expiresAt = now + n * (unit == "d" ? 86_400 : 3_600)
            } else {
                throw ArgumentError(.inputInvalid, "--expires is a number of days or hours (90d, 12h) or a date (YYYY-MM-DD), not \(e.prefix(40)).")
            }
        }
        let (token, info) = try openLedger(inv).issueToken(member: try inv.positionalID(0, MemberID.self, "MEMBER"), role: role, label: inv.option("label") ?? "",
                                                           expiresAt: expiresAt)
        if inv.json {
            guard case .object(var o) = info.json else { return 3 }
            o["token"] = .string(token)
            out(JSON.object(o).canonicalString)
        } else {
            out("Token \(info.id) for \(info.member) (\(role.rawValue))\(info.expiresAt.map { ", expires \(Day(timestamp: $0))" } ?? ""); shown this once, keep it secret:")
            out(token)
        }
        return 0
    },
    CommandSpec(path: "token revoke", summary: "revoke an API token by its id", usage: "kring token revoke TOKEN-ID",
                flags: ["json"], positionals: 1...1) { inv in
        let id = try inv.positionalID(0, TokenID.self, "TOKEN-ID (see `kring token list`)")
        try openLedger(inv).revokeToken(id)
        out(inv.json ? JSON.object(["revoked": .id(id)]).canonicalString : "Revoked token \(id).")
        return 0
    },
    CommandSpec(path: "token list", summary: "API tokens (ids, members, roles; never the tokens)", usage: "kring token list [--member ID] [--json]",
                options: ["member"], flags: ["json"]) { inv in
        let rows = try openLedger(inv).tokens(member: try inv.id("member", MemberID.self))
        if inv.json { out(JSON.array(rows.map(\.json)).canonicalString) } else {
            let now = systemClock()
            for t in rows {
                let state = t.revokedAt != nil ? "  [revoked]" : t.expiresAt.map { $0 <= now ? "  [expired]" : "  expires \(Day(timestamp: $0))" } ?? ""
                let used = t.lastUsedAt.map { "  last used \(Day(timestamp: $0))" } ?? "  never used"
                out("\(t.id)  \(t.member)  \(t.role.rawValue)  \(t.label)\(state)\(used)")
            }
        }
        return 0
    },
    CommandSpec(path: "backup", summary: "copy the ledger to a new file while it is in use (SQLite online backup)",
                usage: "kring backup FILE [--json]", flags: ["json"], positionals: 1...1) { inv in
        let pages = try Backup.copy(from: inv.dbPath, to: inv.positionals[0])
        let report = try Verifier.verify(path: inv.positionals[0])
        guard report.ok else { throw StoreError("the backup at \(inv.positionals[0]) does not verify: \(report.divergence.map { "seq \($0.seq): \($0.reason)" } ?? "")") }
        if inv.json { out(JSON.object(["file": .string(inv.positionals[0]), "pages": .int(Int64(pages)), "verify": report.json]).canonicalString) }
        else { out("Backed up \(inv.dbPath) to \(inv.positionals[0]) (\(pages) pages); the copy verifies up to seq \(report.head?.seq ?? 0).") }
        return 0
    },
]

/// Runs the server until SIGTERM or SIGINT.
func serve(_ inv: Invocation, host: String, port: UInt16, limits: HTTPLimits, trustedProxies: Set<String>) throws -> Int32 {
    var token: String? = nil
    var invitations = [(who: String, code: String)]()
    let named = inv.option("public-url") == nil ? nil : try publicURL(inv)
    if inv.flag("demo") {
        if !FileManager.default.fileExists(atPath: inv.dbPath) {
            out("Building the demo community at \(inv.dbPath)…")
            _ = try DemoCommunity.build(at: inv.dbPath, options: DemoOptions(members: 150, months: 18, seed: 42, endDay: Day(timestamp: systemClock())))
        }
        // Only hashes are stored, so the previous start's token cannot be shown again: it is
        // revoked, and one new token is issued; starts do not pile tokens up.
        let ledger = try Ledger(path: inv.dbPath)
        _ = try ledger.revokeTokens(member: demoCoordinator, label: demoTokenLabel)
        token = try ledger.issueToken(member: demoCoordinator, role: .coordinator, label: demoTokenLabel).token
        // One invitation each for a resident, a company and the coordinator: each start makes
        // new ones (the old codes stop working), so the printed links always open.
        let reader = try Reader(path: inv.dbPath)
        let active = try reader.members(status: .active)
        if let resident = active.first(where: { $0.state.info.kind == .person })?.state.info.id {
            invitations.append(("a resident, \(resident)", try ledger.invite(member: resident, days: 7).code))
        }
        if let company = active.first(where: { $0.state.info.kind == .company })?.state.info.id {
            invitations.append(("a company's front desk, \(company)/balie", try ledger.invite(member: company, label: "balie", days: 7).code))
        }
        invitations.append(("the coordinator, \(demoCoordinator)", try ledger.invite(member: demoCoordinator, role: .coordinator, days: 7).code))
    }
    let api = try API(path: inv.dbPath, limits: limits, publicURL: named)
    let quiet = inv.flag("quiet")
    let log: (@Sendable (AccessRecord) -> Void)? = quiet ? nil : accessLog
    let handler: HTTPHandler = { api.handle($0) }
    let server = HTTPServer(limits: limits, trustedProxies: trustedProxies, log: log, handler: handler)
    try server.bind(host: host, port: port)
    api.openConnections = { server.openConnections }
    try StopSignals.install { server.stop() }
    api.warm()
    let base = "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(server.port)"
    let site = named ?? base
    out("Kring serves \(inv.dbPath) at \(base)  (Ctrl-C stops it)")
    out("  the web pages: \(site)/   the API: \(base)/v1/ledger/head   \(base)/v1/offers   \(base)/health   \(base)/metrics")
    if !invitations.isEmpty {
        out("Open an invitation in a browser to choose a password and sign in (each works once, for 7 days):")
        for (who, code) in invitations { out("  \(who): \(invitationLink(code, publicURL: site))") }
    }
    if let token {
        out("Coordinator token for \(demoCoordinator) (shown once; only its hash is stored):")
        out("  \(token)")
        out("  curl -H 'Authorization: Bearer \(token)' \(base)/v1/members")
    }
    server.run()
    api.shutdown()
    out("Stopped: every acknowledged write is committed.")
    return 0
}

/// One access-log line on stderr (no tokens: the record holds the token's id at most).
@Sendable func accessLog(_ r: AccessRecord) { err(r.line) }
