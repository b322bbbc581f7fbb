import Foundation
import KringCore
import KringStore

/// A listing draft from the options of `offer|request add|edit`.
func listingDraft(_ inv: Invocation, side: ListingSide, author: MemberID) throws -> ListingDraft {
    guard let kind = ExchangeKind(rawValue: inv.required("kind")) else {
        throw ArgumentError(.inputInvalid, "--kind is time, space or goods, not \(inv.required("kind")).")
    }
    return ListingDraft(side: side, author: author, kind: kind, domain: inv.required("domain"), title: inv.required("title"),
                        text: inv.option("text") ?? "", place: inv.option("place"), availability: inv.option("availability"),
                        days: try listingDays(inv), challenge: try inv.id("challenge", ChallengeID.self))
}

func listingDays(_ inv: Invocation) throws -> Int64? {
    guard let d = inv.option("days") else { return nil }
    guard let n = Int64(d) else { throw ArgumentError(.inputInvalid, "--days is a whole number of days, not \(d).") }
    return n
}

func listingLine(_ r: ListingRow) -> String {
    let i = r.record.info
    let state = r.record.withdrawn ? "  [withdrawn]" : ""
    return "\(i.id)  \(i.kind.rawValue)/\(i.domain)  \(i.author)  \(r.place ?? "-")  until \(i.expires)  \(i.title)\(state)"
}

func listingFilter(_ inv: Invocation, side: ListingSide?) throws -> ListingFilter {
    func parse<T: RawRepresentable>(_ name: String, _ type: T.Type) throws -> T? where T.RawValue == String {
        guard let v = inv.option(name) else { return nil }
        guard let t = T(rawValue: v) else { throw ArgumentError(.inputInvalid, "--\(name) \(v) is not one of the known values.") }
        return t
    }
    return ListingFilter(side: try side ?? parse("side", ListingSide.self), kind: try parse("kind", ExchangeKind.self), domain: inv.option("domain"),
                         neighbourhood: inv.option("neighbourhood"), memberKind: try parse("member-kind", MemberKind.self), author: try inv.id("member", MemberID.self))
}

/// Who acts on a listing: `--as MEMBER`, or the coordinator when it is absent.
func listingActor(_ inv: Invocation) throws(ArgumentError) -> Actor { try inv.id("as", MemberID.self).map(Actor.member) ?? .coordinator }

func listingCommands(_ side: ListingSide) -> [CommandSpec] {
    let noun = side.rawValue
    let fields = ["kind", "domain", "title", "text", "place", "availability", "days", "challenge"]
    return [
        CommandSpec(path: "\(noun) add", summary: "post \(side == .offer ? "an offer" : "a request") of time, space or goods",
                    usage: "kring \(noun) add --as MEMBER --kind time|space|goods --domain DOMAIN --title TEXT [--text TEXT] [--place P] [--availability TEXT] [--days N] [--challenge ch-N]",
                    options: fields + ["as"], flags: ["json"], required: ["as", "kind", "domain", "title"]) { inv in
            let author = try inv.requiredID("as", MemberID.self)
            return try perform(inv, .postListing(try listingDraft(inv, side: side, author: author)), by: .member(author)) { o in
                if case .listingPosted(let e) = o.event { return "Posted \(e.listing.id), listed until \(e.listing.expires)." }
                return ""
            }
        },
        CommandSpec(path: "\(noun) list", summary: "the public \(noun)s (or every one with --history)",
                    usage: "kring \(noun) list [--kind K] [--domain D] [--neighbourhood N] [--member-kind K] [--member ID] [--history] [--json]",
                    options: ["kind", "domain", "neighbourhood", "member-kind", "member"], flags: ["json", "history"]) { inv in
            let reader = try openReader(inv)
            let rows = try reader.listings(try listingFilter(inv, side: side), today: reader.policy().day(systemClock()), history: inv.flag("history"))
            if inv.json { out(JSON.array(rows.map(\.json)).canonicalString) } else { rows.forEach { out(listingLine($0)) } }
            return 0
        },
        CommandSpec(path: "\(noun) show", summary: "one \(noun), in its latest version", usage: "kring \(noun) show ID [--json]",
                    flags: ["json"], positionals: 1...1) { inv in
            guard let r = try openReader(inv).listing(try inv.positionalID(0, ListingID.self, "ID")), r.record.info.side == side else {
                throw ArgumentError(.listingNotFound, "There is no \(noun) \(inv.positionals[0]).")
            }
            if inv.json { out(r.json.canonicalString); return 0 }
            out(listingLine(r))
            if !r.record.info.text.isEmpty { out("  \(r.record.info.text)") }
            if let a = r.record.info.availability { out("  available: \(a)") }
            out("  version \(r.record.info.version), by \(r.record.info.author) (\(r.authorKind.rawValue))")
            return 0
        },
        CommandSpec(path: "\(noun) edit", summary: "a new version of \(side == .offer ? "an offer" : "a request") (its author or the coordinator)",
                    usage: "kring \(noun) edit ID [--as MEMBER] --kind K --domain D --title TEXT [--text TEXT] [--place P] [--availability TEXT] [--days N]",
                    options: fields + ["as"], flags: ["json"], required: ["kind", "domain", "title"], positionals: 1...1) { inv in
            let id = try inv.positionalID(0, ListingID.self, "ID")
            let actor = try listingActor(inv)
            // The core keeps the listing's own author; the draft's is only a placeholder.
            return try perform(inv, .editListing(id, try listingDraft(inv, side: id.side, author: actor.member ?? poolID)), by: actor) { o in
                if case .listingEdited(let e) = o.event { return "Edited \(id): version \(e.listing.version)." }
                return ""
            }
        },
        CommandSpec(path: "\(noun) withdraw", summary: "take \(side == .offer ? "an offer" : "a request") off the listing; it stays in the history",
                    usage: "kring \(noun) withdraw ID [--as MEMBER]", options: ["as"], flags: ["json"], positionals: 1...1) { inv in
            try perform(inv, .withdrawListing(try inv.positionalID(0, ListingID.self, "ID")), by: try listingActor(inv)) { _ in "Withdrew \(inv.positionals[0])." }
        },
        CommandSpec(path: "\(noun) renew", summary: "list \(side == .offer ? "an offer" : "a request") again for N days (default 90)",
                    usage: "kring \(noun) renew ID [--as MEMBER] [--days N]", options: ["as", "days"], flags: ["json"], positionals: 1...1) { inv in
            try perform(inv, .renewListing(try inv.positionalID(0, ListingID.self, "ID"), days: try listingDays(inv)), by: try listingActor(inv)) { o in
                if case .listingRenewed(let ev) = o.event { return "Renewed \(inv.positionals[0]) until \(ev.expires)." }
                return ""
            }
        },
    ]
}

