import Foundation
import KringCore

/// The statistics maintained, not recomputed: a follower that keeps the facts of the default
/// report (from the first posted exchange to the head's day) and the exchanges' figures per
/// calendar month, and brings them up to the head before each report by applying the journal
/// entries committed since the head it reflects (`seq`). A report then combines the months
/// into its columns (sums add, member sets unite) and computes only what depends on the whole
/// circle at that moment: new members, balances at each period's end, the withholding.
///
/// It follows; it does not run in the writer's transaction, so recording an exchange costs
/// nothing more. What it applies, per entry type:
/// - an exchange confirmed, recorded or reversed: the exchange's row is read by its number
///   (once, however many of its entries came); when it now stands and was not kept, its
///   parties, day and whether it settled an expert's session are read and it is added to its
///   month and the whole range; when it was kept and no longer stands (reversed), it is taken
///   out, and its month and the whole range are summed again from the exchanges kept
///   (reversals are rare and change an earlier period, as the definition says);
/// - a member event: the members are read again;
/// - always: transfers and postings after the last ones read, requests whose listing changed;
/// - a policy change, a type it does not know, an entry it cannot read, more than
///   `catchUpLimit` entries, or another entry at the head it reflected (another ledger
///   file): every fact is read again, as for the first report.
///
/// docs/statistics.md ("Maintained") says more; a test holds its reports equal to the ones
/// computed from scratch, figure for figure, at many heads of random ledgers.
public final class StatsFollower: @unchecked Sendable {
    /// A request marked fulfilled: its author, the day it was posted, the exchange's number.
    struct Fulfilled {
        var author: Int32
        var posted: Day
        var by: Int64
    }

    /// A standing exchange, compactly: its members are `parties[first..<first + providers +
    /// receivers]`, providers first.
    struct Kept {
        var num: Int64
        var day: Day
        var month: Int64
        var kind: ExchangeKind
        var domain: Int32
        var session: Bool
        var standing: Bool
        var providers: Int32
        var receivers: Int32
        var first: Int32
        var credits: Int64
        var quantity: Int64
    }

    /// What the follower keeps, at the head `seq`.
    struct State {
        var seq: Int64
        /// The hash of the entry at `seq`: the journal is append-only, so a different hash there
        /// means another ledger (a file replaced), and every fact is read again.
        var hash: String
        var policy: Policy
        var members: [StatsInput.Member]
        var memberIndex: MemberNumbers
        /// Each member's row in the tables by kind, and its neighbourhood's number.
        var memberKind: [Int] = []
        var memberHood: [Int] = []
        /// Neighbourhoods and domains by number, as they appear (`-` for none).
        var hoods: [String: Int] = [:]
        var domains: [String: Int] = [:]
        var domainNames: [String] = []
        /// Every exchange kept, reversed ones marked not standing; their parties; where each
        /// standing one is, by its number.
        var kept: [Kept] = []
        var parties: [Int32] = []
        var slot: [Int64: Int] = [:]
        /// The flows of each month (by its first day's number) and of the whole range.
        var months: [Int64: StatsFlows] = [:]
        var all = StatsFlows.tracked
        /// The first and last day of a standing exchange.
        var firstDay: Day?
        var lastDay: Day?
        var dirtyMonths: Set<Int64> = []
        var allDirty = false
        var requests: [Int64: Fulfilled]
        var pool: [StatsInput.PoolMove]
        var postings: [StatsInput.Posting]
        var lastTransfer: Int64
        var lastPosting: Int64

        mutating func hood(_ name: String?) -> Int {
            let key = name ?? Statistics.noNeighbourhood
            if let n = hoods[key] { return n }
            hoods[key] = hoods.count
            return hoods.count - 1
        }

        mutating func domain(_ name: String) -> Int {
            if let n = domains[name] { return n }
            domains[name] = domainNames.count
            domainNames.append(name)
            return domainNames.count - 1
        }

        mutating func appendMember(_ m: StatsInput.Member) {
            members.append(m)
            memberKind.append(Statistics.kindRow(m.kind))
            memberHood.append(hood(m.neighbourhood))
        }

