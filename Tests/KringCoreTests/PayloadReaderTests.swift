import Testing
@testable import KringCore

/// The direct reader of the commonest payloads reads exactly what the general decoder reads
/// canonically (decoded, and encoded again to the very bytes), and nothing else: the replay
/// takes what it reads as canonical without encoding it again.
struct PayloadReaderTests {
    static let transfer = Transfer(from: "an", to: "bram", minutes: .hours(1))

    /// Every type the direct reader reads, in every shape its payloads take.
    static var events: [(Event, Actor?)] {
        let plain = ExchangeInfo(id: "ex-7", proposer: "an", providers: ["an"], receivers: ["bram", "chloe"], kind: .space, domain: "care",
                                 what: "zaal", credits: .zero, quantity: 60, date: Day(20000), expiresAt: 1_752_481_694)
        var linked = plain
        linked.links = ["rq-3", "bk-2", "ch-1", "of-9"]
        linked.proposer = nil
        linked.expiresAt = nil
        linked.what = "quote \" backslash \\ newline \n tab \t return \r bell \u{7} é € 😀"
        linked.domain = ""
        var negative = plain
        negative.credits = Minutes(Int64.min)
        negative.quantity = Int64.max
        negative.expiresAt = -1
        negative.providers = []
        return [
            (.exchangeProposed(ExchangeProposed(exchange: plain)), .member("an")),
            (.exchangeProposed(ExchangeProposed(exchange: plain)), nil),
            (.exchangeProposed(ExchangeProposed(exchange: linked)), Actor(journal: "coordinator:tk-3")),
            (.exchangeProposed(ExchangeProposed(exchange: negative)), .coordinator),
            (.exchangeConfirmed(ExchangeConfirmed(id: "ex-7", by: .member("bram"), transfers: [transfer, transfer])), .member("bram")),
            (.exchangeConfirmed(ExchangeConfirmed(id: "ex-7", by: .automatic, transfers: [])), .system),
            (.exchangeConfirmed(ExchangeConfirmed(id: "ex-12345678", by: .automatic, transfers: [transfer])), nil),
            (.exchangeRecorded(ExchangeRecorded(exchange: linked, reason: "op papier, \"dubbel\"\n", transfers: [transfer])), .coordinator),
            (.exchangeRecorded(ExchangeRecorded(exchange: plain, reason: nil, transfers: [], imported: ImportSource(source: String(repeating: "ab", count: 32), row: 41))), nil),
            (.exchangeRecorded(ExchangeRecorded(exchange: negative, reason: "", transfers: [transfer], imported: ImportSource(source: "x\u{1}", row: -2))), Actor(journal: "coordinator:lg-4")),
            (.exchangeRejected(ExchangeRejected(id: "ex-7", by: "bram")), .member("bram")),
            (.exchangeRejected(ExchangeRejected(id: "ex-9", by: "bram", reason: "Dat was maar een \"half\" uur.\n")), nil),
            (.exchangeCancelled(ExchangeCancelled(id: "ex-7", by: "an")), .member("an")),
            (.exchangeCancelled(ExchangeCancelled(id: "ex-70", by: "an", reason: "")), .coordinator),
            (.exchangeExpired(ExchangeExpired(id: "ex-7", reason: nil)), .system),
            (.exchangeExpired(ExchangeExpired(id: "ex-1", reason: "limit.floor: é")), nil),
            (.memberAdded(MemberAdded(member: MemberInfo(id: "an-peeters", name: "An \"Peeters\"", kind: .person, neighbourhood: "Noord", domains: ["care", "work"], joined: Day(1)))), .coordinator),
            (.memberAdded(MemberAdded(member: MemberInfo(id: "vzw-x", name: "", kind: .association, neighbourhood: nil, domains: [], joined: Day(20000)))), nil),
            (.listingPosted(ListingPosted(listing: ListingInfo(id: "rq-4", author: "an", kind: .time, domain: "care", title: "Fietsles", text: "Wie leert mij\tfietsen?\n",
                                                               place: nil, availability: nil, expires: Day(20030), version: 1))), .member("an")),
            (.listingPosted(ListingPosted(listing: ListingInfo(id: "of-12", author: "bram", kind: .space, domain: "work", title: "Zaal", text: "",
                                                               place: "Kerkstraat 1", availability: "ma–vr", expires: Day(20030), version: 1, challenge: "ch-2"))), nil),
            (.listingEdited(ListingEdited(listing: ListingInfo(id: "of-12", author: "bram", kind: .goods, domain: "food", title: "Soep", text: "é",
                                                               place: nil, availability: "za", expires: Day(20031), version: 3))), .coordinator),
            (.listingRenewed(ListingRenewed(id: "rq-4", expires: Day(20040))), .member("an")),
            (.listingRenewed(ListingRenewed(id: "of-1234567", expires: Day(1))), nil),
            (.listingWithdrawn(ListingWithdrawn(id: "of-12", by: .member("bram"))), .member("bram")),
            (.listingWithdrawn(ListingWithdrawn(id: "rq-4", by: Actor(journal: "coordinator:tk-2")!)), .coordinator),
            (.goodsLent(GoodsLent(loan: LoanInfo(id: "ln-3", lender: "stad", borrower: "an", what: "Ladder \"lang\"\n", offer: nil,
                                                 lent: Day(20000), due: Day(20014)))), .member("stad")),
            (.goodsLent(GoodsLent(loan: LoanInfo(id: "ln-30", lender: "stad", borrower: "an", what: "", offer: "of-12", lent: Day(20000), due: Day(1)))), nil),
            (.goodsLent(GoodsLent(loan: LoanInfo(id: "ln-4", lender: "an", borrower: "stad", what: "€", offer: "rq-9", lent: Day(0), due: Day(0)))), .coordinator),
            (.goodsReturned(GoodsReturned(id: "ln-3", on: Day(20010))), .coordinator),
            (.goodsReturned(GoodsReturned(id: "ln-99", on: Day(20010))), nil),
            (.spaceBooked(SpaceBooked(booking: BookingInfo(id: "bk-2", offer: "of-12", member: "an", date: Day(20005), start: 600, end: 720, people: 8))), .member("an")),
            (.spaceBooked(SpaceBooked(booking: BookingInfo(id: "bk-20", offer: "of-1", member: "bram", date: Day(20005), start: -5, end: Int64.max, people: 0,
                                                           question: "Kan ik \"iets\" vragen?\n"))), nil),
        ]
    }

