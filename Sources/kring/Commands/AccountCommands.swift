import Foundation
import KringCore
import KringStore

/// The pool, balances and statements.
let accountCommands: [CommandSpec] = [
    CommandSpec(path: "pool donate", summary: "donate credits to the solidarity pool", usage: "kring pool donate --from ID --credits AMOUNT",
                options: ["from", "credits"], flags: ["json"], required: ["from", "credits"]) { inv in
        let credits = try inv.amount("credits")!
        return try perform(inv, .donate(from: try inv.requiredID("from", MemberID.self), minutes: credits)) { _ in "\(inv.required("from")) donated \(credits) to the pool." }
    },
    CommandSpec(path: "pool grant", summary: "grant credits from the pool (coordinator)", usage: "kring pool grant --to ID --credits AMOUNT --reason TEXT",
                options: ["to", "credits", "reason"], flags: ["json"], required: ["to", "credits", "reason"]) { inv in
        let credits = try inv.amount("credits")!
        return try perform(inv, .grant(to: try inv.requiredID("to", MemberID.self), minutes: credits, reason: inv.required("reason"))) { _ in "Granted \(credits) to \(inv.required("to"))." }
    },
    CommandSpec(path: "balance", summary: "balances of every account, or of one", usage: "kring balance [ID] [--json]", flags: ["json"], positionals: 0...1) { inv in
        let r = try openReader(inv)
        if inv.positionals.first != nil {
            let id = try inv.positionalID(0, MemberID.self, "ID")
            guard let b = try r.balance(id) else { throw ArgumentError(.memberNotFound, "There is no member \(id).") }
            if inv.json { out(JSON.object(["member": .id(id), "balance_minutes": .int(b.value)]).canonicalString) } else { out("\(id)  \(b.clock)  (\(b))") }
            return 0
        }
        let all = try r.balances()
        if inv.json { out(JSON.array(all.map { .object(["member": .id($0.member), "balance_minutes": .int($0.balance.value)]) }).canonicalString) }
        else { for (m, b) in all { out("\(m.handle.padding(toLength: max(m.handle.count, 28), withPad: " ", startingAt: 0)) \(b.clock)") } }
        return 0
    },
    CommandSpec(path: "statement", summary: "a member's postings with running balance", usage: "kring statement ID [--from DATE] [--to DATE] [--json]",
                options: ["from", "to"], flags: ["json"], positionals: 1...1) { inv in
        guard let s = try openReader(inv).statement(try inv.positionalID(0, MemberID.self, "ID"), from: try inv.day("from"), to: try inv.day("to")) else {
            throw ArgumentError(.memberNotFound, "There is no member \(inv.positionals[0]).")
        }
        if inv.json { out(s.json.canonicalString); return 0 }
        out("Statement of \(s.member)\(s.from.map { " from \($0)" } ?? "")\(s.to.map { " to \($0)" } ?? "")")
        out("  opening balance \(s.opening.clock)")
        for l in s.lines {
            out("  \(l.day)  \(l.minutes.value >= 0 ? "+" : "")\(l.minutes.clock)  = \(l.balance.clock)  \(l.exchange?.description ?? l.kind.rawValue)  \(l.counterparty)  \(l.description)")
        }
        out("  closing balance \(s.closing.clock)")
        out("  ledger head seq \(s.head.seq) hash \(s.head.hash)")
        return 0
    },
]