        /// Keeps a standing exchange and adds it to its month and the whole range.
        mutating func keep(num: Int64, day: Day, kind: ExchangeKind, domain name: String, credits: Int64, quantity: Int64,
                           session: Bool, providers: ArraySlice<Int32>, receivers: ArraySlice<Int32>) {
            let x = Kept(num: num, day: day, month: StatsPeriod.month.span(of: day).first.number, kind: kind, domain: Int32(domain(name)),
                         session: session, standing: true, providers: Int32(providers.count), receivers: Int32(receivers.count),
                         first: Int32(parties.count), credits: credits, quantity: quantity)
            parties.append(contentsOf: providers)
            parties.append(contentsOf: receivers)
            slot[num] = kept.count
            kept.append(x)
            if firstDay.map({ day < $0 }) ?? true { firstDay = day }
            if lastDay.map({ day > $0 }) ?? true { lastDay = day }
            // Taken out while they change, so that each stays uniquely referenced and is
            // changed in place.
            var month = months.removeValue(forKey: x.month) ?? StatsFlows.tracked
            add(x, to: &month)
            months[x.month] = month
            var whole = all
            all = StatsFlows()  // not tracked: only holds the place
            add(x, to: &whole)
            all = whole
        }

        /// Adds a kept exchange to `flows`.
        func add(_ x: Kept, to flows: inout StatsFlows) {
            let p = Int(x.first), r = p + Int(x.providers), e = r + Int(x.receivers)
            flows.add(kind: x.kind, domain: Int(x.domain), credits: x.credits, quantity: x.quantity, session: x.session,
                      providers: parties[p..<r], receivers: parties[r..<e], memberKind: memberKind, memberHood: memberHood, capacity: members.count)
        }

        /// Takes a reversed exchange out: its month and the whole range are summed again.
        mutating func drop(_ num: Int64) {
            guard let i = slot.removeValue(forKey: num) else { return }
            kept[i].standing = false
            dirtyMonths.insert(kept[i].month)
            allDirty = true
        }

        /// After exchanges left: sums their months again, the whole range from the months, and
        /// finds the first and last day again.
        mutating func settle() {
            guard allDirty || !dirtyMonths.isEmpty else { return }
            firstDay = nil
            lastDay = nil
            for x in kept where x.standing {
                if firstDay.map({ x.day < $0 }) ?? true { firstDay = x.day }
                if lastDay.map({ x.day > $0 }) ?? true { lastDay = x.day }
            }
            for m in dirtyMonths {
                var flows = StatsFlows.tracked
                for x in kept where x.standing && x.month == m { add(x, to: &flows) }
                months[m] = flows.isEmpty ? nil : flows
            }
            dirtyMonths = []
            if allDirty {
                all = StatsFlows()
                for m in months.keys.sorted() { all.formUnion(months[m]!) }
                all.trackGroups()
                allDirty = false
            }
        }
    }

    /// Beyond this many new journal entries, reading every fact again is cheaper than applying
    /// them one by one.
    public static let catchUpLimit: Int64 = 200_000

    private let lock = NSLock()
    private var state: State?
    private var counts = (rebuilds: 0, catchUps: 0)

    public init() {}

    /// How many times every fact was read (the first report, a policy change, far behind), and
    /// how many times the follower caught up by applying new journal entries. Tests tell the
    /// two paths apart by them.
    public var paths: (rebuilds: Int, catchUps: Int) {
        lock.lock()
        defer { lock.unlock() }
        return counts
    }

    /// The head the maintained facts reflect (nil before the first report).
    public var seq: Int64? {
        lock.lock()
        defer { lock.unlock() }
        return state?.seq
    }

    /// Drops the maintained facts: the next report reads every fact again.
    public func reset() {
        lock.lock()
        defer { lock.unlock() }
        state = nil
    }

    /// The default report by `period` at the head `reader` sees (one snapshot): the
    /// maintained facts are brought to that head first. Throws a `RuleViolation` when the
    /// range is longer than a report covers, as `Statistics.validate` does.
    public func report(_ reader: Reader, period: StatsPeriod, k: Int) throws -> StatsReport {
        lock.lock()
        defer { lock.unlock() }
        return try reader.snapshot { () throws -> StatsReport in
            let head = try reader.head()
            // Taken out while it changes: uniquely referenced, so changed in place; and a
            // catch-up that fails half way leaves nothing behind (the next report reads whole).
            var s = state
            state = nil
            if s != nil, head.seq >= s!.seq, head.seq - s!.seq <= Self.catchUpLimit, try catchUp(&s!, reader, to: head.seq) {
                if head.seq > s!.seq { counts.catchUps += 1 }
                s!.seq = head.seq
                s!.hash = head.hash
            } else {
                s = nil
                s = try build(reader, head: head)
                counts.rebuilds += 1
            }
            s!.settle()
            state = s
            let introductions = try reader.statsIntroductions(policy: s!.policy, index: s!.memberIndex)
            return try assemble(s!, head: head, introductions: introductions, period: period, k: k)
                ?? Statistics.report(try reader.statsFacts().input, period: period, from: nil, to: nil, k: k)
        }
    }

