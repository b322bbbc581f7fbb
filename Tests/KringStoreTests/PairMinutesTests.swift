import Foundation
import Testing
import KringCore
@testable import KringStore
import KringTestSupport

/// The pair cap's sum is read from the two members' postings, newest first, stopping two days
/// before the window (`SQLiteView.pairMinutes`). It must equal the plain sum over every
/// transfer, for every pair and every window, across reversals, gifts to the pool, group
/// exchanges and changes of the circle's time zone (whose days may step back).
@Suite struct PairMinutesTests {
    /// The sum by definition: every transfer of a confirmed exchange between the two, on or after `since`.
    static let definition = """
        SELECT COALESCE(SUM(t.minutes), 0) FROM transfers t JOIN exchanges e ON e.num = t.exchange
        WHERE t.kind = 'exchange' AND e.state = 'confirmed' AND t.day >= ?
          AND ((t.payer = ? AND t.payee = ?) OR (t.payer = ? AND t.payee = ?))
        """

    static let people: [MemberID] = ["an", "bram", "chloe", "daan", "stad"]

    /// A ledger of 520 random commands over days and changes of zone (proposals confirmed,
    /// rejected, cancelled or left to expire; members leaving); gives how many of its
    /// exchanges stand confirmed.
    static func randomLedger(at path: String, seed: UInt64) throws -> Int {
        let clock = TestClock()
        let people = Self.people
        var policy = Policy.standard
        policy.pairCapMinutes = 1_000 * 60
        let ledger = try fixtureLedger(at: path, clock: clock, policy: policy)
        var rng = SplitMix64(seed: seed)
        var confirmed = [Int64]()
        var proposals = [(id: ExchangeID, proposer: MemberID, others: [MemberID])]()
        var number: Int64 = 0
        let zones = ["Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Brussels", "America/St_Johns"]
        for _ in 0..<520 {
            clock.advance(seconds: Int64(rng.below(30 * 3_600)))
            let p = rng.pick(people)
            var r = [rng.pick(people.filter { $0 != p })]
            if rng.chance(0.2) { r.append(rng.pick(people.filter { $0 != p && $0 != r[0] })) }
            let command: Command
            var actor = Actor.coordinator
            switch rng.below(33) {
            case 0..<14:
                command = .record(ExchangeDraft(providers: [p], receivers: r, kind: .time, domain: "care", what: "w",
                                                credits: Minutes(Int64(15 * (1 + rng.below(8))))), reason: nil)
            case 14..<17 where !confirmed.isEmpty:
                command = .reverse(ExchangeID(uncheckedNumber: rng.pick(confirmed)), reason: "mistake")
            case 17:
                var changed = policy
                changed.zone = TimeZone(identifier: rng.pick(zones))!
                command = .setPolicy(changed)
            case 20..<23:
                // A proposal, which the others confirm, reject or let expire, or its proposer cancels.
                command = .propose(ExchangeDraft(providers: [p], receivers: r, kind: .time, domain: "care", what: "v",
                                                 credits: Minutes(Int64(15 * (1 + rng.below(4))))))
                actor = .member(p)
            case 23..<26 where !proposals.isEmpty:
                let (id, proposer, others) = rng.pick(proposals)
                command = .confirm(id)
                actor = .member(rng.pick(others + [proposer]))
            case 26..<29 where !proposals.isEmpty:
                let (id, _, others) = rng.pick(proposals)
                command = .reject(id)
                actor = .member(rng.pick(others))
            case 29..<32 where !proposals.isEmpty:
                let (id, proposer, _) = rng.pick(proposals)
                command = .cancel(id)
                actor = .member(proposer)
            case 32 where rng.chance(0.05):
                // Leaving cancels the member's open proposals (found along their chain).
                command = .leave(rng.pick(people))
            default:
                command = .donate(from: p, minutes: Minutes(15))
            }
            guard let outcome = try? ledger.execute(command, by: actor) else { continue }
            if case .exchangeRecorded = outcome.event { number += 1; confirmed.append(number) }
            if case .exchangeProposed = outcome.event {
                number += 1
                proposals.append((ExchangeID(uncheckedNumber: number), p, r))
            }
            if case .exchangeConfirmed(let e) = outcome.event {
                confirmed.append(e.id.number)
                proposals.removeAll { $0.id == e.id }
            }
            if case .exchangeRejected(let e) = outcome.event { proposals.removeAll { $0.id == e.id } }
            if case .exchangeCancelled(let e) = outcome.event { proposals.removeAll { $0.id == e.id } }
            if case .memberLeft(let e) = outcome.event { proposals.removeAll { e.cancelled.contains($0.id) } }
            if case .exchangeReversed(let e) = outcome.event { confirmed.removeAll { $0 == e.id.number } }
        }
        // Proposals still open at the head.
        for (i, p) in people.enumerated() {
            _ = try? ledger.execute(.propose(ExchangeDraft(providers: [p], receivers: [people[(i + 1) % people.count]], kind: .time, domain: "care",
                                                           what: "open", credits: Minutes(15))), by: .member(p))
        }
        return confirmed.count
    }

