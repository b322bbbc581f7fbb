import Testing
import Foundation
@testable import KringCore
import KringTestSupport

/// The domain core on an in-memory ledger: decide, then apply what was accepted.
struct Core {
    var state = LedgerState()
    var now: Int64 = Day(iso: "2026-06-01")!.timestamp + 9 * 3600

    init(policy: Policy = .standard) {
        try! state.apply(.ledgerCreated(LedgerCreated(policy: policy)), timestamp: now)
        for (id, kind): (MemberID, MemberKind) in [("an", .person), ("bram", .person), ("chloe", .person), ("daan", .person), ("els", .person),
                           ("bakkerij", .company), ("fanfare", .association), ("stad", .municipality)] {
            try! run(.addMember(MemberDraft(id: id, name: id.handle.capitalized, kind: kind)), by: .coordinator)
        }
    }

    @discardableResult
    mutating func run(_ c: Command, by actor: Actor = .coordinator) throws(RuleViolation) -> Decision {
        let d: Decision
        do {
            d = try Decider.decide(c, by: actor, in: state, now: now)
        } catch {
            guard case .rule(let v) = error else { fatalError("the in-memory ledger cannot fail a read: \(error)") }
            throw v
        }
        try! state.apply(d.event, timestamp: now)
        return d
    }

    /// The code a command is refused with, or nil when it is accepted. Asserts that a refused
    /// command left the state as it was.
    mutating func code(_ c: Command, by actor: Actor = .coordinator) -> RuleCode? {
        let before = state.members
        do { try run(c, by: actor); return nil } catch {
            #expect(state.members == before)
            return error.code
        }
    }

    func balance(_ id: MemberID) -> Int64 { state.member(id)!.balance.value }
    var today: Day { Day(timestamp: now) }
}

func time(_ p: [MemberID], _ r: [MemberID], _ credits: Int64, quantity: Int64? = nil, date: Day? = nil) -> ExchangeDraft {
    ExchangeDraft(providers: p, receivers: r, kind: .time, domain: "care", what: "help", credits: Minutes(credits), quantity: quantity, date: date)
}

@Suite struct RuleEdgeTests {
    @Test func floorAtTheEdge() {
        var c = Core()
        #expect(c.code(.record(time(["an"], ["bram"], 20 * 60), reason: nil)) == nil)
        #expect(c.balance("bram") == -1200)
        #expect(c.code(.record(time(["chloe"], ["bram"], 15), reason: nil)) == .limitFloor)
        #expect(c.balance("bram") == -1200)
    }

    @Test func floorSentenceNamesTheNumbers() {
        var c = Core()
        try! c.run(.record(time(["an"], ["bram"], 20 * 60), reason: nil))
        do { try c.run(.record(time(["chloe"], ["bram"], 60), reason: nil)); Issue.record("accepted") } catch {
            #expect(error.message == "Posting 1 h would take Bram to -21 h, below the floor of -20 h.")
        }
    }

    @Test func ceilingAtTheEdge() {
        var c = Core()
        // 60 h in one group exchange: an provides to three receivers, 20 h each.
        #expect(c.code(.record(time(["an"], ["bram", "chloe", "daan"], 20 * 60), reason: nil)) == nil)
        #expect(c.balance("an") == 3600)
        #expect(c.code(.record(time(["an"], ["els"], 15), reason: nil)) == .limitCeiling)
    }

    @Test func groupExchangeIsAllOrNothing() {
        var c = Core()
        try! c.run(.record(time(["an"], ["bram"], 20 * 60), reason: nil))
        // bram is at his floor: the whole group exchange is refused, chloe pays nothing.
        #expect(c.code(.record(time(["daan"], ["chloe", "bram"], 60), reason: nil)) == .limitFloor)
        #expect(c.balance("chloe") == 0)
        #expect(c.balance("daan") == 0)
        #expect(c.code(.record(time(["daan"], ["chloe", "els"], 60), reason: nil)) == nil)
        #expect(c.balance("daan") == 120)
    }

