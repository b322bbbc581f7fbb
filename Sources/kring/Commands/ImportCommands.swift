import Foundation
import KringCore
import KringStore

/// Bringing a circle over from another time bank (docs/import.md): a new ledger with the
/// source's members, history and posts, all or nothing, with a dry run.
let importCommands: [CommandSpec] = [
    CommandSpec(path: "import timeoverflow", summary: "start a new ledger from a TimeOverflow time bank: its report downloads or its admin upload files",
                usage: "kring import timeoverflow --db NEW --members FILE --transfers FILE [--offers FILE] [--inquiries FILE] [--posts FILE] [--mapping FILE] [--dry-run] [--json]",
                options: ["members", "transfers", "offers", "inquiries", "posts", "mapping"], flags: ["dry-run", "json"], required: ["members", "transfers"]) { inv in
        let reader = try importReader(inv)
        let plan = reader.timeOverflow(members: try importFile(inv, "members")!, transfers: try importFile(inv, "transfers")!,
                                       offers: try importFile(inv, "offers"), inquiries: try importFile(inv, "inquiries"), adminPosts: try importFile(inv, "posts"))
        return try runImport(inv, plan)
    },
    CommandSpec(path: "import csv", summary: "start a new ledger from the generic CSV (members and exchanges, docs/import.md)",
                usage: "kring import csv --db NEW --members FILE --exchanges FILE [--mapping FILE] [--dry-run] [--json]",
                options: ["members", "exchanges", "mapping"], flags: ["dry-run", "json"], required: ["members", "exchanges"]) { inv in
        let plan = try importReader(inv).generic(members: try importFile(inv, "members")!, exchanges: try importFile(inv, "exchanges")!)
        return try runImport(inv, plan)
    },
    CommandSpec(path: "import mapping", summary: "print the default mapping of source categories to policy domains, to copy and edit",
                usage: "kring import mapping") { _ in
        out(ImportMapping.defaultText)
        return 0
    },
]

/// The file named by `--name`, read whole; nil when the option is not given.
private func importFile(_ inv: Invocation, _ name: String) throws -> ImportFile? {
    guard let path = inv.option(name) else { return nil }
    guard let data = FileManager.default.contents(atPath: path) else { throw ArgumentError(.inputInvalid, "--\(name): cannot read \(path).") }
    do { return try ImportFile(name: (path as NSString).lastPathComponent, data: data) } catch { throw ArgumentError(error.code, error.description) }
}

private func importReader(_ inv: Invocation) throws -> ImportReader {
    var mapping = ImportMapping.standard
    if let path = inv.option("mapping") {
        guard let text = FileManager.default.contents(atPath: path).flatMap({ String(data: $0, encoding: .utf8) }) else {
            throw ArgumentError(.inputInvalid, "--mapping: cannot read \(path).")
        }
        do { mapping = try ImportMapping(text: text, policyDomains: Policy.standard.domains) } catch { throw ArgumentError(error.code, error.description) }
    }
    return ImportReader(mapping: mapping)
}

/// Runs the plan; every problem on standard error at its file and line; exit 1 when any.
private func runImport(_ inv: Invocation, _ plan: ImportPlan) throws -> Int32 {
    let dry = inv.flag("dry-run")
    guard !FileManager.default.fileExists(atPath: inv.dbPath) else {
        throw ArgumentError(.inputInvalid, "\(inv.dbPath) exists; an import starts a new ledger and never writes into one (so the same files are never imported twice).")
    }
    let started = Date()
    let outcome = try Importer.run(plan, to: inv.dbPath, now: systemClock(), dryRun: dry)
    let seconds = Date().timeIntervalSince(started)
    for p in outcome.problems { err(p.description) }
    if inv.json {
        out(JSON.object(["db": .string(inv.dbPath), "dry_run": .bool(dry), "ok": .bool(outcome.ok), "members": .int(Int64(outcome.members)),
                         "exchanges": .int(Int64(outcome.exchanges)), "listings": .int(Int64(outcome.listings)), "balances_checked": .int(Int64(outcome.checked)),
                         "left_out": .array(plan.leftOut.map(JSON.string)), "problems": .array(outcome.problems.map { p in
                             .object(["file": .string(p.file), "line": .int(Int64(p.line)), "code": .string(p.code.rawValue), "sentence": .string(p.sentence)])
                         }), "ledger_head": outcome.head?.json ?? .null]).canonicalString)
    } else {
        if !plan.leftOut.isEmpty { out("Left out (Kring keeps no contact data): \(plan.leftOut.joined(separator: ", ")).") }
        func count(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
        let what = [count(outcome.members, "member", "members"), count(outcome.exchanges, "exchange", "exchanges"),
                    count(outcome.listings, "offer or request", "offers and requests")].joined(separator: ", ")
        if !outcome.ok {
            out("\(outcome.problems.count) problem\(outcome.problems.count == 1 ? "" : "s"); nothing was written. (\(what) read.)")
        } else if dry {
            out("Dry run: \(what) would be imported" + (outcome.checked > 0 ? "; \(outcome.checked) balances agree with the source" : "") + ". Nothing was written.")
        } else {
            out("Imported \(what) into \(inv.dbPath) in \(String(format: "%.1f", seconds)) s" + (outcome.checked > 0 ? "; \(outcome.checked) balances agree with the source" : "") + ".")
            if let h = outcome.head { out("Ledger head seq \(h.seq), hash \(h.hash.prefix(16))…. Next:") }
            Importer.nextSteps(plan, path: inv.dbPath).forEach { out("  " + $0) }
        }
    }
    return outcome.ok ? 0 : 1
}
