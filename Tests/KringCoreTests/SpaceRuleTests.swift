import Testing
@testable import KringCore
import KringTestSupport

@Suite struct SpaceRuleTests {
    /// bakkerij's room (of-1): 10 people, Monday to Friday 09:00-17:00, closed on 2026-06-05.
    /// The core's day is Monday 2026-06-01.
    func room() -> Core {
        var c = Core()
        try! c.run(.postListing(ListingDraft(side: .offer, author: "bakkerij", kind: .space, domain: "culture", title: "Zaal")), by: .member("bakkerij"))
        let week = SpaceHours.parseWeek("mon-fri 09:00-17:00")!
        try! c.run(.setSpaceHours("of-1", SpaceHours(capacity: 10, weekly: week, closed: [Day(iso: "2026-06-05")!])), by: .member("bakkerij"))
        return c
    }

    func book(_ who: MemberID, _ day: String, _ from: String, _ to: String, _ people: Int64) -> Command {
        .book(BookingDraft(offer: "of-1", member: who, date: Day(iso: day)!, start: SpaceHours.clockMinutes(from)!, end: SpaceHours.clockMinutes(to)!, people: people))
    }

    @Test func capacityAtItsEdge() {
        var c = room()
        #expect(c.code(book("an", "2026-06-02", "10:00", "12:00", 11), by: .member("an")) == .spaceCapacity)
        #expect(c.code(book("an", "2026-06-02", "10:00", "12:00", 6), by: .member("an")) == nil)
        #expect(c.code(book("bram", "2026-06-02", "11:00", "13:00", 5), by: .member("bram")) == .spaceCapacity, "6 + 5 > 10 at 11:00")
        #expect(c.code(book("bram", "2026-06-02", "11:00", "13:00", 4), by: .member("bram")) == nil, "6 + 4 = 10")
        #expect(c.code(book("chloe", "2026-06-02", "12:00", "13:00", 6), by: .member("chloe")) == nil, "an has left at 12:00: 4 + 6")
        #expect(c.code(book("daan", "2026-06-02", "09:00", "10:00", 10), by: .member("daan")) == nil, "back to back is no overlap")
        #expect(c.code(book("els", "2026-06-02", "11:30", "12:30", 1), by: .member("els")) == .spaceCapacity)
        try! c.run(.cancelBooking("bk-2"), by: .member("bram"))
        #expect(c.code(book("els", "2026-06-02", "11:30", "12:30", 1), by: .member("els")) == nil, "a cancelled booking frees its places")
    }

    @Test func openingHoursAtTheirEdges() {
        var c = room()
        #expect(c.code(book("an", "2026-06-02", "09:00", "17:00", 1), by: .member("an")) == nil)
        #expect(c.code(book("an", "2026-06-02", "08:59", "10:00", 1), by: .member("an")) == .spaceHours)
        #expect(c.code(book("an", "2026-06-02", "16:00", "17:01", 1), by: .member("an")) == .spaceHours)
        #expect(c.code(book("an", "2026-06-05", "10:00", "11:00", 1), by: .member("an")) == .spaceHours, "closed that Friday")
        #expect(c.code(book("an", "2026-06-06", "10:00", "11:00", 1), by: .member("an")) == .spaceHours, "Saturday")
        #expect(c.code(book("an", "2026-06-02", "12:00", "11:00", 1), by: .member("an")) == .inputInvalid)
        #expect(c.code(book("an", "2026-05-29", "10:00", "11:00", 1), by: .member("an")) == .ruleDate, "in the past")
        #expect(c.code(book("bakkerij", "2026-06-02", "10:00", "11:00", 1), by: .member("bakkerij")) == .ruleSelf)
        #expect(c.code(book("an", "2026-06-02", "10:00", "11:00", 1), by: .member("bram")) == .ruleForbidden)
    }

    @Test func hoursAndCancellationsBelongToTheirPeople() {
        var c = room()
        #expect(c.code(.setSpaceHours("of-1", SpaceHours(capacity: 5, weekly: SpaceHours.parseWeek("mon 09:00-10:00")!)), by: .member("an")) == .ruleForbidden)
        #expect(c.code(.setSpaceHours("of-1", SpaceHours(capacity: 0, weekly: SpaceHours.parseWeek("mon 09:00-10:00")!)), by: .coordinator) == .inputInvalid)
        try! c.run(book("an", "2026-06-02", "10:00", "11:00", 2), by: .member("an"))
        #expect(c.code(.cancelBooking("bk-1"), by: .member("bram")) == .ruleForbidden)
        #expect(c.code(.cancelBooking("bk-1"), by: .member("bakkerij")) == nil, "the owner may cancel")
        #expect(c.code(.cancelBooking("bk-1"), by: .coordinator) == .bookingState)
        #expect(c.code(.cancelBooking("bk-7"), by: .coordinator) == .bookingNotFound)
        try! c.run(book("an", "2026-06-02", "10:00", "11:00", 2), by: .member("an"))
        c.now += 2 * 86_400
        #expect(c.code(.cancelBooking("bk-2"), by: .member("an")) == .bookingState, "a past booking stays")
    }

    @Test func weeksAreReadAsPeopleWriteThem() {
        let w = SpaceHours.parseWeek("mon-wed 09:00-12:00,13:00-17:00; sat 10:00-24:00")!
        #expect(w[0] == [540...720, 780...1020] && w[2] == w[0] && w[3].isEmpty && w[5] == [600...1440])
        #expect(SpaceHours.parseWeek("mon 17:00-09:00") == nil)
        #expect(SpaceHours.parseWeek("funday 09:00-10:00") == nil)
        #expect(Day(iso: "2026-06-01")!.weekday == 0 && Day(iso: "2026-06-07")!.weekday == 6)
    }
}

@Suite struct BookingSettlementTests {
    @Test func afterTheSlotABookingBecomesASpaceExchangeOnce() {
        var c = SpaceRuleTests().room()
        try! c.run(SpaceRuleTests().book("an", "2026-06-01", "10:00", "12:00", 4), by: .member("an"))
        let room = ExchangeDraft(providers: ["bakkerij"], receivers: ["an"], kind: .space, domain: "culture", what: "zaal", credits: .zero,
                                 quantity: 120, links: ["bk-1"])
        #expect(c.code(.propose(room), by: .member("bakkerij")) == .bookingState, "the slot is not over at 09:00")
        c.now += 3 * 3600 + 60  // 12:01
        var wrongKind = room
        wrongKind.kind = .time
        wrongKind.credits = .hours(2)
        #expect(c.code(.record(wrongKind, reason: nil)) == .bookingState)
        #expect(c.code(.propose(room), by: .member("bakkerij")) == nil)
        #expect(c.state.booking("bk-1")?.settledBy == nil, "settled when the exchange posts")
        try! c.run(.confirm("ex-1"), by: .member("an"))
        #expect(c.state.booking("bk-1")?.settledBy == "ex-1")
        #expect(c.code(.record(room, reason: nil)) == .bookingState, "once")
    }
}
