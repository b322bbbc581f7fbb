import Foundation
import KringCore
import KringStore

extension API {
    /// The member a write is for: `field` in the body, else the caller. A member may name
    /// only themself (the core checks it again; this answers early and clearly).
    static func subject(_ ctx: Context, _ body: inout Body, _ field: String) throws(APIError) -> MemberID {
        let named = try body.optID(field, MemberID.self)
        if ctx.isCoordinator {
            // A coordinator acts for a member, and says which: an access rule, not malformed input.
            guard let named else { throw APIError.forbidden("A coordinator acts for a member named in \(field).") }
            return named
        }
        if let named, named != ctx.caller.member {
            throw APIError.forbidden("A member acts only for themself; \(field) is \(named), the token is \(ctx.caller.member)'s.")
        }
        return ctx.caller.member
    }

    /// A POST route: reads the body into a command (and the actor it runs as), runs it
    /// through the group committer.
    static func post(_ template: String, _ access: Access, _ summary: String, created: Bool = false,
                     _ build: @escaping @Sendable (Context, inout Body) throws -> (Command, Actor?)) -> Route {
        Route("POST", template, access, summary) { ctx in
            try ctx.query.finish()
            var body = try Body(ctx.request)
            let (command, actor) = try build(ctx, &body)
            try body.finish()
            return try ctx.api.write(ctx, status: created ? 201 : 200, command: command, actor: actor ?? ctx.caller.actor)
        }
    }

    static func exchangeDraft(_ body: inout Body) throws(APIError) -> ExchangeDraft {
        guard let providers = try body.ids("providers", MemberID.self), !providers.isEmpty else { throw APIError.badRequest("The field providers is required.") }
        guard let receivers = try body.ids("receivers", MemberID.self), !receivers.isEmpty else { throw APIError.badRequest("The field receivers is required.") }
        guard let kind = try body.enumValue("kind", ExchangeKind.self) else { throw APIError.badRequest("The field kind is required: time, space or goods.") }
        return ExchangeDraft(providers: providers, receivers: receivers, kind: kind, domain: try body.string("domain"),
                             what: try body.string("what"), credits: try body.minutes("credits_minutes"),
                             quantity: try body.optInt("quantity", min: 1, max: 1_000_000), date: try body.day("date"),
                             links: try body.ids("links", ExchangeLink.self) ?? [])
    }

    /// A proposal's or consent's member: themself, or for a coordinator the member named in `as`.
    static func partyActor(_ ctx: Context, _ body: inout Body) throws(APIError) -> Actor {
        .member(try subject(ctx, &body, "as"))
    }

    static func listingDraft(_ ctx: Context, _ body: inout Body, side: ListingSide, author: MemberID) throws(APIError) -> ListingDraft {
        guard let kind = try body.enumValue("kind", ExchangeKind.self) else { throw APIError.badRequest("The field kind is required: time, space or goods.") }
        return ListingDraft(side: side, author: author, kind: kind, domain: try body.string("domain"), title: try body.string("title"),
                            text: try body.optString("text") ?? "", place: try body.optString("place", max: 200),
                            availability: try body.optString("availability", max: 500), days: try body.optInt("days", min: 0, max: 10_000),
                            challenge: try body.optID("challenge", ChallengeID.self))
    }

    static func limitChange(_ body: inout Body, _ key: String, signed: Bool) throws(APIError) -> LimitChange {
        guard body.has(key) else { return .keep }
        guard let v = try body.optInt(key, min: signed ? -525_600 : 0, max: 525_600) else { return .clear }
        return .set(Minutes(v))
    }

    static func clock(_ body: inout Body, _ key: String) throws(APIError) -> Int64 {
        let s = try body.string(key)
        guard let m = SpaceHours.clockMinutes(s) else { throw APIError.badRequest("The field \(key) is a time like 09:30, not \(s.prefix(20)).") }
        return m
    }

