import Foundation
import KringCore
import KringReport
import KringStore

extension API {
    /// The page size asked for (`limit`), 1…500, default 100.
    static func pageSize(_ ctx: inout Context) throws(APIError) -> Int {
        try ctx.query.int("limit", range: 1...API.maxPageSize) ?? API.defaultPageSize
    }

    static func intCursor(_ ctx: inout Context) throws(APIError) -> Int64? {
        guard let c = ctx.query.string("cursor") else { return nil }
        guard let n = Int64(c), n > 0 else { throw APIError.badRequest("The cursor \(c.prefix(60)) is not one this API gave out.") }
        return n
    }

    /// What other members see of a member: a directory entry, no balance, no limits.
    static func directoryJSON(_ r: MemberRow) -> JSON {
        let i = r.state.info
        return .object(["id": .id(i.id), "name": .string(i.name), "kind": .string(i.kind.rawValue), "status": .string(r.state.status.rawValue),
                        "neighbourhood": i.neighbourhood.map(JSON.string) ?? .null, "domains": .array(i.domains.map(JSON.string))])
    }

    static func listingFilter(_ ctx: inout Context, side: ListingSide?) throws(APIError) -> ListingFilter {
        ListingFilter(side: side, kind: try ctx.query.enumValue("kind", ExchangeKind.self), domain: ctx.query.string("domain"),
                      neighbourhood: ctx.query.string("neighbourhood"), memberKind: try ctx.query.enumValue("member_kind", MemberKind.self),
                      author: try ctx.query.id("author", MemberID.self))
    }

    static func listingRoute(_ side: ListingSide) -> Route {
        Route("GET", "/v1/\(side.rawValue)s", .public, "list the public \(side.rawValue)s") { ctx in
            let filter = try listingFilter(&ctx, side: side)
            let limit = try pageSize(&ctx), before = try intCursor(&ctx)
            try ctx.query.finish()
            let today = ctx.today
            let rows = try ctx.read { try $0.listings(filter, today: today, before: before, limit: limit + 1) }
            return page(rows, limit: limit, json: \.json, cursor: { String($0.updatedSeq) })
        }
    }

    /// The statistics parameters of a query: period, from, to, k (at least 5 in public).
    static func statsParameters(_ ctx: inout Context) throws(APIError) -> (StatsPeriod, Day?, Day?, Int) {
        let period = try ctx.query.enumValue("period", StatsPeriod.self) ?? .month
        let from = try ctx.query.day("from"), to = try ctx.query.day("to")
        let k = try ctx.query.int("k", range: 5...1_000) ?? 5
        return (period, from, to, k)
    }