    @Test(arguments: [UInt64(7), 2026])
    func thePostingsGiveTheSumOverEveryTransfer(seed: UInt64) throws {
        let dir = TempDir("pair-minutes"); defer { dir.remove() }
        let people = Self.people
        let confirmed = try Self.randomLedger(at: dir.file("k.sqlite"), seed: seed)
        #expect(confirmed > 100, "the ledger should hold many exchanges (\(confirmed))")
        let db = try Connection(path: dir.file("k.sqlite"), readOnly: true)
        let today = try #require(try db.scalarInt("SELECT MAX(day) FROM transfers"))
        var nonZero = 0
        for a in people {
            for b in people where b != a {
                for since in stride(from: today - 120, through: today + 1, by: 1) {
                    let expected = try db.scalarInt(Self.definition, .int(since), .id(a), .id(b), .id(b), .id(a)) ?? 0
                    let found = try SQLiteView.pairMinutes(a, b, since: Day(since), db: db)
                    #expect(found == Minutes(expected), "\(a)–\(b) since day \(since): \(found.value) against \(expected)")
                    if expected > 0 { nonZero += 1 }
                }
            }
        }
        #expect(nonZero > 500)
    }

    /// A statement reads the member's postings along their chain, newest first, down to two
    /// days before `from`. It must equal the statement by definition (every posting of the
    /// member in the range after the cursor, in order; the opening balance summed over the
    /// rest), for every member, range, cursor and page size, across changes of zone.
    @Test(arguments: [UInt64(11), 2027])
    func theChainGivesTheStatementByDefinition(seed: UInt64) throws {
        let dir = TempDir("statement-chain"); defer { dir.remove() }
        _ = try Self.randomLedger(at: dir.file("k.sqlite"), seed: seed)
        let db = try Connection(path: dir.file("k.sqlite"), readOnly: true)
        let reader = try Reader(path: dir.file("k.sqlite"))
        let first = try #require(try db.scalarInt("SELECT MIN(day) FROM postings")), last = try #require(try db.scalarInt("SELECT MAX(day) FROM postings"))
        var rng = SplitMix64(seed: seed)
        var lines = 0
        for _ in 0..<300 {
            let member = rng.pick(Self.people)
            let from: Int64? = rng.chance(0.2) ? nil : first - 3 + Int64(rng.below(Int(last - first + 6)))
            let to: Int64? = rng.chance(0.2) ? nil : (from ?? first) + Int64(rng.below(60)) - 3
            let ids = try db.strings("SELECT id FROM postings WHERE member = ? ORDER BY id", .id(member)).compactMap { Int64($0) }
            let after: Int64? = rng.chance(0.5) || ids.isEmpty ? nil : rng.pick(ids)
            let limit = rng.chance(0.3) ? Reader.maxRows : Int(rng.below(12))
            let fromN = from ?? Int64.min, toN = to ?? Int64.max
            let opening = try db.scalarInt("""
                SELECT COALESCE(SUM(minutes), 0) FROM postings
                WHERE member = ?1 AND (day < ?2 OR (?4 IS NOT NULL AND day >= ?2 AND day <= ?3 AND id <= ?4))
                """, .id(member), .int(fromN), .int(toN), .int(after)) ?? 0
            let expected = try db.strings("""
                SELECT p.id || ' ' || p.seq || ' ' || p.day || ' ' || p.minutes || ' ' || CASE WHEN t.payer = ?1 THEN t.payee ELSE t.payer END
                FROM postings p JOIN transfers t ON t.id = p.transfer
                WHERE p.member = ?1 AND p.day >= ?2 AND p.day <= ?3 AND p.id > ?5 ORDER BY p.id LIMIT ?4
                """, .id(member), .int(fromN), .int(toN), .int(Int64(limit)), .int(after ?? 0))
            let statement = try #require(try reader.statement(member, from: from.map { Day($0) }, to: to.map { Day($0) }, afterPosting: after, limit: limit))
            let found = statement.lines.map { "\($0.postingID) \($0.seq) \($0.day.number) \($0.minutes.value) \($0.counterparty)" }
            #expect(found == expected, "\(member) from \(String(describing: from)) to \(String(describing: to)) after \(String(describing: after)) limit \(limit)")
            #expect(statement.opening == Minutes(opening))
            #expect(statement.closing.value == opening + statement.lines.reduce(0) { $0 + $1.minutes.value })
            lines += found.count
        }
        #expect(lines > 1_000)
    }

