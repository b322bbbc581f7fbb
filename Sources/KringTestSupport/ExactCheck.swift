import KringCore

/// An independent check that no withheld cell follows from the published ones: exact
/// elimination over the integers modulo two large primes (the product uses floating point).
/// For matrices of 0 and ±1 a rank over a 31-bit prime differs from the rank over the
/// rationals only if the prime divides a minor, which two primes make vanishingly unlikely.
public enum ExactCheck {
    static func recoverable(hidden: [Bool], equations: [([Int], Int)], prime p: Int64) -> Set<Int> {
        let unknowns = hidden.indices.filter { hidden[$0] }
        let col = Dictionary(uniqueKeysWithValues: unknowns.enumerated().map { ($1, $0) })
        func inv(_ a: Int64) -> Int64 {
            var result: Int64 = 1, base = ((a % p) + p) % p, e = p - 2
            while e > 0 { if e & 1 == 1 { result = result * base % p }; base = base * base % p; e >>= 1 }
            return result
        }
        var m = [[Int64]]()
        for (parts, total) in equations {
            var row = Array(repeating: Int64(0), count: unknowns.count)
            var any = false
            for q in parts where hidden[q] { row[col[q]!] = (row[col[q]!] + 1) % p; any = true }
            if hidden[total] { row[col[total]!] = (row[col[total]!] + p - 1) % p; any = true }
            if any { m.append(row) }
        }
        var pivots = [(Int, Int)]()
        var r = 0
        for c in unknowns.indices where r < m.count {
            guard let pr = (r..<m.count).first(where: { m[$0][c] != 0 }) else { continue }
            m.swapAt(r, pr)
            let iv = inv(m[r][c])
            m[r] = m[r].map { $0 * iv % p }
            for i in m.indices where i != r && m[i][c] != 0 {
                let f = m[i][c]
                for j in unknowns.indices where m[r][j] != 0 { m[i][j] = ((m[i][j] - f * m[r][j]) % p + p) % p }
            }
            pivots.append((r, c))
            r += 1
        }
        let pivotCols = Set(pivots.map(\.1))
        return Set(pivots.filter { row, c in !unknowns.indices.contains { $0 != c && !pivotCols.contains($0) && m[row][$0] != 0 } }.map { unknowns[$0.1] })
    }

    /// Hidden cells recoverable from the published ones (by either prime).
    public static func recoverable(hidden: [Bool], equations: [([Int], Int)]) -> [Int] {
        Array(recoverable(hidden: hidden, equations: equations, prime: 2_147_483_647).union(recoverable(hidden: hidden, equations: equations, prime: 1_000_000_007))).sorted()
    }
}
