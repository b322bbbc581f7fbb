import Testing
@testable import KringCore

/// A replay that shares its parties' ids with the members (as `verify` runs it) keeps the same
/// ledger as one that does not: the same members and the same exchanges, field for field.
struct SharedIDsTests {
    @Test("exchanges proposed, consented, confirmed, recorded and reversed among members with long ids: the same state with ids shared or not")
    func sameStateWithSharedIDs() throws {
        let now = Day(iso: "2026-06-01")!.timestamp + 9 * 3600
        var plain = LedgerState(), shared = LedgerState(tracksPairs: true, sharesIDs: true)
        try plain.apply(.ledgerCreated(LedgerCreated(policy: .standard)), timestamp: now)
        try shared.apply(.ledgerCreated(LedgerCreated(policy: .standard)), timestamp: now)
        // Ids longer than 15 bytes are allocated apart, which sharing saves.
        let ids: [MemberID] = ["bewonersgroep-noord", "vzw-repair-cafe-west", "buurthuis-de-kring", "an"]
        /// Decided on the plain state, applied to both.
        func both(_ c: Command, by actor: Actor = .coordinator) throws {
            let d = try Decider.decide(c, by: actor, in: plain, now: now)
            try plain.apply(d.event, timestamp: now)
            try shared.apply(d.event, timestamp: now)
        }
        for id in ids { try both(.addMember(MemberDraft(id: id, name: id.handle, kind: .association))) }
        let draft = ExchangeDraft(providers: [ids[0]], receivers: [ids[1], ids[2]], kind: .time, domain: "care", what: "samen koken", credits: .hours(1))
        try both(.record(draft, reason: "op papier"))
        try both(.propose(ExchangeDraft(providers: [ids[1]], receivers: [ids[0]], kind: .time, domain: "care", what: "fietsen", credits: .hours(1))), by: .member(ids[1]))
        try both(.confirm("ex-2"), by: .member(ids[0]))
        try both(.propose(ExchangeDraft(providers: [ids[2]], receivers: [ids[0], ids[3]], kind: .goods, domain: "food", what: "soep", credits: .zero)), by: .member(ids[2]))
        try both(.reverse("ex-1", reason: "dubbel"))
        // One of two receivers agrees: a consent, the exchange still open.
        let consent = try Decider.decide(.confirm("ex-3"), by: .member(ids[0]), in: plain, now: now)
        #expect(consent.event.type == .exchangeConsented)
        try plain.apply(consent.event, timestamp: now)
        try shared.apply(consent.event, timestamp: now)
        #expect(shared.exchanges == plain.exchanges)
        #expect(shared.members == plain.members)
        #expect(shared.exchanges.count == 3 && shared.exchange("ex-1")?.state == .reversed && shared.exchange("ex-3")?.state == .proposed)
    }
}
