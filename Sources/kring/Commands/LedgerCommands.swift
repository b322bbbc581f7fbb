import Foundation
import KringCore
import KringStore

/// Creating a ledger: empty, or the demo community.
let setupCommands: [CommandSpec] = [
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
            guard let n = Int(v), range.contains(n) else { throw ArgumentError(.inputInvalid, "--\(name) takes a whole number from \(range.lowerBound) to \(range.upperBound), not \(v).") }
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
            out("     kring --db \(inv.dbPath) stats    kring --db \(inv.dbPath) serve (then http://127.0.0.1:8080/stats)")
        }
        return 0
    }
]

/// The ledger as a whole: export, verify, policy and help.
let ledgerCommands: [CommandSpec] = [
    CommandSpec(path: "export", summary: "export the ledger for hledger, as CSV or as JSON",
                usage: "kring export --format hledger|csv|json [--unit hours|minutes] [--table transfers|exchanges] [--out FILE]",
                options: ["format", "unit", "out", "table"], required: ["format"]) { inv in
        guard let unit = ExportUnit(rawValue: inv.option("unit") ?? "hours") else { throw ArgumentError(.inputInvalid, "--unit is hours or minutes.") }
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
                default: throw ArgumentError(.inputInvalid, "--table is transfers or exchanges.")
                }
            default: throw ArgumentError(.inputInvalid, "--format is hledger, csv or json, not \(inv.required("format")).")
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
        if !inv.json {
            out("OK: \(r.entries) journal entries verified; chain intact, projections and balances match, balances sum to zero. Head seq \(r.head?.seq ?? 0) hash \(r.head?.hash ?? "").")
            if !r.legacyIDs.isEmpty {
                let listed = r.legacyIDs.prefix(20).map(String.init).joined(separator: ", ")
                out("Note: \(r.legacyIDs.count) entries written before typed identities hold an id in a form no longer accepted (like ex-012); they were read canonically. Seq \(listed)\(r.legacyIDs.count > 20 ? ", …" : "").")
            }
        }
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