    @Test func selfQuantumMaximum() {
        var c = Core()
        #expect(c.code(.record(time(["an"], ["an"], 60), reason: nil)) == .ruleSelf)
        #expect(c.code(.record(time(["an"], ["bram"], 20), reason: nil)) == .ruleQuantum)
        #expect(c.code(.record(time(["an"], ["bram"], 15), reason: nil)) == nil)
        #expect(c.code(.record(time(["chloe"], ["daan"], 24 * 60 + 15), reason: nil)) == .ruleMaxExchange)
        var p = Policy.standard
        p.limits[.person] = KindLimits(floor: .hours(-30), ceiling: .hours(60))
        var c2 = Core(policy: p)
        #expect(c2.code(.record(time(["chloe"], ["daan"], 24 * 60), reason: nil)) == nil)
    }

    @Test func equalTime() {
        var c = Core()
        #expect(c.code(.propose(time(["an"], ["bram"], 60, quantity: 60)), by: .member("an")) == nil)
        #expect(c.code(.propose(time(["an"], ["bram"], 60, quantity: 45)), by: .member("an")) == .ruleEqualTime)
        #expect(c.code(.record(time(["an"], ["bram"], 60, quantity: 45), reason: nil)) == .ruleEqualTime)
        #expect(c.code(.record(time(["an"], ["bram"], 60, quantity: 45), reason: "travel time included")) == nil)
        var off = Policy.standard
        off.equalTime = false
        var c2 = Core(policy: off)
        #expect(c2.code(.propose(time(["an"], ["bram"], 60, quantity: 45)), by: .member("an")) == nil)
    }

    @Test func pairCapOverRollingWindow() {
        var c = Core()
        #expect(c.code(.record(time(["an"], ["bram"], 20 * 60), reason: nil)) == nil)
        #expect(c.code(.record(time(["bram"], ["an"], 20 * 60), reason: nil)) == nil)  // 40 h between them, either way
        #expect(c.code(.record(time(["an"], ["bram"], 15), reason: nil)) == .rulePairCap)
        c.now += 29 * 86_400
        #expect(c.code(.record(time(["an"], ["bram"], 15), reason: nil)) == .rulePairCap)
        c.now += 86_400  // the first day left the 30-day window
        #expect(c.code(.record(time(["an"], ["bram"], 15), reason: nil)) == nil)
    }

    @Test func reversedExchangesLeaveThePairCap() {
        var c = Core()
        try! c.run(.record(time(["an"], ["bram"], 20 * 60), reason: nil))
        try! c.run(.record(time(["bram"], ["an"], 20 * 60), reason: nil))
        #expect(c.code(.record(time(["an"], ["bram"], 15), reason: nil)) == .rulePairCap)
        try! c.run(.reverse("ex-1", reason: "entered twice"))
        #expect(c.code(.record(time(["an"], ["bram"], 15), reason: nil)) == nil)
    }

    @Test func inactiveMembers() {
        var c = Core()
        try! c.run(.suspend("bram"))
        #expect(c.code(.record(time(["an"], ["bram"], 60), reason: nil)) == .ruleInactive)
        #expect(c.code(.propose(time(["bram"], ["an"], 60)), by: .member("bram")) == .ruleInactive)
        try! c.run(.reinstate("bram"))
        #expect(c.code(.record(time(["an"], ["bram"], 60), reason: nil)) == nil)
        // A proposal whose party is suspended before confirming is not posted.
        try! c.run(.propose(time(["an"], ["chloe"], 60)), by: .member("an"))
        try! c.run(.suspend("an"))
        #expect(c.code(.confirm("ex-2"), by: .member("chloe")) == .ruleInactive)
    }

    @Test func dates() {
        var c = Core()
        let today = c.today
        #expect(c.code(.record(time(["an"], ["bram"], 60, date: today - 90), reason: nil)) == nil)
        #expect(c.code(.record(time(["an"], ["bram"], 60, date: today - 91), reason: nil)) == .ruleDate)
        #expect(c.code(.record(time(["an"], ["bram"], 60, date: today), reason: nil)) == nil)
        #expect(c.code(.record(time(["an"], ["bram"], 60, date: today + 1), reason: nil)) == .ruleDate)
    }

