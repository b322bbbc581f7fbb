import Foundation
import KringCore
import KringHTTP
import KringStore
import KringTestSupport
import Testing

/// Rooms on the pages: the owner's hours form, finding a room with its free times, booking
/// (refusals beside their field), who sees whose name, cancelling with a reason, settling after
/// the slot; and the circle's clock across a change of the clocks.
@Suite("Web pages: rooms", .serialized)
struct WebRoomTests {
    /// A room of bakkerij's (a space offer in Centrum) and the owner signed in.
    static func room(_ s: TestServer) throws -> (ListingID, Browser) {
        let ledger = try Ledger(path: s.path, clock: s.clock.clock)
        let room = try #require(try ledger.execute(.postListing(ListingDraft(side: .offer, author: "bakkerij", kind: .space, domain: "culture",
                                                                             title: "Vergaderzaal", place: "Centrum")), by: .member("bakkerij")).event.listingID)
        return (room, try WebTests.signedIn(s, "bakkerij"))
    }

    @Test("the owner sets the hours in a form; a member finds free times by day and people, books one, and what the rules refuse comes back beside its field")
    func hoursFindAndBook() throws {
        let s = try TestServer()  // Monday 1 June 2026, 09:00 UTC: 11:00 in Brussels
        defer { s.stop() }
        let (room, owner) = try Self.room(s)
        let an = try WebTests.signedIn(s, "an"), bram = try WebTests.signedIn(s, "bram")
        #expect(try an.get("/rooms/\(room)").status == 200 && an.page.contains("nog geen openingsuren") && !an.page.contains("action=\"/rooms/\(room)/book\""))
        #expect(try an.get("/rooms/\(room)/hours").status == 404, "only the owner (or a coordinator) sets the hours")
        let head = try s.headSeq()
        try owner.get("/rooms/\(room)/hours")
        let week = ["capacity": "10", "day0": "09:00-17:00", "day1": "09:00-17:00", "day2": "09:00-12:00, 13:00-17:00", "day3": "09:00-17:00",
                    "day4": "09:00-17:00", "day5": "", "day6": "", "closed": "2026-06-05"]
        for (change, field, sentence) in [(["day1": "9 tot 5"], "day1", "Schrijf de uren van dinsdag als 09:00-12:00"),
                                          (["day0": "17:00-09:00"], "day0", "niet „17:00-09:00”"),
                                          (["capacity": "tien"], "capacity", "geheel getal"),
                                          (["capacity": "0"], "capacity", "10000"),
                                          (["closed": "kerstmis"], "closed", "geen datum")] {
            #expect(try owner.submit("/rooms/\(room)/hours", week.merging(change) { $1 }).status == 422, "\(change)")
            #expect(owner.page.contains("id=\"\(field)-error\"") && owner.page.contains(sentence), "\(change): \(owner.page)")
        }
        #expect(try s.headSeq() == head)
        #expect(try owner.submit("/rooms/\(room)/hours", week).header("location") == "/rooms/\(room)")
        #expect(try s.headSeq() == head + 1)
        #expect(try owner.get("/rooms/\(room)/hours").status == 200 && owner.page.contains("value=\"09:00-12:00, 13:00-17:00\""), "the form shows what is set")

        // Today is under way: free from 11:00; tomorrow the whole day; Friday it is closed.
        #expect(try an.get("/rooms?date=2026-06-01&people=4").status == 200)
        #expect(an.page.contains("Vergaderzaal") && an.page.contains("vrij: 11:00–17:00"), "\(an.page)")
        #expect(try an.get("/rooms?date=2026-06-03&people=4").status == 200 && an.page.contains("vrij: 09:00–12:00, 13:00–17:00"))
        #expect(try an.get("/rooms?date=2026-06-05&people=4").status == 200 && !an.page.contains("Vergaderzaal") && an.page.contains("Geen zaal"))
        #expect(try an.get("/rooms?date=2026-06-02&people=11").status == 200 && !an.page.contains("Vergaderzaal"), "more people than it holds")
        #expect(try an.get("/rooms?date=2026-06-02&neighbourhood=Zuid").status == 200 && !an.page.contains("Vergaderzaal"))
        #expect(try owner.get("/rooms?date=2026-06-02").status == 200 && !owner.page.contains("Vergaderzaal"), "not one's own room")

        // An books from the room's page; the form is sent twice and books once.
        #expect(try an.get("/rooms/\(room)?date=2026-06-02&from=10:00&to=12:00&people=8").status == 200)
        #expect(an.page.contains("value=\"10:00\"") && an.page.contains("value=\"8\""))
        let booking = ["date": "2026-06-02", "from": "10:00", "to": "12:00", "people": "8"]
        let first = try an.submit("/rooms/\(room)/book", booking), again = try an.submit("/rooms/\(room)/book", booking)
        #expect(first.status == 303 && first.header("location") == "/bookings" && again.status == 303)
        #expect(try s.headSeq() == head + 2)
        #expect(try an.get("/bookings").status == 200 && an.page.contains("Vergaderzaal") && an.page.contains("dinsdag 2 juni 2026, 10:00–12:00"))

        // Bram sees the slot taken (not by whom), and what the rules refuse stays beside its field.
        #expect(try bram.get("/rooms?date=2026-06-02&people=4").status == 200 && bram.page.contains("vrij: 09:00–10:00, 12:00–17:00"), "\(bram.page)")
        #expect(try bram.get("/rooms/\(room)?date=2026-06-02").status == 200 && bram.page.contains("10:00–12:00, aantal personen: 8") && !bram.page.contains("— An"))
        #expect(try owner.get("/rooms/\(room)?date=2026-06-02").status == 200 && owner.page.contains("10:00–12:00, aantal personen: 8 — An"))
        let before = try s.headSeq()
        for (change, field, sentence) in [(["from": "11:00", "to": "13:00", "people": "4"], "people", "10"),
                                          (["from": "08:00"], "from", "niet open"),
                                          (["date": "2026-06-05"], "from", "niet open"),
                                          (["date": "2026-05-31"], "date", "vandaag"),
                                          (["from": "twaalf"], "from", "Schrijf een uur als 14:00"),
                                          (["people": "veel"], "people", "geheel getal")] {
            try bram.get("/rooms/\(room)")
            let fields = ["date": "2026-06-02", "from": "12:00", "to": "13:00", "people": "2"].merging(change) { $1 }
            #expect(try bram.submit("/rooms/\(room)/book", fields).status == 422, "\(change)")
            #expect(bram.page.contains("id=\"\(field)-error\"") && bram.page.contains(sentence), "\(change): \(bram.page)")
            #expect(bram.page.contains("value=\"\(fields["from"]!)\""), "the input is kept")
        }
        #expect(try s.headSeq() == before)
    }

    @Test("a booking is cancelled with a reason the other side sees; after the slot the owner settles it in one step and the booker confirms; nobody else can do either")
    func cancelAndSettle() throws {
        let s = try TestServer()
        defer { s.stop() }
        let (room, _) = try Self.room(s)
        let ledger = try Ledger(path: s.path, clock: s.clock.clock)
        _ = try ledger.execute(.setSpaceHours(room, SpaceHours(capacity: 10, weekly: SpaceHours.parseWeek("mon-fri 09:00-17:00")!)), by: .member("bakkerij"))
        let an = try WebTests.signedIn(s, "an"), bram = try WebTests.signedIn(s, "bram")
        for (from, to) in [("10:00", "12:00"), ("13:00", "15:00")] {
            try an.get("/rooms/\(room)")
            #expect(try an.submit("/rooms/\(room)/book", ["date": "2026-06-02", "from": from, "to": to, "people": "3"]).status == 303)
        }
        try an.get("/bookings")
        let ids = WebTests.matches("action=\"/bookings/(bk-[0-9]+)/cancel\"", "\(an.page)")
        #expect(ids.count == 2)
        // Bram can neither cancel nor settle An's booking; nothing is written.
        let head = try s.headSeq()
        try bram.get("/")
        let csrf = bram.hiddenFields(action: "/sign-out")["csrf"] ?? ""
        for step in ["cancel", "settle"] {
            #expect(try bram.submit("/bookings/\(ids[0])/\(step)", ["csrf": csrf, "key": String(format: "%032x", 7)], hidden: false).status == 404)
        }
        #expect(try s.headSeq() == head)
        #expect(try an.submit("/bookings/\(ids[0])/cancel", ["reason": "Vergadering verplaatst"]).header("location") == "/bookings")
        #expect(try an.get("/bookings").status == 200 && an.page.contains("geannuleerd") && an.page.contains("Gegeven reden: Vergadering verplaatst"))
        var owner = try WebTests.signedIn(s, "bakkerij")
        #expect(try owner.get("/bookings").status == 200 && owner.page.contains("Gegeven reden: Vergadering verplaatst") && owner.page.contains("— An"))
        #expect(!owner.page.contains("action=\"/bookings/\(ids[1])/settle\""), "not before the slot is over")

        // Tuesday 15:00 in Brussels (13:00 UTC): the second slot is over.
        s.clock.advance(seconds: 86_400 + 4 * 3600)
        owner = try WebTests.signedIn(s, "bakkerij")
        try owner.get("/bookings")
        #expect(owner.page.contains("action=\"/bookings/\(ids[1])/settle\"") && owner.page.contains("Voor 2 u tijdkrediet"), "\(owner.page)")
        let settled = try owner.submit("/bookings/\(ids[1])/settle", ["credits-\(ids[1])": "credits"])
        let exchange = try #require(settled.header("location"))
        #expect(settled.status == 303 && exchange.hasPrefix("/exchanges/ex-"))
        let an2 = try WebTests.signedIn(s, "an")
        #expect(try an2.get(exchange).status == 200 && an2.page.contains("Vergaderzaal") && an2.page.contains("action=\"\(exchange)/confirm\""))
        #expect(try an2.submit("\(exchange)/confirm", [:]).status == 303)
        #expect(try an2.get("/rooms/\(room)").status == 200 && an2.page.contains("<strong>maandag 1 juni 2026</strong> — voorbij"), "a day gone by offers nothing")
        #expect(try an2.get("/bookings").status == 200 && an2.page.contains("verrekend in ex-"))
        // Space, 2 hours, 2 credits from An to bakkerij, settling the booking.
        let reader = try Reader(path: s.path)
        let x = try #require(try reader.exchange(ExchangeID(canonical: String(exchange.dropFirst("/exchanges/".count)))!))
        #expect(x.record.info.kind == .space && x.record.info.quantity == 120 && x.record.info.credits == .hours(2) && x.record.state == .confirmed)
        #expect(try reader.booking(BookingID(canonical: ids[1])!)?.settledBy == x.record.info.id)
    }

    @Test("across the change of the clocks the pages say what the clocks say: 01:00–04:00 lasts 2 h in spring")
    func daylightSaving() throws {
        let s = try TestServer(clock: TestClock(Day(iso: "2027-03-22")!))
        defer { s.stop() }
        let (room, owner) = try Self.room(s)
        try owner.get("/rooms/\(room)/hours")
        var week = ["capacity": "4", "closed": ""]
        for d in 0..<7 { week["day\(d)"] = "00:00-24:00" }
        #expect(try owner.submit("/rooms/\(room)/hours", week).status == 303)
        let an = try WebTests.signedIn(s, "an")
        try an.get("/rooms/\(room)?date=2027-03-28")
        #expect(try an.submit("/rooms/\(room)/book", ["date": "2027-03-28", "from": "02:30", "to": "04:00", "people": "1"]).status == 422)
        #expect(an.page.contains("bestaat 02:30 niet in Europe/Brussels"), "\(an.page)")
        #expect(try an.submit("/rooms/\(room)/book", ["date": "2027-03-28", "from": "01:00", "to": "04:00", "people": "1"]).status == 303)
        #expect(try an.get("/bookings").status == 200 && an.page.contains("01:00–04:00") && an.page.contains("duurt 2 u"), "\(an.page)")
    }
}

