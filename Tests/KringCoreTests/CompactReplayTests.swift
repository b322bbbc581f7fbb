import Testing
@testable import KringCore

/// A compact replay (as `verify` runs it) keeps the same ledger as a whole one: the same members,
/// and for every exchange the same state, credits, reasons and reopening links; a reversal in it
/// opens its request again.
struct CompactReplayTests {
    @Test("proposed, consented, confirmed, rejected, recorded and reversed exchanges among members with long ids: a compact replay keeps what verify compares")
    func compactKeepsWhatVerifyReads() throws {
        let now = Day(iso: "2026-06-01")!.timestamp + 9 * 3600
        var whole = LedgerState(), compact = LedgerState.compactReplay()
        try whole.apply(.ledgerCreated(LedgerCreated(policy: .standard)), timestamp: now)
        try compact.apply(.ledgerCreated(LedgerCreated(policy: .standard)), timestamp: now)
        // Ids longer than 15 bytes are allocated apart, which sharing them saves.
        let ids: [MemberID] = ["bewonersgroep-noord", "vzw-repair-cafe-west", "buurthuis-de-kring", "an"]
        /// Decided on the whole state, applied to both.
        func both(_ c: Command, by actor: Actor = .coordinator) throws {
            let d = try Decider.decide(c, by: actor, in: whole, now: now)
            try whole.apply(d.event, timestamp: now)
            try compact.apply(d.event, timestamp: now)
        }
        for id in ids { try both(.addMember(MemberDraft(id: id, name: id.handle, kind: .association))) }
        try both(.postListing(ListingDraft(side: .request, author: ids[1], kind: .time, domain: "care", title: "Samen koken")), by: .member(ids[1]))
        let draft = ExchangeDraft(providers: [ids[0]], receivers: [ids[1], ids[2]], kind: .time, domain: "care", what: "samen koken", credits: .hours(1),
                                  links: ["rq-1"])
        try both(.record(draft, reason: "op papier"))
        #expect(compact.listing("rq-1")?.fulfilledBy == "ex-1")
        // A proposal that links a request fulfils it when confirmed, in the compact replay too.
        try both(.postListing(ListingDraft(side: .request, author: ids[0], kind: .time, domain: "care", title: "Fietsles")), by: .member(ids[0]))
        try both(.propose(ExchangeDraft(providers: [ids[1]], receivers: [ids[0]], kind: .time, domain: "care", what: "fietsen", credits: .hours(1), links: ["rq-2"])),
                 by: .member(ids[1]))
        #expect(compact.listing("rq-2")?.fulfilledBy == nil)
        try both(.confirm("ex-2"), by: .member(ids[0]))
        #expect(compact.listing("rq-2")?.fulfilledBy == "ex-2" && whole.listing("rq-2")?.fulfilledBy == "ex-2")
        try both(.propose(ExchangeDraft(providers: [ids[2]], receivers: [ids[0], ids[3]], kind: .goods, domain: "food", what: "soep", credits: .zero)), by: .member(ids[2]))
        try both(.propose(ExchangeDraft(providers: [ids[3]], receivers: [ids[2]], kind: .space, domain: "work", what: "zaal", credits: .hours(2))), by: .member(ids[3]))
        try both(.reject("ex-4", reason: "geen tijd"), by: .member(ids[2]))
        try both(.reverse("ex-1", reason: "dubbel"))
        // One of two receivers agrees: a consent, the exchange still open.
        let consent = try Decider.decide(.confirm("ex-3"), by: .member(ids[0]), in: whole, now: now)
        #expect(consent.event.type == .exchangeConsented)
        try whole.apply(consent.event, timestamp: now)
        try compact.apply(consent.event, timestamp: now)

        #expect(compact.members == whole.members)
        #expect(compact.exchangeCount == 4 && whole.exchangeCount == 4)
        for n: Int64 in 1...4 {
            let id = ExchangeID(uncheckedNumber: n)
            let c: ExchangeRecord = try #require(compact.exchange(id))
            let w: ExchangeRecord = try #require(whole.exchange(id))
            #expect(c.state == w.state, "\(id)")
            #expect(c.info.credits == w.info.credits && c.info.kind == w.info.kind, "\(id)")
            #expect(c.endReason == w.endReason && c.reversalReason == w.reversalReason, "\(id)")
            // Only what a replay reads is kept, proposals included.
            #expect(c.info.providers.isEmpty && c.info.what.isEmpty && c.consents.isEmpty)
        }
        #expect(compact.exchange("ex-1")?.state == .reversed && compact.exchange("ex-1")?.info.links == ["rq-1"])
        #expect(compact.exchange("ex-4")?.endReason == "geen tijd")
        // The reversal opened the request again, in both.
        #expect(compact.listing("rq-1")?.fulfilledBy == nil && whole.listing("rq-1")?.fulfilledBy == nil)
        #expect(compact.exchange("ex-5") == nil && compact.exchange(ExchangeID(uncheckedNumber: 0)) == nil)
    }

    @Test("an exchange out of sequence, or twice, cannot follow the ledger: the journal numbers them in order")
    func exchangesInOrder() throws {
        let now = Day(iso: "2026-06-01")!.timestamp
        for compactly in [false, true] {
            var state = compactly ? LedgerState.compactReplay() : LedgerState()
            try state.apply(.ledgerCreated(LedgerCreated(policy: .standard)), timestamp: now)
            for id: MemberID in ["an", "bo"] { try state.apply(Decider.decide(.addMember(MemberDraft(id: id, name: id.handle, kind: .person)), by: .coordinator, in: state, now: now).event, timestamp: now) }
            let first = try Decider.decide(.record(ExchangeDraft(providers: ["an"], receivers: ["bo"], kind: .time, domain: "care", what: "x", credits: .hours(1)), reason: nil),
                                           by: .coordinator, in: state, now: now).event
            guard case .exchangeRecorded(var e) = first else { Issue.record("not a recording"); return }
            e.exchange.id = "ex-2"
            #expect(throws: LedgerStateError.self) { try state.apply(.exchangeRecorded(e), timestamp: now) }
            #expect(state.exchangeCount == 0)
            try state.apply(first, timestamp: now)
            #expect(throws: LedgerStateError.self) { try state.apply(first, timestamp: now) }
            #expect(state.exchangeCount == 1 && state.member("bo")?.balance == .hours(-1))
        }
    }
}
