/// One published figure: its values by measure, how many distinct members it describes, and
/// whether it is withheld.
public struct StatsCell: Sendable, Equatable {
    public var values: [String: Int64]
    /// Distinct members on the giving side (for flows) or described (for member figures).
    public var givers: Int
    /// Distinct members on the receiving side (for flows); equal to `givers` otherwise.
    public var takers: Int
    public var suppressed = false

    public init(values: [String: Int64] = [:], givers: Int = 0, takers: Int = 0) {
        self.values = values
        self.givers = givers
        self.takers = takers
    }

    /// Fewer than `k` distinct members on a side that has any (the primary privacy rule).
    public func tooFew(_ k: Int) -> Bool { (givers > 0 && givers < k) || (takers > 0 && takers < k) }
}

/// A table of figures: one row per category, one column per period and a last column for the
/// whole range.
public struct StatsTable: Sendable {
    public let name: String
    public let measures: [String]
    public let categories: [String]
    /// `cells[category][column]`; the last column is the whole range.
    public var cells: [[StatsCell]]
}

/// The statistics of a ledger over a range, by period, with the privacy rules applied.
public struct StatsReport: Sendable {
    public let period: StatsPeriod
    public let from: Day
    public let to: Day
    public let k: Int
    /// Each period's label and first and last day (clipped to the range).
    public let periods: [(label: String, first: Day, last: Day)]
    public var tables: [StatsTable]
    public let headSeq: Int64
    public let headHash: String
    public let policy: Policy

    /// The column labels: every period, then "all".
    public var columns: [String] { periods.map(\.label) + ["all"] }

    public func table(_ name: String) -> StatsTable? { tables.first { $0.name == name } }
    /// A value, nil when withheld or absent.
    public func value(_ table: String, _ category: String, _ column: Int, _ measure: String) -> Int64? {
        guard let t = self.table(table), let r = t.categories.firstIndex(of: category) else { return nil }
        let c = t.cells[r][column]
        return c.suppressed ? nil : c.values[measure]
    }
}

/// The member kinds that take part in exchanges (the pool never does).
public let exchangingKinds: [MemberKind] = MemberKind.allCases.filter { $0 != .pool }

/// Bins of the balance distribution, in minutes: upper bounds (inclusive), the last open.
public let balanceBins: [(label: String, upTo: Int64?)] = [
    ("<= -10h", -600), ("-10h..-2h", -120), ("-2h..2h", 120), ("2h..10h", 600), ("> 10h", nil),
]

/// The statistics the municipality publishes, computed from the facts at one ledger head.
/// Pure: no I/O. docs/statistics.md defines every figure.
public enum Statistics {
    /// Longest range a report covers (about fifty years), which bounds its size whatever dates
    /// a caller sends.
    public static let maxRangeDays: Int64 = 366 * 50

    /// The range a report covers: `from`…`to`, by default the first posted exchange through
    /// the head's day.
    public static func range(_ input: StatsInput, from: Day?, to: Day?) -> (from: Day, to: Day) {
        let start = from ?? input.exchanges.map(\.day).min() ?? input.headDay
        return (start, max(to ?? input.headDay, start))
    }

    /// Refuses a range that is reversed, outside 1970–2199, or longer than `maxRangeDays`.
    public static func validate(_ input: StatsInput, from: Day?, to: Day?) throws(RuleViolation) {
        if let from, let to, to < from { throw RuleViolation(.inputInvalid, .rangeReversed(from: from, to: to)) }
        for d in [from, to].compactMap({ $0 }) where d.number < 0 || d.number > Day(iso: "2199-12-31")!.number {
            throw RuleViolation(.inputInvalid, .statisticsDays(d))
        }
        let r = range(input, from: from, to: to)
        try validateLength(from: r.from, to: r.to)
    }

    /// Refuses a range longer than `maxRangeDays`.
    public static func validateLength(from: Day, to: Day) throws(RuleViolation) {
        if to.number - from.number > maxRangeDays {
            throw RuleViolation(.inputInvalid, .rangeTooLong(most: maxRangeDays, from: from, to: to))
        }
    }

