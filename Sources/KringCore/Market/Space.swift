/// When a space (or an expert's time) can be booked and for how many people. `weekly[0]` is
/// Monday … `weekly[6]` Sunday, each a list of (open, close) in minutes after midnight;
/// `closed` are exceptions (holidays). With a `session` length, a booking is one session: the
/// opening intervals are cut into sessions from their start (an expert's hour of advice, a
/// sports hall by the hour); without, any slot inside an interval.
public struct SpaceHours: Sendable, Equatable {
    public var capacity: Int64
    public var weekly: [[ClosedRange<Int64>]]
    public var closed: [Day]
    /// Minutes of one session, when bookings are sessions.
    public var session: Int64?

    public init(capacity: Int64, weekly: [[ClosedRange<Int64>]], closed: [Day] = [], session: Int64? = nil) {
        self.capacity = capacity
        self.weekly = weekly
        self.closed = closed
        self.session = session
    }

    /// Whether [start, end] on `day` falls inside one opening interval (and, with sessions, is
    /// one of its sessions).
    public func isOpen(on day: Day, from start: Int64, to end: Int64) -> Bool {
        guard !closed.contains(day), weekly.count == 7 else { return false }
        return weekly[Int(day.weekday)].contains { i in
            guard i.lowerBound <= start && end <= i.upperBound else { return false }
            guard let session else { return true }
            return end - start == session && (start - i.lowerBound) % session == 0
        }
    }

    /// The sessions of an interval: from its start, each `session` long, the last ending by its end.
    public func sessions(of interval: ClosedRange<Int64>) -> [ClosedRange<Int64>] {
        guard let session, session > 0 else { return [interval] }
        return stride(from: interval.lowerBound, through: interval.upperBound - session, by: Int(session)).map { $0...($0 + session) }
    }

    /// The journal's form: `{"capacity", "closed": [dates], "weekly": [[[open, close], …] × 7]}`
    /// and `"session"` (minutes) when bookings are sessions; hours set before sessions existed
    /// keep their bytes.
    public var json: JSON {
        var o: [String: JSON] = ["capacity": .int(capacity), "closed": .array(closed.map { .string($0.description) }),
                                 "weekly": .array(weekly.map { day in .array(day.map { .array([.int($0.lowerBound), .int($0.upperBound)]) }) })]
        if let session { o["session"] = .int(session) }
        return .object(o)
    }

    public init?(json j: JSON) {
        guard j.hasExactly(["capacity", "closed", "weekly"], optional: ["session"]),
              let c = j["capacity"]?.intValue, let closed = j["closed"]?.arrayValue, let weekly = j["weekly"]?.arrayValue, weekly.count == 7 else { return nil }
        var session: Int64?
        if let s = j["session"] {
            guard let v = s.intValue else { return nil }
            session = v
        }
        var w = [[ClosedRange<Int64>]]()
        for day in weekly {
            guard let intervals = day.arrayValue else { return nil }
            var list = [ClosedRange<Int64>]()
            for i in intervals {
                guard let pair = i.arrayValue, pair.count == 2, let o = pair[0].intValue, let e = pair[1].intValue, o < e else { return nil }
                list.append(o...e)
            }
            w.append(list)
        }
        let days = closed.compactMap { $0.stringValue.flatMap(Day.init(iso:)) }
        guard days.count == closed.count else { return nil }
        self.init(capacity: c, weekly: w, closed: days, session: session)
    }

    /// Reads a week as people type it: `mon 09:00-17:00; tue 09:00-12:00,13:00-17:00; sat-sun 10:00-16:00`.
    public static func parseWeek(_ text: String) -> [[ClosedRange<Int64>]]? {
        let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        var week = [[ClosedRange<Int64>]](repeating: [], count: 7)
        for part in text.split(separator: ";") {
            let fields = part.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == 2 else { return nil }
            let dayRange = fields[0].lowercased().split(separator: "-").map(String.init)
            guard let first = names.firstIndex(of: dayRange[0]), dayRange.count <= 2 else { return nil }
            let last = dayRange.count == 2 ? names.firstIndex(of: dayRange[1]) : first
            guard let last, last >= first else { return nil }
            for interval in fields[1].split(separator: ",") {
                let ends = interval.split(separator: "-").map(String.init)
                guard ends.count == 2, let o = clockMinutes(ends[0]), let e = clockMinutes(ends[1]), o < e else { return nil }
                for d in first...last { week[d].append(o...e) }
            }
        }
        return week
    }

