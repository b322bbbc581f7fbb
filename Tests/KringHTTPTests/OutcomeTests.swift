import Foundation
import KringCore
@testable import KringHTTP
import KringStore
import KringTestSupport
import Testing

@Suite("HTTP write answers")
struct OutcomeTests {
    @Test("the answer written byte by byte equals the canonical JSON of the outcome, for every kind of event")
    func directBodyIsCanonical() throws {
        let clock = TestClock()
        let dir = TempDir("kring-outcome")
        defer { dir.remove() }
        let ledger = try fixtureLedger(at: dir.file("l.sqlite"), clock: clock)
        let draft = ExchangeDraft(providers: ["an"], receivers: ["bram"], kind: .time, domain: "care", what: "boodschappen \"met\" \\ quotes", credits: Minutes(60))
        var outcomes = [try ledger.execute(.record(draft, reason: nil), by: .coordinator)]
        outcomes.append(try ledger.execute(.propose(draft), by: .member("an")))
        outcomes.append(try ledger.execute(.donate(from: "an", minutes: Minutes(30)), by: .coordinator))
        outcomes.append(try ledger.execute(.postListing(ListingDraft(side: .offer, author: "an", kind: .time, domain: "care", title: "Koken é ü", text: "")), by: .coordinator))
        outcomes.append(try ledger.execute(.setPolicy(try Policy.standard.setting("pair-cap", to: "50h")), by: .coordinator))
        // A posting near the floor carries a warning.
        let near = ExchangeDraft(providers: ["chloe"], receivers: ["daan"], kind: .time, domain: "care", what: "veel", credits: Minutes(19 * 60))
        outcomes.append(try ledger.execute(.record(near, reason: nil), by: .coordinator))
        #expect(outcomes.last?.warnings.isEmpty == false)
        for o in outcomes {
            let direct = API.outcomeBody(o)
            let expected = JSON.object([
                "seq": .int(o.seq), "hash": .string(o.hash.hexString), "event": .string(o.event.type.rawValue),
                "id": o.event.subjectID.map(JSON.string) ?? .null, "record": o.event.payload,
                "warnings": .array(o.warnings.map { .object(["code": .string($0.code.rawValue), "message": .string($0.message)]) }),
                "expired_before": .int(Int64(o.expiredBefore)),
            ])
            #expect(direct == expected.canonicalString)
            #expect((try? JSON.parse(direct)) != nil)
        }
    }
}
