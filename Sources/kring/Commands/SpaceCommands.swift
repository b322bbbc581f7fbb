import Foundation
import KringCore
import KringStore

func bookingLine(_ b: BookingRecord) -> String {
    "\(b.info.id)  \(b.info.date) \(SpaceHours.clock(b.info.start))-\(SpaceHours.clock(b.info.end))  \(b.info.people) people  \(b.info.member)\(b.cancelled ? "  [cancelled]" : "")"
}

func clockOption(_ inv: Invocation, _ name: String) throws -> Int64 {
    guard let m = SpaceHours.clockMinutes(inv.required(name)) else { throw ArgumentError(.inputInvalid, "--\(name) is a time like 09:30, not \(inv.required(name)).") }
    return m
}

/// Spaces as resources: opening hours, capacity and bookings.
let spaceCommands: [CommandSpec] = [
    CommandSpec(path: "space hours", summary: "set the capacity and weekly opening hours of a space offer, or of an expert's time offer in sessions (its author or the coordinator)",
                usage: "kring space hours OFFER [--as MEMBER] --capacity N --weekly \"mon-fri 09:00-17:00; sat 10:00-12:00\" [--closed 2026-12-25,2027-01-01] [--session MINUTES]",
                options: ["as", "capacity", "weekly", "closed", "session"], flags: ["json"], required: ["capacity", "weekly"], positionals: 1...1) { inv in
        guard let capacity = Int64(inv.required("capacity")) else { throw ArgumentError(.inputInvalid, "--capacity is a number of people.") }
        guard let week = SpaceHours.parseWeek(inv.required("weekly")) else {
            throw ArgumentError(.inputInvalid, "--weekly reads like \"mon-fri 09:00-17:00; sat 10:00-12:00,13:00-16:00\", not \(inv.required("weekly")).")
        }
        var closed = [Day]()
        if let c = inv.option("closed") {
            for d in c.split(separator: ",") {
                guard let day = Day(iso: String(d)) else { throw ArgumentError(.inputInvalid, "--closed lists dates like 2026-12-25, not \(d).") }
                closed.append(day)
            }
        }
        var session: Int64?
        if let s = inv.option("session") {
            guard let v = Int64(s) else { throw ArgumentError(.inputInvalid, "--session is a number of minutes, like 60, not \(s).") }
            session = v
        }
        let offer = try inv.positionalID(0, ListingID.self, "OFFER")
        return try perform(inv, .setSpaceHours(offer, SpaceHours(capacity: capacity, weekly: week, closed: closed, session: session)), by: try listingActor(inv)) { _ in
            "Opening hours of \(offer) set: \(capacity) people."
        }
    },
    CommandSpec(path: "space book", summary: "book a slot of a space for a number of people, or an expert's session with a question",
                usage: "kring space book OFFER --as MEMBER --date YYYY-MM-DD --from HH:MM --to HH:MM --people N [--question TEXT]",
                options: ["as", "date", "from", "to", "people", "question"], flags: ["json"], required: ["as", "date", "from", "to", "people"], positionals: 1...1) { inv in
        guard let date = try inv.day("date") else { throw ArgumentError(.inputInvalid, "--date is required.") }
        guard let people = Int64(inv.required("people")) else { throw ArgumentError(.inputInvalid, "--people is a number.") }
        let draft = BookingDraft(offer: try inv.positionalID(0, ListingID.self, "OFFER"), member: try inv.requiredID("as", MemberID.self), date: date, start: try clockOption(inv, "from"),
                                 end: try clockOption(inv, "to"), people: people, question: inv.option("question"))
        return try perform(inv, .book(draft), by: .member(draft.member)) { o in
            if case .spaceBooked(let e) = o.event { return "Booked \(e.booking.id): \(e.booking.offer) on \(e.booking.date) \(SpaceHours.clock(e.booking.start))-\(SpaceHours.clock(e.booking.end)) for \(e.booking.people)." }
            return ""
        }
    },
    CommandSpec(path: "space bookings", summary: "a space's opening hours and bookings", usage: "kring space bookings OFFER [--date YYYY-MM-DD] [--json]",
                options: ["date"], flags: ["json"], positionals: 1...1) { inv in
        let reader = try openReader(inv)
        let offer = try inv.positionalID(0, ListingID.self, "OFFER")
        guard let hours = try reader.spaceHours(offer) else { throw ArgumentError(.spaceHours, "\(offer) has no opening hours.") }
        let date = try inv.day("date")
        let rows = try reader.bookings(of: offer, on: date, from: date == nil ? try reader.policy().day(systemClock()) : nil)
        if inv.json {
            out(JSON.object(["offer": .id(offer), "hours": hours.json, "bookings": .array(rows.map(\.json))]).canonicalString)
            return 0
        }
        let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        out("\(offer): \(hours.capacity) people; " + (0..<7).compactMap { d in
            hours.weekly[d].isEmpty ? nil : "\(names[d]) " + hours.weekly[d].map { "\(SpaceHours.clock($0.lowerBound))-\(SpaceHours.clock($0.upperBound))" }.joined(separator: ",")
        }.joined(separator: "; ") + (hours.closed.isEmpty ? "" : "; closed \(hours.closed.map(\.description).joined(separator: ", "))"))
        rows.forEach { out(bookingLine($0)) }
        return 0
    },
    CommandSpec(path: "space cancel", summary: "cancel a booking (who booked, the space's owner or the coordinator)",
                usage: "kring space cancel BOOKING [--as MEMBER] [--reason TEXT]", options: ["as", "reason"], flags: ["json"], positionals: 1...1) { inv in
        try perform(inv, .cancelBooking(try inv.positionalID(0, BookingID.self, "BOOKING"), reason: inv.option("reason")), by: try listingActor(inv)) { _ in "Cancelled \(inv.positionals[0])." }
    },
]