    /// `09:30` → 570; `24:00` is the end of the day.
    public static func clockMinutes(_ text: String) -> Int64? {
        let p = text.split(separator: ":")
        guard p.count == 2, p[0].count <= 2, p[1].count == 2, let h = Int64(p[0]), let m = Int64(p[1]), (0...24).contains(h), (0..<60).contains(m) else { return nil }
        let v = h * 60 + m
        return v <= 24 * 60 ? v : nil
    }

    /// 570 → `09:30`.
    public static func clock(_ minutes: Int64) -> String {
        let h = minutes / 60, m = minutes % 60
        return "\(h < 10 ? "0" : "")\(h):\(m < 10 ? "0" : "")\(m)"
    }
}

extension SpaceHours {
    /// The periods of `day` (minutes after midnight on the circle's clock) in which `people` more
    /// fit: each inside one opening interval, not over at `now` (a period under way starts at the
    /// next quarter hour), neither starting nor ending at a time the clocks skip, on a day that
    /// can be booked. The booking rules accept the whole of each period, and every slot inside
    /// it, for a member who may book the space; the pages offer nothing else.
    public func freePeriods(on day: Day, bookings: [BookingRecord], people: Int64, policy: Policy, now: Int64) -> [ClosedRange<Int64>] {
        let today = policy.day(now)
        guard day >= today, day <= today + Decider.maxBookingDaysAhead, !closed.contains(day), weekly.count == 7, (1...capacity).contains(people) else { return [] }
        let live = bookings.filter { !$0.cancelled && $0.info.date == day }
        var periods = [ClosedRange<Int64>](), sessionPeriods = [ClosedRange<Int64>]()
        for interval in weekly[Int(day.weekday)] {
            var points = Set([interval.lowerBound, interval.upperBound])
            for b in live {
                for p in [b.info.start, b.info.end] where interval.lowerBound < p && p < interval.upperBound { points.insert(p) }
            }
            let sorted = points.sorted()
            var open: Int64?
            for (a, b) in zip(sorted, sorted.dropFirst()) {
                let there = live.filter { $0.info.start < b && a < $0.info.end }.reduce(0) { $0 + $1.info.people }
                if there + people <= capacity {
                    if open == nil { open = a }
                } else if let o = open {
                    periods.append(o...a)
                    open = nil
                }
            }
            if let o = open { periods.append(o...interval.upperBound) }
            if session != nil {
                // Whole sessions only, and only those that have not started.
                let free = periods
                periods = sessions(of: interval).filter { s in
                    free.contains { $0.lowerBound <= s.lowerBound && s.upperBound <= $0.upperBound }
                        && policy.moment(day, minute: s.lowerBound) >= now
                        && policy.instant(day, minute: s.lowerBound) != nil && policy.instant(day, minute: s.upperBound) != nil
                }
                sessionPeriods += periods
                periods = []
            }
        }
        if session != nil { return sessionPeriods }
        return periods.compactMap { period in
            var start = period.lowerBound, end = period.upperBound
            // Under way: from the next quarter hour on.
            while start < end, policy.moment(day, minute: start) < now { start = (start / 15 + 1) * 15 }
            while start < end, policy.instant(day, minute: start) == nil { start += 1 }
            while start < end, policy.instant(day, minute: end) == nil { end -= 1 }
            return start < end ? start...end : nil
        }
    }
}

extension Day {
    /// 0 for Monday … 6 for Sunday (1970-01-01 was a Thursday).
    public var weekday: Int64 { ((number % 7) + 7 + 3) % 7 }
}

/// A slot of a space booked by a member.
public struct BookingInfo: Sendable, Equatable {
    public var id: BookingID
    public var offer: ListingID
    public var member: MemberID
    public var date: Day
    /// Minutes after midnight.
    public var start: Int64
    public var end: Int64
    public var people: Int64
    /// The one-line question a starter asks an expert with the booking of a session.
    public var question: String?

    public init(id: BookingID, offer: ListingID, member: MemberID, date: Day, start: Int64, end: Int64, people: Int64, question: String? = nil) {
        self.id = id
        self.offer = offer
        self.member = member
        self.date = date
        self.start = start
        self.end = end
        self.people = people
        self.question = question
    }

    /// The journal's form; `"question"` only when there is one, so bookings written before
    /// questions existed keep their bytes.
    public var json: JSON {
        var o: [String: JSON] = ["id": .string(id.description), "offer": .string(offer.description), "member": .string(member.description),
                                 "date": .string(date.description), "start": .int(start), "end": .int(end), "people": .int(people)]
        if let question { o["question"] = .string(question) }
        return .object(o)
    }