    /// The general route: the JSON tree, its actor, the decoder.
    static func general(_ type: EventType, _ bytes: [UInt8]) -> (Event, Actor?)? {
        guard let json = try? JSON.parse(bytes), let e = Event(type: type.rawValue, payload: json) else { return nil }
        switch Event.journaledActor(in: json) {
        case .none: return (e, nil)
        case .some(.none): return nil  // an actor that is not one
        case .some(.some(let a)): return (e, a)
        }
    }

    @Test("every type the direct reader reads, in every shape: read as the decoder reads it")
    func readsWhatTheDecoderReads() throws {
        for (event, actor) in Self.events {
            let bytes = event.payloadBytes(actor: actor)
            let direct = try #require(Event.reading(type: event.type, canonicalPayload: bytes), "\(String(decoding: bytes, as: UTF8.self))")
            #expect(direct.event == event && direct.actor == actor)
            let general = try #require(Self.general(event.type, bytes))
            #expect(general.0 == direct.event && general.1 == direct.actor)
        }
    }

    @Test("other types, other orders, blanks and legacy ids are left to the decoder")
    func leavesTheRestToTheDecoder() {
        let proposed = Self.events[0].0.payloadBytes(actor: .member("an"))
        #expect(Event.reading(type: .exchangeConsented, canonicalPayload: proposed) == nil)
        for other in [Event.exchangeConsented(ExchangeConsented(id: "ex-1", member: "an")), .spaceCancelled(SpaceCancelled(id: "bk-1", by: .member("b"))),
                      .memberSuspended(MemberSuspended(id: "an"))] {
            #expect(Event.reading(type: other.type, canonicalPayload: other.payloadBytes) == nil)
        }
        let text = String(decoding: proposed, as: UTF8.self)
        for variant in [text.replacingOccurrences(of: ",", with: ", "), text.replacingOccurrences(of: "\"ex-7\"", with: "\"ex-007\""),
                        text.replacingOccurrences(of: "\"an\"", with: "\"An\""), text + " ", String(text.dropLast())] {
            #expect(Event.reading(type: .exchangeProposed, canonicalPayload: Array(variant.utf8)) == nil, "\(variant)")
        }
    }

    /// Whether the direct reader and the general decoder (with its check that the event encodes
    /// to the very bytes) take `bytes` alike: both refuse, or both read the same event and actor.
    static func alike(_ type: EventType, _ bytes: [UInt8]) -> (same: Bool, read: Bool) {
        let direct = Event.reading(type: type, canonicalPayload: bytes)
        let general = Self.general(type, bytes).flatMap { $0.0.payloadBytes(actor: $0.1) == bytes ? $0 : nil }
        return (direct?.event == general?.0 && direct?.actor == general?.1, direct != nil)
    }