    static let readRoutes: [Route] = [
        Route("GET", "/health", .public, "check the server") { ctx in
            try ctx.query.finish()
            let head = try ctx.read { try $0.head() }
            return ok(.object(["status": .string("ok"), "head_seq": .int(head.seq)]))
        },
        Route("GET", "/metrics", .public, "read the metrics") { ctx in
            try ctx.query.finish()
            let text = ctx.api.metrics.render(headSeq: ctx.api.ledger.head.seq, openConnections: ctx.api.openConnections())
            return .text(200, text, contentType: "text/plain; version=0.0.4; charset=utf-8")
        },
        Route("GET", "/v1/ledger/head", .public, "read the ledger head") { ctx in
            try ctx.query.finish()
            return ok(try ctx.read { try $0.head() }.json)
        },
        listingRoute(.offer),
        listingRoute(.request),
        Route("GET", "/v1/listings/{id}", .public, "read a listing") { ctx in
            try ctx.query.finish()
            let id = try ctx.pathID(ListingID.self), today = ctx.today
            guard let r = try ctx.read({ try $0.listing(id) }) else { throw APIError(404, RuleCode.listingNotFound, "There is no listing \(id).") }
            // Withdrawn, fulfilled or expired listings, and those of members no longer active,
            // are history: their author and coordinators see them.
            let authorActive = try ctx.read { try $0.member(r.record.info.author) }?.state.status == .active
            let open = r.record.isOpen(on: today) && authorActive
            if !open && !(ctx.isCoordinator || ctx.principal?.member == r.record.info.author) {
                throw APIError(404, RuleCode.listingNotFound, "There is no open listing \(id).")
            }
            return ok(r.json)
        },
        Route("GET", "/v1/search", .public, "search the public listings") { ctx in
            guard let q = ctx.query.string("q") else { throw APIError.badRequest("Search needs q, the words to look for.") }
            let side = try ctx.query.enumValue("side", ListingSide.self)
            let filter = try listingFilter(&ctx, side: side)
            let limit = try ctx.query.int("limit", range: 1...API.maxPageSize) ?? 50
            try ctx.query.finish()
            let today = ctx.today
            let index = ctx.api.searchIndex
            let rows = try ctx.read { try $0.search(q, filter: filter, today: today, limit: limit, index: index) }
            return ok(.object(["items": .array(rows.map(\.json)), "next_cursor": .null]))
        },
        Route("GET", "/v1/stats", .public, "read the statistics") { ctx in
            let (period, from, to, k) = try statsParameters(&ctx)
            let by = try ctx.query.enumValue("by", StatsBreakdown.self)
            try ctx.query.finish()
            guard let chosen = Negotiation.choose(ctx.request.header("accept"), offered: ["application/json", "text/csv"]) else {
                throw APIError(406, .httpNotAcceptable, "The statistics are served as application/json or text/csv; the Accept header takes neither.")
            }
            let csv = chosen == "text/csv"
            let key = "\(csv ? "csv" : "json")|\(period)|\(from?.description ?? "")|\(to?.description ?? "")|\(k)|\(by?.rawValue ?? "")"
            let isDefault = period == .month && from == nil && to == nil && k == 5 && by == nil
            let body = try ctx.api.statistics(key: key, isDefault: isDefault, render: { r in
                csv ? Array(r.only(by).csv.utf8) : r.only(by).json.canonicalBytes
            }, period: period, from: from, to: to, k: k)
            return HTTPResponse(status: 200, headers: [("Content-Type", csv ? "text/csv; charset=utf-8" : "application/json"), ("Vary", "Accept")], body: body)
        },
        Route("GET", "/stats", .public, "read the statistics page") { ctx in
            let (period, from, to, k) = try statsParameters(&ctx)
            let lang = try ctx.query.enumValue("lang", StatsLanguage.self) ?? .nl
            try ctx.query.finish()
            let key = "html|\(period)|\(from?.description ?? "")|\(to?.description ?? "")|\(k)|\(lang)"
            let isDefault = period == .month && from == nil && to == nil && k == 5
            let body = try ctx.api.statistics(key: key, isDefault: isDefault, render: { Array($0.html(lang).utf8) }, period: period, from: from, to: to, k: k)
            return HTTPResponse(status: 200, headers: [("Content-Type", "text/html; charset=utf-8")], body: body)
        },
        Route("GET", "/v1/me", .token, "read who the token belongs to") { ctx in
            try ctx.query.finish()
            let p = ctx.caller
            let row = try ctx.read { try $0.member(p.member) }
            return ok(.object(["member": row.map(\.json) ?? .null, "role": .string(p.role.rawValue), "token_id": .id(p.tokenID)]))
        },
        Route("GET", "/v1/members", .token, "list members") { ctx in
            let kind = try ctx.query.enumValue("kind", MemberKind.self), status = try ctx.query.enumValue("status", MemberStatus.self)
            let limit = try pageSize(&ctx)
            let after: MemberID? = try ctx.query.string("cursor").map { c throws(APIError) in
                guard let m = MemberID(canonical: c) else { throw APIError.badRequest("The cursor \(quoted(c)) is not one this API gave out.") }
                return m
            }
            try ctx.query.finish()
            let rows = try ctx.read { try $0.memberPage(kind: kind, status: status, after: after, limit: limit + 1) }
            let full = ctx.isCoordinator, me = ctx.caller.member
            return page(rows, limit: limit, json: { full || $0.state.info.id == me ? $0.json : directoryJSON($0) }, cursor: { $0.state.info.id.handle })
        },
        Route("GET", "/v1/members/{id}", .token, "read a member") { ctx in
            try ctx.query.finish()
            let id = try ctx.pathID(MemberID.self)
            guard let r = try ctx.read({ try $0.member(id) }) else { throw RuleViolation(.memberNotFound, .notFound(.member(id))) }
            return ok(ctx.isCoordinator || ctx.caller.member == id ? r.json : directoryJSON(r))
        },
        Route("GET", "/v1/members/{id}/balance", .token, "read a balance") { ctx in
            try ctx.query.finish()
            let id = try ctx.pathID(MemberID.self)
            try ctx.requireSelfOrCoordinator(id, "balance")
            // The balance and the head it is at, from one snapshot.
            let (row, head) = try ctx.read { r in (try r.balance(of: id), try r.head()) }
            guard let r = row else { throw RuleViolation(.memberNotFound, .notFound(.member(id))) }
            // Written directly, keys in canonical order (the busiest read: no dictionary to
            // build and sort).
            var w = CanonicalWriter(capacity: 192)
            w.beginObject()
            w.key("balance_minutes"); w.int(r.balance.value)
            w.key("ceiling_minutes"); if let c = r.ceiling { w.int(c.value) } else { w.null() }
            w.key("floor_minutes"); w.int(r.floor.value)
            w.key("ledger_head"); w.beginObject()
            w.key("hash"); w.string(head.hash)
            w.key("seq"); w.int(head.seq)
            w.key("ts"); w.int(head.timestamp)
            w.endObject()
            w.key("member"); w.string(id.description)
            w.endObject()
            return .json(200, w.bytes)
        },
        Route("GET", "/v1/members/{id}/statement", .token, "read a statement") { ctx in
            let id = try ctx.pathID(MemberID.self)
            try ctx.requireSelfOrCoordinator(id, "statement")
            let from = try ctx.query.day("from"), to = try ctx.query.day("to")
            let limit = try pageSize(&ctx), after = try intCursor(&ctx)
            try ctx.query.finish()
            guard let s = try ctx.read({ try $0.statement(id, from: from, to: to, afterPosting: after, limit: limit + 1) }) else {
                throw RuleViolation(.memberNotFound, .notFound(.member(id)))
            }
            let lines = s.lines.prefix(limit)
            let more = s.lines.count > limit
            let closing = lines.last?.balance ?? s.opening
            return ok(.object([
                "member": .id(id), "from": from.map { .string($0.description) } ?? .null, "to": to.map { .string($0.description) } ?? .null,
                "opening_minutes": .int(s.opening.value), "closing_minutes": .int(closing.value), "lines": .array(lines.map(\.json)),
                "ledger_head": s.head.json, "next_cursor": more ? .string(String(lines.last!.postingID)) : .null,
            ]))
        },
        Route("GET", "/v1/exchanges", .token, "list exchanges") { ctx in
            var member = try ctx.query.id("member", MemberID.self)
            if !ctx.isCoordinator {
                if let m = member, m != ctx.caller.member { throw APIError.forbidden("A member lists only their own exchanges, not \(m)'s.") }
                member = ctx.caller.member
            }
            let state = try ctx.query.enumValue("state", ExchangeState.self)
            let limit = try pageSize(&ctx), before = try intCursor(&ctx)
            try ctx.query.finish()
            let rows = try ctx.read { [member] in try $0.exchanges(member: member, state: state, before: before, limit: limit + 1) }
            return page(rows, limit: limit, json: \.json, cursor: { String($0.record.info.id.number) })
        },
        Route("GET", "/v1/exchanges/{id}", .token, "read an exchange") { ctx in
            try ctx.query.finish()
            let id = try ctx.pathID(ExchangeID.self)
            guard let r = try ctx.read({ try $0.exchange(id) }) else { throw RuleViolation(.exchangeNotFound, .notFound(.exchange(id))) }
            let parties = Set(r.record.info.providers + r.record.info.receivers)
            guard ctx.isCoordinator || parties.contains(ctx.caller.member) else {
                throw APIError.forbidden("A member sees only exchanges they are party to; \(id) is not one of them.")
            }
            return ok(r.json)
        },
        Route("GET", "/v1/pool", .token, "read the pool") { ctx in
            try ctx.query.finish()
            let b = try ctx.read { try $0.balance(poolID) } ?? .zero
            return ok(.object(["member": .id(poolID), "balance_minutes": .int(b.value)]))
        },
        Route("GET", "/v1/offers/{id}/bookings", .token, "read a space's hours and bookings") { ctx in
            let offer = try ctx.pathID(ListingID.self)
            let date = try ctx.query.day("date")
            try ctx.query.finish()
            let today = ctx.today
            let (hours, rows, listing) = try ctx.read { r in (try r.spaceHours(offer), try r.bookings(of: offer, on: date, from: date == nil ? today : nil), try r.listing(offer)) }
            guard let hours else { throw RuleViolation(.spaceHours, .noHours(offer)) }
            let owner = listing?.record.info.author
            let me = ctx.caller.member, full = ctx.isCoordinator || me == owner
            return ok(.object(["offer": .id(offer), "hours": hours.json, "bookings": .array(rows.map { b in
                // Who booked, and what they ask, is the owner's and the booker's business; others see the slot.
                guard !full && b.info.member != me, case .object(var o) = b.json else { return b.json }
                o["member"] = .null
                o["question"] = .null
                return .object(o)
            })]))
        },
        Route("GET", "/v1/loans", .token, "list loans") { ctx in
            var member = try ctx.query.id("member", MemberID.self)
            if !ctx.isCoordinator {
                if let m = member, m != ctx.caller.member { throw APIError.forbidden("A member lists only their own loans, not \(m)'s.") }
                member = ctx.caller.member
            }
            let openOnly = ctx.query.string("open").map { $0 == "true" } ?? false
            let limit = try pageSize(&ctx), before = try intCursor(&ctx)
            try ctx.query.finish()
            let rows = try ctx.read { [member] in try $0.loans(member: member, outOnly: openOnly, before: before, limit: limit + 1) }
            return page(rows, limit: limit, json: \.json, cursor: { String($0.info.id.number) })
        },
        Route("GET", "/v1/introductions", .token, "list introductions") { ctx in
            // A member sees the introductions of their own listings; a coordinator every one,
            // with the counts the desk shows.
            try ctx.query.finish()
            let member = ctx.isCoordinator ? nil : ctx.caller.member
            let (rows, counts) = try ctx.read { r in (try r.introductions(member: member), try r.introductionCounts()) }
            var body: [String: JSON] = ["items": .array(rows.map(\.json))]
            if ctx.isCoordinator { body["made"] = .int(counts.made); body["became_exchanges"] = .int(counts.became) }
            return ok(.object(body))
        },
        Route("GET", "/v1/loans/overdue", .coordinator, "list overdue loans") { ctx in
            let limit = try pageSize(&ctx), after = ctx.query.string("cursor")
            try ctx.query.finish()
            let today = ctx.today
            let rows = try ctx.read { try $0.overdueLoans(today: today) }
            return try slice(rows, after: after, limit: limit, key: \.info.id.description, json: \.json)
        },
        Route("GET", "/v1/matches", .token, "match requests to offers") { ctx in
            let request = try ctx.query.id("request", ListingID.self)
            let limit = try pageSize(&ctx), after = ctx.query.string("cursor")
            try ctx.query.finish()
            let today = ctx.today
            // A member sees (and the server computes) suggestions for their own requests only.
            let author: MemberID? = ctx.isCoordinator ? nil : ctx.caller.member
            if let author, let request, let listing = try ctx.read({ try $0.listing(request) }), listing.record.info.author != author {
                throw APIError.forbidden("A member sees matches for their own requests only.")
            }
            let rows = try ctx.read { try $0.matches(request: request, author: author, today: today) }
            return try slice(rows, after: after, limit: limit, key: \.request.info.id.description, json: \.json)
        },
        Route("GET", "/v1/challenges", .token, "list challenges") { ctx in
            let all = ctx.query.string("all").map { $0 == "true" } ?? false
            let limit = try pageSize(&ctx), after = ctx.query.string("cursor")
            try ctx.query.finish()
            let today = ctx.today
            let rows = try ctx.read { try $0.challenges(today: today, all: all) }
            return try slice(rows, after: after, limit: limit, key: \.info.id.description, json: \.summaryJSON)
        },
        Route("GET", "/v1/challenges/{id}", .token, "read a challenge's report") { ctx in
            try ctx.query.finish()
            let id = try ctx.pathID(ChallengeID.self)
            guard let r = try ctx.read({ try $0.challengeReport(id) }) else { throw RuleViolation(.challengeNotFound, .notFound(.challenge(id))) }
            return ok(r.json)
        },
        Route("GET", "/v1/policy", .token, "read the policy") { ctx in
            try ctx.query.finish()
            return ok(try ctx.read { try $0.policy() }.json)
        },
        Route("GET", "/v1/verify", .coordinator, "verify the ledger") { ctx in
            try ctx.query.finish()
            return ok(try ctx.api.verifyReport())
        },
    ]
}
