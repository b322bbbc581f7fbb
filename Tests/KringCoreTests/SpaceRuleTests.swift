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
            for (i, id) in (1..<Int64(c.state.bookingCount) + 1).enumerated() where i % 3 == 0 { _ = c.code(.cancelBooking(BookingID(uncheckedNumber: id)), by: .coordinator) }
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

/// Ask-the-expert sessions: a time offer gets hours cut into sessions; a starter books one
/// session with a one-line question; after it, it is settled as a time exchange (1 h = 1 h).
@Suite struct ExpertSessionTests {
    /// bakkerij's accountant (of-1, time, domain work): Monday and Tuesday 09:00–12:00 in hour
    /// sessions, one starter each. The core's day is Monday 2026-06-01, 11:00 in Brussels.
    func expert(capacity: Int64 = 1) -> Core {
        var c = Core()
        try! c.run(.postListing(ListingDraft(side: .offer, author: "bakkerij", kind: .time, domain: "work", title: "Vraag het de boekhouder")), by: .member("bakkerij"))
        try! c.run(.setSpaceHours("of-1", SpaceHours(capacity: capacity, weekly: SpaceHours.parseWeek("mon-tue 09:00-12:00")!, session: 60)), by: .member("bakkerij"))
        return c
    }

    func session(_ who: MemberID, _ day: String, _ from: String, _ to: String, question: String? = "Hoe start ik als zelfstandige in bijberoep?") -> Command {
        .book(BookingDraft(offer: "of-1", member: who, date: Day(iso: day)!, start: SpaceHours.clockMinutes(from)!, end: SpaceHours.clockMinutes(to)!, people: 1, question: question))
    }

    @Test("a time offer's hours need a session length of 15 minutes to 8 hours in quarter hours; goods have no hours")
    func sessionLengths() {
        var c = Core()
        try! c.run(.postListing(ListingDraft(side: .offer, author: "bakkerij", kind: .time, domain: "work", title: "Boekhouder")), by: .member("bakkerij"))
        try! c.run(.postListing(ListingDraft(side: .offer, author: "bakkerij", kind: .goods, domain: "work", title: "Ladder")), by: .member("bakkerij"))
        let week = SpaceHours.parseWeek("mon 09:00-12:00")!
        #expect(c.code(.setSpaceHours("of-1", SpaceHours(capacity: 1, weekly: week)), by: .member("bakkerij")) == .inputInvalid, "no session")
        for (minutes, accepted) in [(Int64(10), false), (15, true), (50, false), (45, true), (480, true), (495, false)] {
            #expect((c.code(.setSpaceHours("of-1", SpaceHours(capacity: 1, weekly: week, session: minutes)), by: .member("bakkerij")) == nil) == accepted, "\(minutes)")
        }
        #expect(c.code(.setSpaceHours("of-2", SpaceHours(capacity: 1, weekly: week)), by: .member("bakkerij")) == .listingState)
    }