    /// A member's exchanges are read along the chain of their parties, newest first. They must
    /// equal the exchanges by definition (the member's party rows, in a state, before a cursor,
    /// newest first, up to a limit), and the open proposals a leaving member's are the proposed
    /// ones among them.
    @Test(arguments: [UInt64(5), 2028])
    func theChainGivesAMembersExchangesByDefinition(seed: UInt64) throws {
        let dir = TempDir("exchange-chain"); defer { dir.remove() }
        _ = try Self.randomLedger(at: dir.file("k.sqlite"), seed: seed)
        let db = try Connection(path: dir.file("k.sqlite"), readOnly: true)
        let reader = try Reader(path: dir.file("k.sqlite"))
        let exchanges = try #require(try db.scalarInt("SELECT MAX(num) FROM exchanges"))
        var states = [String: Int]()
        for line in try db.strings("SELECT state || ' ' || COUNT(*) FROM exchanges GROUP BY state") {
            let parts = line.split(separator: " ")
            states[String(parts[0])] = Int(parts[1])
        }
        for state in ["confirmed", "rejected", "cancelled", "expired", "reversed"] { #expect((states[state] ?? 0) > 3, "\(state): \(states)") }
        #expect((states["proposed"] ?? 0) > 0, "\(states)")
        var rng = SplitMix64(seed: seed)
        var found = 0
        for _ in 0..<400 {
            let member = rng.pick(Self.people)
            let state: ExchangeState? = rng.chance(0.3) ? nil : rng.pick(ExchangeState.allCases)
            let before: Int64? = rng.chance(0.4) ? nil : Int64(rng.below(Int(exchanges) + 3))
            let limit = rng.chance(0.3) ? 1_000 : rng.below(12)
            let expected = try db.strings("""
                SELECT p.exchange FROM exchange_parties p JOIN exchanges e ON e.num = p.exchange
                WHERE p.member = ?1 AND (?2 IS NULL OR e.state = ?2) AND (?4 IS NULL OR p.exchange < ?4)
                ORDER BY p.exchange DESC LIMIT ?3
                """, .id(member), .text(state?.rawValue), .int(Int64(limit)), .int(before)).compactMap { Int64($0) }
            let rows = try reader.exchanges(member: member, state: state, before: before, limit: limit)
            #expect(rows.map(\.record.info.id.number) == expected, "\(member) \(String(describing: state)) before \(String(describing: before)) limit \(limit)")
            found += rows.count
        }
        #expect(found > 1_000)
        let view = SQLiteView(db: db, policy: .standard)
        for member in Self.people {
            let open = try db.strings("""
                SELECT p.exchange FROM exchange_parties p JOIN exchanges e ON e.num = p.exchange
                WHERE p.member = ? AND e.state = 'proposed' ORDER BY p.exchange
                """, .id(member)).compactMap { Int64($0) }
            #expect(try view.openExchanges(of: member).map(\.number) == open)
        }
    }

    /// Kiritimati (UTC+14) to Pago Pago (UTC-11): at 10:30 UTC the circle's day steps back by
    /// two, from 2 June to 31 May, so the newest posting is two days older than the one before.
    @Test func aZoneChangeThatStepsTheDayBackByTwo() throws {
        let dir = TempDir("pair-minutes"); defer { dir.remove() }
        let clock = TestClock()
        var policy = Policy.standard
        policy.zone = TimeZone(identifier: "Pacific/Kiritimati")!
        let ledger = try fixtureLedger(at: dir.file("k.sqlite"), clock: clock, policy: policy)
        clock.advance(seconds: 90 * 60)
        let record = { (minutes: Int64) -> Command in
            .record(ExchangeDraft(providers: ["an"], receivers: ["bram"], kind: .time, domain: "care", what: "w", credits: Minutes(minutes)), reason: nil)
        }
        _ = try ledger.execute(record(60), by: .coordinator)
        policy.zone = TimeZone(identifier: "Pacific/Pago_Pago")!
        _ = try ledger.execute(.setPolicy(policy), by: .coordinator)
        _ = try ledger.execute(record(30), by: .coordinator)
        let db = try Connection(path: dir.file("k.sqlite"), readOnly: true)
        let june2 = Day(iso: "2026-06-02")!, may31 = Day(iso: "2026-05-31")!
        #expect(try db.scalarText("SELECT group_concat(day) FROM (SELECT day FROM transfers ORDER BY id)") == "\(june2.number),\(may31.number)")
        for (a, b) in [("an", "bram"), ("bram", "an")] as [(MemberID, MemberID)] {
            #expect(try SQLiteView.pairMinutes(a, b, since: june2, db: db) == Minutes(60))
            #expect(try SQLiteView.pairMinutes(a, b, since: june2 - 1, db: db) == Minutes(60))
            #expect(try SQLiteView.pairMinutes(a, b, since: may31, db: db) == Minutes(90))
            #expect(try SQLiteView.pairMinutes(a, b, since: june2 + 1, db: db) == Minutes(0))
        }
    }
}
