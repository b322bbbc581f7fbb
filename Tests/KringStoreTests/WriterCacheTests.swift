import Foundation
import Testing
import KringCore
@testable import KringStore
import KringTestSupport

/// The writer keeps members and pair credits between its transactions (`WriterCache`). Its
/// decisions must stay those of a writer reading every member afresh: when another connection
/// writes (the CLI beside a server), and when a transaction of its own rolls back. So must the
/// links it keeps of members' chains (`WriterCache.links`): verify checks every link and last.
@Suite struct WriterCacheTests {
    private func record(_ provider: MemberID, _ receiver: MemberID, _ minutes: Int64) -> Command {
        .record(ExchangeDraft(providers: [provider], receivers: [receiver], kind: .time, domain: "care", what: "help",
                              credits: Minutes(minutes)), reason: nil)
    }

    /// The rule a refused command broke, or nil when it was accepted.
    private func refusal(_ ledger: Ledger, _ command: Command) throws -> RuleCode? {
        do {
            _ = try ledger.execute(command, by: .coordinator)
            return nil
        } catch .rule(let v) {
            return v.code
        }
    }

    @Test func anotherConnectionsWritesAreSeenAtTheNextCommand() throws {
        let dir = TempDir("writer-cache"); defer { dir.remove() }
        let clock = TestClock()
        let server = try fixtureLedger(at: dir.file("k.sqlite"), clock: clock)
        let cli = try Ledger(path: dir.file("k.sqlite"), clock: clock.clock)
        // The server reads (and keeps) an and bram.
        #expect(try refusal(server, record("bram", "an", 60)) == nil)
        // Another process suspends an: the server's next exchange with an is refused.
        _ = try cli.execute(.suspend("an"), by: .coordinator)
        #expect(try refusal(server, record("bram", "an", 60)) == .ruleInactive)
        // Reinstated, an receives 19 hours through the other process: an is at the floor (-20 h).
        _ = try cli.execute(.reinstate("an"), by: .coordinator)
        #expect(try refusal(server, record("bram", "an", 60)) == nil)
        _ = try cli.execute(record("chloe", "an", 1_080), by: .coordinator)
        #expect(try Reader(path: dir.file("k.sqlite")).balance(of: "an")?.balance == Minutes(-1_200))
        #expect(try refusal(server, record("daan", "an", 15)) == .limitFloor)
        // The pair cap (40 h in 30 days): an gives stad an hour through the server, then 38
        // more through the other process; 75 minutes more would break the cap, 60 would not.
        #expect(try refusal(server, record("an", "stad", 60)) == nil)
        _ = try cli.execute(record("an", "stad", 1_440), by: .coordinator)
        _ = try cli.execute(record("an", "stad", 840), by: .coordinator)
        #expect(try refusal(server, record("an", "stad", 75)) == .rulePairCap)
        #expect(try refusal(server, record("an", "stad", 60)) == nil)
        // The chains of an and stad ran through both writers' postings and parties.
        let report = try Verifier.verify(path: dir.file("k.sqlite"))
        #expect(report.ok, "\(String(describing: report.divergence))")
    }

    @Test func aBatchRolledBackLeavesNoTraceInTheCache() throws {
        let dir = TempDir("writer-cache"); defer { dir.remove() }
        let clock = TestClock()
        let ledger = try fixtureLedger(at: dir.file("k.sqlite"), clock: clock)
        #expect(try refusal(ledger, record("chloe", "an", 1_140)) == nil)  // an at -19 h
        // A storage failure on the batch's second command rolls back the first, which had
        // taken an to the floor.
        try ledger.db.execute("CREATE TRIGGER boom BEFORE INSERT ON idempotency WHEN NEW.key = 'boom' BEGIN SELECT RAISE(ABORT, 'disk trouble'); END")
        let items = [BatchItem(command: record("daan", "an", 60), actor: .coordinator, idempotency: IdempotencyKey(scope: "t", key: "one", requestHash: [1])),
                     BatchItem(command: record("els", "bram", 15), actor: .coordinator, idempotency: IdempotencyKey(scope: "t", key: "boom", requestHash: [2]))]
        #expect(throws: StoreError.self) { try ledger.executeBatch(items) }
        #expect(try Reader(path: dir.file("k.sqlite")).balance(of: "an")?.balance == Minutes(-1_140))
        // So an can still receive that hour, and daan and an have not met.
        #expect(try refusal(ledger, record("daan", "an", 60)) == nil)
        #expect(try refusal(ledger, record("daan", "an", 15)) == .limitFloor)
        // The postings and parties rolled back are in no chain.
        let report = try Verifier.verify(path: dir.file("k.sqlite"))
        #expect(report.ok, "\(String(describing: report.divergence))")
    }

