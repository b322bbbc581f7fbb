import Testing
@testable import KringCore
import KringTestSupport

@Suite struct MatcherTests {
    func listing(_ id: ListingID, _ author: MemberID, _ kind: ExchangeKind, _ domain: String, _ title: String, _ text: String = "",
                 place: String? = nil, availability: String? = nil, authorKind: MemberKind = .person) -> MatchListing {
        MatchListing(info: ListingInfo(id: id, author: author, kind: kind, domain: domain,
                                       title: title, text: text, place: place, availability: availability, expires: Day(30_000), version: 1),
                     authorKind: authorKind, place: place)
    }

    @Test func wordsFoldCaseAccentsAndStopwords() {
        #expect(Matcher.words("Zaal gezocht voor het Taalcafé!") == ["zaal", "taalcafe"])
        #expect(Matcher.words("a an de") == [])
    }

    @Test func bestAnswersWithinAndAcrossDomains() {
        let offers = [
            listing("of-1", "bakkerij", .space, "culture", "Zaal voor repetities", "grote zaal", place: "Centrum", availability: "dinsdag", authorKind: .company),
            listing("of-2", "fanfare", .space, "culture", "Repetitielokaal", "klein lokaal", place: "Noord"),
            listing("of-3", "stad", .space, "education", "Klaslokaal na school", "een zaal in de school", place: "Noord", authorKind: .municipality),
            listing("of-4", "an", .time, "care", "Boodschappen doen", "ik ga naar de markt"),
            listing("of-5", "koor", .space, "culture", "Zaal van het koor", "onze zaal", place: "Centrum", availability: "dinsdag"),
        ]
        let requests = [
            listing("rq-6", "koor", .space, "culture", "Zaal gezocht", "voor ons koor, dinsdag", place: "Centrum", availability: "dinsdag"),
            listing("rq-7", "els", .space, "education", "Ruimte voor huiswerkklas", "", place: "Noord"),
            listing("rq-8", "bram", .space, "loneliness", "Zaal voor seniorennamiddag", "", place: "Noord"),
        ]
        let m = Matcher.match(requests: requests, offers: offers)
        // rq-6: of-1 (domain 3 + kind 2 + zaal 2 + Centrum 1.5 + dinsdag 1 = 9.5) before of-2 (5), then the school's
        // room from another domain (it shares zaal); never the koor's own of-5.
        #expect(m[0].suggestions.map(\.offer.info.id) == ["of-1", "of-2", "of-3"])
        #expect(m[0].suggestions.map(\.crossDomain) == [false, false, true])
        #expect(m[0].suggestions[0].score == 9.5)
        #expect(m[0].suggestions[0].reason.contains("same neighbourhood Centrum"))
        // rq-7 shares no word but has a same-domain, same-kind offer; of-3's school room.
        #expect(m[1].suggestions.map(\.offer.info.id) == ["of-3"])
        // rq-8 (loneliness) has no offer in its domain: rooms from culture and education, across domains.
        #expect(m[2].suggestions.allSatisfy { $0.crossDomain })
        #expect(m[2].suggestions.map(\.offer.info.id).first == "of-3", "of-3 shares zaal and the neighbourhood Noord")
        #expect(m[2].suggestions.count == Matcher.crossDomainSuggestions)
        #expect(m[2].suggestions[0].reason.hasPrefix("across domains: education for loneliness"))
    }

    @Test func aWordInMostOffersConnectsNobody() {
        // 60 offers all mention koffie; one of them also mentions schaak.
        var offers = (1...60).map { listing(canonical("of-\($0)"), canonical("m\($0)"), .time, "culture", "Koffie en gesprek", "koffie") }
        offers.append(listing("of-61", "m61", .time, "culture", "Schaakles", "schaak en koffie"))
        let r = listing("rq-62", "els", .goods, "care", "Koffie schaak", "")
        let m = Matcher.match(requests: [r], offers: offers)
        #expect(m[0].suggestions.map(\.offer.info.id) == ["of-61"] as [ListingID])
        #expect(m[0].suggestions[0].reason.contains("shared words schaak") && !m[0].suggestions[0].reason.contains("koffie"))
    }
}
