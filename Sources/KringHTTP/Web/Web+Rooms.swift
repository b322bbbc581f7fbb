import Foundation
import KringCore
import KringStore

/// Rooms (space offers with opening hours), for signed-in members as the API's bookings need a
/// token: finding a room by day, time, number of people and neighbourhood with its free times;
/// a room's week; booking; one's own bookings and the bookings of one's rooms, cancelled with a
/// reason or, after the slot, settled in one step; and for whoever offers a space, its opening
/// hours and capacity. Times are on the circle's clock. The free times are the core's
/// (`SpaceHours.freePeriods`), computed beside the rule that accepts them.
extension Web {
    /// What the room pages read from their query: the day, the number of people, and a slot.
    struct RoomQuery {
        var date: Day
        var people: Int64
        var from: Int64?
        var to: Int64?
        var neighbourhood: String?

        init(_ q: [String: String], today: Day) {
            date = q["date"].flatMap(Day.init(iso:)) ?? today
            people = q["people"].flatMap { Int64($0) }.map { min(max($0, 1), Decider.maxCapacity) } ?? 1
            from = q["from"].flatMap(SpaceHours.clockMinutes)
            to = q["to"].flatMap(SpaceHours.clockMinutes)
            neighbourhood = q["neighbourhood"].flatMap { $0.isEmpty ? nil : $0 }
        }

        /// The slot asked for, when both ends are given and in order.
        var slot: ClosedRange<Int64>? {
            guard let from, let to, from < to else { return nil }
            return from...to
        }

        func link(_ room: ListingID, _ kind: ExchangeKind, date: Day? = nil, from: Int64? = nil, to: Int64? = nil) -> String {
            var q = ["date": (date ?? self.date).description]
            if kind == .space { q["people"] = String(people) }
            if let f = from ?? self.from { q["from"] = SpaceHours.clock(f) }
            if let t = to ?? self.to { q["to"] = SpaceHours.clock(t) }
            return Web.bookablePath(room, kind) + "?" + Web.queryString(q)
        }
    }

    /// Where a bookable offer's page is: `/rooms/of-N` for a space, `/experts/of-N` for an
    /// expert's time.
    static func bookablePath(_ id: ListingID, _ kind: ExchangeKind) -> String { (kind == .time ? "/experts/" : "/rooms/") + id.description }