    /// Seeded mutations of every shape: whatever the direct reader reads, the general decoder
    /// reads canonically as the same event; whatever the general decoder reads canonically, the
    /// direct reader reads too.
    @Test("mutated payloads: the direct reader accepts exactly the canonical ones the decoder accepts")
    func mutantsAreReadAlike() {
        var rng = SplitMix64(seed: 1202)
        let seeds = Self.events.map { ($0.0.type, $0.0.payloadBytes(actor: $0.1)) }
        var readDirectly = 0
        for n in 0..<40_000 {
            let (type, seed) = seeds[n % seeds.count]
            var bytes = seed
            for _ in 0..<(1 + rng.below(2)) {
                let at = rng.below(bytes.count)
                switch rng.below(5) {
                case 0: bytes[at] = rng.pick(Array("{}[],:\"\\-0123456789aenu \u{7f}".utf8) + [0xff, 0xc3, 0x80, 0x01, 0x0a])
                case 1: bytes.remove(at: at)
                case 2: bytes.insert(rng.pick(Array("{}[],:\"\\-09anu \n".utf8) + [0xc3, 0xa9, 0x80]), at: at)
                case 3: bytes.insert(contentsOf: Array(rng.pick(["\\u0041", "\\u001f", "\\u001F", "\\u000a", "\\u0009", "\\/", "\\b", "\\u00e9", "0", "-"]).utf8), at: at)
                default: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            let (same, read) = Self.alike(type, bytes)
            #expect(same, "\(String(decoding: bytes, as: UTF8.self))")
            if read { readDirectly += 1 }
        }
        // Some mutants stay canonical events (a digit for a digit, a letter in a text).
        #expect(readDirectly > 1_000)
    }

    /// The encodings the canonical writer never makes, each in a place the reader reads.
    @Test("escapes the writer does not make, leading zeros, minus zero, invalid UTF-8, control bytes, a coordinator confirming: refused by both")
    func nonCanonicalFormsAreRefusedAlike() throws {
        let recorded = try #require(Self.events.first { $0.0.type == .exchangeRecorded && $0.1 == .coordinator })
        let text = String(decoding: recorded.0.payloadBytes(actor: recorded.1), as: UTF8.self)
        let confirmed = String(decoding: Self.events[4].0.payloadBytes(actor: Self.events[4].1), as: UTF8.self)
        let cases: [(EventType, String)] = [
            (.exchangeRecorded, text.replacingOccurrences(of: "op papier", with: "op\\u0020papier")),
            (.exchangeRecorded, text.replacingOccurrences(of: "op papier", with: "op\\/papier")),
            (.exchangeRecorded, text.replacingOccurrences(of: "\\n\"", with: "\\u000a\"")),
            (.exchangeRecorded, text.replacingOccurrences(of: "\\u0007", with: "\\u0007".uppercased())),
            (.exchangeRecorded, text.replacingOccurrences(of: "\\u0007", with: "\u{7}")),
            (.exchangeRecorded, text.replacingOccurrences(of: "op papier", with: "op\tpapier")),
            (.exchangeRecorded, text.replacingOccurrences(of: "\"minutes\":60", with: "\"minutes\":060")),
            (.exchangeRecorded, text.replacingOccurrences(of: "\"minutes\":60", with: "\"minutes\":+60")),
            (.exchangeRecorded, text.replacingOccurrences(of: "\"quantity\":60", with: "\"quantity\":-0")),
            (.exchangeRecorded, text.replacingOccurrences(of: "\"date\":\"2024-10-04\"", with: "\"date\":\"2024-10-4 \"")),
            (.exchangeConfirmed, confirmed.replacingOccurrences(of: "\"by\":\"bram\"", with: "\"by\":\"coordinator\"")),
            (.exchangeConfirmed, confirmed.replacingOccurrences(of: "\"by\":\"bram\"", with: "\"by\":\"system\"")),
            (.exchangeConfirmed, confirmed.replacingOccurrences(of: "\"ex-7\"", with: "\"ex-07\"")),
        ]
        for (type, variant) in cases {
            #expect(variant != (type == .exchangeRecorded ? text : confirmed), "the case changes nothing: \(variant)")
            let (same, read) = Self.alike(type, Array(variant.utf8))
            #expect(same && !read, "\(variant)")
        }
        // A listing's side is its id's; a member's kind is one of the kinds.
        let listing = String(decoding: Self.events.first { $0.0.type == .listingPosted }!.0.payloadBytes, as: UTF8.self)
        #expect(Self.alike(.listingPosted, Array(listing.replacingOccurrences(of: "\"side\":\"request\"", with: "\"side\":\"offer\"").utf8)) == (true, false))
        #expect(Self.alike(.listingPosted, Array(listing.utf8)) == (true, true))
        let member = String(decoding: Self.events.first { $0.0.type == .memberAdded }!.0.payloadBytes, as: UTF8.self)
        #expect(Self.alike(.memberAdded, Array(member.replacingOccurrences(of: "\"person\"", with: "\"persoon\"").utf8)) == (true, false))
        #expect(Self.alike(.memberAdded, Array(member.replacingOccurrences(of: "[\"care\",\"work\"]", with: "[\"care\",]").utf8)) == (true, false))
        // A reason is written only when given: never null, never empty before the id.
        for variant in [#"{"actor":"bram","by":"bram","id":"ex-7","reason":null}"#, #"{"actor":"bram","by":"bram","reason":"x","id":"ex-7"}"#,
                        #"{"by":"bram","id":"ex-7","reason":"x","x":1}"#, #"{"by":"Bram","id":"ex-7"}"#] {
            #expect(Self.alike(.exchangeRejected, Array(variant.utf8)) == (true, false), "\(variant)")
            #expect(Self.alike(.exchangeCancelled, Array(variant.utf8)) == (true, false), "\(variant)")
        }
        #expect(Self.alike(.exchangeRejected, Array(#"{"by":"bram","id":"ex-7","reason":"x"}"#.utf8)) == (true, true))
        // A booking's question is written only when asked, a loan's offer is null or a listing,
        // a withdrawal is by an actor, a renewal's day is a day.
        let booking = #"{"booking":{"date":"2024-10-04","end":720,"id":"bk-2","member":"an","offer":"of-12","people":8,"question":"q","start":600}}"#
        #expect(Self.alike(.spaceBooked, Array(booking.utf8)) == (true, true))
        let loan = #"{"loan":{"borrower":"an","due":"2024-10-04","id":"ln-3","lender":"stad","lent":"2024-10-04","offer":null,"what":"x"}}"#
        #expect(Self.alike(.goodsLent, Array(loan.utf8)) == (true, true))
        for (type, variant) in [(EventType.spaceBooked, booking.replacingOccurrences(of: "\"q\"", with: "null")),
                                (.spaceBooked, booking.replacingOccurrences(of: "\"of-12\"", with: "null")),
                                (.spaceBooked, booking.replacingOccurrences(of: "\"bk-2\"", with: "\"bk-02\"")),
                                (.goodsLent, loan.replacingOccurrences(of: "null", with: "\"\"")),
                                (.goodsLent, loan.replacingOccurrences(of: "null", with: "\"ch-1\"")),
                                (.goodsLent, loan.replacingOccurrences(of: "\"stad\"", with: "null")),
                                (.listingWithdrawn, #"{"by":"nobody!","id":"of-1"}"#),
                                (.listingWithdrawn, #"{"by":"coordinator","id":"ex-1"}"#),
                                (.listingRenewed, #"{"expires":"2024-13-01","id":"of-1"}"#),
                                (.goodsReturned, #"{"id":"ln-1","on":null}"#)] {
            #expect(Self.alike(type, Array(variant.utf8)) == (true, false), "\(variant)")
        }
        #expect(Self.alike(.listingWithdrawn, Array(#"{"by":"coordinator","id":"of-1"}"#.utf8)) == (true, true))
        #expect(Self.alike(.listingRenewed, Array(#"{"expires":"2024-12-01","id":"rq-1"}"#.utf8)) == (true, true))
        for (type, variant) in [(EventType.exchangeExpired, #"{"id":"ex-7"}"#), (.exchangeExpired, #"{"id":"ex-7","reason":3}"#)] {
            let (same, read) = Self.alike(type, Array(variant.utf8))
            #expect(same && !read, "\(variant)")
        }
        // Invalid UTF-8 in a text: a lone continuation byte, a truncated sequence.
        for bad: [UInt8] in [[0x80], [0xc3], [0xed, 0xa0, 0x80]] {
            var bytes = Array(text.utf8)
            let at = try #require(text.utf8.firstRange(of: "op papier".utf8)).lowerBound
            bytes.insert(contentsOf: bad, at: text.utf8.distance(from: text.utf8.startIndex, to: at))
            let (same, read) = Self.alike(.exchangeRecorded, bytes)
            #expect(same && !read)
        }
        // And the canonical forms themselves are read: `0`, a minus, the writer's escapes.
        #expect(Self.alike(.exchangeRecorded, Array(text.utf8)) == (true, true))
        #expect(text.contains("\\u0007") && text.contains("\\n") && text.contains("\\\"") && text.contains("\\t") && text.contains("\\r"))
    }

    @Test("the canonical writer's numbers are Swift's decimal text, at the edges too")
    func numbersAsText() {
        for n: Int64 in [0, 1, -1, 9, 10, -10, 99, 100, 1_752_481_694, Int64.max, Int64.min, Int64.min + 1, -999_999_999_999] {
            var w = CanonicalWriter()
            w.int(n)
            #expect(w.bytes == Array(String(n).utf8), "\(n)")
        }
    }
}
