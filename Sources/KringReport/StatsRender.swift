import KringCore

/// The report as JSON, CSV and a self-contained HTML page (docs/statistics.md).
extension StatsReport {
    /// Canonical JSON: the ledger head and policy it was computed at, the columns, and every
    /// table with its cells; a withheld cell is `{"suppressed": true}`.
    public var json: JSON {
        var cols: [JSON] = periods.map { .object(["label": .string($0.label), "first": .string($0.first.description), "last": .string($0.last.description)]) }
        cols.append(.object(["label": .string("all"), "first": .string(from.description), "last": .string(to.description)]))
        return .object([
            "ledger_head": .object(["seq": .int(headSeq), "hash": .string(headHash)]),
            "policy": policy.json, "period": .string(period.rawValue), "from": .string(from.description), "to": .string(to.description),
            "k": .int(Int64(k)), "columns": .array(cols),
            "tables": .array(tables.map { t in
                .object(["name": .string(t.name), "measures": .array(t.measures.map(JSON.string)),
                         "rows": .array(t.categories.enumerated().map { r, category in
                             .object(["category": .string(category), "cells": .array(t.cells[r].map { cell in
                                 cell.suppressed ? .object(["suppressed": .bool(true)])
                                     : .object(Dictionary(uniqueKeysWithValues: t.measures.map { ($0, JSON.int(cell.values[$0] ?? 0)) }))
                             })])
                         })])
            }),
        ])
    }

    /// CSV (RFC 4180): `table,category,period,measure,value,suppressed`, one line per value; a
    /// withheld value is empty with `suppressed` 1. The first lines (table `meta`) give the
    /// ledger head, the range, k and the policy.
    public var csv: String {
        func field(_ s: String) -> String { csvText(s) }
        var lines = ["table,category,period,measure,value,suppressed"]
        let meta: [(String, String)] = [("ledger_head_seq", String(headSeq)), ("ledger_head_hash", headHash), ("from", from.description),
                                        ("to", to.description), ("period", period.rawValue), ("k", String(k)), ("policy", policy.json.canonicalString)]
        for (name, value) in meta { lines.append("meta,\(name),all,value,\(field(value)),0") }
        let cols = columns
        for t in tables {
            for (r, category) in t.categories.enumerated() {
                for (c, cell) in t.cells[r].enumerated() {
                    for m in t.measures {
                        lines.append("\(t.name),\(field(category)),\(cols[c]),\(m),\(cell.suppressed ? "" : String(cell.values[m] ?? 0)),\(cell.suppressed ? 1 : 0)")
                    }
                }
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}

/// The breakdowns `--by` picks.
public enum StatsBreakdown: String, Sendable, CaseIterable {
    case domain, kind
    case memberKind = "member-kind"
    case neighbourhood

    var tables: [String] {
        switch self {
        case .domain: ["domain", "expert_sessions"]
        case .kind: ["kind", "gifts"]
        case .memberKind: ["given_by", "received_by", "who_helps_whom"]
        case .neighbourhood: ["neighbourhood"]
        }
    }
}

extension StatsReport {
    static let breakdownTables: Set<String> = ["kind", "gifts", "domain", "expert_sessions", "given_by", "received_by", "who_helps_whom", "neighbourhood"]

    /// The report with only one breakdown (and the totals and member figures). Withholding was
    /// decided on the whole report, so the smaller one is as safe.
    public func only(_ by: StatsBreakdown?) -> StatsReport {
        guard let by else { return self }
        var r = self
        r.tables = tables.filter { !StatsReport.breakdownTables.contains($0.name) || by.tables.contains($0.name) }
        return r
    }

    /// A few lines for people: totals per period and the key figures of the whole range.
    public var text: String {
        let last = columns.count - 1
        let w = Words(lang: .en)
        func s(_ x: Int64?, h: Bool = false) -> String { x.map { h ? hours($0, w) : String($0) } ?? "-" }
        var lines = ["Statistics \(from) to \(to) by \(period.rawValue), k = \(k), at ledger head seq \(headSeq) (\(headHash.prefix(16))…)"]
        lines.append("period        exchanges     hours   active")
        for c in 0...last {
            let label = c == last ? "all" : periods[c].label
            lines.append(label.padding(toLength: 12, withPad: " ", startingAt: 0)
                         + s(value("total", "all", c, "exchanges")).leftPad(11) + s(value("total", "all", c, "credits"), h: true).leftPad(10)
                         + s(value("members", "active", c, "members")).leftPad(9))
        }
        lines.append("pairs connected \(s(value("connections", "pairs", last, "pairs"))), largest group \(s(value("connections", "largest_group", last, "permille")))‰, gini \(s(value("balances", "gini", last, "permille")))‰; '-' is withheld for privacy")
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
