import Foundation
import Testing
import KringCore
@testable import KringStore
import KringTestSupport

@Suite(.serialized) struct SearchTests {
    /// A small market: the expected order of results is known.
    func market() throws -> (TempDir, Ledger, TestClock) {
        let dir = TempDir("search")
        let clock = TestClock()
        let l = try fixtureLedger(at: dir.file("s.sqlite"), clock: clock)
        let posts: [(ListingSide, MemberID, ExchangeKind, String, String, String)] = [
            (.offer, "coworking", .space, "culture", "Vergaderzaal in het café", "Een zaal voor twintig personen, met koffie"),
            (.offer, "bakkerij", .goods, "food", "Brood van gisteren", "Gratis brood, elke avond"),
            (.request, "an", .time, "care", "Hulp bij boodschappen", "Wie gaat mee naar de markt?"),
            (.offer, "fanfare", .space, "culture", "Repetitiezaal", "Zaal zaal zaal: onze repetitiezaal is vrij op maandag"),
            (.request, "bram", .space, "education", "Zaal gezocht voor taalcafé", "Cafe voor nieuwkomers zoekt een ruimte"),
        ]
        for (side, author, kind, domain, title, text) in posts {
            _ = try l.execute(.postListing(ListingDraft(side: side, author: author, kind: kind, domain: domain, title: title, text: text)), by: .member(author))
            clock.advance(seconds: 60)
        }
        return (dir, l, clock)
    }

    func ids(_ rows: [ListingRow]) -> [String] { rows.map(\.record.info.id.description) }

    @Test func accentsAndCaseDoNotMatter() throws {
        let (dir, _, clock) = try market(); defer { dir.remove() }
        let r = try Reader(path: dir.file("s.sqlite"))
        #expect(Set(ids(try r.search("cafe", filter: ListingFilter(), today: clock.today))) == ["of-1", "rq-5"])
        #expect(Set(ids(try r.search("CAFÉ", filter: ListingFilter(), today: clock.today))) == ["of-1", "rq-5"])
        #expect(Set(ids(try r.search("Brood", filter: ListingFilter(), today: clock.today))) == ["of-2"])
    }

    @Test func rankedByRelevanceThenRecency() throws {
        let (dir, _, clock) = try market(); defer { dir.remove() }
        let r = try Reader(path: dir.file("s.sqlite"))
        // of-4 says zaal five times; the others once or twice.
        let order = ids(try r.search("zaal", filter: ListingFilter(), today: clock.today))
        #expect(order.first == "of-4")
        #expect(Set(order) == ["of-1", "of-4", "rq-5"])
    }

    @Test func filters() throws {
        let (dir, _, clock) = try market(); defer { dir.remove() }
        let r = try Reader(path: dir.file("s.sqlite"))
        #expect(ids(try r.search("zaal", filter: ListingFilter(side: .request), today: clock.today)) == ["rq-5"])
        #expect(Set(ids(try r.search("zaal", filter: ListingFilter(domain: "culture"), today: clock.today))) == ["of-1", "of-4"])
        #expect(ids(try r.search("zaal", filter: ListingFilter(memberKind: .company), today: clock.today)) == ["of-1"])
        #expect(ids(try r.search("zaal", filter: ListingFilter(kind: .goods), today: clock.today)) == [])
        #expect(ids(try r.listings(ListingFilter(side: .offer, author: "bakkerij"), today: clock.today)) == ["of-2"])
    }

    @Test(arguments: ["zaal AND", "\"zaal", "zaal OR brood", "title:zaal", "zaal*", "(zaal", "NEAR(zaal brood)", "^zaal", "zaal -brood", "' OR 1=1 --"])
    func userSyntaxIsNeverQuerySyntax(text: String) throws {
        let (dir, _, clock) = try market(); defer { dir.remove() }
        let r = try Reader(path: dir.file("s.sqlite"))
        // Whatever was typed, the search runs and means "all these words".
        _ = try r.search(text, filter: ListingFilter(), today: clock.today)
        #expect(try Reader.ftsQuery(text).allSatisfy { $0 != "(" && $0 != ":" && $0 != "^" && $0 != "-" })
    }

    @Test func emptyAndVeryLongSearchesAreRefused() throws {
        let (dir, _, clock) = try market(); defer { dir.remove() }
        let r = try Reader(path: dir.file("s.sqlite"))
        #expect(throws: RuleViolation.self) { try r.search("  ?! ", filter: ListingFilter(), today: clock.today) }
        #expect(throws: RuleViolation.self) { try r.search(String(repeating: "zaal ", count: 101), filter: ListingFilter(), today: clock.today) }
        // More words than a search takes is malformed, like too many characters.
        #expect(throws: RuleViolation.self) { try r.search(String(repeating: "zaal ", count: 17), filter: ListingFilter(), today: clock.today) }
        #expect(try r.search(String(repeating: "zaal ", count: 16), filter: ListingFilter(), today: clock.today).count == 3)
    }

    @Test func withdrawnExpiredAndSuspendedLeaveThePublicListing() throws {
        let (dir, l, clock) = try market(); defer { dir.remove() }
        let r = try Reader(path: dir.file("s.sqlite"))
        _ = try l.execute(.withdrawListing("of-1"), by: .member("coworking"))
        _ = try l.execute(.suspend("bram"), by: .coordinator)
        #expect(ids(try r.search("zaal", filter: ListingFilter(), today: clock.today)) == ["of-4"])
        _ = try l.execute(.editListing("of-4", ListingDraft(side: .offer, author: "fanfare", kind: .space, domain: "culture", title: "Repetitielokaal", text: "vrij op dinsdag", days: 1)), by: .member("fanfare"))
        #expect(ids(try r.search("zaal", filter: ListingFilter(), today: clock.today)) == [], "an edit replaces the searchable text")
        #expect(ids(try r.search("dinsdag", filter: ListingFilter(), today: clock.today + 2)) == [], "expired")
        #expect(ids(try r.listings(ListingFilter(side: .offer), today: clock.today + 2)).contains("of-4") == false)
        #expect(Set(ids(try r.listings(ListingFilter(), today: clock.today + 2, history: true))) == ["of-1", "of-2", "rq-3", "of-4", "rq-5"])
        #expect(try Verifier.verify(path: dir.file("s.sqlite")).ok)
    }

    @Test func matchingUsesOpenListingsOfActiveMembersOnly() throws {
        let (dir, l, clock) = try market(); defer { dir.remove() }
        let r = try Reader(path: dir.file("s.sqlite"))
        // bram's request for a room for a language café: rooms from culture, across domains.
        var m = try r.matches(request: "rq-5", today: clock.today)
        #expect(Set(m[0].suggestions.map(\.offer.info.id)) == ["of-1", "of-4"])
        #expect(m[0].suggestions.allSatisfy { $0.crossDomain })
        _ = try l.execute(.suspend("coworking"), by: .coordinator)
        m = try r.matches(request: "rq-5", today: clock.today)
        #expect(m[0].suggestions.map(\.offer.info.id) == ["of-4"], "a suspended member's offers are never suggested")
        #expect(throws: RuleViolation.self) { try r.matches(request: "rq-99", today: clock.today) }
        #expect(try r.matches(today: clock.today).count == 2)
    }
}
