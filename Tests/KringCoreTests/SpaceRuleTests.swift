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

/// The free periods the pages offer are exactly what the rules accept.
@Suite struct FreePeriodTests {
    @Test("on random rooms, bookings and days (with both changes of the clocks), every free period is accepted whole and a quarter hour more is refused")
    func freePeriodsAreWhatTheRulesAccept() throws {
        var rng = SplitMix64(seed: 20_261_202)
        let days = ["2026-10-25", "2027-03-28", "2026-10-21", "2026-10-20"].map { Day(iso: $0)! }
        var offered = 0, partlyBooked = 0
        for round in 0..<60 {
            var c = Core()
            c.now = TimeZoneTests.at("2026-10-20T09:10:00Z")  // 11:10 in Brussels, a Tuesday
            let capacity = Int64(rng.next() % 6) + 1
            var week = ""
            for d in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
                let open = Int64(rng.next() % 12), close = open + Int64(rng.next() % 12) + 1
                week += "\(week.isEmpty ? "" : "; ")\(d) \(SpaceHours.clock(open * 60))-\(SpaceHours.clock(close * 60))"
            }
            try c.run(.postListing(ListingDraft(side: .offer, author: "bakkerij", kind: .space, domain: "culture", title: "Zaal")), by: .member("bakkerij"))
            let hours = SpaceHours(capacity: capacity, weekly: SpaceHours.parseWeek(week)!)
            try c.run(.setSpaceHours("of-1", hours), by: .member("bakkerij"))
            let people: [MemberID] = ["an", "bram", "chloe", "daan"]
            for _ in 0..<12 {
                let day = days[Int(rng.next() % UInt64(days.count))]
                let start = Int64(rng.next() % 96) * 15, end = start + (Int64(rng.next() % 16) + 1) * 15
                _ = c.code(.book(BookingDraft(offer: "of-1", member: people[Int(rng.next() % 4)], date: day, start: start, end: min(end, 1440),
                                              people: Int64(rng.next() % UInt64(capacity)) + 1)), by: .coordinator)
            }
            for (i, id) in c.state.bookings.keys.sorted().enumerated() where i % 3 == 0 { _ = c.code(.cancelBooking(BookingID(uncheckedNumber: id)), by: .coordinator) }
            for day in days {
                let want = Int64(rng.next() % UInt64(capacity)) + 1
                let periods = hours.freePeriods(on: day, bookings: c.state.bookings(of: "of-1", on: day), people: want, policy: c.state.policy, now: c.now)
                offered += periods.count
                if !c.state.bookings(of: "of-1", on: day).isEmpty && !periods.isEmpty { partlyBooked += 1 }
                for p in periods {
                    var trial = c
                    #expect(trial.code(.book(BookingDraft(offer: "of-1", member: "els", date: day, start: p.lowerBound, end: p.upperBound, people: want)), by: .member("els")) == nil,
                            "round \(round), \(day) \(SpaceHours.clock(p.lowerBound))–\(SpaceHours.clock(p.upperBound)) for \(want)")
                    for wider in [(p.lowerBound - 15)...p.upperBound, p.lowerBound...(p.upperBound + 15)] where wider.lowerBound >= 0 && wider.upperBound <= 1440 {
                        var more = c
                        let started = c.state.policy.moment(day, minute: wider.lowerBound) < c.now
                        let skipped = c.state.policy.instant(day, minute: wider.lowerBound) == nil || c.state.policy.instant(day, minute: wider.upperBound) == nil
                        guard !started, !skipped else { continue }
                        #expect(more.code(.book(BookingDraft(offer: "of-1", member: "els", date: day, start: wider.lowerBound, end: wider.upperBound, people: want)), by: .member("els")) != nil,
                                "round \(round), \(day): \(SpaceHours.clock(wider.lowerBound))–\(SpaceHours.clock(wider.upperBound)) is more than the free period")
                    }
                }
            }
        }
        #expect(offered > 100 && partlyBooked > 20, "the rounds offered \(offered) periods, \(partlyBooked) days beside bookings")
    }
}
