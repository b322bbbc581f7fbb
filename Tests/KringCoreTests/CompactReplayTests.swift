import Testing
@testable import KringCore

/// A compact replay (as `verify` runs it) keeps the same ledger as a whole one: the same members,
/// and for every exchange the same state, credits and reopening links; a reversal in it opens
/// its request again.
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
            // No reasons either: verify holds the rows to their fingerprints.
            #expect(c.endReason == nil && c.reversalReason == nil, "\(id)")
            // Only what a replay reads is kept, proposals included.
            #expect(c.info.providers.isEmpty && c.info.what.isEmpty && c.consents.isEmpty)
        }
        #expect(compact.exchange("ex-1")?.state == .reversed && compact.exchange("ex-1")?.info.links == ["rq-1"])
        #expect(compact.exchange("ex-4")?.state == .rejected && whole.exchange("ex-4")?.endReason == "geen tijd")
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

    @Test("spaces, bookings (cancelled, settled, reopened by a reversal) and loans (lent, returned): a compact replay keeps all but their texts")
    func compactKeepsBookingsAndLoans() throws {
        var now = Day(iso: "2026-06-01")!.timestamp + 9 * 3600
        var whole = LedgerState(), compact = LedgerState.compactReplay()
        try whole.apply(.ledgerCreated(LedgerCreated(policy: .standard)), timestamp: now)
        try compact.apply(.ledgerCreated(LedgerCreated(policy: .standard)), timestamp: now)
        func both(_ c: Command, by actor: Actor = .coordinator) throws {
            let d = try Decider.decide(c, by: actor, in: whole, now: now)
            try whole.apply(d.event, timestamp: now)
            try compact.apply(d.event, timestamp: now)
        }
        let host: MemberID = "buurthuis-de-kring", guest: MemberID = "vzw-repair-cafe-west", other: MemberID = "an"
        for id in [host, guest, other] { try both(.addMember(MemberDraft(id: id, name: id.handle, kind: .association))) }
        try both(.postListing(ListingDraft(side: .offer, author: host, kind: .space, domain: "culture", title: "Zaal")), by: .member(host))
        try both(.postListing(ListingDraft(side: .offer, author: host, kind: .goods, domain: "food", title: "Boormachine")), by: .member(host))
        let week = try #require(SpaceHours.parseWeek("mon-fri 09:00-17:00"))
        try both(.setSpaceHours("of-1", SpaceHours(capacity: 10, weekly: week)), by: .member(host))
        try both(.setSpaceHours("of-1", SpaceHours(capacity: 12, weekly: week)), by: .member(host))
        func book(_ who: MemberID, _ from: String, _ to: String) -> Command {
            .book(BookingDraft(offer: "of-1", member: who, date: Day(iso: "2026-06-01")!, start: SpaceHours.clockMinutes(from)!, end: SpaceHours.clockMinutes(to)!, people: 3))
        }
        try both(book(guest, "13:00", "14:00"), by: .member(guest))
        try both(book(other, "15:00", "16:00"), by: .member(other))
        try both(.cancelBooking("bk-2", reason: "Toch niet nodig."), by: .member(other))
        try both(.lend(LoanDraft(lender: host, borrower: guest, what: "Boormachine met boren", offer: "of-2", due: Day(iso: "2026-06-10")!)), by: .member(host))
        try both(.lend(LoanDraft(lender: host, borrower: other, what: "Ladder", due: Day(iso: "2026-06-12")!)), by: .member(host))
        try both(.returnLoan("ln-1"), by: .member(host))
        now += 3 * 3600 + 60  // 14:01 in Brussels: the first slot is over
        try both(.record(ExchangeDraft(providers: [host], receivers: [guest], kind: .space, domain: "culture", what: "zaal", credits: .zero, quantity: 60, links: ["bk-1"]),
                         reason: nil))
        #expect(compact.booking("bk-1")?.settledBy == "ex-1" && whole.booking("bk-1")?.settledBy == "ex-1")
        try both(.reverse("ex-1", reason: "dubbel"))

        #expect(compact.bookingCount == 2 && compact.loanCount == 2 && compact.spaceCount == 1)
        #expect(whole.bookingCount == 2 && whole.loanCount == 2 && whole.spaceCount == 1)
        for n: Int64 in 0...3 {
            var w = whole.booking(BookingID(uncheckedNumber: n))
            w?.info.question = nil
            w?.endReason = nil
            #expect(compact.booking(BookingID(uncheckedNumber: n)) == w, "bk-\(n)")
            var l = whole.loan(LoanID(uncheckedNumber: n))
            l?.info.what = ""
            #expect(compact.loan(LoanID(uncheckedNumber: n)) == l, "ln-\(n)")
        }
        #expect(whole.booking("bk-2")?.endReason == "Toch niet nodig." && compact.booking("bk-2")?.cancelled == true)
        #expect(compact.booking("bk-1")?.settledBy == nil, "the reversal reopened it")
        #expect(compact.loan("ln-1")?.returned == Day(iso: "2026-06-01") && compact.loan("ln-2")?.returned == nil && compact.loan("ln-1")?.info.offer == "of-2")
        #expect(compact.spaceHours("of-1")?.capacity == 12 && whole.spaceHours("of-1")?.weekly == week)
        #expect(compact.spaceHours("of-2") == nil && compact.spaceHours("rq-1") == nil)
    }

    @Test("a booking by someone who is not a member, or a return of a loan not out, cannot follow the ledger")
    func bookingsAndLoansFollowTheLedger() throws {
        let now = Day(iso: "2026-06-01")!.timestamp + 9 * 3600
        for compactly in [false, true] {
            // Decided on a whole state (a compact one cannot decide), applied to the one under test.
            var whole = LedgerState(), state = compactly ? LedgerState.compactReplay() : LedgerState()
            func apply(_ e: Event) throws {
                try whole.apply(e, timestamp: now)
                try state.apply(e, timestamp: now)
            }
            func both(_ c: Command, by actor: Actor = .coordinator) throws { try apply(Decider.decide(c, by: actor, in: whole, now: now).event) }
            try apply(.ledgerCreated(LedgerCreated(policy: .standard)))
            for id: MemberID in ["an", "bo"] { try both(.addMember(MemberDraft(id: id, name: id.handle, kind: .person))) }
            try both(.postListing(ListingDraft(side: .offer, author: "an", kind: .space, domain: "culture", title: "Zaal")), by: .member("an"))
            try both(.setSpaceHours("of-1", SpaceHours(capacity: 4, weekly: SpaceHours.parseWeek("mon-fri 09:00-17:00")!)), by: .member("an"))
            let booked = try Decider.decide(.book(BookingDraft(offer: "of-1", member: "bo", date: Day(iso: "2026-06-01")!, start: 780, end: 840, people: 1)),
                                            by: .member("bo"), in: whole, now: now).event
            guard case .spaceBooked(var e) = booked else { Issue.record("not a booking"); return }
            e.booking.member = "vreemde"
            #expect(throws: LedgerStateError.self) { try state.apply(.spaceBooked(e), timestamp: now) }
            #expect(state.bookingCount == 0)
            try state.apply(booked, timestamp: now)
            #expect(state.booking("bk-1")?.info.member == "bo")
            #expect(throws: LedgerStateError.self) { try state.apply(.goodsReturned(GoodsReturned(id: "ln-1", on: Day(iso: "2026-06-01")!)), timestamp: now) }
        }
    }
}
