import Foundation
import Testing
@testable import KringCore
import KringTestSupport

@Suite struct AmountTests {
    @Test(arguments: [("1.5", 90), ("1.5h", 90), ("90m", 90), ("1:30", 90), ("2", 120), ("0.25", 15), ("2 h", 120), ("45min", 45), ("0:05", 5), (".5", 30)])
    func parses(text: String, minutes: Int64) {
        #expect(Minutes.parse(text) == Minutes(minutes))
    }

    @Test(arguments: ["", "-1", "1.333", "abc", "1:5", "1:60", "h", "1.5.5", "1e3", "99999999999999999999", "1,5", "m"])
    func refuses(text: String) {
        #expect(Minutes.parse(text) == nil)
    }

    @Test func formats() {
        #expect(Minutes(90).description == "1.5 h")
        #expect(Minutes(-1260).description == "-21 h")
        #expect(Minutes(75).description == "1.25 h")
        #expect(Minutes(67).description == "1 h 07 min")
        #expect(Minutes(-90).clock == "-1:30")
    }

    @Test func daysRoundTrip() {
        for n in stride(from: Int64(-800), through: 30_000, by: 37) {
            let d = Day(n)
            #expect(Day(iso: d.description) == d)
        }
        #expect(Day(iso: "2024-02-29") != nil)
        #expect(Day(iso: "2023-02-29") == nil)
        #expect(Day(iso: "2026-13-01") == nil)
        #expect(Day(iso: "1970-01-01")?.number == 0)
        #expect(Day(iso: "2026-01-31")!.startOfNextMonth.description == "2026-02-01")
    }
}

@Suite struct JSONTests {
    @Test func canonicalSortsKeysAndEscapes() throws {
        let j = JSON.object(["b": .int(-3), "a": .string("x\"y\\z\n\u{1}é"), "c": .array([.null, .bool(true)])])
        #expect(j.canonicalString == #"{"a":"x\"y\\z\n\u0001é","b":-3,"c":[null,true]}"#)
        #expect(try JSON.parse(j.canonicalString) == j)
    }

    @Test(arguments: ["{", "[1,]", "1.5", "1e3", "01", "\"\\x\"", "{\"a\":1,\"a\":2}", "nul", "\"\u{1}\"", "[1] x", "99999999999999999999", "\"\\ud800\""])
    func refusesMalformed(text: String) {
        #expect(throws: JSONParseError.self) { try JSON.parse(text) }
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: JSONParseError.self) { try JSON.parse(deep) }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSON.parse([0x22, 0xff, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSON.parse([0x22, 0x61, 0x5c, 0x6e, 0xc3, 0x22]) }
    }

    /// Strings read as Foundation's parser reads them: runs without escapes (taken whole),
    /// escapes of every kind, and UTF-8 of every length, mixed at random.
    @Test func stringsReadAsFoundationReadsThem() throws {
        var rng = SplitMix64(seed: 2026)
        let pieces = ["a", "Z", " ", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9", "\\ud83d\\ude00", "é", "€", "😀", "kring", "\\b\\f\\r"]
        for _ in 0..<2_000 {
            let text = (0..<rng.below(12)).map { _ in rng.pick(pieces) }.joined()
            let document = "[\"\(text)\"]"
            let theirs = try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String]
            guard case .array(let items) = try JSON.parse(document), case .string(let ours) = items.first else { Issue.record("not an array of a string: \(document)"); continue }
            #expect(ours == theirs?.first, "\(document)")
        }
    }

