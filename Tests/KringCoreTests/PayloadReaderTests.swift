import Testing
@testable import KringCore

/// The direct reader of the commonest payloads reads exactly what the general decoder reads,
/// and nothing it would refuse.
struct PayloadReaderTests {
    static let transfer = Transfer(from: "an", to: "bram", minutes: .hours(1))

    /// Exchanges proposed, confirmed and recorded, in every shape their payloads take.
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

    @Test("exchanges proposed, confirmed and recorded in every shape: read directly as the decoder reads them")
    func readsWhatTheDecoderReads() throws {
        for (event, actor) in Self.events {
            let bytes = event.payloadBytes(actor: actor)
            let direct = try #require(Event.reading(type: event.type.rawValue, canonicalPayload: bytes), "\(String(decoding: bytes, as: UTF8.self))")
            #expect(direct.event == event && direct.actor == actor)
            let general = try #require(Self.general(event.type, bytes))
            #expect(general.0 == direct.event && general.1 == direct.actor)
        }
    }

    @Test("other types, other orders, blanks and legacy ids are left to the decoder")
    func leavesTheRestToTheDecoder() {
        let proposed = Self.events[0].0.payloadBytes(actor: .member("an"))
        #expect(Event.reading(type: "exchange.consented", canonicalPayload: proposed) == nil)
        for other in [Event.exchangeConsented(ExchangeConsented(id: "ex-1", member: "an")), .exchangeRejected(ExchangeRejected(id: "ex-1", by: "b"))] {
            #expect(Event.reading(type: other.type.rawValue, canonicalPayload: other.payloadBytes) == nil)
        }
        let text = String(decoding: proposed, as: UTF8.self)
        for variant in [text.replacingOccurrences(of: ",", with: ", "), text.replacingOccurrences(of: "\"ex-7\"", with: "\"ex-007\""),
                        text.replacingOccurrences(of: "\"an\"", with: "\"An\""), text + " ", String(text.dropLast())] {
            #expect(Event.reading(type: "exchange.proposed", canonicalPayload: Array(variant.utf8)) == nil, "\(variant)")
        }
    }

    /// Seeded mutations of every shape: whatever the direct reader reads and re-encodes to the
    /// very bytes, the general decoder reads as the same event; and every mutant the general
    /// decoder reads canonically, the direct reader reads too.
    @Test("mutated payloads: the direct reader accepts exactly the canonical ones the decoder accepts")
    func mutantsAreReadAlike() {
        var rng = SplitMix64(seed: 1202)
        let seeds = Self.events.map { ($0.0.type, $0.0.payloadBytes(actor: $0.1)) }
        var readDirectly = 0, canonical = 0
        for n in 0..<20_000 {
            let (type, seed) = seeds[n % seeds.count]
            var bytes = seed
            for _ in 0..<(1 + rng.below(2)) {
                let at = rng.below(bytes.count)
                switch rng.below(4) {
                case 0: bytes[at] = rng.pick(Array("{}[],:\"\\-0123456789aenu \u{7f}".utf8) + [0xff, 0xc3])
                case 1: bytes.remove(at: at)
                case 2: bytes.insert(rng.pick(Array("{}[],:\"\\-09anu ".utf8)), at: at)
                default: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            let direct = Event.reading(type: type.rawValue, canonicalPayload: bytes).flatMap { $0.event.payloadBytes(actor: $0.actor) == bytes ? $0 : nil }
            let general = Self.general(type, bytes).flatMap { $0.0.payloadBytes(actor: $0.1) == bytes ? $0 : nil }
            #expect(direct?.event == general?.0 && direct?.actor == general?.1, "\(String(decoding: bytes, as: UTF8.self))")
            if direct != nil { readDirectly += 1 }
            if general != nil { canonical += 1 }
        }
        // Some mutants stay canonical events (a digit for a digit, a letter in a text).
        #expect(readDirectly == canonical && readDirectly > 500)
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