    @Test func pool() {
        var c = Core()
        #expect(c.code(.grant(to: "an", minutes: .hours(1), reason: "help")) == .rulePool)  // the pool is empty
        try! c.run(.donate(from: "bram", minutes: .hours(3)), by: .member("bram"))
        #expect(c.code(.grant(to: "an", minutes: .hours(1), reason: "help"), by: .member("an")) == .rulePool)
        #expect(c.code(.grant(to: "an", minutes: Minutes(195), reason: "help")) == .rulePool)
        #expect(c.code(.grant(to: "an", minutes: .hours(3), reason: "help")) == nil)
        #expect(c.balance(poolID) == 0)
        #expect(c.code(.donate(from: "an", minutes: .hours(1)), by: .member("bram")) == .ruleForbidden)
    }

    @Test func reversalOnlyOnce() {
        var c = Core()
        try! c.run(.record(time(["an"], ["bram"], 90), reason: nil))
        #expect(c.code(.reverse("ex-1", reason: "wrong member"), by: .member("an")) == .ruleForbidden)
        #expect(c.code(.reverse("ex-1", reason: "wrong member")) == nil)
        #expect(c.balance("an") == 0 && c.balance("bram") == 0)
        #expect(c.code(.reverse("ex-1", reason: "again")) == .ruleReversal)
    }

    @Test func twoPhaseLifecycle() {
        var c = Core()
        try! c.run(.propose(time(["an"], ["bram"], 60)), by: .member("an"))
        #expect(c.balance("an") == 0)  // nothing moves on proposal
        #expect(c.code(.confirm("ex-1"), by: .member("an")) == .exchangeState)  // the proposer already consented
        #expect(c.code(.confirm("ex-1"), by: .member("chloe")) == .exchangeNotParty)
        #expect(c.code(.cancel("ex-1"), by: .member("bram")) == .ruleForbidden)
        #expect(c.code(.confirm("ex-1"), by: .member("bram")) == nil)
        #expect(c.balance("an") == 60 && c.balance("bram") == -60)
        #expect(c.code(.reject("ex-1"), by: .member("bram")) == .exchangeState)
        try! c.run(.propose(time(["an"], ["bram"], 60)), by: .member("bram"))
        #expect(c.code(.reject("ex-2"), by: .member("an")) == nil)
        try! c.run(.propose(time(["an"], ["bram"], 60)), by: .member("bram"))
        #expect(c.code(.cancel("ex-3"), by: .member("bram")) == nil)
        #expect(c.state.exchange("ex-3")?.state == .cancelled)
    }

    @Test("a reason with a rejection or cancellation: at most 500 characters, trimmed, blank is none")
    func endReasons() throws {
        var c = Core()
        try c.run(.propose(time(["an"], ["bram"], 60)), by: .member("an"))
        #expect(c.code(.reject("ex-1", reason: String(repeating: "é", count: 501)), by: .member("bram")) == .inputInvalid)
        #expect(c.state.exchange("ex-1")?.state == .proposed)
        #expect(Command.reject("ex-1", reason: "  \n ").normalizingText == .reject("ex-1", reason: nil))
        #expect(Command.cancel("ex-1", reason: " te laat ").normalizingText == .cancel("ex-1", reason: "te laat"))
        #expect(c.code(.reject("ex-1", reason: String(repeating: "é", count: 500)), by: .member("bram")) == nil)
        #expect(c.state.exchange("ex-1")?.state == .rejected)
    }

    @Test func groupConsentNeedsEveryone() {
        var c = Core()
        try! c.run(.propose(time(["an"], ["bram", "chloe"], 60)), by: .member("an"))
        let d = try! c.run(.confirm("ex-1"), by: .member("bram"))
        #expect(d.event == .exchangeConsented(ExchangeConsented(id: "ex-1", member: "bram")))
        #expect(c.balance("an") == 0)
        try! c.run(.confirm("ex-1"), by: .member("chloe"))
        #expect(c.balance("an") == 120 && c.balance("bram") == -60 && c.balance("chloe") == -60)
    }

    @Test func expiryAndAutoConfirm() {
        var c = Core()
        try! c.run(.propose(time(["an"], ["bram"], 60)), by: .member("an"))
        #expect(c.code(.expire("ex-1"), by: .system) == .exchangeState)  // not due yet
        c.now += 14 * 86_400
        #expect(c.code(.expire("ex-1"), by: .system) == nil)
        #expect(c.state.exchange("ex-1")?.state == .expired)
        var auto = Policy.standard
        auto.expiryAction = .autoConfirm
        var a = Core(policy: auto)
        try! a.run(.propose(time(["an"], ["bram"], 60)), by: .member("an"))
        a.now += 14 * 86_400
        try! a.run(.expire("ex-1"), by: .system)
        #expect(a.state.exchange("ex-1")?.state == .confirmed)
        #expect(a.balance("an") == 60)
    }

