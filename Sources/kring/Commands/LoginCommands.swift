import Foundation
import KringCore
import KringStore

/// Where the web pages are served when nobody says otherwise (`kring serve`'s default).
let defaultPublicURL = "http://127.0.0.1:8080"

/// The link that opens invitation `code` on the site at `publicURL`.
func invitationLink(_ code: String, publicURL: String) -> String {
    var base = publicURL
    while base.hasSuffix("/") { base.removeLast() }
    return "\(base)/invitation/\(code)"
}

/// Reads `--public-url`: an http or https origin without a path, query or fragment.
func publicURL(_ inv: Invocation) throws(ArgumentError) -> String {
    guard let v = inv.option("public-url") else { return defaultPublicURL }
    guard let u = URL(string: v), let scheme = u.scheme, ["http", "https"].contains(scheme), u.host != nil, u.path.isEmpty || u.path == "/",
          u.query == nil, u.fragment == nil, u.user == nil else {
        throw ArgumentError(.inputInvalid, "--public-url is the site's origin, like https://kring.example.be, not \(v.prefix(80)).")
    }
    return v.hasSuffix("/") ? String(v.dropLast()) : v
}

/// Web logins: invitations (no e-mail: the coordinator hands over the link), listing, revoking.
let loginCommands: [CommandSpec] = [
    CommandSpec(path: "member invite", summary: "invite a person to sign in for a member: prints a one-time link to choose a password (coordinator)",
                usage: "kring member invite ID [--label TEXT] [--role member|coordinator] [--days 14] [--public-url URL] [--json]",
                options: ["label", "role", "days", "public-url"], flags: ["json"], positionals: 1...1) { inv in
        let roleText = inv.option("role") ?? "member"
        guard let role = TokenRole(rawValue: roleText) else { throw ArgumentError(.inputInvalid, "--role is member or coordinator, not \(roleText.prefix(40)).") }
        let daysText = inv.option("days") ?? "14"
        guard let days = Int64(daysText) else { throw ArgumentError(.inputInvalid, "--days is a whole number of days, not \(daysText.prefix(40)).") }
        let site = try publicURL(inv)
        let invitation = try openLedger(inv).invite(member: try inv.positionalID(0, MemberID.self, "ID"), label: inv.option("label") ?? "", role: role, days: days)
        let link = invitationLink(invitation.code, publicURL: site)
        if inv.json {
            out(JSON.object(["login": .id(invitation.login.id), "name": .string(invitation.login.name), "role": .string(role.rawValue),
                             "expires_at": .int(invitation.expiresAt), "link": .string(link)]).canonicalString)
        } else {
            out("Invitation for \(invitation.login.name) (\(role.rawValue)), valid until \(Day(timestamp: invitation.expiresAt)); open the link to choose a password. Shown this once:")
            out(link)
        }
        return 0
    },
    CommandSpec(path: "login list", summary: "list web logins, optionally of one member (never a password or session)",
                usage: "kring login list [--member ID] [--json]", options: ["member"], flags: ["json"]) { inv in
        let logins = try openLedger(inv).logins(member: try inv.id("member", MemberID.self))
        if inv.json {
            out(JSON.array(logins.map { l in
                .object(["id": .id(l.id), "member": .id(l.member), "name": .string(l.name), "role": .string(l.role.rawValue), "created_at": .int(l.createdAt),
                         "revoked_at": l.revokedAt.map(JSON.int) ?? .null, "password_set_at": l.passwordSetAt.map(JSON.int) ?? .null])
            }).canonicalString)
        } else {
            for l in logins {
                let state = l.revokedAt != nil ? "revoked" : l.passwordSetAt == nil ? "invited" : "active"
                out("\(l.id)  \(l.name)  \(l.role.rawValue)  \(state)")
            }
        }
        return 0
    },
    CommandSpec(path: "login revoke", summary: "revoke a web login: it signs in no more and its sessions end (coordinator)",
                usage: "kring login revoke LOGIN", positionals: 1...1) { inv in
        let id = try inv.positionalID(0, LoginID.self, "LOGIN")
        try openLedger(inv).revokeLogin(id)
        out("Revoked \(id); its sessions end at their next request.")
        return 0
    },
]
