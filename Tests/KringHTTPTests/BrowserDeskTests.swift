import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing

/// The flows in a real chromium (JavaScript off, 1280 px), against the release binary
/// started from a shell on a fixed clock (`KRING_NOW=… kring serve`), then restarted eight hours
/// later to settle what was booked: an accountant's sessions, a company's room, paper slips at
/// the desk, and an introduction that became an exchange.
@Suite("In a real browser: rooms, experts, slips and introductions", .serialized)
struct BrowserDeskTests {
    @Test("expert sessions and a room booked, refused at capacity, settled and counted; five slips with one corrected; an introduction proposed from and confirmed")
    func theDeskFlows() throws {
        let binary = try ReleaseBinary.ensureBuilt()
        let dir = TempDir("kring-browser-desk")
        defer { dir.remove() }
        let db = dir.file("circle.sqlite")
        // Monday 7 December 2026, 10:00 in Brussels.
        let clock = TestClock(Day(iso: "2026-12-07")!)
        let ledger = try fixtureLedger(at: db, clock: clock)
        func post(_ d: ListingDraft) throws -> ListingID { try #require(try ledger.execute(.postListing(d), by: .member(d.author)).event.listingID) }
        let advice = try post(ListingDraft(side: .offer, author: "coworking", kind: .time, domain: "work", title: "Vraag het de boekhouder"))
        let room = try post(ListingDraft(side: .offer, author: "bakkerij", kind: .space, domain: "culture", title: "Vergaderzaal"))
        let request = try post(ListingDraft(side: .request, author: "an", kind: .time, domain: "poverty", title: "Hulp met formulieren"))
        let offer = try post(ListingDraft(side: .offer, author: "bram", kind: .time, domain: "poverty", title: "Ik help met formulieren"))
        let driver = try ChromeDriver()
        defer { driver.stop() }

        var server = try ShellServer(binary: binary, db: db, environment: ["KRING_NOW": String(clock.now)])
        var site = "http://127.0.0.1:\(server.port)"
        /// A person in a browser of their own, signed in through a fresh invitation.
        func person(_ member: MemberID, role: TokenRole = .member) throws -> BrowserSession {
            let b = try BrowserSession(driver, name: "desk-\(member)-\(clock.now)", width: 1280, javascript: false, shots: BrowserTests.shots)
            let invitation = try ledger.invite(member: member, role: role)
            try b.open(site + "/invitation/\(invitation.code)")
            try b.type("#password", "een lange zin als wachtwoord")
            try b.type("#repeat", "een lange zin als wachtwoord")
            try b.follow("main button[type=submit]")
            #expect(try b.title().hasPrefix("Mijn overzicht"), "\(member)")
            return b
        }

        // The accountant offers hour sessions on Monday afternoons.
        let expert = try person("coworking")
        try expert.open(site + "/experts/\(advice)/hours")
        try expert.type("#session", "60")
        try expert.type("#capacity", "1")
        try expert.type("#day0", "14:00-17:00")
        try expert.follow("main button[type=submit]")
        #expect(try expert.title().hasPrefix("Vraag het de boekhouder"))
        // A starter books the first free session with a question; the expert sees it.
        let starter = try person("fatima")
        try starter.open(site + "/experts?domain=work")
        try starter.follow("main ul.items li ul a")
        try starter.type("#question", "Hoe schrijf ik een ondernemingsplan?")
        try starter.follow("form[action$='/book'] button")
        #expect(try starter.title().hasPrefix("Reservaties") && starter.source().contains("Hoe schrijf ik een ondernemingsplan?"))
        try expert.open(site + "/bookings")
        #expect(try expert.source().contains("Vraag: Hoe schrijf ik een ondernemingsplan?"))
        try expert.screenshot("desk-expert-bookings")

        // The company sets its room's hours; a resident is refused beyond the capacity, then books.
        let company = try person("bakkerij")
        try company.open(site + "/rooms/\(room)/hours")
        try company.type("#capacity", "4")
        try company.type("#day0", "09:00-17:00")
        try company.follow("main button[type=submit]")
        let resident = try person("an")
        try resident.open(site + "/rooms/\(room)?date=2026-12-07&from=11:00&to=12:00&people=6")
        try resident.follow("form[action$='/book'] button") { _ in (try? resident.source().contains("people-error")) == true }
        #expect(try resident.source().contains("4 personen"), "the sentence names the capacity")
        try resident.type("#people", "3")
        try resident.follow("form[action$='/book'] button")
        #expect(try resident.title().hasPrefix("Reservaties"))

        // Five paper slips, one refused (a name nobody has), corrected and sent again.
        let coordinator = try person("stad", role: .coordinator)
        try coordinator.open(site + "/desk/slips")
        let rows: [(String, String, String)] = [("an", "bram", "tuin"), ("bram", "chloe", "boodschappen"), ("chloe", "niemand", "strijken"),
                                                ("daan", "els", "fiets"), ("els", "an", "koken")]
        for (i, r) in rows.enumerated() {
            try coordinator.type("#provider-\(i)", r.0)
            try coordinator.type("#receiver-\(i)", r.1)
            try coordinator.type("#hours-\(i)", "1")
            try coordinator.type("#what-\(i)", r.2)
        }
        try coordinator.follow("main button[type=submit]") { _ in (try? coordinator.source().contains("row-2-error")) == true }
        let recordedBefore = try Reader(path: db).counts().exchanges
        try coordinator.type("#receiver-2", "daan")
        try coordinator.follow("main button[type=submit]") { _ in (try? coordinator.source().contains("row-2-error")) == false }
        try coordinator.screenshot("desk-slips-after")
        #expect(try Reader(path: db).counts().exchanges == recordedBefore + 1, "only the corrected row is new: the four recorded are not recorded twice")

        // The coordinator introduces an's request to bram's offer; an proposes from it, bram confirms.
        try coordinator.open(site + "/desk/matches")
        try coordinator.follow("form:has(input[name=request][value='\(request)']):has(input[name=offer][value='\(offer)']) button")
        #expect(try coordinator.source().contains("Al aan elkaar voorgesteld."))
        try resident.open(site + "/")
        #expect(try resident.source().contains("De coördinator stelde je voor aan Bram"))
        try resident.follow("main a[href^='/exchanges/new?listing=\(offer)']")
        try resident.type("#hours", "1")
        try resident.follow("main button[type=submit]")
        try resident.follow("main button[value=send]")
        let helper = try person("bram")
        #expect(try helper.source().contains("De coördinator stelde je voor aan An"))
        try helper.follow("main a[href^='/exchanges/ex-']")
        try helper.follow("form[action$='/confirm'] button") { _ in (try? helper.source().contains("<dd>bevestigd</dd>")) == true }
        try helper.open(site + "/offers")
        #expect(try !helper.source().contains("Hulp met formulieren"), "a fulfilled request leaves the public listing")

        // Eight hours later (18:00): the session and the room are settled.
        _ = server.stop(with: SIGTERM)
        clock.advance(seconds: 8 * 3600)
        server = try ShellServer(binary: binary, db: db, environment: ["KRING_NOW": String(clock.now)])
        site = "http://127.0.0.1:\(server.port)"
        defer { _ = server.stop(with: SIGTERM) }
        for (owner, booker) in [("coworking", "fatima"), ("bakkerij", "an")] as [(MemberID, MemberID)] {
            let o = try person(owner)
            try o.open(site + "/bookings")
            try o.follow("form[action$='/settle'] button")
            #expect(try o.title().hasPrefix("Uitwisseling ex-"))
            let path = try #require(try o.url().components(separatedBy: site).last)
            let b = try person(booker)
            try b.open(site + path)
            try b.follow("form[action$='/confirm'] button") { _ in (try? b.source().contains("<dd>bevestigd</dd>")) == true }
        }
        let stats = Statistics.report(try Reader(path: db).statsInput(), period: .month, from: nil, to: nil, k: 1)
        let all = stats.columns.count - 1
        #expect(stats.value("expert_sessions", "all", all, "exchanges") == 1 && stats.value("expert_sessions", "work", all, "credits") == 60)
        #expect(stats.value("gifts", "space", all, "exchanges") == 1)
        #expect(stats.value("introductions", "became_exchanges", all, "introductions") == 1)
        #expect(try Verifier.verify(path: db).ok)
    }
}