/// Ask the expert on the pages: the expert offers sessions in a form, a starter finds a free
/// one by domain and books it with a question only the expert sees, and after it the expert
/// settles it as time, hour for hour.
@Suite("Web pages: ask the expert", .serialized)
struct WebExpertTests {
    @Test("an expert offers hour sessions; a starter books one with a question; the expert sees the question, settles it as time, and the starter confirms")
    func askTheExpert() throws {
        let s = try TestServer()  // Monday 1 June 2026, 11:00 in Brussels
        defer { s.stop() }
        let ledger = try Ledger(path: s.path, clock: s.clock.clock)
        let offer = try #require(try ledger.execute(.postListing(ListingDraft(side: .offer, author: "bakkerij", kind: .time, domain: "work",
                                                                              title: "Vraag het de boekhouder")), by: .member("bakkerij")).event.listingID)
        var expert = try WebTests.signedIn(s, "bakkerij")
        let an = try WebTests.signedIn(s, "an"), bram = try WebTests.signedIn(s, "bram")
        #expect(try expert.get("/listings/\(offer)").status == 200 && expert.page.contains("href=\"/experts/\(offer)/hours\""))
        #expect(try an.get("/experts?domain=work").status == 200 && an.page.contains("Nog geen expert"), "no sessions yet")
        try expert.get("/experts/\(offer)/hours")
        #expect(expert.page.contains("id=\"session\"") && expert.page.contains("value=\"60\""))
        let week = ["session": "60", "capacity": "1", "day0": "09:00-12:00", "day1": "09:00-12:00", "day2": "", "day3": "", "day4": "", "day5": "", "day6": "", "closed": ""]
        let head = try s.headSeq()
        #expect(try expert.submit("/experts/\(offer)/hours", week.merging(["session": "50"]) { $1 }).status == 422)
        #expect(expert.page.contains("id=\"session-error\"") && expert.page.contains("in stappen van 15"), "\(expert.page)")
        #expect(try s.headSeq() == head)
        #expect(try expert.submit("/experts/\(offer)/hours", week).header("location") == "/experts/\(offer)")

        // The starter finds the expert by domain, with the next free sessions.
        #expect(try an.get("/experts?domain=work").status == 200 && an.page.contains("Vraag het de boekhouder") && an.page.contains("maandag 1 juni 2026, 11:00–12:00"), "\(an.page)")
        #expect(!an.page.contains("maandag 1 juni 2026, 10:00–11:00"), "a session under way is not offered")
        #expect(try an.get("/experts?domain=care").status == 200 && !an.page.contains("Vraag het de boekhouder"))
        try an.get("/experts/\(offer)?date=2026-06-02&from=09:00&to=10:00")
        #expect(an.page.contains("id=\"question\"") && !an.page.contains("id=\"people\""))
        let booking = ["date": "2026-06-02", "from": "09:00", "to": "10:00", "question": ""]
        #expect(try an.submit("/experts/\(offer)/book", booking).status == 422 && an.page.contains("id=\"question-error\""), "the question is asked with the booking")
        #expect(try an.submit("/experts/\(offer)/book", booking.merging(["from": "09:30", "to": "10:30", "question": "Btw?"]) { $1 }).status == 422 && an.page.contains("niet open"))
        try an.get("/experts/\(offer)?date=2026-06-02")
        #expect(try an.submit("/experts/\(offer)/book", booking.merging(["question": "Moet ik btw aanrekenen als vzw?"]) { $1 }).header("location") == "/bookings")
        #expect(try an.get("/bookings").status == 200 && an.page.contains("Vraag: Moet ik btw aanrekenen als vzw?"))

        // Others see the session taken, not who asks what; the expert sees both.
        #expect(try bram.get("/experts/\(offer)?date=2026-06-02").status == 200 && bram.page.contains("09:00–10:00, aantal personen: 1") && !bram.page.contains("btw"))
        #expect(try expert.get("/bookings").status == 200 && expert.page.contains("Vraag: Moet ik btw aanrekenen als vzw?") && expert.page.contains("— An"))
        #expect(try expert.get("/experts/\(offer)?date=2026-06-02").status == 200 && expert.page.contains("<q>Moet ik btw aanrekenen als vzw?</q>"))
        #expect(try Reader(path: s.path).bookings(of: offer, on: Day(iso: "2026-06-02")!).first?.info.question == "Moet ik btw aanrekenen als vzw?")

        // After the session: settled as time, an hour for an hour, no gift offered.
        s.clock.advance(seconds: 23 * 3600 + 60)  // Tuesday 10:01 in Brussels
        expert = try WebTests.signedIn(s, "bakkerij")
        try expert.get("/bookings")
        #expect(expert.page.contains("uur voor uur: 1 u tijdkrediet") && !expert.page.contains("Als gift"), "\(expert.page)")
        let bk = try #require(WebTests.matches("action=\"/bookings/(bk-[0-9]+)/settle\"", expert.page).first)
        let settled = try expert.submit("/bookings/\(bk)/settle", [:])
        let path = try #require(settled.header("location"))
        let starter = try WebTests.signedIn(s, "an")
        try starter.get(path)
        #expect(try starter.submit("\(path)/confirm", [:]).status == 303)
        let x = try #require(try Reader(path: s.path).exchange(ExchangeID(canonical: String(path.dropFirst("/exchanges/".count)))!))
        #expect(x.record.info.kind == .time && x.record.info.credits == .hours(1) && x.record.info.domain == "work" && x.record.state == .confirmed)
        #expect(try Reader(path: s.path).balance("an") == Minutes(-60))
    }
}