    init?(json j: JSON, ids: inout IDReading) {
        guard j.hasExactly(["date", "end", "id", "member", "offer", "people", "start"], optional: ["question"]), let id = ids.id(j["id"], BookingID.self),
              let offer = ids.id(j["offer"], ListingID.self), let member = ids.id(j["member"], MemberID.self),
              let date = j["date"]?.stringValue.flatMap(Day.init(iso:)), let s = j["start"]?.intValue, let e = j["end"]?.intValue,
              let p = j["people"]?.intValue else { return nil }
        var question: String?
        if let q = j["question"] {
            guard let text = q.stringValue else { return nil }
            question = text
        }
        self.init(id: id, offer: offer, member: member, date: date, start: s, end: e, people: p, question: question)
    }
}

/// A booking and where it stands.
public struct BookingRecord: Sendable, Equatable {
    public var info: BookingInfo
    public var cancelled: Bool
    /// The exchange of kind space that settled it after the slot, once it posted.
    public var settledBy: ExchangeID?

    public init(info: BookingInfo, cancelled: Bool = false, settledBy: ExchangeID? = nil, endReason: String? = nil) {
        self.info = info
        self.cancelled = cancelled
        self.settledBy = settledBy
        self.endReason = endReason
    }

    /// Why it was cancelled, when whoever cancelled it said why.
    public var endReason: String?

    /// When the slot starts and ends (Unix seconds), on the circle's clocks.
    public func starts(in policy: Policy) -> Int64 { policy.moment(info.date, minute: info.start) }
    public func ends(in policy: Policy) -> Int64 { policy.moment(info.date, minute: info.end) }
}

extension BookingInfo {
    /// How long the slot lasts in minutes: the clock times' difference, less or more an hour on
    /// the days clocks change.
    public func minutes(in policy: Policy) -> Int64 {
        (policy.moment(date, minute: end) - policy.moment(date, minute: start)) / 60
    }
}

/// A booking as a member asks for it.
public struct BookingDraft: Sendable, Equatable {
    public var offer: ListingID
    public var member: MemberID
    public var date: Day
    public var start: Int64
    public var end: Int64
    public var people: Int64
    /// For an expert's session: the one-line question (required there).
    public var question: String?

    public init(offer: ListingID, member: MemberID, date: Day, start: Int64, end: Int64, people: Int64, question: String? = nil) {
        self.offer = offer
        self.member = member
        self.date = date
        self.start = start
        self.end = end
        self.people = people
        self.question = question
    }
}

extension Decider {
    /// Furthest ahead a space can be booked.
    public static let maxBookingDaysAhead: Int64 = 365
    /// Longest question asked with a session.
    public static let maxQuestionLength = 200
    /// Shortest and longest session (minutes).
    public static let sessionMinutes: ClosedRange<Int64> = 15...480
    /// Most people a space can hold.
    public static let maxCapacity: Int64 = 10_000

