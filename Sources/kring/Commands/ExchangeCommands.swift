import Foundation
import KringCore
import KringStore

/// Exchanges through their lifecycle.
let exchangeCommands: [CommandSpec] = [
    CommandSpec(path: "exchange propose", summary: "propose an exchange; the other side confirms",
                usage: "kring exchange propose --as MEMBER --provider ID[,ID…] --receiver ID[,ID…] --kind time|space|goods --domain DOMAIN --what TEXT --credits AMOUNT [--quantity Q] [--date YYYY-MM-DD] [--links of-N,rq-N]",
                options: exchangeOptions + ["as"], flags: ["json"], required: exchangeRequired + ["as"]) { inv in
        try perform(inv, .propose(try draft(inv)), by: .member(try inv.requiredID("as", MemberID.self))) { o in "Proposed \(o.event.exchangeID?.description ?? ""); waiting for the other side to confirm." }
    },
    CommandSpec(path: "exchange record", summary: "record an exchange with both consents (coordinator, e.g. from a paper slip)",
                usage: "kring exchange record --provider ID[,ID…] --receiver ID[,ID…] --kind time|space|goods --domain DOMAIN --what TEXT --credits AMOUNT [--quantity Q] [--date YYYY-MM-DD] [--links of-N,rq-N] [--reason TEXT]",
                options: exchangeOptions + ["reason"], flags: ["json"], required: exchangeRequired) { inv in
        try perform(inv, .record(try draft(inv), reason: inv.option("reason"))) { o in "Recorded \(o.event.exchangeID?.description ?? "")." }
    },
    CommandSpec(path: "exchange confirm", summary: "confirm a proposed exchange", usage: "kring exchange confirm EXCHANGE --as MEMBER",
                options: ["as"], flags: ["json"], required: ["as"], positionals: 1...1) { inv in
        try perform(inv, .confirm(try inv.positionalID(0, ExchangeID.self, "EXCHANGE")), by: .member(try inv.requiredID("as", MemberID.self))) { o in
            if case .exchangeConsented = o.event { return "\(inv.required("as")) consented to \(inv.positionals[0]); others have yet to." }
            return "Confirmed \(inv.positionals[0]); credits moved."
        }
    },
    CommandSpec(path: "exchange reject", summary: "reject a proposed exchange, optionally saying why", usage: "kring exchange reject EXCHANGE --as MEMBER [--reason TEXT]",
                options: ["as", "reason"], flags: ["json"], required: ["as"], positionals: 1...1) { inv in
        try perform(inv, .reject(try inv.positionalID(0, ExchangeID.self, "EXCHANGE"), reason: inv.option("reason")), by: .member(try inv.requiredID("as", MemberID.self))) { _ in "Rejected \(inv.positionals[0])." }
    },
    CommandSpec(path: "exchange cancel", summary: "cancel your own proposal, optionally saying why", usage: "kring exchange cancel EXCHANGE --as MEMBER [--reason TEXT]",
                options: ["as", "reason"], flags: ["json"], required: ["as"], positionals: 1...1) { inv in
        try perform(inv, .cancel(try inv.positionalID(0, ExchangeID.self, "EXCHANGE"), reason: inv.option("reason")), by: .member(try inv.requiredID("as", MemberID.self))) { _ in "Cancelled \(inv.positionals[0])." }
    },
    CommandSpec(path: "exchange reverse", summary: "reverse a confirmed exchange, once, with a reason (coordinator)",
                usage: "kring exchange reverse EXCHANGE --reason TEXT", options: ["reason"], flags: ["json"], required: ["reason"], positionals: 1...1) { inv in
        try perform(inv, .reverse(try inv.positionalID(0, ExchangeID.self, "EXCHANGE"), reason: inv.required("reason"))) { _ in "Reversed \(inv.positionals[0])." }
    },
    CommandSpec(path: "exchange expire", summary: "expire (or auto-confirm) every proposal whose time has come", usage: "kring exchange expire", flags: ["json"]) { inv in
        let events = try openLedger(inv).expireDue()
        if inv.json { out(JSON.object(["expired": .ids(events.compactMap(\.exchangeID))]).canonicalString) }
        else { out("\(events.count) proposal(s) reached their expiry.") }
        return 0
    },
    CommandSpec(path: "exchange list", summary: "list exchanges, newest first", usage: "kring exchange list [--member ID] [--state STATE] [--limit N] [--json]",
                options: ["member", "state", "limit"], flags: ["json"]) { inv in
        let state = try inv.option("state").map { s throws -> ExchangeState in
            guard let v = ExchangeState(rawValue: s) else {
                throw ArgumentError(.inputInvalid, "--state is one of \(ExchangeState.allCases.map(\.rawValue).joined(separator: ", ")), not \(s).")
            }
            return v
        }
        var limit = 1_000
        if let l = inv.option("limit") {
            guard let n = Int(l), n > 0, n <= Reader.maxRows else { throw ArgumentError(.inputInvalid, "--limit takes 1 to \(Reader.maxRows), not \(l).") }
            limit = n
        }
        let rows = try openReader(inv).exchanges(member: try inv.id("member", MemberID.self), state: state, limit: limit)
        if inv.json { out(JSON.array(rows.map(\.json)).canonicalString) } else { rows.forEach { out(exchangeLine($0)) } }
        return 0
    },
    CommandSpec(path: "exchange show", summary: "show one exchange", usage: "kring exchange show EXCHANGE [--json]", flags: ["json"], positionals: 1...1) { inv in
        guard let r = try openReader(inv).exchange(try inv.positionalID(0, ExchangeID.self, "EXCHANGE")) else { throw ArgumentError(.exchangeNotFound, "There is no exchange \(inv.positionals[0]).") }
        if inv.json { out(r.json.canonicalString) } else {
            out(exchangeLine(r))
            out("  consents: \(r.record.consents.map(\.handle).joined(separator: ", "))\(r.record.recorded ? " (recorded by the coordinator)" : "")")
            if let reason = r.record.reversalReason { out("  reversed: \(reason)") }
        }
        return 0
    },
]
