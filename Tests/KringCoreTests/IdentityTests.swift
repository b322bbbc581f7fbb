import Testing
@testable import KringCore
import KringTestSupport

/// Texts that are not canonical ids: each is refused by every parser, whatever the prefix.
func nonCanonicalVariants(prefix: String, number: Int64) -> [String] {
    let n = String(number)
    return [
        "\(prefix)0\(n)", "\(prefix)00\(n)", "\(prefix)+\(n)", "\(prefix)-\(n)", "\(prefix) \(n)", "\(prefix)\(n) ", " \(prefix)\(n)",
        "\(prefix.uppercased())\(n)", "\(prefix)\(n).0", "\(prefix)\(n)e0", "\(prefix)0x\(n)", "\(prefix)", "\(prefix)0",
        "\(prefix)\u{0661}", "\(prefix)\u{FF11}", "\(prefix)9223372036854775808", "\(prefix)99999999999999999999",
        "\(prefix)\(n)\u{0}", "\(prefix)\(n)\n", String(prefix.dropLast()) + "\(n)", "\(prefix)\(n),", "\(prefix)\u{200B}\(n)",
    ]
}

@Suite struct IdentityTests {
    /// format ∘ parse is the identity on canonical text, and parse ∘ format on values.
    @Test func numberedIDsRoundTrip() {
        var rng = SplitMix64(seed: 9)
        for _ in 0..<2_000 {
            let n = rng.chance(0.1) ? Int64.max - Int64(rng.below(3)) : Int64(1 + rng.below(rng.chance(0.5) ? 10 : 1_000_000_000))
            func check<T: NumberedID & JournalID>(_ type: T.Type) {
                let id = T(number: n)!
                #expect(T(canonical: id.description) == id)
                #expect(T(canonical: id.description)?.description == id.description)
                #expect(id.description == T.prefix + String(n))
            }
            check(ExchangeID.self); check(BookingID.self); check(LoanID.self); check(ChallengeID.self); check(TokenID.self)
            let l = ListingID(side: rng.chance(0.5) ? .offer : .request, number: n)!
            #expect(ListingID(canonical: l.description) == l)
            #expect(ExchangeLink(canonical: l.description) == .listing(l))
        }
        #expect(ExchangeID(number: 0) == nil && ExchangeID(number: -5) == nil)
    }

    @Test func nonCanonicalNumberedIDsAreRefused() {
        for n: Int64 in [1, 7, 12, 1166] {
            for p in ["ex-", "of-", "rq-", "bk-", "ln-", "ch-", "tk-"] {
                for text in nonCanonicalVariants(prefix: p, number: n) {
                    #expect(ExchangeID(canonical: text) == nil, "\(text)")
                    #expect(ListingID(canonical: text) == nil, "\(text)")
                    #expect(BookingID(canonical: text) == nil, "\(text)")
                    #expect(LoanID(canonical: text) == nil, "\(text)")
                    #expect(ChallengeID(canonical: text) == nil, "\(text)")
                    #expect(TokenID(canonical: text) == nil, "\(text)")
                    #expect(ExchangeLink(canonical: text) == nil, "\(text)")
                }
            }
        }
        // One kind of id is never another.
        #expect(ExchangeID(canonical: "of-1") == nil && LoanID(canonical: "ex-1") == nil && ListingID(canonical: "bk-1") == nil)
        #expect(ExchangeLink(canonical: "ex-1") == nil && ExchangeLink(canonical: "ln-1") == nil)
    }

    /// The legacy reading accepts what versions before typed identities accepted, and only that.
    @Test func legacyFormsReadAsTheirNumber() {
        #expect(ExchangeID(legacy: "ex-01166")?.description == "ex-1166")
        #expect(ExchangeID(legacy: "ex-+2")?.description == "ex-2")
        #expect(ListingID(legacy: "rq-002")?.description == "rq-2")
        #expect(ExchangeLink(legacy: "ch-01") == .challenge("ch-1"))
        #expect(ExchangeID(legacy: "ex-0") == nil && ExchangeID(legacy: "ex--1") == nil && ExchangeID(legacy: "ex- 1") == nil)
        #expect(MemberID(legacy: "An") == nil)
    }

