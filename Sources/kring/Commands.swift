import Foundation
import KringCore
import KringStore

/// Writes a line to stdout.
func out(_ s: String) { FileHandle.standardOutput.write(Data((s + "\n").utf8)) }
/// Writes a line to stderr.
func err(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

/// Prints the outcome of a write: a line for people (or JSON), warnings on stderr.
func report(_ o: Outcome, _ inv: Invocation, _ text: String) -> Int32 {
    for w in o.warnings { err("warning[\(w.code)]: \(w.message)") }
    if inv.json {
        out(JSON.object([
            "seq": .int(o.seq), "hash": .string(o.hash.hexString), "event": .string(o.event.type),
            "exchange": o.event.exchangeID.map(JSON.string) ?? .null,
            "warnings": .array(o.warnings.map { .object(["code": .string($0.code), "message": .string($0.message)]) }),
            "expired_before": .int(Int64(o.expired.count)),
        ]).canonicalString)
    } else {
        out("\(text) (seq \(o.seq))")
    }
    return 0
}

func openLedger(_ inv: Invocation) throws -> Ledger { try Ledger(path: inv.dbPath) }
func openReader(_ inv: Invocation) throws -> Reader { try Reader(path: inv.dbPath) }

func perform(_ inv: Invocation, _ command: Command, by actor: Actor = .coordinator, _ text: (Outcome) -> String) throws -> Int32 {
    let o = try openLedger(inv).execute(command, by: actor)
    return report(o, inv, text(o))
}

func draft(_ inv: Invocation) throws -> ExchangeDraft {
    guard let kind = ExchangeKind(rawValue: inv.required("kind")) else {
        throw RuleViolation(.inputInvalid, "--kind is time, space or goods, not \(inv.required("kind")).")
    }
    guard let credits = try inv.amount("credits") else { throw RuleViolation(.inputAmount, "--credits is required.") }
    var quantity: Int64?
    if let q = inv.option("quantity") {
        if kind == .goods {
            guard let n = Int64(q), n > 0 else { throw RuleViolation(.inputAmount, "--quantity of goods is a whole number of items, not \(q).") }
            quantity = n
        } else {
            guard let m = Minutes.parse(q) else { throw RuleViolation(.inputAmount, "--quantity \(q) is not a duration; write 2h, 1:30 or 90m.") }
            quantity = m.value
        }
    }
    return ExchangeDraft(providers: inv.list("provider"), receivers: inv.list("receiver"), kind: kind, domain: inv.required("domain"),
                         what: inv.required("what"), credits: credits, quantity: quantity, date: try inv.day("date"))
}

func memberLine(_ r: MemberRow) -> String {
    let i = r.state.info
    let pad = { (s: String, n: Int) in s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    return "\(pad(i.id, 28)) \(pad(i.kind.rawValue, 13)) \(pad(r.state.status.rawValue, 10)) \(pad(r.state.balance.clock, 9)) \(i.name)"
}

func exchangeLine(_ r: ExchangeRow) -> String {
    let i = r.record.info
    let credits = i.credits.value == 0 ? "gift" : i.credits.clock
    return "\(i.id)  \(i.date)  \(r.record.state.rawValue)  \(i.kind.rawValue)/\(i.domain)  \(i.providers.joined(separator: ",")) -> \(i.receivers.joined(separator: ","))  \(credits)  \(i.what)"
}

let exchangeOptions = ["provider", "receiver", "kind", "domain", "what", "credits", "quantity", "date"]
let exchangeRequired = ["provider", "receiver", "kind", "domain", "what", "credits"]

/// Every command of the CLI.
let commands: [CommandSpec] = [
    CommandSpec(path: "init", summary: "create a new, empty ledger with the solidarity pool", usage: "kring init [--db PATH]", flags: ["json"]) { inv in
        let l = try Ledger.create(path: inv.dbPath)
        if inv.json { out(JSON.object(["db": .string(inv.dbPath), "seq": .int(l.head.seq), "hash": .string(l.head.hash.hexString)]).canonicalString) }
        else { out("Created a ledger at \(inv.dbPath) (genesis seq \(l.head.seq), hash \(l.head.hash.hexString.prefix(16))…).") }
        return 0
    },
    CommandSpec(path: "demo", summary: "build a demo community in a new database",
                usage: "kring demo [--members N] [--months M] [--seed S] [--end YYYY-MM-DD]",
                options: ["members", "months", "seed", "end"], flags: ["json"]) { inv in
        func int(_ name: String, _ d: Int, _ range: ClosedRange<Int>) throws -> Int {
            guard let v = inv.option(name) else { return d }
            guard let n = Int(v), range.contains(n) else { throw RuleViolation(.inputInvalid, "--\(name) takes a whole number from \(range.lowerBound) to \(range.upperBound), not \(v).") }
            return n
        }
        let members = try int("members", 150, 12...1_000_000), months = try int("months", 18, 1...120)
        let seed = UInt64(try int("seed", 42, 0...Int(Int32.max)))
        let end = try inv.day("end") ?? Day(timestamp: systemClock())
        let start = Date()
        let s = try DemoCommunity.build(at: inv.dbPath, options: DemoOptions(members: members, months: months, seed: seed, endDay: end))
        let secs = Date().timeIntervalSince(start)
        let c = try Reader(path: inv.dbPath).counts()
        if inv.json {
            out(JSON.object(["db": .string(inv.dbPath), "members": .int(c.members), "exchanges": .int(c.exchanges), "confirmed": .int(c.confirmed),
                             "entries": .int(c.entries), "refused": .int(Int64(s.refused)), "ledger_head": s.head.json]).canonicalString)
        } else {
            out("Built a demo community at \(inv.dbPath) in \(String(format: "%.1f", secs)) s:")
            out("  \(c.members) members, \(c.exchanges) exchanges (\(c.confirmed) confirmed), \(c.entries) journal entries")
            out("  \(s.refused) commands refused by the rules, as in real use: " + s.refusals.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", "))
            out("  ledger head seq \(s.head.seq), hash \(s.head.hash)")
            out("Try: kring --db \(inv.dbPath) balance    kring --db \(inv.dbPath) exchange list    kring --db \(inv.dbPath) verify")
        }
        return 0
    },
    CommandSpec(path: "member add", summary: "register a member (coordinator)",
                usage: "kring member add ID --name NAME --kind person|company|association|initiative|municipality [--neighbourhood N] [--domains a,b]",
                options: ["name", "kind", "neighbourhood", "domains"], flags: ["json"], required: ["name", "kind"], positionals: 1...1) { inv in
        guard let kind = MemberKind(rawValue: inv.required("kind")), kind != .pool else {
            throw RuleViolation(.inputInvalid, "--kind is one of \(MemberKind.registrable.map(\.rawValue).joined(separator: ", ")), not \(inv.required("kind")).")
        }
        let domains = inv.option("domains").map { $0.split(separator: ",").map { String($0).trimmedSpaces } } ?? []
        let d = MemberDraft(id: inv.positionals[0], name: inv.required("name"), kind: kind, neighbourhood: inv.option("neighbourhood"), domains: domains)
        return try perform(inv, .addMember(d)) { _ in "Added \(d.id) (\(kind.rawValue))." }
    },
    CommandSpec(path: "member list", summary: "list members with their balances", usage: "kring member list [--kind K] [--status S] [--json]",
                options: ["kind", "status"], flags: ["json"]) { inv in
        let kind = try inv.option("kind").map { k throws -> MemberKind in
            guard let v = MemberKind(rawValue: k) else { throw RuleViolation(.inputInvalid, "--kind \(k) is not a member kind.") }
            return v
        }
        let status = try inv.option("status").map { s throws -> MemberStatus in
            guard let v = MemberStatus(rawValue: s) else { throw RuleViolation(.inputInvalid, "--status is active, suspended or left, not \(s).") }
            return v
        }
        let rows = try openReader(inv).members(kind: kind, status: status)
        if inv.json { out(JSON.array(rows.map(\.json)).canonicalString) } else { rows.forEach { out(memberLine($0)) } }
        return 0
    },
    CommandSpec(path: "member show", summary: "show one member", usage: "kring member show ID [--json]", flags: ["json"], positionals: 1...1) { inv in
        guard let r = try openReader(inv).member(inv.positionals[0]) else { throw RuleViolation(.memberNotFound, "There is no member \(inv.positionals[0]).") }
        if inv.json { out(r.json.canonicalString); return 0 }
        let i = r.state.info
        out("\(i.name) (\(i.id)), \(i.kind.rawValue), \(r.state.status.rawValue)")
        out("  neighbourhood: \(i.neighbourhood ?? "-")   domains: \(i.domains.isEmpty ? "-" : i.domains.joined(separator: ", "))   joined \(i.joined)")
        out("  balance \(r.state.balance)   floor \(r.floor)   ceiling \(r.ceiling.map(\.description) ?? "none")   given \(r.state.given)")
        return 0
    },
    CommandSpec(path: "member suspend", summary: "suspend a member (coordinator)", usage: "kring member suspend ID", flags: ["json"], positionals: 1...1) { inv in
        try perform(inv, .suspend(inv.positionals[0])) { _ in "Suspended \(inv.positionals[0])." }
    },
    CommandSpec(path: "member reinstate", summary: "reinstate a suspended member (coordinator)", usage: "kring member reinstate ID", flags: ["json"], positionals: 1...1) { inv in
        try perform(inv, .reinstate(inv.positionals[0])) { _ in "Reinstated \(inv.positionals[0])." }
    },
    CommandSpec(path: "member leave", summary: "end a membership, settling the balance against the pool", usage: "kring member leave ID", flags: ["json"], positionals: 1...1) { inv in
        try perform(inv, .leave(inv.positionals[0])) { o in
            guard case .memberLeft(_, let s, let c) = o.event else { return "" }
            let settled = s.map { $0.from == poolID ? "the pool settled a debt of \($0.minutes)" : "\($0.minutes) went to the pool" } ?? "the balance was zero"
            return "\(inv.positionals[0]) left; \(settled); \(c.count) open proposal(s) cancelled."
        }
    },
    CommandSpec(path: "member limits", summary: "show or override a member's floor and ceiling (coordinator)",
                usage: "kring member limits ID [--floor H|default] [--ceiling H|default] [--json]",
                options: ["floor", "ceiling"], flags: ["json"], positionals: 1...1) { inv in
        let id = inv.positionals[0]
        if inv.option("floor") == nil && inv.option("ceiling") == nil {
            guard let r = try openReader(inv).member(id) else { throw RuleViolation(.memberNotFound, "There is no member \(id).") }
            if inv.json {
                out(JSON.object(["member": .string(id), "floor_minutes": .int(r.floor.value), "ceiling_minutes": r.ceiling.map { .int($0.value) } ?? .null,
                                 "floor_override": r.state.floorOverride.map { .int($0.value) } ?? .null,
                                 "ceiling_override": r.state.ceilingOverride.map { .int($0.value) } ?? .null]).canonicalString)
            } else {
                out("\(id): floor \(r.floor)\(r.state.floorOverride == nil ? " (policy)" : " (override)"), ceiling \(r.ceiling.map(\.description) ?? "none")\(r.state.ceilingOverride == nil ? " (policy)" : " (override)")")
            }
            return 0
        }
        let floor: LimitChange = inv.option("floor") == "default" ? .clear : (try inv.signedAmount("floor")).map { .set($0) } ?? .keep
        let ceiling: LimitChange = inv.option("ceiling") == "default" ? .clear : (try inv.amount("ceiling")).map { .set($0) } ?? .keep
        return try perform(inv, .setLimits(id, floor: floor, ceiling: ceiling)) { _ in "Limits of \(id) updated." }
    },
    CommandSpec(path: "exchange propose", summary: "propose an exchange; the other side confirms",
                usage: "kring exchange propose --as MEMBER --provider ID[,ID…] --receiver ID[,ID…] --kind time|space|goods --domain DOMAIN --what TEXT --credits AMOUNT [--quantity Q] [--date YYYY-MM-DD]",
                options: exchangeOptions + ["as"], flags: ["json"], required: exchangeRequired + ["as"]) { inv in
        try perform(inv, .propose(try draft(inv)), by: .member(inv.required("as"))) { o in "Proposed \(o.event.exchangeID ?? ""); waiting for the other side to confirm." }
    },
    CommandSpec(path: "exchange record", summary: "record an exchange with both consents (coordinator, e.g. from a paper slip)",
                usage: "kring exchange record --provider ID[,ID…] --receiver ID[,ID…] --kind time|space|goods --domain DOMAIN --what TEXT --credits AMOUNT [--quantity Q] [--date YYYY-MM-DD] [--reason TEXT]",
                options: exchangeOptions + ["reason"], flags: ["json"], required: exchangeRequired) { inv in
        try perform(inv, .record(try draft(inv), reason: inv.option("reason"))) { o in "Recorded \(o.event.exchangeID ?? "")." }
    },
    CommandSpec(path: "exchange confirm", summary: "confirm a proposed exchange", usage: "kring exchange confirm EXCHANGE --as MEMBER",
                options: ["as"], flags: ["json"], required: ["as"], positionals: 1...1) { inv in
        try perform(inv, .confirm(inv.positionals[0]), by: .member(inv.required("as"))) { o in
            if case .exchangeConsented = o.event { return "\(inv.required("as")) consented to \(inv.positionals[0]); others have yet to." }
            return "Confirmed \(inv.positionals[0]); credits moved."
        }
    },
    CommandSpec(path: "exchange reject", summary: "reject a proposed exchange", usage: "kring exchange reject EXCHANGE --as MEMBER",
                options: ["as"], flags: ["json"], required: ["as"], positionals: 1...1) { inv in
        try perform(inv, .reject(inv.positionals[0]), by: .member(inv.required("as"))) { _ in "Rejected \(inv.positionals[0])." }
    },
    CommandSpec(path: "exchange cancel", summary: "cancel your own proposal", usage: "kring exchange cancel EXCHANGE --as MEMBER",
                options: ["as"], flags: ["json"], required: ["as"], positionals: 1...1) { inv in
        try perform(inv, .cancel(inv.positionals[0]), by: .member(inv.required("as"))) { _ in "Cancelled \(inv.positionals[0])." }
    },
    CommandSpec(path: "exchange reverse", summary: "reverse a confirmed exchange, once, with a reason (coordinator)",
                usage: "kring exchange reverse EXCHANGE --reason TEXT", options: ["reason"], flags: ["json"], required: ["reason"], positionals: 1...1) { inv in
        try perform(inv, .reverse(inv.positionals[0], reason: inv.required("reason"))) { _ in "Reversed \(inv.positionals[0])." }
    },
    CommandSpec(path: "exchange expire", summary: "expire (or auto-confirm) every proposal whose time has come", usage: "kring exchange expire", flags: ["json"]) { inv in
        let events = try openLedger(inv).expireDue()
        if inv.json { out(JSON.object(["expired": .array(events.compactMap { $0.exchangeID.map(JSON.string) })]).canonicalString) }
        else { out("\(events.count) proposal(s) reached their expiry.") }
        return 0
    },
    CommandSpec(path: "exchange list", summary: "list exchanges, newest first", usage: "kring exchange list [--member ID] [--state STATE] [--limit N] [--json]",
                options: ["member", "state", "limit"], flags: ["json"]) { inv in
        let state = try inv.option("state").map { s throws -> ExchangeState in
            guard let v = ExchangeState(rawValue: s) else {
                throw RuleViolation(.inputInvalid, "--state is one of \(ExchangeState.allCases.map(\.rawValue).joined(separator: ", ")), not \(s).")
            }
            return v
        }
        var limit = 1_000
        if let l = inv.option("limit") {
            guard let n = Int(l), n > 0, n <= Reader.maxRows else { throw RuleViolation(.inputInvalid, "--limit takes 1 to \(Reader.maxRows), not \(l).") }
            limit = n
        }
        let rows = try openReader(inv).exchanges(member: inv.option("member"), state: state, limit: limit)
        if inv.json { out(JSON.array(rows.map(\.json)).canonicalString) } else { rows.forEach { out(exchangeLine($0)) } }
        return 0
    },
    CommandSpec(path: "exchange show", summary: "show one exchange", usage: "kring exchange show EXCHANGE [--json]", flags: ["json"], positionals: 1...1) { inv in
        guard let r = try openReader(inv).exchange(inv.positionals[0]) else { throw RuleViolation(.exchangeNotFound, "There is no exchange \(inv.positionals[0]).") }
        if inv.json { out(r.json.canonicalString) } else {
            out(exchangeLine(r))
            out("  consents: \(r.record.consents.joined(separator: ", "))\(r.record.recorded ? " (recorded by the coordinator)" : "")")
            if let reason = r.record.reversalReason { out("  reversed: \(reason)") }
        }
        return 0
    },
    CommandSpec(path: "pool donate", summary: "donate credits to the solidarity pool", usage: "kring pool donate --from ID --credits AMOUNT",
                options: ["from", "credits"], flags: ["json"], required: ["from", "credits"]) { inv in
        let credits = try inv.amount("credits")!
        return try perform(inv, .donate(from: inv.required("from"), minutes: credits)) { _ in "\(inv.required("from")) donated \(credits) to the pool." }
    },
    CommandSpec(path: "pool grant", summary: "grant credits from the pool (coordinator)", usage: "kring pool grant --to ID --credits AMOUNT --reason TEXT",
                options: ["to", "credits", "reason"], flags: ["json"], required: ["to", "credits", "reason"]) { inv in
        let credits = try inv.amount("credits")!
        return try perform(inv, .grant(to: inv.required("to"), minutes: credits, reason: inv.required("reason"))) { _ in "Granted \(credits) to \(inv.required("to"))." }
    },
    CommandSpec(path: "balance", summary: "balances of every account, or of one", usage: "kring balance [ID] [--json]", flags: ["json"], positionals: 0...1) { inv in
        let r = try openReader(inv)
        if let id = inv.positionals.first {
            guard let b = try r.balance(id) else { throw RuleViolation(.memberNotFound, "There is no member \(id).") }
            if inv.json { out(JSON.object(["member": .string(id), "balance_minutes": .int(b.value)]).canonicalString) } else { out("\(id)  \(b.clock)  (\(b))") }
            return 0
        }
        let all = try r.balances()
        if inv.json { out(JSON.array(all.map { .object(["member": .string($0.member), "balance_minutes": .int($0.balance.value)]) }).canonicalString) }
        else { for (m, b) in all { out("\(m.padding(toLength: max(m.count, 28), withPad: " ", startingAt: 0)) \(b.clock)") } }
        return 0
    },
    CommandSpec(path: "statement", summary: "a member's postings with running balance", usage: "kring statement ID [--from DATE] [--to DATE] [--json]",
                options: ["from", "to"], flags: ["json"], positionals: 1...1) { inv in
        guard let s = try openReader(inv).statement(inv.positionals[0], from: try inv.day("from"), to: try inv.day("to")) else {
            throw RuleViolation(.memberNotFound, "There is no member \(inv.positionals[0]).")
        }
        if inv.json { out(s.json.canonicalString); return 0 }
        out("Statement of \(s.member)\(s.from.map { " from \($0)" } ?? "")\(s.to.map { " to \($0)" } ?? "")")
        out("  opening balance \(s.opening.clock)")
        for l in s.lines {
            out("  \(l.day)  \(l.minutes.value >= 0 ? "+" : "")\(l.minutes.clock)  = \(l.balance.clock)  \(l.exchange ?? l.kind)  \(l.counterparty)  \(l.description)")
        }
        out("  closing balance \(s.closing.clock)")
        out("  ledger head seq \(s.head.seq) hash \(s.head.hash)")
        return 0
    },
    CommandSpec(path: "export", summary: "export the ledger for hledger, as CSV or as JSON",
                usage: "kring export --format hledger|csv|json [--unit hours|minutes] [--table transfers|exchanges] [--out FILE]",
                options: ["format", "unit", "out", "table"], required: ["format"]) { inv in
        guard let unit = ExportUnit(rawValue: inv.option("unit") ?? "hours") else { throw RuleViolation(.inputInvalid, "--unit is hours or minutes.") }
        let reader = try openReader(inv)
        var buffer = [UInt8]()
        buffer.reserveCapacity(1 << 20)
        var sink: FileHandle = .standardOutput
        var tmpPath: String?
        if let path = inv.option("out") {
            tmpPath = path + ".partial"
            guard FileManager.default.createFile(atPath: tmpPath!, contents: nil), let h = FileHandle(forWritingAtPath: tmpPath!) else {
                throw StoreError("cannot write \(path)")
            }
            sink = h
        }
        let write: (String) -> Void = { s in
            buffer.append(contentsOf: s.utf8)
            if buffer.count > 1 << 20 { sink.write(Data(buffer)); buffer.removeAll(keepingCapacity: true) }
        }
        do {
            switch inv.required("format") {
            case "hledger": try Exporter.hledger(reader, unit: unit, write: write)
            case "json": try Exporter.json(reader, write: write)
            case "csv":
                switch inv.option("table") ?? "transfers" {
                case "transfers": try Exporter.transfersCSV(reader, write: write)
                case "exchanges": try Exporter.exchangesCSV(reader, write: write)
                default: throw RuleViolation(.inputInvalid, "--table is transfers or exchanges.")
                }
            default: throw RuleViolation(.inputInvalid, "--format is hledger, csv or json, not \(inv.required("format")).")
            }
        } catch {
            if let t = tmpPath { try? FileManager.default.removeItem(atPath: t) }
            throw error
        }
        sink.write(Data(buffer))
        if let t = tmpPath, let path = inv.option("out") {
            try sink.synchronize()
            try sink.close()
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: t, toPath: path)
        }
        return 0
    },
    CommandSpec(path: "verify", summary: "replay the journal and check the chain, projections and balances", usage: "kring verify [--json]", flags: ["json"]) { inv in
        let r = try Verifier.verify(path: inv.dbPath)
        if inv.json { out(r.json.canonicalString) }
        if let d = r.divergence {
            err("error[integrity]: the ledger diverges at seq \(d.seq): \(d.reason)")
            return 3
        }
        if !inv.json { out("OK: \(r.entries) journal entries verified; chain intact, projections and balances match, balances sum to zero. Head seq \(r.head?.seq ?? 0) hash \(r.head?.hash ?? "").") }
        return 0
    },
    CommandSpec(path: "policy show", summary: "the policy in force", usage: "kring policy show [--json]", flags: ["json"]) { inv in
        let p = try openReader(inv).policy()
        if inv.json { out(p.json.canonicalString); return 0 }
        for kind in MemberKind.allCases {
            let l = p.limits(for: kind)
            out("\(kind.rawValue): floor \(l.floor), ceiling \(l.ceiling.map(\.description) ?? "none")")
        }
        out("quantum \(Minutes.format(p.quantumMinutes)), max per exchange \(Minutes.format(p.maxExchangeMinutes)), equal time \(p.equalTime ? "on" : "off")")
        out("pair cap \(Minutes.format(p.pairCapMinutes)) per \(p.pairWindowDays) days, backdating \(p.backdatingDays) days, expiry \(p.proposalExpiryDays) days (\(p.expiryAction.rawValue))")
        out("warning margin \(Minutes.format(p.warningMarginMinutes)), earned floor \(p.earnedFloor.map { "from \(Minutes.format($0.startMinutes)), \(Minutes.format($0.minutesPerHourGiven)) per hour given, to \(Minutes.format($0.deepestMinutes))" } ?? "off")")
        out("domains: \(p.domains.joined(separator: ", "))")
        return 0
    },
    CommandSpec(path: "policy set", summary: "change one policy setting (coordinator); recorded in the journal",
                usage: "kring policy set NAME VALUE   (names: \(Policy.settingNames.joined(separator: ", ")))", flags: ["json"], positionals: 2...2) { inv in
        let ledger = try openLedger(inv)
        let p = try ledger.currentPolicy().setting(inv.positionals[0], to: inv.positionals[1])
        return report(try ledger.execute(.setPolicy(p), by: .coordinator), inv, "Policy \(inv.positionals[0]) set to \(inv.positionals[1]).")
    },
    CommandSpec(path: "help", summary: "help on every command, or on one", usage: "kring help [COMMAND]", positionals: 0...2) { inv in
        let wanted = inv.positionals.joined(separator: " ")
        if !wanted.isEmpty {
            let matches = commands.filter { $0.path == wanted || $0.path.hasPrefix(wanted + " ") }
            guard !matches.isEmpty else { throw UsageError(message: "no command \"\(wanted)\"", command: nil) }
            for c in matches { out("\(c.usage)\n    \(c.summary)") }
            return 0
        }
        out(helpText)
        return 0
    },
]

let helpText = """
kring: a time-bank ledger. One hour of anyone's time is one credit.

Usage: kring [--db PATH] COMMAND [OPTIONS]   (database: --db, else $KRING_DB, else ./kring.sqlite)
Amounts: 1.5, 1.5h, 90m or 1:30. Dates: YYYY-MM-DD. Read commands take --json.
Exit codes: 0 ok, 1 rule violation or bad input, 2 usage error, 3 storage or integrity failure.

Commands:
\(commands.map { "  \($0.path.padding(toLength: 18, withPad: " ", startingAt: 0)) \($0.summary)" }.joined(separator: "\n"))

`kring help COMMAND` or `kring COMMAND --help` shows a command's options.
"""
