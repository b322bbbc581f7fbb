import Foundation
import Testing
import KringCore
@testable import KringStore
import KringTestSupport

/// A small reference model of the ledger, written independently of the domain core: it keeps
/// balances and exchanges in dictionaries and, for each command, computes the set of rules the
/// command breaks. The store must accept exactly when that set is empty, and otherwise refuse
/// with one of its codes.
struct ReferenceModel {
    struct X { var providers: [String]; var receivers: [String]; var credits: Int64; var kind: ExchangeKind
        var state: String; var proposer: String?; var consents: Set<String>; var expires: Int64; var postedDay: Int64 }
    var kinds: [String: MemberKind] = [:]
    var status: [String: String] = [:]
    var balance: [String: Int64] = [:]
    var exchanges: [Int: X] = [:]
    var nextNum = 1
    var autoConfirm = false
    let floors: [MemberKind: Int64] = [.person: -1200, .company: -600, .association: -600, .initiative: -600, .municipality: -6000, .pool: 0]

    func floor(_ m: String) -> Int64 { floors[kinds[m]!]! }
    func ceiling(_ m: String) -> Int64? { kinds[m] == .pool ? nil : 3600 }

    func transfers(_ x: X) -> [(from: String, to: String, m: Int64)] {
        guard x.credits > 0 else { return [] }
        return x.providers.flatMap { p in x.receivers.map { r in (r, p, x.credits) } }
    }

    func limitViolations(_ ts: [(from: String, to: String, m: Int64)]) -> Set<RuleCode> {
        var delta = [String: Int64]()
        for t in ts { delta[t.from, default: 0] -= t.m; delta[t.to, default: 0] += t.m }
        var v = Set<RuleCode>()
        for (id, d) in delta {
            let nb = balance[id]! + d
            if d < 0, nb < floor(id) { v.insert(kinds[id] == .pool ? .rulePool : .limitFloor) }
            if d > 0, let c = ceiling(id), nb > c { v.insert(.limitCeiling) }
        }
        return v
    }

    func pairSum(_ a: String, _ b: String, since: Int64) -> Int64 {
        var s: Int64 = 0
        for x in exchanges.values where x.state == "confirmed" && x.postedDay >= since {
            for t in transfers(x) where (t.from == a && t.to == b) || (t.from == b && t.to == a) { s += t.m }
        }
        return s
    }

    func postingViolations(_ x: X, today: Int64) -> Set<RuleCode> {
        var v = Set<RuleCode>()
        for p in x.providers + x.receivers where status[p] != "active" { v.insert(.ruleInactive) }
        for t in transfers(x) where pairSum(t.from, t.to, since: today - 29) + t.m > 2400 { v.insert(.rulePairCap) }
        return v.union(limitViolations(transfers(x)))
    }

    func staticViolations(_ p: [String], _ r: [String], _ credits: Int64, _ kind: ExchangeKind) -> Set<RuleCode> {
        var v = Set<RuleCode>()
        for m in p + r {
            if kinds[m] == nil { v.insert(.memberNotFound) } else if status[m] != "active" { v.insert(.ruleInactive) }
            if m == poolID.handle { v.insert(.rulePool) }
        }
        if p.contains(where: r.contains) { v.insert(.ruleSelf) }
        if kind == .time && credits == 0 { v.insert(.inputAmount) }
        if credits % 15 != 0 { v.insert(.ruleQuantum) }
        if credits > 1440 { v.insert(.ruleMaxExchange) }
        return v
    }

    mutating func post(_ num: Int, day: Int64) {
        for t in transfers(exchanges[num]!) { balance[t.from]! -= t.m; balance[t.to]! += t.m }
        exchanges[num]!.state = "confirmed"
        exchanges[num]!.postedDay = day
    }