    @Test func memberHandles() {
        var rng = SplitMix64(seed: 3)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789-")
        for _ in 0..<1_000 {
            var s = String(rng.pick(Array(alphabet.dropLast())))
            for _ in 0..<rng.below(MemberID.maxLength) { s.append(rng.pick(alphabet)) }
            #expect(MemberID(canonical: s)?.description == s)
        }
        for bad in ["", "-an", "An", "an ", " an", "an_b", "än", "an.b", "an:b", "an/b", String(repeating: "a", count: 41), "an\u{200B}"] {
            #expect(MemberID(canonical: bad) == nil, "\(bad)")
        }
        #expect(MemberID(canonical: String(repeating: "a", count: 40)) != nil)
        #expect(["auto", "coordinator", "system"].allSatisfy { MemberID(canonical: $0)!.isReserved })
    }

    @Test func actorsHaveOneJournalForm() {
        let actors: [Actor] = [.coordinator, .coordinatorToken("tk-7"), .member("an-peeters"), .system, .automatic]
        for a in actors { #expect(Actor(journal: a.description) == a) }
        #expect(Actor(journal: "coordinator:tk-07") == nil && Actor(journal: "coordinator:7") == nil && Actor(journal: "An") == nil)
        #expect(Actor.coordinatorToken("tk-2").isCoordinator && !Actor.member("an").isCoordinator && !Actor.automatic.isCoordinator)
    }
}

@Suite struct EventCodingTests {
    /// Every type of event, from the enumerable list, encodes canonically and decodes back to
    /// itself, with and without the actor the journal records.
    @Test(arguments: EventType.allCases)
    func everyEventTypeRoundTrips(type: EventType) throws {
        let e = Event.example(of: type)
        #expect(e.type == type && type.payloadType.type == type, "\(type.rawValue) maps to the payload type of \(type.payloadType.type.rawValue)")
        // Another type's name on this payload does not decode as this event.
        for other in EventType.allCases where other != type {
            if let decoded = Event(type: other.rawValue, payload: e.payload) { #expect(decoded.type == other && decoded != e) }
        }
        for actor: Actor? in [nil, .coordinatorToken("tk-3"), .member("bo-smet"), .system] {
            let bytes = e.payloadBytes(actor: actor)
            let json = try JSON.parse(bytes)
            #expect(json.canonicalBytes == bytes, "\(type.rawValue): the writer is not canonical")
            #expect(Event(type: type.rawValue, payload: json) == e, "\(type.rawValue)")
            #expect(Event.journaledActor(in: json) == .some(actor) || (actor == nil && Event.journaledActor(in: json) == nil))
        }
    }

    @Test("a rejection or cancellation without a reason keeps the bytes written before reasons existed; with one it carries it; a reason that is not text is refused")
    func endReasonsAreOptional() throws {
        let plain = Event.exchangeRejected(ExchangeRejected(id: "ex-2", by: "bo-smet"))
        #expect(String(decoding: plain.payloadBytes, as: UTF8.self) == #"{"by":"bo-smet","id":"ex-2"}"#)
        #expect(Event(type: "exchange.rejected", payload: try JSON.parse(Array(#"{"by":"bo-smet","id":"ex-2"}"#.utf8))) == plain)
        let said = Event.exchangeCancelled(ExchangeCancelled(id: "ex-2", by: "an", reason: "Toch niet nodig"))
        #expect(String(decoding: said.payloadBytes, as: UTF8.self) == #"{"by":"an","id":"ex-2","reason":"Toch niet nodig"}"#)
        #expect(Event(type: "exchange.cancelled", payload: try JSON.parse(said.payloadBytes)) == said)
        #expect(Event(type: "exchange.cancelled", payload: try JSON.parse(Array(#"{"by":"an","id":"ex-2","reason":null}"#.utf8))) == nil)
        #expect(Event(type: "exchange.cancelled", payload: try JSON.parse(Array(#"{"by":"an","id":"ex-2","reason":3}"#.utf8))) == nil)
    }

    @Test func decodersRefuseWhatTheyDoNotKnow() throws {
        let e = Event.example(of: .exchangeConfirmed)
        guard case .object(var o) = try JSON.parse(e.payloadBytes) else { Issue.record("not an object"); return }
        #expect(Event(type: "exchange.confirmd", payload: .object(o)) == nil)
        #expect(Event(type: "exchange.confirmed", payload: .object(o)) == e)
        o["extra"] = .int(1)
        #expect(Event(type: "exchange.confirmed", payload: .object(o)) == nil, "an unknown field is refused")
        o["extra"] = nil
        o["id"] = .string("ex-01")
        #expect(Event(type: "exchange.confirmed", payload: .object(o)) == nil, "a legacy id is refused when reading strictly")
        var legacy = IDReading(allowsLegacy: true)
        #expect(Event(type: "exchange.confirmed", payload: .object(o), ids: &legacy) == e)
        #expect(legacy.legacy.map(\.text) == ["ex-01"] && legacy.legacy.map(\.canonical) == ["ex-1"])
        o["id"] = .string("ex-1")
        o["by"] = .string("coordinator:tk-01")
        #expect(Event(type: "exchange.confirmed", payload: .object(o)) == nil, "an actor that is not one is refused")
        // A nested record refuses unknown fields too.
        guard case .object(var p) = try JSON.parse(Event.example(of: .goodsLent).payloadBytes), case .object(var loan) = p["loan"] else { return }
        loan["colour"] = .string("red")
        p["loan"] = .object(loan)
        #expect(Event(type: "goods.lent", payload: .object(p)) == nil)
    }
}

@Suite struct TextRuleTests {
    /// Controls (C0, DEL, C1) and bidirectional overrides, embeddings and isolates are refused in
    /// every kind of people's text; text that is only invisible characters is empty.
    @Test(arguments: ["a\u{85}b", "a\u{9B}b", "a\u{7F}", "evil\u{202E}gnp.exe", "a\u{2066}b\u{2069}", "a\u{202A}b", "\u{200B}", " \u{200B}\u{FEFF} ", "\u{00AD}", ""])
    func badTextIsRefused(text: String) {
        var c = Core()
        #expect(c.code(.addMember(MemberDraft(id: "zoe", name: text, kind: .person))) == .inputText, "name \(text.unicodeScalars.map { String($0.value, radix: 16) })")
        #expect(c.code(.record(ExchangeDraft(providers: ["an"], receivers: ["bram"], kind: .time, domain: "care", what: text, credits: .hours(1)), reason: nil)) == .inputText)
        #expect(c.code(.postListing(ListingDraft(side: .offer, author: "an", kind: .time, domain: "care", title: text))) == .inputText)
    }

    /// The same name typed decomposed or precomposed is stored once, in NFC.
    @Test func textIsStoredInNFC() throws {
        var c = Core()
        let d = try c.run(.addMember(MemberDraft(id: "amelie", name: "Ame\u{301}lie", kind: .person, neighbourhood: "Sint-Andrie\u{300}s")))
        guard case .memberAdded(let added) = d.event else { Issue.record("not added"); return }
        let m = added.member
        #expect(m.name.unicodeScalars.count == 6 && m.name == "Amélie")
        #expect(Array(m.name.utf8) == Array("Am\u{E9}lie".utf8))
        #expect(m.neighbourhood.map { Array($0.utf8) } == Array("Sint-Andri\u{E8}s".utf8))
        // Marks that are not overrides (a right-to-left name) are text like any other.
        #expect(c.code(.addMember(MemberDraft(id: "samir", name: "سمير", kind: .person))) == nil)
    }
}