    @Test func giftsMoveNoCredits() {
        var c = Core()
        let room = ExchangeDraft(providers: ["bakkerij"], receivers: ["fanfare"], kind: .space, domain: "culture", what: "zaal", credits: .zero, quantity: 120)
        #expect(c.code(.record(room, reason: nil)) == nil)
        #expect(c.state.exchange("ex-1")?.info.transfers.isEmpty == true)
        #expect(c.code(.record(time(["an"], ["bram"], 0), reason: nil)) == .inputAmount)
    }

    @Test func leavingSettlesAgainstThePool() {
        var c = Core()
        try! c.run(.record(time(["an"], ["bram"], 120), reason: nil))
        #expect(c.code(.leave("bram")) == .rulePool)  // the pool cannot cover 2 h of debt
        try! c.run(.donate(from: "an", minutes: .hours(1)), by: .member("an"))
        try! c.run(.donate(from: "chloe", minutes: .hours(1)), by: .member("chloe"))
        try! c.run(.propose(time(["daan"], ["bram"], 60)), by: .member("daan"))
        #expect(c.code(.leave("bram"), by: .member("bram")) == nil)
        #expect(c.balance("bram") == 0 && c.balance(poolID) == 0)
        #expect(c.state.exchange("ex-2")?.state == .cancelled)
        #expect(c.code(.record(time(["an"], ["bram"], 60), reason: nil)) == .ruleInactive)
        #expect(c.code(.leave("an")) == nil)  // a positive balance goes to the pool
        #expect(c.balance(poolID) == 60)
    }

    @Test func earnedFloorDeepensWithHoursGiven() throws {
        let p = earnedFloorPolicy
        var c = Core(policy: p)
        #expect(c.code(.record(time(["an"], ["bram"], 5 * 60 + 15), reason: nil)) == .limitFloor)
        #expect(c.code(.record(time(["an"], ["bram"], 5 * 60), reason: nil)) == nil)
        // bram gives 2 h: his floor deepens by 1 h, to -6 h.
        try c.run(.record(time(["bram"], ["chloe"], 120), reason: nil))
        #expect(c.state.member("bram")!.floor(under: p) == .hours(-6))
        #expect(c.balance("bram") == -180)
        #expect(c.code(.record(time(["daan"], ["bram"], 3 * 60 + 15), reason: nil)) == .limitFloor)
        #expect(c.code(.record(time(["daan"], ["bram"], 3 * 60), reason: nil)) == nil)
    }

    @Test func warningsNearLimits() throws {
        var c = Core()
        let d = try c.run(.record(time(["an"], ["bram"], 18 * 60), reason: nil))
        #expect(d.warnings.map(\.code) == [.nearFloor])
        let e = try c.run(.record(time(["chloe"], ["daan"], 60), reason: nil))
        #expect(e.warnings.isEmpty)
    }

    @Test func limitOverrides() {
        var c = Core()
        #expect(c.code(.setLimits("bram", floor: .set(.hours(-2)), ceiling: .keep)) == nil)
        #expect(c.code(.record(time(["an"], ["bram"], 135), reason: nil)) == .limitFloor)
        #expect(c.code(.record(time(["an"], ["bram"], 120), reason: nil)) == nil)
        // A floor above the balance is refused; so is a member setting their own.
        #expect(c.code(.setLimits("bram", floor: .set(.hours(-1)), ceiling: .keep)) == .limitFloor)
        #expect(c.code(.setLimits("bram", floor: .clear, ceiling: .keep), by: .member("bram")) == .ruleForbidden)
    }

    @Test func policyInForceAtTheTime() throws {
        var c = Core()
        #expect(c.code(.record(time(["an"], ["bram"], 60), reason: nil)) == nil)
        var thirty = c.state.policy
        thirty.quantumMinutes = 30
        try c.run(.setPolicy(thirty))
        #expect(c.code(.record(time(["an"], ["bram"], 45), reason: nil)) == .ruleQuantum)
        #expect(c.code(.record(time(["an"], ["bram"], 30), reason: nil)) == nil)
    }