    /// The writer reads the policy once per transaction, and again after a change of policy it
    /// appends: a command after the change, in the same batch or after another process's, is
    /// decided on the new policy.
    @Test func aChangeOfPolicyCountsFromTheNextCommand() throws {
        let dir = TempDir("writer-policy"); defer { dir.remove() }
        let clock = TestClock()
        let server = try fixtureLedger(at: dir.file("k.sqlite"), clock: clock)
        let cli = try Ledger(path: dir.file("k.sqlite"), clock: clock.clock)
        var oneHour = Policy.standard
        oneHour.pairCapMinutes = 60
        let results = try server.executeBatch([BatchItem(command: record("an", "bram", 90), actor: .coordinator, idempotency: nil),
                                               BatchItem(command: .setPolicy(oneHour), actor: .coordinator, idempotency: nil),
                                               BatchItem(command: record("an", "chloe", 90), actor: .coordinator, idempotency: nil)])
        let codes = results.map { r -> RuleCode? in
            guard case .fresh(let result) = r else { return nil }
            if case .failure(let v) = result { return v.code }
            return nil
        }
        #expect(codes == [nil, nil, .rulePairCap])
        // Another process sets the standard policy back: the server's next exchange is decided on it.
        _ = try cli.execute(.setPolicy(.standard), by: .coordinator)
        #expect(try refusal(server, record("an", "chloe", 90)) == nil)
        _ = try cli.execute(.setPolicy(oneHour), by: .coordinator)
        #expect(try refusal(server, record("an", "daan", 90)) == .rulePairCap)
    }

    @Test func thePairCapCountsWhatTheWriterPostedAndNotWhatItReversed() throws {
        let dir = TempDir("writer-cache"); defer { dir.remove() }
        let clock = TestClock()
        let ledger = try fixtureLedger(at: dir.file("k.sqlite"), clock: clock)
        // 24 h, then 15 h between an and stad: 39 h of the 40 h cap.
        #expect(try refusal(ledger, record("an", "stad", 1_440)) == nil)
        #expect(try refusal(ledger, record("stad", "an", 900)) == nil)
        #expect(try refusal(ledger, record("an", "stad", 75)) == .rulePairCap)
        // Reversed, the 15 hours no longer count.
        _ = try ledger.execute(.reverse(canonical("ex-2"), reason: "entered twice"), by: .coordinator)
        #expect(try refusal(ledger, record("an", "stad", 900)) == nil)
        #expect(try refusal(ledger, record("an", "stad", 75)) == .rulePairCap)
        // The window moves on: 31 days later the pair starts afresh.
        clock.advance(days: 31)
        #expect(try refusal(ledger, record("stad", "an", 1_440)) == nil)
    }
}

/// What a command came to, as its idempotency key keeps it: an accepted command without
/// warnings is written directly (`Ledger.keptText`), byte for byte the canonical JSON of
/// `Ledger.keep`, which every other outcome still goes through.
@Suite struct KeptOutcomeTests {
    @Test func theDirectTextIsTheCanonicalJSON() {
        var rng = SplitMix64(seed: 15)
        let event = MemberSuspended(id: "an").event
        for i in 0..<1_000 {
            let seq = i < 3 ? [1, 9, 10][i] : Int64(rng.next() % 10_000_000_000) + 1
            let before = i < 3 ? 0 : Int(rng.next() % 2_000)
            let accepted: Result<Outcome, RuleViolation> = .success(Outcome(seq: seq, hash: [], event: event, warnings: [], expired: [], expiredBefore: before))
            #expect(Ledger.keptText(accepted) == Ledger.keep(accepted).canonicalString)
        }
        let warned: Result<Outcome, RuleViolation> = .success(Outcome(seq: 7, hash: [], event: event, warnings: [Warning(code: .nearFloor, reason: .kept("close"))],
                                                                      expired: [], expiredBefore: 2))
        #expect(Ledger.keptText(warned) == Ledger.keep(warned).canonicalString && Ledger.keptText(warned).contains("warn.near_floor"))
    }
}