    /// Find a room: the rooms with their free times on a day for a number of people; with a
    /// slot, only the rooms where it is free.
    func roomsPage(_ page: Request) throws -> HTTPResponse {
        let l = page.language
        let session = try page.requireSession()
        let now = api.clock()
        let (policy, rooms, all, bookings) = try api.read { r -> (Policy, [(row: ListingRow, hours: SpaceHours)], [String], [ListingID: [BookingRecord]]) in
            let policy = try r.policy()
            let q = RoomQuery(page.query, today: policy.day(now))
            let all = try r.rooms(today: policy.day(now))
            let rooms = q.neighbourhood == nil ? all : all.filter { $0.row.place == q.neighbourhood }
            var bookings = [ListingID: [BookingRecord]]()
            for room in rooms { bookings[room.row.record.info.id] = try r.bookings(of: room.row.record.info.id, on: q.date) }
            return (policy, rooms, Set(all.compactMap(\.row.place)).sorted(), bookings)
        }
        let today = policy.day(now)
        let q = RoomQuery(page.query, today: today)
        let me = session.login.member
        return document(page, title: Word.roomsTitle.text(l)) { h in
            h.element("p", text: Word.roomsIntro.text(l))
            h.element("p") { $0.element("a", [("href", "/bookings")], text: Word.myBookingsTitle.text(l)) }
            h.element("form", [("method", "get"), ("action", "/rooms"), ("class", "filters")]) { f in
                field(&f, id: "date", label: Word.date.text(l), hint: nil, error: nil,
                      attributes: [("type", "date"), ("name", "date"), ("value", q.date.description), ("min", today.description)])
                field(&f, id: "people", label: Word.peopleCount.text(l), hint: nil, error: nil,
                      attributes: [("type", "number"), ("name", "people"), ("value", String(q.people)), ("min", "1"), ("inputmode", "numeric")])
                field(&f, id: "from", label: Word.fromTime.text(l), hint: Word.timeHint.text(l), error: nil,
                      attributes: [("type", "time"), ("name", "from"), ("value", q.from.map(SpaceHours.clock) ?? "")])
                field(&f, id: "to", label: Word.toTime.text(l), hint: nil, error: nil,
                      attributes: [("type", "time"), ("name", "to"), ("value", q.to.map(SpaceHours.clock) ?? "")])
                if !all.isEmpty {
                    f.element("label", [("for", "neighbourhood")], text: Word.filterNeighbourhood.text(l))
                    f.element("select", [("id", "neighbourhood"), ("name", "neighbourhood")]) { s in
                        s.element("option", [("value", "")], text: Word.anyOption.text(l))
                        for p in all { s.element("option", [("value", p), ("selected", p == q.neighbourhood ? "" : nil)], text: p) }
                    }
                }
                f.element("button", [("type", "submit")], text: Word.searchButton.text(l))
            }
            h.element("h2", text: Word.roomsOn.text(l, l.weekdayDay(q.date)))
            var shown = 0
            h.element("ul", [("class", "items")]) { ul in
                for room in rooms {
                    let i = room.row.record.info
                    guard i.author != me else { continue }
                    let free = room.hours.freePeriods(on: q.date, bookings: bookings[i.id] ?? [], people: q.people, policy: policy, now: now)
                    if let slot = q.slot {
                        guard free.contains(where: { $0.lowerBound <= slot.lowerBound && slot.upperBound <= $0.upperBound }) else { continue }
                    } else if free.isEmpty { continue }
                    shown += 1
                    ul.element("li") { li in
                        li.element("a", [("href", q.link(i.id, .space))], text: i.title)
                        li.text(" — " + [room.row.place, Word.capacityOf.text(l, String(room.hours.capacity))].compactMap { $0 }.joined(separator: ", "))
                        li.void("br")
                        li.text(Word.freeTimes.text(l, free.map { "\(SpaceHours.clock($0.lowerBound))–\(SpaceHours.clock($0.upperBound))" }.joined(separator: ", ")))
                    }
                }
            }
            if shown == 0 { h.element("p", text: Word.noRooms.text(l)) }
        }
    }