    @Test(arguments: ["An", "-an", "an_b", "", String(repeating: "a", count: 41), "an ", " an", "än", "an/b", "an:b"])
    func badMemberIDs(id: String) {
        #expect(MemberID(canonical: id) == nil, "\(id) is not a handle")
    }

    /// Handles that name an actor of the journal, or the pool, are never registered.
    @Test(arguments: ["auto", "coordinator", "system", "pool"])
    func reservedHandles(id: String) {
        var c = Core()
        let code = c.code(.addMember(MemberDraft(id: canonical(id), name: "X", kind: .person)))
        #expect(code == (id == "pool" ? .memberExists : .inputInvalid))
    }
}

@Suite struct StructuralRuleTests {
    @Test func transfersMustBalanceAndMovePositiveAmounts() {
        let c = Core()
        /// The rule a check refused with, if it did.
        func refusal(_ body: () throws(Refusal) -> [Warning]) -> RuleViolation? {
            do { _ = try body(); return nil } catch { if case .rule(let v) = error { return v }; return nil }
        }
        #expect(refusal { () throws(Refusal) in try Decider.checkLimits([Transfer(from: "an", to: "bram", minutes: Minutes(0))], in: c.state) }
                == RuleViolation(.ledgerUnbalanced, .transferNotPositive))
        #expect(refusal { () throws(Refusal) in try Decider.checkLimits([Transfer(from: "an", to: "an", minutes: Minutes(60))], in: c.state) }?.code == .ledgerUnbalanced)
        #expect(refusal { () throws(Refusal) in try Decider.checkLimits([Transfer(from: "an", to: "bram", minutes: Minutes(-60))], in: c.state) }?.code == .ledgerUnbalanced)
        #expect((try? Decider.checkLimits([Transfer(from: "an", to: "bram", minutes: Minutes(60))], in: c.state)) != nil)
    }
}

/// The standard policy with an earned floor for persons: 5 h deep, 30 min deeper per hour
/// given, at most 20 h.
var earnedFloorPolicy: Policy {
    var p = Policy.standard
    p.earnedFloor = EarnedFloor(startMinutes: 300, minutesPerHourGiven: 30, deepestMinutes: 1_200, kinds: [.person])
    return p
}

@Suite struct PolicyBoundTests {
    /// A policy change is judged by the core (the faces only read text into a policy).
    @Test func policyBoundsAtTheirEdges() {
        var c = Core()
        func code(_ change: (inout Policy) -> Void) -> RuleCode? {
            var p = Policy.standard
            change(&p)
            return c.code(.setPolicy(p))
        }
        #expect(code { $0.quantumMinutes = 24 * 60 } == nil)
        #expect(code { $0.quantumMinutes = 24 * 60 + 1 } == .inputPolicy)
        #expect(code { $0.quantumMinutes = 0 } == .inputPolicy)
        #expect(code { $0.maxGroupSize = 500 } == nil)
        #expect(code { $0.maxGroupSize = 501 } == .inputPolicy)
        #expect(code { $0.backdatingDays = 0 } == nil)
        #expect(code { $0.backdatingDays = -1 } == .inputPolicy)
        #expect(code { $0.pairWindowDays = 3_650 } == nil)
        #expect(code { $0.pairWindowDays = 3_651 } == .inputPolicy)
        #expect(code { $0.limits[.person]!.floor = .zero } == nil)
        #expect(code { $0.limits[.person]!.floor = Minutes(15) } == .inputPolicy)
        #expect(code { $0.limits[.company]!.ceiling = Minutes(-15) } == .inputPolicy)
        #expect(code { $0.domains = ["care", "care"] } == .inputPolicy)
        #expect(code { $0.domains = ["Care"] } == .inputPolicy)
        #expect(code { $0.domains = [] } == .inputPolicy)
        #expect(code { $0.earnedFloor = EarnedFloor(startMinutes: 1_200, minutesPerHourGiven: 30, deepestMinutes: 1_200, kinds: [.person]) } == nil)
        #expect(code { $0.earnedFloor = EarnedFloor(startMinutes: 1_215, minutesPerHourGiven: 30, deepestMinutes: 1_200, kinds: [.person]) } == .inputPolicy)
        #expect(c.code(.setPolicy(.standard), by: .member("an")) == .ruleForbidden)
    }
}