    @Test("a booking is one whole session with a one-line question, one starter a session unless the capacity says more")
    func booking() {
        var c = expert()
        #expect(c.code(session("an", "2026-06-02", "09:30", "10:30"), by: .member("an")) == .spaceHours, "not a session's start")
        #expect(c.code(session("an", "2026-06-02", "09:00", "11:00"), by: .member("an")) == .spaceHours, "two sessions")
        #expect(c.code(session("an", "2026-06-02", "09:00", "10:00", question: nil), by: .member("an")) == .inputInvalid)
        #expect(c.code(session("an", "2026-06-02", "09:00", "10:00", question: "   "), by: .member("an")) == .inputInvalid, "blank is none")
        #expect(c.code(session("an", "2026-06-02", "09:00", "10:00", question: "Een vraag\nover twee regels"), by: .member("an")) == .inputText, "a control character")
        #expect(c.code(session("an", "2026-06-02", "09:00", "10:00", question: "Een vraag\u{2028}over twee regels"), by: .member("an")) == .inputInvalid, "a line separator")
        #expect(c.code(session("an", "2026-06-02", "09:00", "10:00", question: String(repeating: "v", count: 201)), by: .member("an")) != nil)
        #expect(c.code(session("an", "2026-06-02", "09:00", "10:00", question: String(repeating: "v", count: 200)), by: .member("an")) == nil)
        #expect(c.code(session("bram", "2026-06-02", "09:00", "10:00"), by: .member("bram")) == .spaceCapacity, "one starter a session")
        #expect(c.code(session("bram", "2026-06-02", "10:00", "11:00"), by: .member("bram")) == nil)
        #expect(c.state.booking("bk-2")?.info.question == "Hoe start ik als zelfstandige in bijberoep?")
        var group = expert(capacity: 3)
        for who: MemberID in ["an", "bram", "chloe"] { #expect(group.code(session(who, "2026-06-02", "09:00", "10:00"), by: .member(who)) == nil) }
        #expect(group.code(session("daan", "2026-06-02", "09:00", "10:00"), by: .member("daan")) == .spaceCapacity, "a group session of three")
        // A space takes no question.
        var room = SpaceRuleTests().room()
        #expect(room.code(.book(BookingDraft(offer: "of-1", member: "an", date: Day(iso: "2026-06-02")!, start: 600, end: 660, people: 1, question: "?")), by: .member("an")) == .inputInvalid)
    }

    @Test("the free sessions are whole sessions not yet started and not full; each is accepted")
    func freeSessions() throws {
        var c = expert()
        try c.run(session("an", "2026-06-02", "10:00", "11:00"), by: .member("an"))
        let hours = try #require(c.state.spaceHours("of-1"))
        // Monday 11:00 in Brussels: 09:00 and 10:00 have started; 11:00 is free.
        #expect(hours.freePeriods(on: Day(iso: "2026-06-01")!, bookings: [], people: 1, policy: c.state.policy, now: c.now) == [660...720])
        let tuesday = hours.freePeriods(on: Day(iso: "2026-06-02")!, bookings: c.state.bookings(of: "of-1", on: Day(iso: "2026-06-02")!), people: 1, policy: c.state.policy, now: c.now)
        #expect(tuesday == [540...600, 660...720])
        for s in tuesday {
            var trial = c
            #expect(trial.code(session("bram", "2026-06-02", SpaceHours.clock(s.lowerBound), SpaceHours.clock(s.upperBound)), by: .member("bram")) == nil)
        }
    }

    @Test("after the session it is settled as a time exchange from the expert to the starter, hour for hour, once")
    func settlement() {
        var c = expert()
        try! c.run(session("an", "2026-06-01", "11:00", "12:00"), by: .member("an"))
        c.now += 3600 + 60  // 12:01 in Brussels
        func settle(_ kind: ExchangeKind, _ credits: Int64) -> ExchangeDraft {
            ExchangeDraft(providers: ["bakkerij"], receivers: ["an"], kind: kind, domain: "work", what: "advies", credits: Minutes(credits), quantity: kind == .time ? nil : 60, links: ["bk-1"])
        }
        #expect(c.code(.propose(settle(.space, 0)), by: .member("bakkerij")) == .bookingState, "a session is time, not space")
        #expect(c.code(.propose(settle(.time, 0)), by: .member("bakkerij")) == .inputAmount, "no gift of time")
        #expect(c.code(.propose(settle(.time, 30)), by: .member("bakkerij")) == .bookingState, "hour for hour: a session of 60 minutes is 60 minutes of credits")
        #expect(c.code(.propose(settle(.time, 75)), by: .member("bakkerij")) == .bookingState)
        #expect(c.code(.propose(settle(.time, 60)), by: .member("bakkerij")) == nil)
        try! c.run(.confirm("ex-1"), by: .member("an"))
        #expect(c.state.booking("bk-1")?.settledBy == "ex-1")
        #expect(c.balance("bakkerij") == 60 && c.balance("an") == -60)
        #expect(c.code(.propose(settle(.time, 60)), by: .member("bakkerij")) == .bookingState, "once")
    }
}