    /// A room's page: what it is, its hours, its week (free times and bookings; who booked only
    /// for its owner, a coordinator, or the booker themself), and the booking form.
    func roomPage(_ page: Request, id: ListingID, values: [String: String]? = nil, error formError: FormError? = nil, status: Int = 200) throws -> HTTPResponse {
        let l = page.language
        let session = try page.requireSession()
        let me = session.login.member
        let now = api.clock()
        guard let (policy, row, hours, week, names) = try api.read({ r -> (Policy, ListingRow, SpaceHours?, [BookingRecord], [MemberID: String])? in
            guard let row = try r.listing(id), row.record.info.kind != .goods, row.record.info.side == .offer else { return nil }
            let policy = try r.policy()
            let q = RoomQuery(page.query, today: policy.day(now))
            let monday = q.date - q.date.weekday
            let week = try r.bookings(of: id, from: monday).filter { $0.info.date < monday + 7 }
            var names = [MemberID: String]()
            for m in Set(week.map(\.info.member) + [row.record.info.author]) { names[m] = try r.member(m)?.state.info.name ?? m.handle }
            return (policy, row, try r.spaceHours(id), week, names)
        }) else { throw PageError.notFound }
        let info = row.record.info
        let owner = info.author == me, full = owner || session.login.role == .coordinator
        let expert = info.kind == .time, path = Web.bookablePath(id, info.kind)
        // A withdrawn room is its owner's and the coordinators' business only, as in the API.
        if row.record.withdrawn && !full { throw PageError.notFound }
        let today = policy.day(now)
        let q = RoomQuery(page.query, today: today)
        let monday = q.date - q.date.weekday
        let v = values ?? [:]
        func error(_ name: String) -> String? { formError?.field == name ? formError?.message : nil }
        return document(page, title: info.title, status: status) { h in
            if let formError { errorSummary(&h, l, [formError]) }
            h.element("dl") { dl in
                dl.element("dt", text: Word.postedBy.text(l)); dl.element("dd") { $0.element("a", [("href", "/members/\(info.author)")], text: names[info.author] ?? info.author.handle) }
                if let place = row.place { dl.element("dt", text: Word.place.text(l)); dl.element("dd", text: place) }
                if let hours {
                    if let s = hours.session { dl.element("dt", text: Word.sessionLabel.text(l)); dl.element("dd", text: l.amount(Minutes(s))) }
                    dl.element("dt", text: (expert ? Word.perSession : Word.capacityLabel).text(l)); dl.element("dd", text: String(hours.capacity))
                    dl.element("dt", text: Word.openingHours.text(l))
                    dl.element("dd", text: (0..<7).compactMap { d in
                        hours.weekly[d].isEmpty ? nil : l.weekday(Int64(d)) + " " + hours.weekly[d].map { "\(SpaceHours.clock($0.lowerBound))–\(SpaceHours.clock($0.upperBound))" }.joined(separator: ", ")
                    }.joined(separator: "; "))
                    if !hours.closed.isEmpty { dl.element("dt", text: Word.closedDays.text(l)); dl.element("dd", text: hours.closed.map(l.day).joined(separator: ", ")) }
                }
            }
            if !info.text.isEmpty { h.element("p", [("class", "text")], text: info.text) }
            if owner || session.login.role == .coordinator {
                h.element("p") { $0.element("a", [("href", "\(path)/hours")], text: (hours == nil ? Word.setHours : Word.editHours).text(l)) }
            }
            guard let hours else { h.element("p", text: Word.noHoursYet.text(l)); return }
            h.element("h2", text: Word.weekOf.text(l, l.day(monday)))
            h.element("p", [("class", "pager")]) { p in
                if monday > today - today.weekday { p.element("a", [("href", q.link(id, info.kind, date: monday - 7))], text: Word.previousWeek.text(l)); p.text(" ") }
                p.element("a", [("href", q.link(id, info.kind, date: monday + 7))], text: Word.nextWeek.text(l))
            }
            h.element("ul", [("class", "items week")]) { ul in
                for d in 0..<Int64(7) {
                    let day = monday + d
                    ul.element("li") { li in
                        li.element("strong", text: l.weekdayDay(day))
                        let booked = week.filter { $0.info.date == day && !$0.cancelled }
                        let free = owner ? [] : hours.freePeriods(on: day, bookings: booked, people: expert ? 1 : q.people, policy: policy, now: now)
                        if day < today {
                            li.text(" — " + Word.dayPast.text(l))
                        } else if hours.closed.contains(day) || hours.weekly[Int(day.weekday)].isEmpty {
                            li.text(" — " + Word.closedThatDay.text(l))
                        } else if !owner {
                            li.text(" — ")
                            if free.isEmpty { li.text(Word.noFreeTimes.text(l)) } else {
                                li.text(Word.freeTimes.text(l, ""))
                                for (n, f) in free.enumerated() {
                                    if n > 0 { li.text(", ") }
                                    li.element("a", [("href", q.link(id, info.kind, date: day, from: f.lowerBound, to: f.upperBound) + "#book")],
                                               text: "\(SpaceHours.clock(f.lowerBound))–\(SpaceHours.clock(f.upperBound))")
                                }
                            }
                        }
                        if !booked.isEmpty {
                            li.element("ul") { inner in
                                for b in booked {
                                    let who = b.info.member == me ? Word.youBooked.text(l) : full ? names[b.info.member] ?? b.info.member.handle : nil
                                    inner.element("li") { item in
                                        item.text(Word.bookedSlot.text(l, SpaceHours.clock(b.info.start), SpaceHours.clock(b.info.end), String(b.info.people)) + (who.map { " — \($0)" } ?? ""))
                                        // The question is the expert's and the starter's business.
                                        if let question = b.info.question, who != nil { item.element("q", text: question) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            guard !owner, !row.record.withdrawn else { return }
            h.element("h2", [("id", "book")], text: (expert ? Word.bookSessionTitle : Word.bookTitle).text(l))
            writingForm(&h, action: "\(path)/book", session) { f in
                field(&f, id: "date", label: Word.date.text(l), hint: nil, error: error("date"),
                      attributes: [("type", "date"), ("name", "date"), ("value", v["date"] ?? q.date.description), ("min", today.description)])
                field(&f, id: "from", label: Word.fromTime.text(l), hint: Word.timeHint.text(l), error: error("from"),
                      attributes: [("type", "time"), ("name", "from"), ("value", v["from"] ?? q.from.map(SpaceHours.clock) ?? "")])
                field(&f, id: "to", label: Word.toTime.text(l), hint: nil, error: error("to"),
                      attributes: [("type", "time"), ("name", "to"), ("value", v["to"] ?? q.to.map(SpaceHours.clock) ?? "")])
                if expert {
                    field(&f, id: "question", label: Word.questionLabel.text(l), hint: Word.questionHint.text(l), error: error("question"),
                          attributes: [("type", "text"), ("name", "question"), ("value", v["question"] ?? ""), ("maxlength", String(Decider.maxQuestionLength))])
                } else {
                    field(&f, id: "people", label: Word.peopleCount.text(l), hint: Word.capacityOf.text(l, String(hours.capacity)), error: error("people"),
                          attributes: [("type", "number"), ("name", "people"), ("value", v["people"] ?? String(q.people)), ("min", "1"), ("inputmode", "numeric")])
                }
                f.element("button", [("type", "submit")], text: Word.bookButton.text(l))
            }
        }
    }

    /// Books through the core; a refusal comes back beside its field with the input kept.
    func book(_ page: inout Request, id: ListingID) throws -> HTTPResponse {
        let session = try page.requireSession()
        try page.checkSessionForm()
        let l = page.language
        let f = page.form
        let values = page.typed
        func refuse(_ e: FormError) throws -> HTTPResponse { try roomPage(page, id: id, values: values, error: e, status: 422) }
        guard let date = Day(iso: f["date"] ?? "") else {
            return try refuse((Web.unreadableDate(f["date"] ?? "", .date, l), "date"))
        }
        guard let from = SpaceHours.clockMinutes(f["from"] ?? "") else { return try refuse((Word.timeUnreadable.text(l, String((f["from"] ?? "").prefix(20))), "from")) }
        guard let to = SpaceHours.clockMinutes(f["to"] ?? "") else { return try refuse((Word.timeUnreadable.text(l, String((f["to"] ?? "").prefix(20))), "to")) }
        // An expert's session is for the one who books it, with their question.
        let question = f["question"]
        guard let people = question != nil ? 1 : Int64(f["people"] ?? "") else { return try refuse((Word.wholeNumber.text(l), "people")) }
        let draft = BookingDraft(offer: id, member: session.login.member, date: date, start: from, end: to, people: people, question: question)
        switch try submit(page, .book(draft), session: session) {
        case .success: return redirect("/bookings")
        case .failure(let v):
            if v.code == .listingNotFound { throw PageError.notFound }
            let field: String = switch v.field {
            case .date?: "date"
            case .people?, .capacity?: question == nil ? "people" : "from"
            case .question?: "question"
            case .end?: "to"
            default: "from"
            }
            return try refuse((v.sentence(in: l), field))
        }
    }

    /// Most bookings a list shows.
    static let bookingsShown = 200

    /// My bookings (upcoming, and those of the last 30 days), the bookings of my rooms and
    /// sessions (with the starters' questions) with cancel and settle, and my rooms and sessions.
    func bookingsPage(_ page: Request, refusal: (BookingID, RuleViolation)? = nil, status: Int = 200) throws -> HTTPResponse {
        let l = page.language
        let session = try page.requireSession()
        let me = session.login.member
        let now = api.clock()
        let (policy, mine, theirs, rooms, offers, names) = try api.read { r -> (Policy, [BookingRecord], [BookingRecord], [(ListingRow, SpaceHours?)], [ListingID: ListingInfo], [MemberID: String]) in
            let policy = try r.policy()
            let since = policy.day(now) - 30
            let mine = try r.bookings(member: me, from: since), theirs = try r.bookings(owner: me, from: since)
            // My spaces (with hours or not yet) and my time offers that have sessions.
            var rooms = [(ListingRow, SpaceHours?)]()
            for o in try r.listings(ListingFilter(side: .offer, author: me), today: policy.day(now), limit: 100) where o.record.info.kind != .goods {
                let hours = try r.spaceHours(o.record.info.id)
                if o.record.info.kind == .space || hours != nil { rooms.append((o, hours)) }
            }
            var offers = [ListingID: ListingInfo](), names = [MemberID: String]()
            for b in mine + theirs {
                if offers[b.info.offer] == nil { offers[b.info.offer] = try r.listing(b.info.offer)?.record.info }
                if names[b.info.member] == nil { names[b.info.member] = try r.member(b.info.member)?.state.info.name ?? b.info.member.handle }
            }
            return (policy, mine, theirs, rooms, offers, names)
        }
        func when(_ b: BookingRecord) -> String {
            "\(l.weekdayDay(b.info.date)), \(SpaceHours.clock(b.info.start))–\(SpaceHours.clock(b.info.end))"
        }
        return document(page, title: Word.bookingsTitle.text(l), status: status) { h in
            if let (id, v) = refusal { errorSummary(&h, l, [(v.sentence(in: l), "booking-\(id)")]) }
            h.element("p") { p in
                p.element("a", [("href", "/rooms")], text: Word.roomsTitle.text(l))
                p.text(" · ")
                p.element("a", [("href", "/experts")], text: Word.expertsTitle.text(l))
            }
            for (title, list, asOwner) in [(Word.myBookingsTitle, mine, false), (Word.roomBookingsTitle, theirs, true)] {
                if asOwner && list.isEmpty && rooms.isEmpty { continue }
                h.element("h2", text: title.text(l))
                guard !list.isEmpty else { h.element("p", text: Word.noBookings.text(l)); continue }
                h.element("ul", [("class", "items")]) { ul in
                    for b in list {
                        let over = b.ends(in: policy) <= now
                        let offer = offers[b.info.offer], kind = offer?.kind ?? .space
                        ul.element("li", [("id", "booking-\(b.info.id)")]) { li in
                            li.element("a", [("href", Web.bookablePath(b.info.offer, kind) + "?date=\(b.info.date)")], text: offer?.title ?? b.info.offer.description)
                            li.text(" — " + when(b) + (kind == .space ? ", " + Word.peopleShort.text(l, String(b.info.people)) : "")
                                    + " (" + Word.lasts.text(l, l.amount(Minutes(b.info.minutes(in: policy)))) + ")")
                            if asOwner { li.text(" — " + (names[b.info.member] ?? "")) }
                            if let question = b.info.question { li.element("p", [("class", "effect")], text: Word.questionAsked.text(l, question)) }
                            if b.cancelled {
                                li.text(" — " + Word.bookingCancelled.text(l))
                                if let why = b.endReason { li.element("p", [("class", "effect")], text: Word.endReason.text(l, why)) }
                            } else if let x = b.settledBy {
                                li.text(" — ")
                                li.element("a", [("href", "/exchanges/\(x)")], text: Word.settledIn.text(l, x.description))
                            } else if !over {
                                writingForm(&li, action: "/bookings/\(b.info.id)/cancel", session) { f in
                                    f.element("label", [("for", "reason-\(b.info.id)")], text: Word.cancelBookingReason.text(l))
                                    f.void("input", [("type", "text"), ("id", "reason-\(b.info.id)"), ("name", "reason"), ("maxlength", "500")])
                                    f.element("button", [("type", "submit"), ("class", "secondary")], text: Word.cancelBooking.text(l, when(b)))
                                }
                            } else if asOwner {
                                writingForm(&li, action: "/bookings/\(b.info.id)/settle", session) { f in
                                    let length = l.amount(Minutes(b.info.minutes(in: policy)))
                                    if kind == .time {
                                        // Time is hour for hour: the rules allow no gift of time.
                                        f.element("p", text: Word.settleSession.text(l, length))
                                    } else {
                                        radios(&f, "credits-\(b.info.id)", Word.settleHow.text(l), "gift", [
                                            ("gift", Word.settleGift.text(l)), ("credits", Word.settleCredits.text(l, length)),
                                        ])
                                    }
                                    f.element("button", [("type", "submit")], text: Word.settleButton.text(l, when(b)))
                                }
                            } else {
                                li.text(" — " + Word.awaitingSettlement.text(l))
                            }
                        }
                    }
                }
            }
            guard !rooms.isEmpty else { return }
            h.element("h2", text: Word.myRoomsTitle.text(l))
            h.element("ul", [("class", "items")]) { ul in
                for (row, hours) in rooms {
                    let id = row.record.info.id, path = Web.bookablePath(id, row.record.info.kind)
                    ul.element("li") { li in
                        li.element("a", [("href", path)], text: row.record.info.title)
                        li.text(" — ")
                        if let hours { li.text(Word.capacityOf.text(l, String(hours.capacity)) + " ") }
                        li.element("a", [("href", "\(path)/hours")], text: (hours == nil ? Word.setHours : Word.editHours).text(l))
                    }
                }
            }
        }
    }

    /// Cancels a booking (the booker, the owner or a coordinator), with the reason given.
    func cancelBooking(_ page: inout Request, id: BookingID) throws -> HTTPResponse {
        let session = try page.requireSession()
        try page.checkSessionForm()
        switch try submit(page, .cancelBooking(id, reason: page.form["reason"]), session: session) {
        case .success: return redirect("/bookings")
        case .failure(let v):
            if v.code == .bookingNotFound || v.code == .ruleForbidden { throw PageError.notFound }
            return try bookingsPage(page, refusal: (id, v), status: 422)
        }
    }

    /// Settles a booking after its slot in one step: the owner proposes the space exchange, as a
    /// gift or for the slot's hours in credits, linked to the booking; the booker confirms it as
    /// any proposal.
    func settleBooking(_ page: inout Request, id: BookingID) throws -> HTTPResponse {
        let session = try page.requireSession()
        try page.checkSessionForm()
        guard let (b, room, policy) = try api.read({ r -> (BookingRecord, ListingRow, Policy)? in
            guard let b = try r.booking(id), let room = try r.listing(b.info.offer) else { return nil }
            return (b, room, try r.policy())
        }), room.record.info.author == session.login.member || session.login.role == .coordinator else { throw PageError.notFound }
        let minutes = b.info.minutes(in: policy), info = room.record.info
        // A session is time, hour for hour; a space is a gift or for its hours in credits.
        let credits = info.kind == .time || page.form["credits-\(id)"] == "credits" ? Minutes(minutes) : .zero
        let draft = ExchangeDraft(providers: [info.author], receivers: [b.info.member], kind: info.kind, domain: info.domain, what: info.title,
                                  credits: credits, quantity: info.kind == .time ? nil : minutes, date: b.info.date, links: [.booking(id)])
        switch try submit(page, .propose(draft), session: session) {
        case .success(let o): return redirect("/exchanges/\(o.event.exchangeID?.description ?? "")")
        case .failure(let v): return try bookingsPage(page, refusal: (id, v), status: 422)
        }
    }

    /// The owner's form for a room's capacity, weekly hours and closed days.
    func roomHoursPage(_ page: Request, id: ListingID, values: [String: String]? = nil, error formError: FormError? = nil, status: Int = 200) throws -> HTTPResponse {
        let l = page.language
        let session = try page.requireSession()
        guard let (row, hours) = try api.read({ r -> (ListingRow, SpaceHours?)? in
            guard let row = try r.listing(id), row.record.info.kind != .goods, row.record.info.side == .offer else { return nil }
            return (row, try r.spaceHours(id))
        }), row.record.info.author == session.login.member || session.login.role == .coordinator else { throw PageError.notFound }
        let expert = row.record.info.kind == .time
        var v = values ?? [:]
        if values == nil {
            v["capacity"] = hours.map { String($0.capacity) } ?? (expert ? "1" : "")
            v["session"] = hours?.session.map { String($0) } ?? (expert ? "60" : "")
            for d in 0..<7 { v["day\(d)"] = hours.map { $0.weekly[d].map { "\(SpaceHours.clock($0.lowerBound))-\(SpaceHours.clock($0.upperBound))" }.joined(separator: ", ") } ?? "" }
            v["closed"] = hours.map { $0.closed.map(\.description).joined(separator: ", ") } ?? ""
        }
        func error(_ name: String) -> String? { formError?.field == name ? formError?.message : nil }
        return document(page, title: Word.hoursTitle.text(l, row.record.info.title), status: status) { h in
            if let formError { errorSummary(&h, l, [formError]) }
            if expert { h.element("p", text: Word.expertHoursIntro.text(l)) }
            writingForm(&h, action: Web.bookablePath(id, row.record.info.kind) + "/hours", session) { f in
                if expert {
                    field(&f, id: "session", label: Word.sessionMinutes.text(l), hint: Word.sessionHint.text(l), error: error("session"),
                          attributes: [("type", "number"), ("name", "session"), ("value", v["session"] ?? ""), ("min", "15"), ("step", "15"), ("inputmode", "numeric")])
                }
                field(&f, id: "capacity", label: (expert ? Word.perSession : Word.capacityLabel).text(l), hint: nil, error: error("capacity"),
                      attributes: [("type", "number"), ("name", "capacity"), ("value", v["capacity"] ?? ""), ("min", "1"), ("inputmode", "numeric")])
                f.element("fieldset", [("id", "weekly")]) { fs in
                    fs.element("legend", text: Word.openingHours.text(l))
                    fs.element("p", [("class", "hint"), ("id", "weekly-hint")], text: Word.weekdayHint.text(l))
                    if let e = error("weekly") { fs.element("p", [("class", "error")], text: e) }
                    for d in 0..<7 {
                        fs.element("label", [("for", "day\(d)")], text: l.weekday(Int64(d)))
                        if let e = error("day\(d)") { fs.element("p", [("class", "error"), ("id", "day\(d)-error")], text: e) }
                        fs.void("input", [("type", "text"), ("id", "day\(d)"), ("name", "day\(d)"), ("value", v["day\(d)"] ?? ""), ("maxlength", "200"),
                                          ("aria-describedby", error("day\(d)") == nil ? "weekly-hint" : "weekly-hint day\(d)-error"),
                                          ("aria-invalid", error("day\(d)") == nil ? nil : "true")])
                    }
                }
                field(&f, id: "closed", label: Word.closedDays.text(l), hint: Word.closedDaysHint.text(l), error: error("closed"),
                      attributes: [("type", "text"), ("name", "closed"), ("value", v["closed"] ?? ""), ("maxlength", "4000")])
                f.element("button", [("type", "submit")], text: Word.saveButton.text(l))
            }
        }
    }

    /// Sets the hours through the core; input it cannot read is refused beside its field.
    func saveRoomHours(_ page: inout Request, id: ListingID) throws -> HTTPResponse {
        let session = try page.requireSession()
        try page.checkSessionForm()
        let l = page.language
        let f = page.form
        let values = page.typed
        func refuse(_ e: FormError) throws -> HTTPResponse { try roomHoursPage(page, id: id, values: values, error: e, status: 422) }
        guard let capacity = Int64((f["capacity"] ?? "").trimmingCharacters(in: .whitespaces)) else { return try refuse((Word.wholeNumber.text(l), "capacity")) }
        var weekly = [[ClosedRange<Int64>]]()
        for d in 0..<7 {
            let text = (f["day\(d)"] ?? "").trimmingCharacters(in: .whitespaces)
            var intervals = [ClosedRange<Int64>]()
            for part in text.split(separator: ",") where !part.trimmingCharacters(in: .whitespaces).isEmpty {
                let ends = part.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
                guard ends.count == 2, let o = SpaceHours.clockMinutes(ends[0]), let e = SpaceHours.clockMinutes(ends[1]), o < e else {
                    return try refuse((Word.hoursUnreadable.text(l, l.weekday(Int64(d)), String(part.prefix(40))), "day\(d)"))
                }
                intervals.append(o...e)
            }
            weekly.append(intervals)
        }
        var closed = [Day]()
        for part in (f["closed"] ?? "").split(whereSeparator: { $0 == "," || $0 == " " }) where !part.isEmpty {
            guard let day = Day(iso: String(part)) else {
                return try refuse((Web.unreadableDate(String(part), .date, l), "closed"))
            }
            closed.append(day)
        }
        var sessionLength: Int64?
        if let text = f["session"]?.trimmingCharacters(in: .whitespaces) {
            guard let minutes = Int64(text) else { return try refuse((Word.wholeNumber.text(l), "session")) }
            sessionLength = minutes
        }
        switch try submit(page, .setSpaceHours(id, SpaceHours(capacity: capacity, weekly: weekly, closed: closed, session: sessionLength)), session: session) {
        case .success:
            let kind = try api.read { r in try r.listing(id)?.record.info.kind } ?? .space
            return redirect(Web.bookablePath(id, kind))
        case .failure(let v):
            if v.code == .listingNotFound || v.code == .ruleForbidden { throw PageError.notFound }
            let field: String = switch v.field {
            case .weekly?: "day0"
            case .session?: "session"
            default: "capacity"
            }
            return try refuse((v.sentence(in: l), field))
        }
    }
}

extension Language {
    /// 0 for Monday … 6 for Sunday.
    func weekday(_ d: Int64) -> String {
        let nl = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
        let en = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        return (self == .nl ? nl : en)[Int(((d % 7) + 7) % 7)]
    }

    /// `dinsdag 2 juni 2026` or `Tuesday 2 June 2026`.
    func weekdayDay(_ d: Day) -> String { "\(weekday(d.weekday)) \(day(d))" }
}

extension Web {
    /// Days ahead the experts page looks for free sessions, and how many it shows an expert.
    static let expertDaysAhead: Int64 = 14, sessionsShown = 6

    /// Ask the expert: the experts' time offers with sessions (in a domain when chosen), each
    /// with its next free sessions over two weeks, each a link that fills in the booking form.
    func expertsPage(_ page: Request) throws -> HTTPResponse {
        let l = page.language
        let session = try page.requireSession()
        let now = api.clock()
        let domain = page.query["domain"].flatMap { $0.isEmpty ? nil : $0 }
        let (policy, experts, bookings, names) = try api.read { r -> (Policy, [(row: ListingRow, hours: SpaceHours)], [ListingID: [BookingRecord]], [MemberID: String]) in
            let policy = try r.policy()
            let today = policy.day(now)
            let experts = try r.rooms(kind: .time, domain: domain, today: today).filter { $0.row.record.info.author != session.login.member }
            var bookings = [ListingID: [BookingRecord]](), names = [MemberID: String]()
            for e in experts {
                let i = e.row.record.info
                bookings[i.id] = try r.bookings(of: i.id, from: today).filter { $0.info.date < today + Web.expertDaysAhead }
                names[i.author] = try r.member(i.author)?.state.info.name ?? i.author.handle
            }
            return (policy, experts, bookings, names)
        }
        let today = policy.day(now)
        return document(page, title: Word.expertsTitle.text(l)) { h in
            h.element("p", text: Word.expertsIntro.text(l))
            h.element("form", [("method", "get"), ("action", "/experts"), ("class", "filters")]) { f in
                f.element("label", [("for", "domain")], text: Word.domain.text(l))
                f.element("select", [("id", "domain"), ("name", "domain")]) { s in
                    s.element("option", [("value", "")], text: Word.anyOption.text(l))
                    for d in policy.domains { s.element("option", [("value", d), ("selected", d == domain ? "" : nil)], text: d) }
                }
                f.element("button", [("type", "submit")], text: Word.searchButton.text(l))
            }
            guard !experts.isEmpty else { h.element("p", text: Word.noExperts.text(l)); return }
            h.element("ul", [("class", "items")]) { ul in
                for e in experts {
                    let i = e.row.record.info
                    var next = [(Day, ClosedRange<Int64>)]()
                    for d in 0..<Web.expertDaysAhead where next.count < Web.sessionsShown {
                        let day = today + d
                        let free = e.hours.freePeriods(on: day, bookings: (bookings[i.id] ?? []).filter { $0.info.date == day }, people: 1, policy: policy, now: now)
                        next += free.prefix(Web.sessionsShown - next.count).map { (day, $0) }
                    }
                    ul.element("li") { li in
                        li.element("a", [("href", Web.bookablePath(i.id, .time))], text: i.title)
                        li.text(" — \(names[i.author] ?? ""), \(i.domain), " + Word.sessionOf.text(l, l.amount(Minutes(e.hours.session ?? 0))))
                        guard !next.isEmpty else { li.element("p", text: Word.noFreeSessions.text(l)); return }
                        li.element("ul") { sessions in
                            for (day, s) in next {
                                let q = ["date": day.description, "from": SpaceHours.clock(s.lowerBound), "to": SpaceHours.clock(s.upperBound)]
                                sessions.element("li") {
                                    $0.element("a", [("href", Web.bookablePath(i.id, .time) + "?" + Web.queryString(q) + "#book")],
                                               text: "\(l.weekdayDay(day)), \(SpaceHours.clock(s.lowerBound))–\(SpaceHours.clock(s.upperBound))")
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