/// Offers, requests, search and matching.
let marketCommands: [CommandSpec] = listingCommands(.offer) + listingCommands(.request) + [
    CommandSpec(path: "match", summary: "suggest open offers for open requests, within and across policy domains (coordinator)",
                usage: "kring match [--request ID] [--json]", options: ["request"], flags: ["json"]) { inv in
        let reader = try openReader(inv)
        let all = try reader.matches(request: try inv.id("request", ListingID.self), today: reader.policy().day(systemClock()))
        if inv.json { out(JSON.array(all.map(\.json)).canonicalString); return 0 }
        for m in all {
            out("\(m.request.info.id)  \(m.request.info.title)  (\(m.request.info.author), \(m.request.place ?? "-"), \(m.request.info.domain))")
            if m.suggestions.isEmpty { out("    no offer fits yet") }
            for s in m.suggestions {
                out("    \(s.offer.info.id)  \(String(format: "%4.1f", s.score))  \(s.offer.info.title) (\(s.offer.info.author)): \(s.reason)")
            }
        }
        return 0
    },
    CommandSpec(path: "introduce", summary: "introduce the author of an open request to the author of an open offer (coordinator); no credits move",
                usage: "kring introduce --request rq-N --offer of-N [--json]", options: ["request", "offer"], flags: ["json"], required: ["request", "offer"]) { inv in
        let request = try inv.requiredID("request", ListingID.self), offer = try inv.requiredID("offer", ListingID.self)
        return try perform(inv, .introduce(request: request, offer: offer)) { _ in "Introduced \(request) to \(offer)." }
    },
    CommandSpec(path: "introductions", summary: "the introductions made, newest first, and how many became exchanges",
                usage: "kring introductions [--member ID] [--json]", options: ["member"], flags: ["json"]) { inv in
        let reader = try openReader(inv)
        let rows = try reader.introductions(member: try inv.id("member", MemberID.self))
        let (made, became) = try reader.introductionCounts()
        if inv.json {
            out(JSON.object(["items": .array(rows.map(\.json)), "made": .int(made), "became_exchanges": .int(became)]).canonicalString)
            return 0
        }
        for r in rows { out("\(r.request) -> \(r.offer)  seq \(r.seq)  by \(r.by)\(r.exchange.map { "  became \($0)" } ?? "")") }
        out("\(made) introductions, \(became) became exchanges")
        return 0
    },
    CommandSpec(path: "search", summary: "full-text search of the public offers and requests (case and accents do not matter)",
                usage: "kring search TEXT… [--side offer|request] [--kind K] [--domain D] [--neighbourhood N] [--member-kind K] [--limit N] [--json]",
                options: ["side", "kind", "domain", "neighbourhood", "member-kind", "limit"], flags: ["json"], positionals: 1...Reader.maxSearchWords) { inv in
        var limit = 50
        if let l = inv.option("limit") {
            guard let n = Int(l), (1...500).contains(n) else { throw ArgumentError(.inputInvalid, "--limit takes 1 to 500, not \(l).") }
            limit = n
        }
        let reader = try openReader(inv)
        let rows = try reader.search(inv.positionals.joined(separator: " "), filter: try listingFilter(inv, side: nil),
                                     today: reader.policy().day(systemClock()), limit: limit)
        if inv.json { out(JSON.array(rows.map(\.json)).canonicalString) } else { rows.forEach { out(listingLine($0)) } }
        return 0
    },
]