    @Test func everyEventRoundTrips() throws {
        let x = ExchangeInfo(id: "ex-1", proposer: "an", providers: ["an"], receivers: ["bram", "chloe"], kind: .space, domain: "care",
                             what: "zaal", credits: .zero, quantity: 60, date: Day(20000), expiresAt: 123)
        let t = Transfer(from: "a", to: "b", minutes: Minutes(15))
        let events: [Event] = [
            .ledgerCreated(LedgerCreated(policy: .standard)), .policyChanged(PolicyChanged(policy: earnedFloorPolicy)),
            .memberAdded(MemberAdded(member: MemberInfo(id: "an", name: "An", kind: .person, neighbourhood: "Noord", domains: ["care"], joined: Day(1)))),
            .memberSuspended(MemberSuspended(id: "an")), .memberReinstated(MemberReinstated(id: "an")), .memberLimitsSet(MemberLimitsSet(id: "an", floor: Minutes(-60), ceiling: nil)),
            .memberLeft(MemberLeft(id: "an", settlement: t, cancelled: ["ex-2"])), .exchangeProposed(ExchangeProposed(exchange: x)), .exchangeConsented(ExchangeConsented(id: "ex-1", member: "bram")),
            .exchangeConfirmed(ExchangeConfirmed(id: "ex-1", by: .member("chloe"), transfers: [t])), .exchangeRecorded(ExchangeRecorded(exchange: x, reason: "r", transfers: [])),
            .exchangeRejected(ExchangeRejected(id: "ex-1", by: "b")), .exchangeCancelled(ExchangeCancelled(id: "ex-1", by: "a")), .exchangeExpired(ExchangeExpired(id: "ex-1", reason: nil)),
            .exchangeReversed(ExchangeReversed(id: "ex-1", reason: "oops", transfers: [t])), .poolDonated(PoolDonated(transfer: t)), .poolGranted(PoolGranted(transfer: t, reason: "help \"quoted\"\n")),
            .memberAdded(MemberAdded(member: MemberInfo(id: "b", name: "Zoë", kind: .company, neighbourhood: nil, domains: [], joined: Day(2)))),
            .memberLimitsSet(MemberLimitsSet(id: "an", floor: nil, ceiling: Minutes(600))), .memberLeft(MemberLeft(id: "an", settlement: nil, cancelled: [])),
            .exchangeRecorded(ExchangeRecorded(exchange: ExchangeInfo(id: "ex-2", proposer: nil, providers: ["a"], receivers: ["b"], kind: .time, domain: "care",
                                           what: "x", credits: Minutes(60), quantity: 60, date: Day(3), expiresAt: nil), reason: nil, transfers: [t, t])),
            .exchangeExpired(ExchangeExpired(id: "ex-1", reason: "limit.floor: x")),
        ]
        for e in events {
            #expect(e.payloadBytes == e.payload.canonicalBytes, "\(e.type): the direct writer and the canonical encoder differ")
            let parsed = try JSON.parse(e.payload.canonicalBytes)
            #expect(Event(type: e.type.rawValue, payload: parsed) == e, "\(e.type)")
        }
    }
}

@Suite struct JSONFuzzTests {
    /// Seeded mutations of valid documents: the parser returns a value or a JSONParseError,
    /// never crashes, and whatever it accepts re-encodes to something it accepts again.
    @Test func mutatedDocumentsNeverCrashTheParser() throws {
        var rng = SplitMix64(seed: 1129)
        let seeds = [Event.poolGranted(PoolGranted(transfer: Transfer(from: "a", to: "b", minutes: Minutes(15)), reason: "r\u{e9}")).payload.canonicalBytes,
                     Array(#"{"a":[1,-2,{"b":null,"c":"\u00e9\ud83d\ude00"}],"d":true}"#.utf8),
                     Policy.standard.json.canonicalBytes]
        var accepted = 0
        for i in 0..<5_000 {
            var bytes = seeds[i % seeds.count]
            for _ in 0..<(1 + rng.below(4)) {
                guard !bytes.isEmpty else { break }
                let at = rng.below(bytes.count)
                switch rng.below(4) {
                case 0: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes.remove(at: at)
                case 2: bytes.insert(rng.pick(Array("{}[],:\"\\-0123456789eE.tfn \u{7f}".utf8) + [0xff, 0xc3]), at: at)
                default: bytes = Array(bytes[..<at])
                }
            }
            if let v = try? JSON.parse(bytes) {
                accepted += 1
                #expect((try? JSON.parse(v.canonicalBytes)) == v)
            }
        }
        #expect(accepted > 0 && accepted < 5_000)
    }
}