    /// Expires what is due before a write; returns how many entries that adds.
    mutating func sweep(now: Int64) -> Int {
        var n = 0
        for num in exchanges.keys.sorted() where exchanges[num]!.state == "proposed" && exchanges[num]!.expires <= now {
            n += 1
            if autoConfirm, postingViolations(exchanges[num]!, today: Day(timestamp: now).number).isEmpty {
                post(num, day: Day(timestamp: now).number)
            } else {
                exchanges[num]!.state = "expired"
            }
        }
        return n
    }
}

/// A handle the simulation names (always canonical).
private func mid(_ handle: String) -> MemberID { MemberID(canonical: handle)! }

@Suite(.serialized) struct SimulationTests {
    static let members: [(String, MemberKind)] = [("an", .person), ("bram", .person), ("chloe", .person), ("daan", .person), ("els", .person),
                                                   ("fatima", .person), ("bakkerij", .company), ("coworking", .company), ("fanfare", .association),
                                                   ("moestuin", .initiative), ("stad", .municipality)]

    @Test(arguments: [(UInt64(20261129), false), (UInt64(977), true)])
    func randomCommandsAgainstTheReferenceModel(seed: UInt64, autoConfirm: Bool) throws {
        let steps = 5_200
        let dir = TempDir("sim")
        defer { dir.remove() }
        let clock = TestClock()
        var policy = Policy.standard
        if autoConfirm { policy.expiryAction = .autoConfirm }
        let ledger = try Ledger.create(path: dir.file("sim.sqlite"), policy: policy, clock: clock.clock)
        var model = ReferenceModel()
        model.autoConfirm = autoConfirm
        let pool = poolID.handle
        model.kinds[pool] = .pool; model.status[pool] = "active"; model.balance[pool] = 0
        for (id, kind) in Self.members {
            _ = try ledger.execute(.addMember(MemberDraft(id: mid(id), name: id, kind: kind)), by: .coordinator)
            model.kinds[id] = kind; model.status[id] = "active"; model.balance[id] = 0
        }
        let db = ledger.db
        var rng = SplitMix64(seed: seed)
        var checkedSeq: Int64 = 0
        var checkedHash = Chain.genesis
        var accepted = 0, refused = 0
        let ids = Self.members.map(\.0) + ["nobody"]

        for step in 0..<steps {
            if rng.chance(0.08) { clock.advance(seconds: Int64(rng.below(3 * 86_400))) }
            let now = max(clock.now, ledger.projector.head.ts)
            let today = Day(timestamp: now).number
            let headBefore = ledger.head.seq
            var m2 = model
            let expiries = m2.sweep(now: now)
            func pick() -> String { rng.chance(0.03) ? "nobody" : rng.pick(Array(ids.dropLast())) }
            func amount() -> Int64 { rng.chance(0.05) ? Int64(rng.pick([20, 1455, 0])) : Int64(15 * (1 + rng.below(rng.chance(0.2) ? 96 : 16))) }
            let kind: ExchangeKind = rng.chance(0.8) ? .time : rng.pick([.space, .goods])

            var command: Command
            var actor: Actor = .coordinator
            var violations = Set<RuleCode>()
            var onAccept: (inout ReferenceModel) -> Void = { _ in }
            let openNums = m2.exchanges.keys.filter { m2.exchanges[$0]!.state == "proposed" }.sorted()
            let confirmedNums = m2.exchanges.keys.filter { ["confirmed", "reversed"].contains(m2.exchanges[$0]!.state) }.sorted()

            switch rng.below(100) {
            case 0..<25:  // record by the coordinator, sometimes a group
                let p = pick()
                var r = [pick()]
                if rng.chance(0.15) { r.append(pick()); if r[0] == r[1] { r.removeLast() } }
                let c = amount()
                command = .record(ExchangeDraft(providers: [mid(p)], receivers: r.map(mid), kind: kind, domain: "care", what: "w", credits: Minutes(c)), reason: nil)
                violations = m2.staticViolations([p], r, c, kind)
                let x = ReferenceModel.X(providers: [p], receivers: r, credits: c, kind: kind, state: "proposed", proposer: nil, consents: [], expires: 0, postedDay: today)
                if violations.isEmpty { violations = m2.postingViolations(x, today: today) }
                let num = m2.nextNum
                onAccept = { m in m.exchanges[num] = x; m.nextNum += 1; m.post(num, day: today) }
            case 25..<50:  // a proposal by one side
                let p = pick(), r = pick(), c = amount()
                let proposer = rng.chance(0.5) ? p : r
                actor = .member(mid(rng.chance(0.03) ? "chloe" : proposer))
                command = .propose(ExchangeDraft(providers: [mid(p)], receivers: [mid(r)], kind: kind, domain: "care", what: "w", credits: Minutes(c)))
                violations = m2.staticViolations([p], [r], c, kind)
                if case .member(let a) = actor, a.handle != p, a.handle != r { violations.insert(.exchangeNotParty) }
                let num = m2.nextNum
                if case .member(let a) = actor {
                    let x = ReferenceModel.X(providers: [p], receivers: [r], credits: c, kind: kind, state: "proposed", proposer: a.handle, consents: [a.handle], expires: now + 14 * 86_400, postedDay: 0)
                    onAccept = { m in m.exchanges[num] = x; m.nextNum += 1 }
                }
            case 50..<75 where !openNums.isEmpty:  // answer a proposal
                let num = rng.chance(0.05) ? 999_999 : rng.pick(openNums)
                let x = m2.exchanges[num]
                let who = rng.chance(0.1) ? pick() : (x.map { rng.pick($0.providers + $0.receivers) } ?? "an")
                actor = .member(mid(who))
                let verb = rng.below(10)
                command = verb < 7 ? .confirm(ExchangeID(uncheckedNumber: Int64(num))) : verb < 9 ? .reject(ExchangeID(uncheckedNumber: Int64(num))) : .cancel(ExchangeID(uncheckedNumber: Int64(num)))
                guard let x else { violations = [.exchangeNotFound]; break }
                if !(x.providers + x.receivers).contains(who) { violations.insert(.exchangeNotParty) }
                switch verb {
                case 0..<7:
                    if x.consents.contains(who) { violations.insert(.exchangeState) }
                    if violations.isEmpty { violations = m2.postingViolations(x, today: today) }
                    onAccept = { m in m.exchanges[num]!.consents.insert(who); m.post(num, day: today) }
                case 7..<9:
                    if x.consents.contains(who) { violations.insert(.exchangeState) }
                    onAccept = { m in m.exchanges[num]!.state = "rejected" }
                default:
                    if x.proposer != who { violations.insert(.ruleForbidden) }
                    onAccept = { m in m.exchanges[num]!.state = "cancelled" }
                }
            case 75..<82 where !confirmedNums.isEmpty:  // reverse
                let num = rng.pick(confirmedNums)
                let x = m2.exchanges[num]!
                command = .reverse(ExchangeID(uncheckedNumber: Int64(num)), reason: "mistake")
                if x.state == "reversed" { violations = [.ruleReversal] } else {
                    violations = m2.limitViolations(m2.transfers(x).map { ($0.to, $0.from, $0.m) })
                }
                onAccept = { m in
                    for t in m.transfers(x) { m.balance[t.from]! += t.m; m.balance[t.to]! -= t.m }
                    m.exchanges[num]!.state = "reversed"
                }
            case 82..<88:  // donate
                let from = pick(), c = amount()
                command = .donate(from: mid(from), minutes: Minutes(c))
                actor = rng.chance(0.9) ? .member(mid(from)) : .coordinator
                if m2.kinds[from] == nil { violations = [.memberNotFound] } else {
                    if m2.status[from] != "active" { violations.insert(.ruleInactive) }
                    if c <= 0 { violations.insert(.inputAmount) }
                    if c % 15 != 0 { violations.insert(.ruleQuantum) }
                    if violations.isEmpty { violations = m2.limitViolations([(from, pool, c)]) }
                }
                onAccept = { m in m.balance[from]! -= c; m.balance[pool]! += c }
            case 88..<94:  // grant
                let to = pick(), c = amount()
                command = .grant(to: mid(to), minutes: Minutes(c), reason: "support")
                if m2.kinds[to] == nil { violations = [.memberNotFound] } else {
                    if m2.status[to] != "active" { violations.insert(.ruleInactive) }
                    if c <= 0 { violations.insert(.inputAmount) }
                    if c % 15 != 0 { violations.insert(.ruleQuantum) }
                    if violations.isEmpty { violations = m2.limitViolations([(pool, to, c)]) }
                }
                onAccept = { m in m.balance[to]! += c; m.balance[pool]! -= c }
            default:  // suspend or reinstate
                let who = pick()
                let suspend = rng.chance(0.5)
                command = suspend ? .suspend(mid(who)) : .reinstate(mid(who))
                if m2.kinds[who] == nil { violations = [.memberNotFound] }
                else if m2.status[who] != (suspend ? "active" : "suspended") { violations = [.memberStatus] }
                onAccept = { m in m.status[who] = suspend ? "suspended" : "active" }
            }

            let result = Result { try ledger.execute(command, by: actor) }
            switch result {
            case .success:
                #expect(violations.isEmpty, "seed \(seed) step \(step): store accepted \(command) but the model expected \(violations)")
                onAccept(&m2)
                accepted += 1
                #expect(ledger.head.seq == headBefore + Int64(expiries) + 1, "seed \(seed) step \(step): journal grew wrongly")
            case .failure(let e):
                guard case .rule(let v) = e as? LedgerError else { Issue.record("seed \(seed) step \(step): storage error \(e)"); return }
                #expect(violations.contains(v.code), "seed \(seed) step \(step): store refused \(command) with \(v) but the model expected \(violations)")
                refused += 1
                #expect(ledger.head.seq == headBefore + Int64(expiries), "seed \(seed) step \(step): a refused command changed the journal")
            }
            model = m2

            // Invariants after every step.
            #expect(try db.scalarInt("SELECT SUM(balance) FROM accounts") == 0, "seed \(seed) step \(step): balances do not sum to zero")
            #expect(try db.scalarInt("SELECT COUNT(*) FROM accounts a WHERE a.balance != (SELECT COALESCE(SUM(minutes), 0) FROM postings p WHERE p.member = a.member)") == 0,
                    "seed \(seed) step \(step): a balance differs from its postings")
            let s = try db.cached("SELECT member, balance FROM accounts")
            while try s.step() {
                let id = s.text(0), b = s.int(1)
                #expect(b == model.balance[id], "seed \(seed) step \(step): \(id) is \(b) in the store, \(model.balance[id]!) in the model")
                #expect(b >= model.floor(id) && b <= (model.ceiling(id) ?? .max), "seed \(seed) step \(step): \(id) out of bounds at \(b)")
            }
            s.reset()
            let j = try db.cached("SELECT seq, ts, type, payload, prev_hash, hash FROM journal WHERE seq > ? ORDER BY seq")
            try j.bind([.int(checkedSeq)])
            while try j.step() {
                let h = Chain.hash(previous: checkedHash, seq: j.int(0), timestamp: j.int(1), type: j.text(2), payload: j.textBytes(3))
                #expect(j.int(0) == checkedSeq + 1 && j.blob(4) == checkedHash && j.blob(5) == h, "seed \(seed) step \(step): chain broken at \(j.int(0))")
                checkedSeq = j.int(0)
                checkedHash = h
            }
            j.reset()
        }
        #expect(accepted > steps / 4 && refused > steps / 20, "seed \(seed): the workload should both pass and break rules (\(accepted) accepted, \(refused) refused)")
        let report = try Verifier.verify(path: dir.file("sim.sqlite"))
        #expect(report.ok, "seed \(seed): verify found \(String(describing: report.divergence))")
        #expect(report.entries == ledger.head.seq)
    }
}
