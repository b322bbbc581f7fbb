import Foundation
import KringCore
import KringStore

/// Challenges: co-creation around one local problem.
let challengeCommands: [CommandSpec] = [
    CommandSpec(path: "challenge add", summary: "post a local problem for co-creation (the municipality or an association)",
                usage: "kring challenge add --as MEMBER --title TEXT [--text TEXT] --domains a,b --ends YYYY-MM-DD",
                options: ["as", "title", "text", "domains", "ends"], flags: ["json"], required: ["as", "title", "domains", "ends"]) { inv in
        guard let ends = try inv.day("ends") else { throw ArgumentError(.inputInvalid, "--ends is required.") }
        let author = try inv.requiredID("as", MemberID.self)
        return try perform(inv, .postChallenge(author: author, title: inv.required("title"), text: inv.option("text") ?? "",
                                               domains: inv.list("domains"), ends: ends), by: .member(author)) { o in
            if case .challengePosted(let e) = o.event { return "Posted \(e.challenge.id), open until \(e.challenge.ends)." }
            return ""
        }
    },
    CommandSpec(path: "challenge list", summary: "open challenges (all with --all)", usage: "kring challenge list [--all] [--json]", flags: ["json", "all"]) { inv in
        let reader = try openReader(inv)
        let rows = try reader.challenges(today: reader.policy().day(systemClock()), all: inv.flag("all"))
        if inv.json {
            out(JSON.array(rows.map(\.summaryJSON)).canonicalString)
        } else {
            for c in rows { out("\(c.info.id)  \(c.info.title)  (\(c.info.author); \(c.info.domains.joined(separator: ", ")); until \(c.info.ends); \(c.members.count) joined)\(c.closed ? "  [closed]" : "")") }
        }
        return 0
    },
    CommandSpec(path: "challenge show", summary: "who joined (by kind and domain), pledges and the exchanges they became",
                usage: "kring challenge show ID [--json]", flags: ["json"], positionals: 1...1) { inv in
        guard let r = try openReader(inv).challengeReport(try inv.positionalID(0, ChallengeID.self, "ID")) else {
            throw ArgumentError(.challengeNotFound, "There is no challenge \(inv.positionals[0]).")
        }
        if inv.json { out(r.json.canonicalString); return 0 }
        let i = r.record.info
        out("\(i.id)  \(i.title)  (\(i.author); \(i.domains.joined(separator: ", ")); until \(i.ends))\(r.record.closed ? "  [closed]" : "")")
        if !i.text.isEmpty { out("  \(i.text)") }
        out("  joined: \(r.record.members.count) — " + r.joinedByKind.map { "\($0.count) \($0.kind.rawValue)" }.joined(separator: ", "))
        if !r.joinedByDomain.isEmpty { out("  their domains: " + r.joinedByDomain.map { "\($0.domain) \($0.count)" }.joined(separator: ", ")) }
        for p in r.pledges { out("  pledge: \(p.pledge.member) \(p.pledge.kind.rawValue): \(p.pledge.what)" + (p.becameExchange.map { " -> \($0)" } ?? "")) }
        if !r.listings.isEmpty { out("  offers and requests: \(r.listings.map(\.description).joined(separator: ", "))") }
        if !r.exchanges.isEmpty { out("  exchanges: \(r.exchanges.map(\.description).joined(separator: ", "))") }
        return 0
    },
    CommandSpec(path: "challenge join", summary: "join a challenge", usage: "kring challenge join ID --as MEMBER",
                options: ["as"], flags: ["json"], required: ["as"], positionals: 1...1) { inv in
        let who = try inv.requiredID("as", MemberID.self)
        return try perform(inv, .joinChallenge(try inv.positionalID(0, ChallengeID.self, "ID"), member: who), by: .member(who)) { _ in
            "\(inv.required("as")) joined \(inv.positionals[0])."
        }
    },
    CommandSpec(path: "challenge pledge", summary: "pledge time, space or goods to a challenge you joined",
                usage: "kring challenge pledge ID --as MEMBER --kind time|space|goods --what TEXT",
                options: ["as", "kind", "what"], flags: ["json"], required: ["as", "kind", "what"], positionals: 1...1) { inv in
        guard let kind = ExchangeKind(rawValue: inv.required("kind")) else { throw ArgumentError(.inputInvalid, "--kind is time, space or goods.") }
        let p = Pledge(challenge: try inv.positionalID(0, ChallengeID.self, "ID"), member: try inv.requiredID("as", MemberID.self), kind: kind, what: inv.required("what"))
        return try perform(inv, .pledge(p), by: .member(p.member)) { _ in "\(p.member) pledged \(kind.rawValue) to \(p.challenge)." }
    },
    CommandSpec(path: "challenge close", summary: "close a challenge (who posted it or the coordinator)", usage: "kring challenge close ID [--as MEMBER]",
                options: ["as"], flags: ["json"], positionals: 1...1) { inv in
        try perform(inv, .closeChallenge(try inv.positionalID(0, ChallengeID.self, "ID")), by: try listingActor(inv)) { _ in "Closed \(inv.positionals[0])." }
    },
]