    /// Every fact read again, in the caller's snapshot.
    private func build(_ reader: Reader, head: LedgerHead) throws(StoreError) -> State {
        let f = try reader.statsFacts()
        var s = State(seq: head.seq, hash: head.hash, policy: f.input.policy, members: [], memberIndex: f.memberIndex, requests: f.requests,
                      pool: f.input.pool, postings: f.input.postings, lastTransfer: f.lastTransfer, lastPosting: f.lastPosting)
        for m in f.input.members { s.appendMember(m) }
        for (i, x) in f.input.exchanges.enumerated() {
            s.keep(num: f.exchangeNums[i], day: x.day, kind: x.kind, domain: x.domain, credits: x.credits, quantity: x.quantity,
                   session: x.session, providers: x.providers, receivers: x.receivers)
        }
        return s
    }

    /// Applies the journal entries after `s.seq` through `head`; false when only reading every
    /// fact again will do (another ledger, a policy change, an entry it cannot read).
    private func catchUp(_ s: inout State, _ reader: Reader, to head: Int64) throws(StoreError) -> Bool {
        let db = reader.db
        let hash = try reader.entryHash(at: s.seq)?.hexString ?? Chain.genesis.hexString
        guard hash == s.hash else { return false }
        guard head > s.seq else { return true }
        // Each exchange once, however many of its entries: its row says where it stands now.
        var changed = [Int64](), seen = Set<Int64>()
        var membersChanged = false
        let entries = try db.prepare("SELECT type, payload FROM journal WHERE seq > ? AND seq <= ? ORDER BY seq")
        try entries.bind([.int(s.seq), .int(head)])
        while try entries.step() {
            // A type this build does not know could change anything: read every fact again.
            let name = entries.text(0)
            guard let type = EventType(rawValue: name) else { return false }
            switch type {
            case .policyChanged, .ledgerCreated: return false
            case .memberAdded, .memberSuspended, .memberReinstated, .memberLimitsSet, .memberLeft: membersChanged = true
            // Only these make an exchange stand or stop standing; the other exchange entries
            // (proposed, consented, rejected, cancelled, expired) concern proposals, which
            // never stand, and an expiry sweep may write thousands of them.
            case .exchangeConfirmed, .exchangeRecorded, .exchangeReversed:
                // Whether it stands now is read from its row below.
                guard let json = try? JSON.parse(entries.textBytes(1)), let id = Event(type: name, payload: json)?.exchangeID else { return false }
                if seen.insert(id.number).inserted { changed.append(id.number) }
            default: break
            }
        }
        if membersChanged {
            // Kinds, neighbourhoods and join days never change; presence and limits may.
            let (members, index) = try reader.statsMembers(s.policy)
            for (i, m) in members.enumerated() {
                if i < s.members.count { s.members[i] = m } else { s.appendMember(m) }
            }
            s.memberIndex = index
        }
        // Transfers and postings are append-only: the new ones follow the last read.
        var postedDay = [Int64: Day]()
        let ts = try db.prepare("SELECT id, exchange, kind, payer, payee, minutes, day FROM transfers WHERE id > ? ORDER BY id")
        try ts.bind([.int(s.lastTransfer)])
        while try ts.step() {
            s.lastTransfer = ts.int(0)
            switch try ts.value(2, TransferKind.self) {
            case .exchange: postedDay[ts.int(1)] = Day(ts.int(6))
            case .donation: s.pool.append(StatsInput.PoolMove(day: Day(ts.int(6)), donation: true, member: try ts.member(3, in: s.memberIndex), minutes: ts.int(5)))
            case .grant: s.pool.append(StatsInput.PoolMove(day: Day(ts.int(6)), donation: false, member: try ts.member(4, in: s.memberIndex), minutes: ts.int(5)))
            default: break
            }
        }
        let po = try db.prepare("SELECT id, member, day, minutes FROM postings WHERE id > ? ORDER BY id")
        try po.bind([.int(s.lastPosting)])
        while try po.step() {
            s.lastPosting = po.int(0)
            s.postings.append(StatsInput.Posting(member: try po.member(1, in: s.memberIndex), day: Day(po.int(2)), minutes: po.int(3)))
        }
        // The exchanges whose entries came, in journal order: taken out if kept, kept if they
        // stand now.
        let row = try db.prepare("SELECT state, kind, domain, credits, quantity, updated_seq FROM exchanges WHERE num = ?")
        let parties = try db.prepare("SELECT member, role FROM exchange_parties WHERE exchange = ?")
        let journalDay = try db.prepare("SELECT ts FROM journal WHERE seq = ?")
        for num in changed {
            s.drop(num)
            try row.bind([.int(num)])
            defer { row.reset() }
            guard try row.step(), try row.value(0, ExchangeState.self) == .confirmed else { continue }
            var day = postedDay[num]
            if day == nil {
                try journalDay.bind([.int(row.int(5))])
                if try journalDay.step() { day = s.policy.day(journalDay.int(0)) }
                journalDay.reset()
            }
            guard let day else { throw StoreError("exchange \(num) has no transfer and no journal entry at seq \(row.int(5))", integrity: true) }
            var providers = [Int32](), receivers = [Int32]()
            try parties.bind([.int(num)])
            while try parties.step() {
                let m = try parties.member(0, in: s.memberIndex)
                switch try parties.value(1, PartyRole.self) {
                case .provider: providers.append(m)
                case .receiver: receivers.append(m)
                }
            }
            parties.reset()
            s.keep(num: num, day: day, kind: try row.value(1), domain: try row.requiredText(2), credits: row.int(3), quantity: row.int(4),
                   session: try reader.statsSession(num), providers: providers[...], receivers: receivers[...])
        }
        for (num, f) in try reader.statsRequests(after: s.seq, policy: s.policy, index: s.memberIndex) { s.requests[num] = f }
        return true
    }

