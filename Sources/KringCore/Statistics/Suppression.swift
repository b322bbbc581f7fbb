/// The privacy rules of published statistics (docs/statistics.md):
///
/// 1. Primary: a cell describing fewer than k distinct members on a side (givers or receivers
///    of flows; the members a member figure counts) is withheld.
/// 2. Complementary: published cells add up (the parts of a table to the period's total, the
///    periods to the whole range, the who-helps-whom matrix to its margins). Withheld cells are
///    chosen so that no withheld value can be computed exactly from published ones: for every
///    sum with exactly one withheld term another term is withheld (the smallest non-zero one),
///    then an exact test (Gaussian elimination over the sums, unknowns the withheld cells)
///    finds any withheld cell still determined by the published ones and withholds more, until
///    none is.
public enum Suppression {
    /// A sum that holds between published cells: `parts` add up to `total` (cell indices).
    public struct Equation: Sendable {
        public let parts: [Int]
        public let total: Int
    }

    /// Where a cell lives: table, row, column.
    struct Ref: Hashable { let t: Int, r: Int, c: Int }

    /// The sums that hold between the report's cells, over cells numbered by `refs`.
    static func equations(_ report: StatsReport) -> (refs: [Ref], equations: [Equation]) {
        var refs = [Ref]()
        var index = [Ref: Int]()
        for (t, table) in report.tables.enumerated() {
            for r in table.categories.indices {
                for c in table.cells[r].indices {
                    index[Ref(t: t, r: r, c: c)] = refs.count
                    refs.append(Ref(t: t, r: r, c: c))
                }
            }
        }
        let columns = report.columns.count
        func t(_ name: String) -> Int? { report.tables.firstIndex { $0.name == name } }
        var eqs = [Equation]()
        let total = t("total")!
        // Each breakdown of flows adds up to the period's total (and the whole range's).
        for name in ["kind", "domain", "given_by", "received_by", "who_helps_whom", "neighbourhood"] {
            guard let ti = t(name) else { continue }
            for c in 0..<columns {
                eqs.append(Equation(parts: report.tables[ti].categories.indices.map { index[Ref(t: ti, r: $0, c: c)]! },
                                    total: index[Ref(t: total, r: 0, c: c)]!))
            }
        }
        // The who-helps-whom matrix adds up to its margins: rows to given_by, columns to received_by.
        if let m = t("who_helps_whom"), let g = t("given_by"), let rcv = t("received_by") {
            let n = report.tables[g].categories.count
            for c in 0..<columns {
                for i in 0..<n {
                    eqs.append(Equation(parts: (0..<n).map { index[Ref(t: m, r: i * n + $0, c: c)]! }, total: index[Ref(t: g, r: i, c: c)]!))
                    eqs.append(Equation(parts: (0..<n).map { index[Ref(t: m, r: $0 * n + i, c: c)]! }, total: index[Ref(t: rcv, r: i, c: c)]!))
                }
            }
        }
        // The expert sessions by domain add up to all of them.
        if let s = t("expert_sessions") {
            for c in 0..<columns {
                eqs.append(Equation(parts: report.tables[s].categories.indices.dropFirst().map { index[Ref(t: s, r: $0, c: c)]! },
                                    total: index[Ref(t: s, r: 0, c: c)]!))
            }
        }
        // The balance distribution adds up to the members counted.
        if let bins = t("balance_bins"), let bal = t("balances") {
            for c in 0..<columns {
                eqs.append(Equation(parts: report.tables[bins].categories.indices.map { index[Ref(t: bins, r: $0, c: c)]! },
                                    total: index[Ref(t: bal, r: 0, c: c)]!))
            }
        }
        // The periods add up to the whole range, for every figure that is a sum.
        let additive: [(String, [String]?)] = [("total", nil), ("kind", nil), ("domain", nil), ("given_by", nil), ("received_by", nil),
                                               ("who_helps_whom", nil), ("neighbourhood", nil), ("gifts", nil), ("expert_sessions", nil), ("introductions", nil), ("pool_donations", nil),
                                               ("pool_grants", nil), ("members", ["new"]), ("requests", ["fulfilled"])]
        if columns > 2 {
            for (name, only) in additive {
                guard let ti = t(name) else { continue }
                for (r, category) in report.tables[ti].categories.enumerated() where only?.contains(category) ?? true {
                    eqs.append(Equation(parts: (0..<(columns - 1)).map { index[Ref(t: ti, r: r, c: $0)]! },
                                        total: index[Ref(t: ti, r: r, c: columns - 1)]!))
                }
            }
        }
        return (refs, eqs)
    }