    static let writeRoutes: [Route] = [
        post("/v1/members", .coordinator, "register members", created: true) { _, b in
            guard let kind = try b.enumValue("kind", MemberKind.self) else { throw APIError.badRequest("The field kind is required.") }
            return (.addMember(MemberDraft(id: try b.id("id", MemberID.self), name: try b.string("name"), kind: kind,
                                           neighbourhood: try b.optString("neighbourhood", max: 200), domains: try b.strings("domains") ?? [])), nil)
        },
        post("/v1/members/{id}/suspend", .coordinator, "suspend members") { ctx, _ in (.suspend(try ctx.pathID(MemberID.self)), nil) },
        post("/v1/members/{id}/reinstate", .coordinator, "reinstate members") { ctx, _ in (.reinstate(try ctx.pathID(MemberID.self)), nil) },
        post("/v1/members/{id}/leave", .token, "end a membership") { ctx, _ in (.leave(try ctx.pathID(MemberID.self)), nil) },
        post("/v1/members/{id}/limits", .coordinator, "change a member's limits") { ctx, b in
            (.setLimits(try ctx.pathID(MemberID.self), floor: try limitChange(&b, "floor_minutes", signed: true), ceiling: try limitChange(&b, "ceiling_minutes", signed: false)), nil)
        },
        post("/v1/policy", .coordinator, "change the policy") { ctx, b in
            let name = try b.string("setting"), value = try b.string("value")
            let policy = try ctx.read { try $0.policy() }
            return (.setPolicy(try policy.setting(name, to: value)), nil)
        },
        post("/v1/exchanges", .token, "propose exchanges", created: true) { ctx, b in
            let actor = try partyActor(ctx, &b)
            return (.propose(try exchangeDraft(&b)), actor)
        },
        post("/v1/exchanges/recorded", .coordinator, "record an exchange with both consents", created: true) { _, b in
            let draft = try exchangeDraft(&b)
            return (.record(draft, reason: try b.optString("reason", max: 1_000)), nil)
        },
        post("/v1/exchanges/{id}/confirm", .token, "confirm exchanges") { ctx, b in (.confirm(try ctx.pathID(ExchangeID.self)), try partyActor(ctx, &b)) },
        post("/v1/exchanges/{id}/reject", .token, "reject exchanges") { ctx, b in
            (.reject(try ctx.pathID(ExchangeID.self), reason: try b.optString("reason")), try partyActor(ctx, &b))
        },
        post("/v1/exchanges/{id}/cancel", .token, "cancel proposals") { ctx, b in
            (.cancel(try ctx.pathID(ExchangeID.self), reason: try b.optString("reason")), try partyActor(ctx, &b))
        },
        post("/v1/exchanges/{id}/reverse", .coordinator, "reverse an exchange") { ctx, b in
            (.reverse(try ctx.pathID(ExchangeID.self), reason: try b.string("reason")), nil)
        },
        post("/v1/pool/donations", .token, "donate to the pool", created: true) { ctx, b in
            (.donate(from: try subject(ctx, &b, "from"), minutes: try b.minutes("credits_minutes")), nil)
        },
        post("/v1/pool/grants", .coordinator, "grant from the pool", created: true) { _, b in
            (.grant(to: try b.id("to", MemberID.self), minutes: try b.minutes("credits_minutes"), reason: try b.string("reason")), nil)
        },
        post("/v1/offers", .token, "post offers", created: true) { ctx, b in
            let author = try subject(ctx, &b, "author")
            return (.postListing(try listingDraft(ctx, &b, side: .offer, author: author)), nil)
        },
        post("/v1/requests", .token, "post requests", created: true) { ctx, b in
            let author = try subject(ctx, &b, "author")
            return (.postListing(try listingDraft(ctx, &b, side: .request, author: author)), nil)
        },
        post("/v1/listings/{id}/edit", .token, "edit listings") { ctx, b in
            let id = try ctx.pathID(ListingID.self)
            // The author stays the listing's own; the core keeps it whatever the draft says.
            return (.editListing(id, try listingDraft(ctx, &b, side: id.side, author: ctx.caller.member)), nil)
        },
        post("/v1/listings/{id}/withdraw", .token, "withdraw listings") { ctx, _ in (.withdrawListing(try ctx.pathID(ListingID.self)), nil) },
        post("/v1/listings/{id}/renew", .token, "renew listings") { ctx, b in (.renewListing(try ctx.pathID(ListingID.self), days: try b.optInt("days", min: 0, max: 10_000)), nil) },
        post("/v1/offers/{id}/hours", .token, "set a space's or an expert's opening hours") { ctx, b in
            // The path first: an id that names nothing is 404 whatever the body says.
            let offer = try ctx.pathID(ListingID.self)
            let capacity = try b.int("capacity", min: 0, max: 100_000)
            let weekly = try b.string("weekly")
            guard let week = SpaceHours.parseWeek(weekly) else {
                throw APIError.badRequest("The field weekly reads like \"mon-fri 09:00-17:00; sat 10:00-12:00\", not \(weekly.prefix(80)).")
            }
            var closed = [Day]()
            for d in try b.strings("closed", max: 366) ?? [] {
                guard let day = Day(iso: d) else { throw APIError.badRequest("The field closed lists dates like 2026-12-25, not \(d.prefix(20)).") }
                closed.append(day)
            }
            let session = try b.optInt("session_minutes", min: 0, max: 100_000)
            return (.setSpaceHours(offer, SpaceHours(capacity: capacity, weekly: week, closed: closed, session: session)), nil)
        },
        post("/v1/bookings", .token, "book spaces", created: true) { ctx, b in
            let member = try subject(ctx, &b, "member")
            guard let date = try b.day("date") else { throw APIError.badRequest("The field date is required.") }
            let draft = BookingDraft(offer: try b.id("offer", ListingID.self), member: member, date: date, start: try clock(&b, "from"),
                                     end: try clock(&b, "to"), people: try b.int("people", min: 0, max: 100_000), question: try b.optString("question", max: 1_000))
            return (.book(draft), nil)
        },
        post("/v1/bookings/{id}/cancel", .token, "cancel bookings") { ctx, b in (.cancelBooking(try ctx.pathID(BookingID.self), reason: try b.optString("reason")), nil) },
        post("/v1/loans", .token, "record loans", created: true) { ctx, b in
            let lender = try subject(ctx, &b, "lender")
            guard let due = try b.day("due") else { throw APIError.badRequest("The field due is required.") }
            return (.lend(LoanDraft(lender: lender, borrower: try b.id("borrower", MemberID.self), what: try b.string("what"),
                                    offer: try b.optID("offer", ListingID.self), due: due)), nil)
        },
        post("/v1/loans/{id}/return", .token, "record returns") { ctx, _ in (.returnLoan(try ctx.pathID(LoanID.self)), nil) },
        post("/v1/challenges", .token, "post challenges", created: true) { ctx, b in
            let author = try subject(ctx, &b, "author")
            guard let ends = try b.day("ends") else { throw APIError.badRequest("The field ends is required.") }
            return (.postChallenge(author: author, title: try b.string("title"), text: try b.optString("text") ?? "",
                                   domains: try b.strings("domains") ?? [], ends: ends), nil)
        },
        post("/v1/challenges/{id}/join", .token, "join challenges") { ctx, b in
            (.joinChallenge(try ctx.pathID(ChallengeID.self), member: try subject(ctx, &b, "member")), nil)
        },
        post("/v1/challenges/{id}/pledges", .token, "pledge to challenges", created: true) { ctx, b in
            let challenge = try ctx.pathID(ChallengeID.self)
            let member = try subject(ctx, &b, "member")
            guard let kind = try b.enumValue("kind", ExchangeKind.self) else { throw APIError.badRequest("The field kind is required: time, space or goods.") }
            return (.pledge(Pledge(challenge: challenge, member: member, kind: kind, what: try b.string("what"))), nil)
        },
        post("/v1/challenges/{id}/close", .token, "close challenges") { ctx, _ in (.closeChallenge(try ctx.pathID(ChallengeID.self)), nil) },
        post("/v1/introductions", .coordinator, "introduce members", created: true) { _, b in
            (.introduce(request: try b.id("request", ListingID.self), offer: try b.id("offer", ListingID.self)), nil)
        },
    ]
}
