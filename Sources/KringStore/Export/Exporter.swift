import KringCore

/// The unit amounts are exported in.
public enum ExportUnit: String, Sendable, CaseIterable {
    case hours, minutes
}

/// Exports for the tools accountants trust: an hledger journal, CSV and JSON. Text goes to
/// `write` in pieces; the caller buffers.
public enum Exporter {
    /// The hledger commodity of each unit.
    static func commodity(_ unit: ExportUnit) -> String { unit == .hours ? "H" : "MIN" }

    /// An amount exactly: hours with two decimals (only when exact), or whole minutes.
    public static func amount(_ minutes: Int64, unit: ExportUnit) -> String? {
        switch unit {
        case .minutes: return "\(minutes) MIN"
        case .hours:
            guard minutes % 3 == 0 else { return nil }
            let hundredths = minutes * 100 / 60
            let sign = hundredths < 0 ? "-" : ""
            let m = hundredths.magnitude
            let frac = m % 100
            return "\(sign)\(m / 100).\(frac < 10 ? "0" : "")\(frac) H"
        }
    }

    /// Writes an hledger journal: one transaction per transfer, dated by when it was posted,
    /// accounts `members:ID`, and at the end of each month a zero-amount transaction asserting
    /// the balance of every account that moved that month.
    /// - Throws: `RuleViolation(.inputAmount)` when `unit` is hours and an amount is not exact in hours.
    public static func hledger(_ reader: Reader, unit: ExportUnit, write: (String) -> Void) throws {
        let policy = try reader.policy()
        if unit == .hours {
            var inexact: TransferRow?
            try reader.forEachTransfer { t in if inexact == nil, t.minutes.value % 3 != 0 { inexact = t } }
            if let t = inexact {
                throw RuleViolation(.inputAmount, .notExactHours(minutes: t.minutes.value, seq: t.seq))
            }
        }
        let head = try reader.head()
        write("; Kring ledger export: one account per member, amounts in \(unit.rawValue).\n")
        write("; ledger head seq \(head.seq) hash \(head.hash)\n\n")
        var balances = [String: Int64]()
        var moved = [String]()
        var movedSet = Set<String>()
        var month: String?
        var lastDay = Day(0)
        func closeMonth() {
            guard !moved.isEmpty else { return }
            let end = lastDay.startOfNextMonth - 1
            write("\(end) * end of month balances\n")
            for a in moved.sorted() {
                write("    members:\(a)  \(amount(0, unit: unit)!) = \(amount(balances[a]!, unit: unit)!)\n")
            }
            write("\n")
            moved.removeAll()
            movedSet.removeAll()
        }
        try reader.forEachTransfer { t in
            let day = policy.day(t.timestamp)
            if month != day.monthKey { closeMonth(); month = day.monthKey }
            lastDay = day
            var desc: String
            switch t.kind {
            case .exchange: desc = "\(t.exchange?.description ?? "") \(t.exchangeKind?.rawValue ?? "")/\(t.domain ?? ""): \(t.what ?? "")"
            case .reversal: desc = "\(t.exchange?.description ?? "") reversal: \(t.what ?? "")"
            case .donation, .grant, .settlement: desc = t.kind.rawValue
            }
            desc = String(desc.map { $0 == ";" || $0 == "\n" || $0 == "\r" || $0 == "|" ? " " : $0 })
            write("\(day) * \(desc)\n    ; seq:\(t.seq)\n")
            write("    members:\(t.payee.handle)  \(amount(t.minutes.value, unit: unit)!)\n")
            write("    members:\(t.payer.handle)  \(amount(-t.minutes.value, unit: unit)!)\n\n")
            balances[t.payee.handle, default: 0] += t.minutes.value
            balances[t.payer.handle, default: 0] -= t.minutes.value
            for a in [t.payee.handle, t.payer.handle] where !movedSet.contains(a) { movedSet.insert(a); moved.append(a) }
        }
        closeMonth()
    }

    /// Transfers as CSV, one row each, in journal order.
    public static func transfersCSV(_ reader: Reader, write: (String) -> Void) throws {
        let policy = try reader.policy()
        write("seq,date,timestamp,kind,exchange,payer,payee,minutes,exchange_kind,domain,description\n")
        try reader.forEachTransfer { t in
            // Numbers as numbers; text through `csvText` (quoted, formulas neutralised).
            let fields = [String(t.seq), policy.day(t.timestamp).description, String(t.timestamp), csvText(t.kind.rawValue), csvText(t.exchange?.description ?? ""),
                          csvText(t.payer.handle), csvText(t.payee.handle), String(t.minutes.value), csvText(t.exchangeKind?.rawValue ?? ""), csvText(t.domain ?? ""),
                          csvText(t.what ?? "")]
            write(fields.joined(separator: ",") + "\n")
        }
    }

    /// Exchanges as CSV, one row each, by id. Parties are `;`-separated.
    public static func exchangesCSV(_ reader: Reader, write: (String) -> Void) throws {
        write("id,state,date,kind,domain,providers,receivers,credits_minutes,quantity,measure,proposer,recorded_by_coordinator,what,reason,reversal_reason\n")
        try reader.forEachExchange { r in
            let i = r.record.info
            let fields = [csvText(i.id.description), r.record.state.rawValue, i.date.description, i.kind.rawValue, csvText(i.domain),
                          csvText(i.providers.map(\.handle).joined(separator: ";")), csvText(i.receivers.map(\.handle).joined(separator: ";")),
                          String(i.credits.value), String(i.quantity), i.kind.measure, csvText(i.proposer?.handle ?? ""),
                          r.record.recorded ? "true" : "false", csvText(i.what), csvText(r.reason ?? ""), csvText(r.record.reversalReason ?? "")]
            write(fields.joined(separator: ",") + "\n")
        }
    }

    /// `{"ledger_head": …, "exchanges": […], "transfers": […]}`, streamed.
    public static func json(_ reader: Reader, write: (String) -> Void) throws {
        let policy = try reader.policy()
        write("{\"ledger_head\":\(try reader.head().json.canonicalString),\"exchanges\":[")
        var first = true
        try reader.forEachExchange { r in
            write((first ? "\n" : ",\n") + r.json.canonicalString)
            first = false
        }
        write("\n],\"transfers\":[")
        first = true
        try reader.forEachTransfer { t in
            let j = JSON.object([
                "seq": .int(t.seq), "date": .string(policy.day(t.timestamp).description), "timestamp": .int(t.timestamp),
                "kind": .string(t.kind.rawValue), "exchange": .id(t.exchange), "payer": .id(t.payer),
                "payee": .id(t.payee), "minutes": .int(t.minutes.value),
            ])
            write((first ? "\n" : ",\n") + j.canonicalString)
            first = false
        }
        write("\n]}\n")
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