    /// Applies both rules to `report` in place.
    public static func apply(to report: inout StatsReport) {
        let (refs, eqs) = equations(report)
        var hidden = refs.map { report.tables[$0.t].cells[$0.r][$0.c].tooFew(report.k) }
        // How much a cell gives away when withheld as a complement: prefer small, non-zero ones.
        let weight: [Int64] = refs.map { ref in
            let cell = report.tables[ref.t].cells[ref.r][ref.c]
            return cell.values["credits"] ?? cell.values.values.max() ?? 0
        }
        func complement(for eq: Equation) -> Int? {
            let open = eq.parts.filter { !hidden[$0] }
            if let best = open.filter({ weight[$0] > 0 }).min(by: { weight[$0] < weight[$1] }) { return best }
            if let any = open.first { return any }
            return hidden[eq.total] ? nil : eq.total
        }
        var byCell = Array(repeating: [Int](), count: refs.count)
        for (i, e) in eqs.enumerated() { for c in e.parts + [e.total] { byCell[c].append(i) } }
        while true {
            // Rule 2a: no sum with exactly one withheld term.
            var changed = true
            while changed {
                changed = false
                for e in eqs where (e.parts + [e.total]).filter({ hidden[$0] }).count == 1 {
                    if let c = complement(for: e) { hidden[c] = true; changed = true }
                }
            }
            // Rule 2b: the exact test.
            let determined = Suppression.determined(hidden: hidden, equations: eqs)
            if determined.isEmpty { break }
            var progressed = false
            for d in determined {
                for ei in byCell[d] {
                    if let c = complement(for: eqs[ei]) { hidden[c] = true; progressed = true; break }
                }
            }
            if !progressed { break }
        }
        for (i, ref) in refs.enumerated() where hidden[i] { report.tables[ref.t].cells[ref.r][ref.c].suppressed = true }
    }

    /// The withheld cells whose values follow exactly from the published ones through
    /// `equations`: Gaussian elimination per connected group of withheld cells; a cell is
    /// determined when its column is a pivot whose row has no other free unknown.
    public static func determined(hidden: [Bool], equations: [Equation]) -> [Int] {
        // Rows: for each equation with withheld terms, +1 per withheld part, -1 for a withheld total.
        var rows = [[(Int, Double)]]()
        for e in equations {
            var row = e.parts.filter { hidden[$0] }.map { ($0, 1.0) }
            if hidden[e.total] { row.append((e.total, -1.0)) }
            if !row.isEmpty { rows.append(row) }
        }
        // Connected groups of unknowns (union-find over rows).
        var parent = [Int: Int]()
        func find(_ x: Int) -> Int {
            var r = x
            while let p = parent[r], p != r { r = p }
            return r
        }
        for row in rows {
            for (c, _) in row where parent[c] == nil { parent[c] = c }
            for (c, _) in row.dropFirst() { let a = find(row[0].0), b = find(c); if a != b { parent[a] = b } }
        }
        var groups = [Int: [Int]]()
        for (i, row) in rows.enumerated() { groups[find(row[0].0), default: []].append(i) }
        var out = [Int]()
        for (_, rowIDs) in groups {
            var cols = Array(Set(rowIDs.flatMap { rows[$0].map(\.0) })).sorted()
            let colIndex = Dictionary(uniqueKeysWithValues: cols.enumerated().map { ($1, $0) })
            var m = rowIDs.map { id -> [Double] in
                var dense = [Double](repeating: 0, count: cols.count)
                for (c, v) in rows[id] { dense[colIndex[c]!] += v }
                return dense
            }
            // Reduced row echelon form.
            var pivots = [(row: Int, col: Int)]()
            var r = 0
            for c in 0..<cols.count where r < m.count {
                guard let p = (r..<m.count).max(by: { abs(m[$0][c]) < abs(m[$1][c]) }), abs(m[p][c]) > 1e-9 else { continue }
                m.swapAt(r, p)
                let pv = m[r][c]
                for j in 0..<cols.count { m[r][j] /= pv }
                for i in 0..<m.count where i != r && abs(m[i][c]) > 1e-9 {
                    let f = m[i][c]
                    for j in 0..<cols.count where m[r][j] != 0 { m[i][j] -= f * m[r][j] }
                }
                pivots.append((r, c))
                r += 1
            }
            let pivotCols = Set(pivots.map(\.col))
            for (row, col) in pivots {
                let free = (0..<cols.count).contains { $0 != col && !pivotCols.contains($0) && abs(m[row][$0]) > 1e-9 }
                if !free { out.append(cols[col]) }
            }
            cols.removeAll()
        }
        return out
    }
}
