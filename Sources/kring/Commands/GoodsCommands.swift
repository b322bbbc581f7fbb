import Foundation
import KringCore
import KringStore

func loanLine(_ l: LoanRecord, today: Day) -> String {
    let state = l.returned.map { "returned \($0)" } ?? (l.isOverdue(on: today) ? "OVERDUE since \(l.info.due + 1)" : "due \(l.info.due)")
    return "\(l.info.id)  \(l.info.lender) -> \(l.info.borrower)  \(l.info.what)  lent \(l.info.lent)  \(state)"
}

/// Goods lent, returned and overdue.
let goodsCommands: [CommandSpec] = [
    CommandSpec(path: "goods lend", summary: "record goods lent, with the day they are due back",
                usage: "kring goods lend --as LENDER --to BORROWER --what TEXT --due YYYY-MM-DD [--offer of-N]",
                options: ["as", "to", "what", "due", "offer"], flags: ["json"], required: ["as", "to", "what", "due"]) { inv in
        guard let due = try inv.day("due") else { throw ArgumentError(.inputInvalid, "--due is required.") }
        let draft = LoanDraft(lender: try inv.requiredID("as", MemberID.self), borrower: try inv.requiredID("to", MemberID.self), what: inv.required("what"),
                              offer: try inv.id("offer", ListingID.self), due: due)
        return try perform(inv, .lend(draft), by: .member(draft.lender)) { o in
            if case .goodsLent(let e) = o.event { return "Lent as \(e.loan.id), due back \(e.loan.due)." }
            return ""
        }
    },
    CommandSpec(path: "goods return", summary: "record that lent goods came back (the lender or the coordinator)",
                usage: "kring goods return LOAN [--as LENDER]", options: ["as"], flags: ["json"], positionals: 1...1) { inv in
        try perform(inv, .returnLoan(try inv.positionalID(0, LoanID.self, "LOAN")), by: try listingActor(inv)) { _ in "\(inv.positionals[0]) is back." }
    },
    CommandSpec(path: "goods loans", summary: "loans, newest first", usage: "kring goods loans [--member ID] [--open] [--json]",
                options: ["member"], flags: ["json", "open"]) { inv in
        let reader = try openReader(inv)
        let rows = try reader.loans(member: try inv.id("member", MemberID.self), outOnly: inv.flag("open"))
        let today = try reader.policy().day(systemClock())
        if inv.json { out(JSON.array(rows.map(\.json)).canonicalString) } else { rows.forEach { out(loanLine($0, today: today)) } }
        return 0
    },
    CommandSpec(path: "goods overdue", summary: "loans past their due day, for the coordinator", usage: "kring goods overdue [--json]", flags: ["json"]) { inv in
        let reader = try openReader(inv)
        let today = try reader.policy().day(systemClock())
        let rows = try reader.overdueLoans(today: today)
        if inv.json { out(JSON.array(rows.map(\.json)).canonicalString) } else { rows.forEach { out(loanLine($0, today: today)) } }
        return 0
    },
]