    /// The report from the maintained facts at `head`; nil when an exchange lies after the
    /// head's day (a clock set back), which the months cannot leave out: then it is computed
    /// from scratch.
    private func assemble(_ s: State, head: LedgerHead, introductions: [StatsInput.Introduction], period: StatsPeriod, k: Int) throws -> StatsReport? {
        let headDay = s.policy.day(head.timestamp)
        let start = s.firstDay ?? headDay, end = max(headDay, start)
        try Statistics.validateLength(from: start, to: end)
        // Every standing exchange lies in the range, so each column is whole months.
        if let last = s.lastDay, last > end { return nil }
        let periods = Statistics.periods(period, from: start, to: end)
        var flows = [StatsFlows]()
        for p in periods {
            var m = StatsPeriod.month.span(of: p.first).first
            var column = s.months[m.number] ?? StatsFlows()
            while true {
                m = StatsPeriod.month.span(of: m).last + 1
                guard m <= p.last else { break }
                if let f = s.months[m.number] { column.formUnion(f) }
            }
            flows.append(column)
        }
        flows.append(s.all)
        // The domains: the policy's, then others standing exchanges were filed under, by the
        // first such exchange.
        let inPolicy = s.domainNames.map { s.policy.domains.contains($0) }
        var extra = [Int: Int64]()
        if inPolicy.contains(false) {
            for x in s.kept where x.standing && !inPolicy[Int(x.domain)] {
                if extra[Int(x.domain)].map({ x.num < $0 }) ?? true { extra[Int(x.domain)] = x.num }
            }
        }
        let domains = s.policy.domains + extra.sorted { $0.value < $1.value }.map { s.domainNames[$0.key] }
        let hoods = Statistics.neighbourhoods(s.members)
        var input = StatsInput(members: s.members, exchanges: [], requests: [], pool: s.pool, postings: s.postings,
                               headSeq: head.seq, headHash: head.hash, headDay: headDay, policy: s.policy)
        input.introductions = introductions
        for f in s.requests.values {
            guard let i = s.slot[f.by] else { continue }
            input.requests.append(StatsInput.Request(author: f.author, posted: f.posted, fulfilled: s.kept[i].day))
        }
        return Statistics.assemble(input, period: period, from: start, to: end, periods: periods, flows: flows,
                                   domains: domains.map { ($0, s.domains[$0] ?? Int.max) },
                                   hoods: hoods.map { ($0, s.hoods[$0] ?? Int.max) }, k: k)
    }
}

extension StatsFlows {
    /// Empty flows that keep their groups as exchanges are added.
    static var tracked: StatsFlows {
        var f = StatsFlows()
        f.trackGroups()
        return f
    }
}