    /// The periods of a report over `start`…`end`: each one's label and first and last day,
    /// clipped to the range.
    public static func periods(_ period: StatsPeriod, from start: Day, to end: Day) -> [(label: String, first: Day, last: Day)] {
        var periods = [(label: String, first: Day, last: Day)]()
        var d = start
        while d <= end {
            let s = period.span(of: d)
            periods.append((s.label, max(s.first, start), min(s.last, end)))
            d = s.last + 1
        }
        return periods
    }

    /// The neighbourhood category of members without one (a neighbourhood written so is
    /// counted with them).
    public static let noNeighbourhood = "-"

    /// The neighbourhood categories: every member's, sorted, then `noNeighbourhood`.
    public static func neighbourhoods(_ members: [StatsInput.Member]) -> [String] {
        var hoods = Array(Set(members.compactMap(\.neighbourhood)).subtracting([noNeighbourhood])).sorted()
        hoods.append(noNeighbourhood)
        return hoods
    }

    /// A member's row in the tables by kind (the pool, which never exchanges, takes the first).
    public static func kindRow(_ kind: MemberKind) -> Int { exchangingKinds.firstIndex(of: kind) ?? 0 }

    /// Runs `body` once for each of `0..<count`, in any order and at once if it likes (the
    /// CLI passes `DispatchQueue.concurrentPerform`), and returns when every call has returned.
    /// The core starts no threads of its own.
    public typealias Concurrently = (_ count: Int, _ body: @escaping @Sendable (Int) -> Void) -> Void

    /// Computes every figure by `period` over `from`…`to` (inclusive; nil means the first and
    /// last posting day), then withholds cells describing fewer than `k` members, and enough
    /// others that no withheld value can be worked out from the published ones.
    ///
    /// Each exchange is added to its period's column only; the whole range's column is the
    /// union of the periods' (exact: sums add and member sets unite, `StatsFlows.formUnion`).
    /// Given `concurrently`, the periods are split into two runs of about as many exchanges
    /// each, added on two threads; each run writes only its own columns.
    public static func report(_ input: StatsInput, period: StatsPeriod, from: Day?, to: Day?, k: Int,
                              concurrently: Concurrently? = nil) -> StatsReport {
        let (start, end) = range(input, from: from, to: to)
        let periods = Self.periods(period, from: start, to: end)
        var domains = input.policy.domains
        for x in input.exchanges where !domains.contains(x.domain) { domains.append(x.domain) }
        let hoods = neighbourhoods(input.members)
        let domainIndex = Dictionary(uniqueKeysWithValues: domains.enumerated().map { ($1, $0) })
        let hoodIndex = Dictionary(uniqueKeysWithValues: hoods.enumerated().map { ($1, $0) })
        let memberKind = input.members.map { kindRow($0.kind) }
        let memberHood = input.members.map { hoodIndex[$0.neighbourhood ?? noNeighbourhood]! }
        let memberCount = input.members.count
        // How many exchanges fall in each column, to split the periods in two runs of about as
        // many each. Each run works the columns out again (a binary search over the periods)
        // rather than keeping them: nothing held per exchange.
        var perColumn = Array(repeating: 0, count: periods.count)
        for x in input.exchanges { if let col = column(x.day, periods, start, end) { perColumn[col] += 1 } }
        let runs = concurrently == nil ? [0..<periods.count] : halves(perColumn)
        var flows = Array(repeating: StatsFlows(), count: periods.count)
        flows.withUnsafeMutableBufferPointer { buffer in
            let out = Columns(buffer)
            let add = { @Sendable (run: Int) in
                let columns = runs[run]
                for x in input.exchanges {
                    guard let col = column(x.day, periods, start, end), columns.contains(col) else { continue }
                    out.buffer[col].add(kind: x.kind, domain: domainIndex[x.domain]!, credits: x.credits, quantity: x.quantity,
                                        session: x.session, providers: x.providers, receivers: x.receivers,
                                        memberKind: memberKind, memberHood: memberHood, capacity: memberCount)
                }
            }
            if let concurrently { concurrently(runs.count, add) } else { add(0) }
        }
        var whole = StatsFlows()
        for f in flows { whole.formUnion(f) }
        flows.append(whole)
        return assemble(input, period: period, from: start, to: end, periods: periods, flows: flows,
                        domains: domains.enumerated().map { ($1, $0) }, hoods: hoods.enumerated().map { ($1, $0) }, k: k)
    }

