import Foundation

/// Content negotiation by `Accept` (RFC 9110 §12.5.1): each offered type gets the quality of the
/// most specific media range that matches it (`text/csv` before `text/*` before `*/*`); the
/// highest quality wins, the first offered on a tie; nothing acceptable (every match at q=0,
/// or none) is nil, which the route answers 406.
enum Negotiation {
    static func choose(_ accept: String?, offered: [String]) -> String? {
        guard let accept, !accept.trimmingCharacters(in: .whitespaces).isEmpty else { return offered.first }
        var ranges = [(type: String, subtype: String, q: Double)]()
        for part in accept.split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let media = fields.first?.lowercased(), !media.isEmpty else { continue }
            let ts = media.split(separator: "/", omittingEmptySubsequences: false)
            guard ts.count == 2, !ts[0].isEmpty, !ts[1].isEmpty else { continue }
            var q = 1.0
            for f in fields.dropFirst() {
                let kv = f.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                if kv.count == 2, kv[0] == "q" { q = Double(kv[1]).map { min(max($0, 0), 1) } ?? 0 }
            }
            ranges.append((String(ts[0]), String(ts[1]), q))
        }
        var best: (type: String, q: Double)?
        for type in offered {
            let ts = type.split(separator: "/").map(String.init)
            // The most specific matching range decides this type's quality.
            var match: (specificity: Int, q: Double)?
            for r in ranges {
                let specificity: Int
                if r.type == ts[0] && r.subtype == ts[1] { specificity = 3 }
                else if r.type == ts[0] && r.subtype == "*" { specificity = 2 }
                else if r.type == "*" && r.subtype == "*" { specificity = 1 }
                else { continue }
                if match == nil || specificity > match!.specificity { match = (specificity, r.q) }
            }
            guard let q = match?.q, q > 0 else { continue }
            if best == nil || q > best!.q { best = (type, q) }
        }
        return best?.type
    }
}
