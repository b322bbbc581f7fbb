import Testing
import KringCore
@testable import KringStore

/// `ChainPrint` holds exactly when every row names its member's previous row and every account
/// its member's last: each member's chain is the only arrangement of links that cancels, so any
/// other link or last is found, whatever it was changed to.
@Suite struct ChainPrintTests {
    /// Rows keyed 1, 2, 3, … each of a random member; the link each must name, and each member's last.
    static func chains(_ rng: inout SplitMix64, members: Int, rows: Int) -> (rows: [(member: [UInt8], key: Int64, link: Int64?)], last: [[UInt8]: Int64]) {
        var last = [[UInt8]: Int64]()
        var out = [(member: [UInt8], key: Int64, link: Int64?)]()
        var key: Int64 = 0
        for _ in 0..<rows {
            key += Int64(1 + rng.below(3))  // keys need not follow one another
            let member = Array("m\(rng.below(members))".utf8)
            out.append((member, key, last[member]))
            last[member] = key
        }
        return (out, last)
    }

    static func holds(_ rows: [(member: [UInt8], key: Int64, link: Int64?)], _ accounts: [([UInt8], Int64?)]) -> Bool {
        var p = ChainPrint(), q = ChainPrint()
        for r in rows { r.member.withUnsafeBytes { p.row($0, key: r.key, link: r.link) } }
        for (m, link) in accounts { m.withUnsafeBytes { q.last($0, link: link) } }
        p.add(q)
        return p.holds
    }

    @Test func everyChangedLinkOrLastIsFound() {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<300 {
            let members = 1 + rng.below(6)
            let (rows, last) = Self.chains(&rng, members: members, rows: 1 + rng.below(40))
            // Every member has an account; those without rows name none.
            let accounts = (0..<members).map { i -> ([UInt8], Int64?) in let m = Array("m\(i)".utf8); return (m, last[m]) }
            #expect(Self.holds(rows, accounts))
            let keys = rows.map(\.key)
            // One row's link changed: to another row's key, a key no row has, none, or its own.
            var changed = rows
            let i = rng.below(rows.count)
            let choices: [Int64?] = [rng.pick(keys), keys.last! + 1, nil, rows[i].key, rows[i].key - 1]
            let link = rng.pick(choices)
            if link != rows[i].link {
                changed[i].link = link
                #expect(!Self.holds(changed, accounts), "row \(rows[i].key) linked to \(String(describing: link)) instead of \(String(describing: rows[i].link))")
            }
            // Two rows of one member with their links swapped.
            let m = rows[i].member
            if let j = rows.indices.first(where: { $0 != i && rows[$0].member == m && rows[$0].link != rows[i].link }) {
                var swapped = rows
                (swapped[i].link, swapped[j].link) = (rows[j].link, rows[i].link)
                #expect(!Self.holds(swapped, accounts))
            }
            // Each member's chain turned round (each row names the member's next, the account
            // their first): the same links and lasts, as a multiset, so only the rule that a link
            // is below its row's key finds it.
            var reversed = rows
            var first = [[UInt8]: Int64]()
            for k in rows.indices.reversed() {
                reversed[k].link = first[rows[k].member]
                first[rows[k].member] = rows[k].key
            }
            if rows.contains(where: { $0.link != nil }) {
                #expect(!Self.holds(reversed, accounts.map { ($0.0, first[$0.0]) }))
            }
            // An account naming another last, or none.
            var wrong = accounts
            let a = rng.below(accounts.count)
            let other: Int64? = rng.chance(0.5) ? nil : rng.pick(keys)
            if other != accounts[a].1 {
                wrong[a].1 = other
                #expect(!Self.holds(rows, wrong))
            }
        }
    }
}
