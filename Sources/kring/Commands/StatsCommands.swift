import Foundation
import KringCore
import KringReport
import KringStore

/// The statistics the municipality publishes.
let statsCommands: [CommandSpec] = [
    CommandSpec(path: "stats", summary: "privacy-safe statistics: JSON, CSV or a self-contained HTML page",
                usage: "kring stats [--period month|quarter|year] [--from DATE] [--to DATE] [--by domain|kind|member-kind|neighbourhood] [--k 5] [--format text|json|csv|html] [--lang nl|en] [--out FILE]",
                options: ["period", "from", "to", "by", "k", "format", "lang", "out"], flags: ["json"]) { inv in
        func pick<T: RawRepresentable & CaseIterable>(_ name: String, _ d: T?) throws -> T? where T.RawValue == String {
            guard let v = inv.option(name) else { return d }
            guard let t = T(rawValue: v) else {
                throw ArgumentError(.inputInvalid, "--\(name) is one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), not \(v).")
            }
            return t
        }
        let period = try pick("period", StatsPeriod.month)!
        let by: StatsBreakdown? = try pick("by", nil)
        let lang = try pick("lang", StatsLanguage.nl)!
        let format = inv.json ? "json" : inv.option("format") ?? "text"
        guard ["text", "json", "csv", "html"].contains(format) else { throw ArgumentError(.inputInvalid, "--format is text, json, csv or html, not \(format).") }
        var k = 5
        if let t = inv.option("k") {
            guard let n = Int(t), (1...1_000).contains(n) else { throw ArgumentError(.inputInvalid, "--k is a number of members from 1 to 1000, not \(t).") }
            k = n
        }
        let from = try inv.day("from"), to = try inv.day("to")
        let input = try openReader(inv).statsInput(parallel: true)
        try Statistics.validate(input, from: from, to: to)
        // Both cores, as the facts were read: the server keeps to one thread per report.
        let report = Statistics.report(input, period: period, from: from, to: to, k: k,
                                       concurrently: { DispatchQueue.concurrentPerform(iterations: $0, execute: $1) }).only(by)
        let output: String
        switch format {
        case "json": output = report.json.canonicalString + "\n"
        case "csv": output = report.csv
        case "html": output = report.html(lang)
        default: output = report.text + "\n"
        }
        if let path = inv.option("out") {
            do { try Data(output.utf8).write(to: URL(fileURLWithPath: path)) } catch {
                throw StoreError("cannot write \(path): \(error.localizedDescription)")
            }
            err("Wrote \(format) statistics to \(path) (ledger head seq \(report.headSeq)).")
        } else {
            write(output, to: .standardOutput)
        }
        return 0
    },
]
