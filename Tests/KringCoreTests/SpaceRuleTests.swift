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

/// Rooms keep the circle's clocks (Europe/Brussels by default): opening hours and slots are
/// read in its zone, and a slot across a change of the clocks lasts what the clocks say.
@Suite struct SpaceClockTests {
    /// A room open all day, every day, in a Brussels circle.
    func allDay() -> Core {
        var c = Core()
        try! c.run(.postListing(ListingDraft(side: .offer, author: "bakkerij", kind: .space, domain: "culture", title: "Zaal")), by: .member("bakkerij"))
        try! c.run(.setSpaceHours("of-1", SpaceHours(capacity: 10, weekly: SpaceHours.parseWeek("mon-sun 00:00-24:00")!)), by: .member("bakkerij"))
        return c
    }

    func slot(_ day: String, _ from: String, _ to: String) -> BookingDraft {
        BookingDraft(offer: "of-1", member: "an", date: Day(iso: day)!, start: SpaceHours.clockMinutes(from)!, end: SpaceHours.clockMinutes(to)!, people: 1)
    }

    @Test("a slot across the change of the clocks lasts what the clocks say: 2 h in spring, 4 h in autumn for 01:00–04:00")
    func acrossDaylightSaving() throws {
        var c = allDay()
        c.now = TimeZoneTests.at("2026-10-01T08:00:00Z")
        let policy = c.state.policy
        try c.run(.book(slot("2026-10-25", "01:00", "04:00")), by: .member("an"))
        try c.run(.book(slot("2027-03-28", "01:00", "04:00")), by: .member("an"))
        try c.run(.book(slot("2027-03-29", "01:00", "04:00")), by: .member("an"))
        let autumn = try #require(c.state.booking("bk-1")), spring = try #require(c.state.booking("bk-2")), after = try #require(c.state.booking("bk-3"))
        #expect(autumn.info.minutes(in: policy) == 240)
        #expect(spring.info.minutes(in: policy) == 120)
        #expect(after.info.minutes(in: policy) == 180)
        // 04:00 in Brussels: after the autumn change an hour ahead of UTC, after the spring one two.
        #expect(autumn.ends(in: policy) == TimeZoneTests.at("2026-10-25T03:00:00Z"))
        #expect(spring.ends(in: policy) == TimeZoneTests.at("2027-03-28T02:00:00Z"))
        #expect(autumn.starts(in: policy) == TimeZoneTests.at("2026-10-24T23:00:00Z"))
    }

    @Test("a time the clocks skip cannot start or end a slot; the sentence names it")
    func skippedTimes() {
        var c = allDay()
        c.now = TimeZoneTests.at("2027-03-01T08:00:00Z")
        for (from, to) in [("02:30", "04:00"), ("01:00", "02:00"), ("02:00", "03:00")] {
            do {
                try c.run(.book(slot("2027-03-28", from, to)), by: .member("an"))
                Issue.record("\(from)–\(to) was booked")
            } catch {
                #expect(error.code == .inputInvalid)
                #expect(error.sentence(in: .en).contains("does not exist in Europe/Brussels"), "\(error.sentence(in: .en))")
            }
        }
        #expect(c.code(.book(slot("2027-03-28", "01:59", "03:00")), by: .member("an")) == nil, "01:59 and 03:00 exist")
    }

    @Test("a slot ends on the circle's clock: cancelled until then, settled after, and a slot already over is not booked")
    func endsOnTheCirclesClock() {
        var c = allDay()
        c.now = TimeZoneTests.at("2026-06-02T06:00:00Z")  // 08:00 in Brussels
        #expect(c.code(.book(slot("2026-06-02", "07:00", "08:00")), by: .member("an")) == .ruleDate, "over at 08:00 Brussels, though 06:00 UTC")
        #expect(c.code(.book(slot("2026-06-02", "07:30", "09:00")), by: .member("an")) == nil, "under way: still bookable")
        #expect(c.code(.book(slot("2026-06-02", "10:00", "11:00")), by: .member("an")) == nil)
        c.now = TimeZoneTests.at("2026-06-02T08:59:00Z")  // 10:59
        #expect(c.code(.cancelBooking("bk-2", reason: "  Toch niet nodig.  "), by: .member("an")) == nil)
        #expect(c.state.booking("bk-2")?.endReason == "Toch niet nodig.", "trimmed")
        #expect(c.code(.book(slot("2026-06-02", "10:00", "11:00")), by: .member("an")) == nil)
        c.now = TimeZoneTests.at("2026-06-02T09:00:00Z")  // 11:00: bk-3 is over
        #expect(c.code(.cancelBooking("bk-3"), by: .member("an")) == .bookingState)
        let settle = ExchangeDraft(providers: ["bakkerij"], receivers: ["an"], kind: .space, domain: "culture", what: "zaal", credits: .zero, quantity: 60, links: ["bk-3"])
        #expect(c.code(.propose(settle), by: .member("bakkerij")) == nil)
        #expect(c.code(.cancelBooking("bk-1", reason: String(repeating: "x", count: 501)), by: .member("an")) == .inputInvalid, "a reason is at most 500 characters")
    }
}