    /// The columns' flows while runs add to them: each run writes only the columns of its own
    /// range, so no two threads touch one element (hence `@unchecked`).
    private struct Columns: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<StatsFlows>
        init(_ buffer: UnsafeMutableBufferPointer<StatsFlows>) { self.buffer = buffer }
    }

    /// The columns split into two runs at the point that leaves the larger run the fewest
    /// exchanges (`counts` per column); either run may be empty.
    static func halves(_ counts: [Int]) -> [Range<Int>] {
        let total = counts.reduce(0, +)
        var best = 0, bestLoad = total, sum = 0
        for split in counts.indices {
            sum += counts[split]
            if max(sum, total - sum) < bestLoad { (best, bestLoad) = (split + 1, max(sum, total - sum)) }
        }
        return [0..<best, best..<counts.count]
    }

    /// The column of `day` among `periods` (nil outside `start`…`end`).
    static func column(_ day: Day, _ periods: [(label: String, first: Day, last: Day)], _ start: Day, _ end: Day) -> Int? {
        guard day >= start, day <= end else { return nil }
        // Binary search over the periods.
        var lo = 0, hi = periods.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if periods[mid].last < day { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The report from the exchanges' `flows` (one per period, then the whole range) and the
    /// other facts of `input` (its exchanges are not read): the tables, then the withholding.
    /// `domains` and `hoods` name the categories in order, each with its row number in `flows`.
    public static func assemble(_ input: StatsInput, period: StatsPeriod, from start: Day, to end: Day,
                         periods: [(label: String, first: Day, last: Day)], flows: [StatsFlows],
                         domains: [(name: String, row: Int)], hoods: [(name: String, row: Int)], k: Int) -> StatsReport {
        let columns = periods.count + 1
        func column(_ day: Day) -> Int? { Statistics.column(day, periods, start, end) }
        let memberCount = input.members.count
        typealias Acc = StatsFlows.Acc
        let kindNames = exchangingKinds.map(\.rawValue)
        let pairNames = exchangingKinds.flatMap { g in exchangingKinds.map { r in "\(g.rawValue)>\(r.rawValue)" } }
        func grid(_ categories: Int) -> [[Acc]] { Array(repeating: Array(repeating: Acc(), count: columns), count: categories) }
        /// A table's rows by column, each cell taken from that column's flows.
        func rows(_ n: Int, _ cell: (StatsFlows, Int) -> Acc) -> [[Acc]] {
            (0..<n).map { r in flows.map { cell($0, r) } }
        }
        // New members, requests, the pool.
        var newMembers = Array(repeating: 0, count: columns)
        for m in input.members where m.kind != .pool { if let c = column(m.joined) { newMembers[c] += 1; newMembers[columns - 1] += 1 } }
        var requestDays = Array(repeating: [Int64](), count: columns)
        var requesters = Array(repeating: Set<Int32>(), count: columns)
        for r in input.requests {
            guard let c = column(r.fulfilled) else { continue }
            for cc in [c, columns - 1] { requestDays[cc].append(max(0, r.fulfilled.number - r.posted.number)); requesters[cc].insert(r.author) }
        }
        // Introductions by the period they were made in; who was introduced describes them.
        var introduced = Array(repeating: (made: Int64(0), became: Int64(0), members: MemberSet(), becameMembers: MemberSet()), count: columns)
        for i in input.introductions {
            guard let c = column(i.day) else { continue }
            for cc in [c, columns - 1] {
                introduced[cc].made += 1
                for m in i.members { introduced[cc].members.insert(m, capacity: memberCount) }
                if i.became {
                    introduced[cc].became += 1
                    for m in i.members { introduced[cc].becameMembers.insert(m, capacity: memberCount) }
                }
            }
        }
        var donations = grid(1), grants = grid(1)
        for mv in input.pool {
            guard let c = column(mv.day) else { continue }
            for cc in [c, columns - 1] {
                if mv.donation {
                    donations[0][cc].v.0 += 1; donations[0][cc].v.2 += mv.minutes
                    donations[0][cc].givers.insert(mv.member, capacity: memberCount); donations[0][cc].takers.insert(mv.member, capacity: memberCount)
                } else {
                    grants[0][cc].v.0 += 1; grants[0][cc].v.2 += mv.minutes
                    grants[0][cc].givers.insert(mv.member, capacity: memberCount); grants[0][cc].takers.insert(mv.member, capacity: memberCount)
                }
            }
        }
        // Balances at the end of each period (and of the range) for members still in the circle.
        var balance = Array(repeating: Int64(0), count: input.members.count)
        // Postings lie in journal order, which is day order; sorted only when they do not.
        let postings = zip(input.postings, input.postings.dropFirst()).allSatisfy { $0.day <= $1.day }
            ? input.postings : input.postings.sorted { $0.day < $1.day }
        var pi = 0
        var atFloor = Array(repeating: 0, count: columns), atCeiling = atFloor, population = atFloor
        var gini = Array(repeating: Int64(0), count: columns)
        // Members per bin and column: each member is in one bin of a column, so the count is
        // also the number of members the cell describes.
        var bins = Array(repeating: Array(repeating: 0, count: columns), count: balanceBins.count)
        // The members counted (not the pool, not left), with what the loop needs, flat.
        let counted = input.members.indices.filter { input.members[$0].kind != .pool && input.members[$0].present }
        let joined = counted.map { input.members[$0].joined }
        let floors = counted.map { input.members[$0].floor }
        let ceilings = counted.map { input.members[$0].ceiling ?? .max }
        let binBounds = balanceBins.map { $0.upTo ?? .max }
        var values = [Int64]()
        for (c, p) in (periods.map(\.last) + [end]).enumerated() {
            while pi < postings.count, postings[pi].day <= p {
                balance[Int(postings[pi].member)] += postings[pi].minutes
                pi += 1
            }
            if c == columns - 1 { break }
            values.removeAll(keepingCapacity: true)
            for (j, i) in counted.enumerated() where joined[j] <= p {
                let b = balance[i]
                values.append(b)
                if b <= floors[j] { atFloor[c] += 1 }
                if b >= ceilings[j] { atCeiling[c] += 1 }
                var bin = 0
                while b > binBounds[bin] { bin += 1 }
                bins[bin][c] += 1
            }
            population[c] = values.count
            gini[c] = giniPerMille(values)
        }
        // The whole range's balance figures are those at its end (its last period's).
        let lastCol = periods.count - 1
        if lastCol >= 0 {
            atFloor[columns - 1] = atFloor[lastCol]; atCeiling[columns - 1] = atCeiling[lastCol]
            population[columns - 1] = population[lastCol]; gini[columns - 1] = gini[lastCol]
            for b in bins.indices { bins[b][columns - 1] = bins[b][lastCol] }
        }

        func table(_ name: String, _ measures: [String], _ categories: [String], _ g: [[Acc]]) -> StatsTable {
            StatsTable(name: name, measures: measures, categories: categories, cells: g.map { row in
                row.map { a in
                    var values = [String: Int64]()
                    for m in measures {
                        switch m {
                        case "exchanges", "count": values[m] = a.v.0
                        case "flows": values[m] = a.v.1
                        case "credits": values[m] = a.v.2
                        default: values[m] = a.v.3
                        }
                    }
                    return StatsCell(values: values, givers: a.givers.count, takers: a.takers.count)
                }
            })
        }
        func scalars(_ name: String, _ rows: [(String, String, (Int) -> (Int64, Int))]) -> StatsTable {
            StatsTable(name: name, measures: Array(Set(rows.map(\.1))).sorted(), categories: rows.map(\.0), cells: rows.map { row in
                (0..<columns).map { c in
                    let (v, described) = row.2(c)
                    return StatsCell(values: [row.1: v], givers: described, takers: described)
                }
            })
        }
        var tables = [
            table("total", ["exchanges", "flows", "credits"], ["all"], rows(1) { f, _ in f.total[0] }),
            table("kind", ["exchanges", "flows", "credits", "quantity"], ExchangeKind.allCases.map(\.rawValue), rows(ExchangeKind.allCases.count) { $0.byKind[$1] }),
            table("domain", ["exchanges", "flows", "credits"], domains.map(\.name), rows(domains.count) { StatsFlows.row($0.byDomain, domains[$1].row) }),
            table("given_by", ["flows", "credits"], kindNames, rows(kindNames.count) { $0.given[$1] }),
            table("received_by", ["flows", "credits"], kindNames, rows(kindNames.count) { $0.received[$1] }),
            table("who_helps_whom", ["flows", "credits"], pairNames, rows(pairNames.count) { $0.pairs[$1] }),
            table("neighbourhood", ["flows", "credits"], hoods.map(\.name), rows(hoods.count) { StatsFlows.row($0.byHood, hoods[$1].row) }),
            table("gifts", ["exchanges", "quantity"], ["space", "goods"], rows(2) { $0.gifts[$1] }),
            table("expert_sessions", ["exchanges", "credits"], ["all"] + domains.map(\.name),
                  rows(1 + domains.count) { f, r in r == 0 ? f.sessions : StatsFlows.row(f.sessionsByDomain, domains[r - 1].row) }),
        ]
        tables.append(scalars("members", [
            ("active", "members", { (Int64(flows[$0].active.count), flows[$0].active.count) }),
            ("new", "members", { (Int64(newMembers[$0]), newMembers[$0]) }),
            ("gave_and_received", "members", { c in let n = flows[c].gave.intersectionCount(flows[c].got); return (Int64(n), n) }),
        ]))
        tables.append(scalars("connections", [
            ("pairs", "pairs", { (Int64(flows[$0].pairSet.count), flows[$0].active.count) }),
            ("largest_group", "permille", { c in
                (flows[c].largestGroupPerMille(count: memberCount), flows[c].active.count) }),
        ]))
        tables.append(scalars("requests", [
            ("fulfilled", "requests", { (Int64(requestDays[$0].count), requesters[$0].count) }),
            ("median_days", "days", { (median(requestDays[$0]), requesters[$0].count) }),
        ]))
        tables.append(scalars("introductions", [
            ("made", "introductions", { (introduced[$0].made, introduced[$0].members.count) }),
            ("became_exchanges", "introductions", { (introduced[$0].became, introduced[$0].becameMembers.count) }),
        ]))
        tables.append(table("pool_donations", ["count", "credits"], ["all"], donations))
        tables.append(table("pool_grants", ["count", "credits"], ["all"], grants))
        tables.append(scalars("balances", [
            ("members", "members", { (Int64(population[$0]), population[$0]) }),
            ("at_floor", "members", { (Int64(atFloor[$0]), atFloor[$0]) }),
            ("at_ceiling", "members", { (Int64(atCeiling[$0]), atCeiling[$0]) }),
            ("gini", "permille", { (gini[$0], population[$0]) }),
        ]))
        tables.append(StatsTable(name: "balance_bins", measures: ["members"], categories: balanceBins.map(\.label), cells: bins.map { row in
            row.map { n in StatsCell(values: ["members": Int64(n)], givers: n, takers: 0) }
        }))
        var report = StatsReport(period: period, from: start, to: end, k: k, periods: periods, tables: tables,
                                 headSeq: input.headSeq, headHash: input.headHash, policy: input.policy)
        Suppression.apply(to: &report)
        return report
    }

    /// The Gini coefficient of `values` in thousandths: Σᵢ Σⱼ |vᵢ − vⱼ| / (2 n Σ |vᵢ|). For
    /// non-negative values it is the usual coefficient; it stays defined for balances, which
    /// sum to about zero. 0 when every value is equal.
    public static func giniPerMille(_ values: [Int64]) -> Int64 {
        let n = values.count
        let absSum = values.reduce(Int64(0)) { $0 + abs($1) }
        guard n > 1, absSum > 0 else { return 0 }
        // Σᵢ Σⱼ |vᵢ − vⱼ| = 2 Σᵢ (2i − n + 1) v₍ᵢ₎ over the sorted values.
        let sorted = radixSorted(values)
        var acc = 0.0
        for (i, v) in sorted.enumerated() { acc += Double(2 * i - n + 1) * Double(v) }
        let g = (2 * acc) / (2 * Double(n) * Double(absSum))
        return Int64((g * 1000).rounded())
    }

    /// `values` in ascending order, by a least-significant-digit radix sort on bytes (passes
    /// where every value has the same byte are skipped; balances use few of the eight). Much
    /// faster than a comparison sort on the 100,000 balances of each period's end.
    static func radixSorted(_ values: [Int64]) -> [Int64] {
        guard values.count > 64 else { return values.sorted() }
        // Flipping the sign bit orders the two's-complement values as unsigned ones.
        let n = values.count
        var keys = values.map { UInt64(bitPattern: $0) ^ (1 << 63) }
        var other = [UInt64](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: 256)
        counts.withUnsafeMutableBufferPointer { counts in
            for shift in stride(from: UInt64(0), to: 64, by: 8) {
                let moved: Bool = keys.withUnsafeBufferPointer { from in
                    other.withUnsafeMutableBufferPointer { to in
                        for i in 0..<256 { counts[i] = 0 }
                        for k in from { counts[Int(truncatingIfNeeded: (k >> shift) & 0xFF)] &+= 1 }
                        if counts.contains(n) { return false }
                        var sum = 0
                        for i in 0..<256 { let c = counts[i]; counts[i] = sum; sum &+= c }
                        for k in from {
                            let d = Int(truncatingIfNeeded: (k >> shift) & 0xFF)
                            to[counts[d]] = k
                            counts[d] &+= 1
                        }
                        return true
                    }
                }
                if moved { swap(&keys, &other) }
            }
        }
        return keys.map { Int64(bitPattern: $0 ^ (1 << 63)) }
    }

    /// The share of `members` in the largest group connected by `edges`, in thousandths.
    static func largestGroupPerMille(_ pairs: Set<UInt64>, members: [Int32], count: Int) -> Int64 {
        guard !members.isEmpty else { return 0 }
        var parent = Array(0..<Int32(count))
        func find(_ x: Int32) -> Int32 {
            var r = x
            while parent[Int(r)] != r { r = parent[Int(r)] }
            var c = x
            while parent[Int(c)] != r { let n = parent[Int(c)]; parent[Int(c)] = r; c = n }
            return r
        }
        for pair in pairs {
            let ra = find(Int32(truncatingIfNeeded: pair >> 32)), rb = find(Int32(truncatingIfNeeded: pair & 0xFFFF_FFFF))
            if ra != rb { parent[Int(ra)] = rb }
        }
        var size = [Int32: Int]()
        for m in members { size[find(m), default: 0] += 1 }
        return Int64((Double(size.values.max() ?? 0) * 1000 / Double(members.count)).rounded())
    }

    /// The median of whole days (the lower of the middle two), 0 when empty.
    static func median(_ xs: [Int64]) -> Int64 {
        guard !xs.isEmpty else { return 0 }
        let s = xs.sorted()
        return s[(s.count - 1) / 2]
    }
}