    /// Opening hours, bookings and their cancellation, for spaces and for experts' time offers
    /// (whose bookings are sessions, each with a question). Bookings never exceed the capacity
    /// at any moment nor fall outside the opening hours; the single writer makes two bookings
    /// that arrive together see each other.
    static func decideSpace(_ command: Command, by actor: Actor, in view: some LedgerView, now: Int64, today: Day) throws(Refusal) -> Decision {
        switch command {
        case .setSpaceHours(let offer, let hours):
            let l = try bookableOffer(offer, in: view)
            guard actor.isCoordinator || actor.isMember(l.info.author) else {
                throw .violation(.ruleForbidden, .onlyOwnerSetsHours(l.info.author))
            }
            if let s = hours.session {
                guard sessionMinutes.contains(s), s % view.policy.quantumMinutes == 0 else {
                    throw .violation(.inputInvalid, .sessionLength(least: sessionMinutes.lowerBound, most: sessionMinutes.upperBound, quantum: view.policy.quantumMinutes, got: s), field: .session)
                }
            } else if l.info.kind == .time {
                throw .violation(.inputInvalid, .sessionNeeded(offer), field: .session)
            }
            guard (1...maxCapacity).contains(hours.capacity) else { throw .violation(.inputInvalid, .capacityRange(most: maxCapacity, got: hours.capacity), field: .capacity) }
            guard hours.weekly.count == 7, hours.weekly.allSatisfy({ $0.allSatisfy { $0.lowerBound >= 0 && $0.upperBound <= 24 * 60 && $0.lowerBound < $0.upperBound } }) else {
                throw .violation(.inputInvalid, .hoursShape, field: .weekly)
            }
            return Decision(event: .spaceHoursSet(SpaceHoursSet(offer: offer, hours: hours)))

        case .book(let d):
            guard actor.isCoordinator || actor.isMember(d.member) else {
                throw .violation(.ruleForbidden, .onlySelfBooks(d.member))
            }
            let l = try bookableOffer(d.offer, in: view)
            guard let hours = try view.spaceHours(d.offer) else {
                throw .violation(.spaceHours, .noHours(d.offer))
            }
            let m = try member(d.member, in: view)
            try requireActive(m)
            guard d.member != l.info.author else { throw .violation(.ruleSelf, .ownSpace(d.member)) }
            if l.info.kind == .time {
                guard let q = d.question, !q.isEmpty else { throw .violation(.inputInvalid, .questionNeeded(d.offer), field: .question) }
                try validateText(q, .question, max: maxQuestionLength)
                guard !q.contains(where: \.isNewline) else { throw .violation(.inputInvalid, .questionOneLine, field: .question) }
            } else if d.question != nil {
                throw .violation(.inputInvalid, .questionForSessions, field: .question)
            }
            guard d.date >= today, d.date <= today + maxBookingDaysAhead else {
                throw .violation(.ruleDate, .bookingDay(today: today, most: maxBookingDaysAhead, got: d.date), field: .date)
            }
            guard d.start >= 0, d.end <= 24 * 60, d.start < d.end else {
                throw .violation(.inputInvalid, .bookingTimes(start: d.start, end: d.end), field: .end)
            }
            for minute in [d.start, d.end] where view.policy.instant(d.date, minute: minute) == nil {
                throw .violation(.inputInvalid, .skippedTime(date: d.date, minute: minute, zone: view.policy.timeZone), field: minute == d.start ? .start : .end)
            }
            guard view.policy.moment(d.date, minute: d.end) > now else {
                throw .violation(.ruleDate, .slotOver(date: d.date, end: d.end), field: .date)
            }
            guard hours.isOpen(on: d.date, from: d.start, to: d.end) else {
                throw .violation(.spaceHours, .notOpen(d.offer, date: d.date, start: d.start, end: d.end), field: .start)
            }
            guard (1...hours.capacity).contains(d.people) else {
                throw .violation(.spaceCapacity, .peopleRange(d.offer, capacity: hours.capacity, got: d.people), field: .people)
            }
            // The most people already there at any moment of the slot.
            let overlapping = try view.bookings(of: d.offer, on: d.date).filter { !$0.cancelled && $0.info.start < d.end && d.start < $0.info.end }
            var peak: Int64 = 0
            for t in Set(overlapping.map { max($0.info.start, d.start) }) {
                peak = max(peak, overlapping.filter { $0.info.start <= t && t < $0.info.end }.reduce(0) { $0 + $1.info.people })
            }
            guard peak + d.people <= hours.capacity else {
                throw .violation(.spaceCapacity, .capacityFull(d.offer, capacity: hours.capacity, booked: peak, date: d.date, start: d.start, end: d.end, more: d.people), field: .people)
            }
            let info = BookingInfo(id: BookingID(uncheckedNumber: try view.nextBookingNumber), offer: d.offer, member: d.member, date: d.date, start: d.start, end: d.end,
                                   people: d.people, question: d.question)
            return Decision(event: .spaceBooked(SpaceBooked(booking: info)))

        case .cancelBooking(let id, let reason):
            if let reason { try validateText(reason, .reason, max: maxTextLength) }
            guard let b = try view.booking(id) else { throw .violation(.bookingNotFound, .notFound(.booking(id))) }
            let author = try view.listing(b.info.offer)?.info.author
            guard actor.isCoordinator || actor.isMember(b.info.member) || (author.map(actor.isMember) ?? false) else {
                throw .violation(.ruleForbidden, .onlyBookerCancels(b.info.member, id))
            }
            guard !b.cancelled else { throw .violation(.bookingState, .bookingAlreadyCancelled(id)) }
            guard b.ends(in: view.policy) > now else { throw .violation(.bookingState, .bookingOver(id)) }
            return Decision(event: .spaceCancelled(SpaceCancelled(id: id, by: actor, reason: reason)))

        default:
            preconditionFailure("decideSpace handles space commands only")
        }
    }

    /// A space offer, or an expert's time offer: what can have hours and bookings.
    private static func bookableOffer(_ id: ListingID, in view: some LedgerView) throws(Refusal) -> ListingRecord {
        guard id.side == .offer, let l = try view.listing(id) else { throw .violation(.listingNotFound, .notFound(.offer(id))) }
        guard l.info.kind != .goods else { throw .violation(.listingState, .notSpace(id, l.info.kind)) }
        guard !l.withdrawn else { throw .violation(.listingState, .offerWithdrawn(id)) }
        return l
    }
}
