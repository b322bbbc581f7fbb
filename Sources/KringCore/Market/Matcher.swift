import Foundation

/// What the matcher knows of a listing: its content and its author's kind and neighbourhood.
public struct MatchListing: Sendable, Equatable {
    public let info: ListingInfo
    public let authorKind: MemberKind
    /// The listing's place, else its author's neighbourhood.
    public let place: String?

    public init(info: ListingInfo, authorKind: MemberKind, place: String?) {
        self.info = info
        self.authorKind = authorKind
        self.place = place
    }
}

/// One suggested offer for a request, with its score and the reasons in one line.
public struct MatchSuggestion: Sendable, Equatable {
    public let offer: MatchListing
    public let score: Double
    /// Another policy domain than the request's: the connections social innovation grows from.
    public let crossDomain: Bool
    public let reason: String
}

/// The suggestions for one request.
public struct RequestMatches: Sendable, Equatable {
    public let request: MatchListing
    public let suggestions: [MatchSuggestion]
}

/// Connects open requests to open offers for the coordinator: best offers in the request's own
/// policy domain, and the best fitting ones from other domains. Never a member's own offers.
/// Scores: same domain 3, same kind (time, space, goods) 2, each shared word 2 (at most three),
/// same neighbourhood 1.5, a shared word in the availability 1. A suggestion needs at least a
/// shared word, or the same domain and kind.
public enum Matcher {
    /// Suggestions per request in its own domain, and from other domains.
    public static let sameDomainSuggestions = 3
    public static let crossDomainSuggestions = 2

    /// Words too common to connect anyone (Dutch and English).
    static let stopwords: Set<String> = [
        "de", "het", "een", "en", "van", "voor", "met", "op", "in", "te", "is", "ik", "je", "jij", "we", "wij", "die", "dat", "naar",
        "bij", "om", "aan", "uit", "ook", "of", "er", "zijn", "mijn", "onze", "ons", "uw", "wie", "wat", "waar", "nog", "als", "tot",
        "the", "a", "an", "and", "for", "with", "of", "to", "on", "my", "your", "our", "or", "at", "by", "from", "who", "what",
        "gezocht", "looking", "someone", "iemand", "hulp", "help", "graag",
    ]

    /// Words of a text, lower-case and without accents, stopwords and words under three letters left out.
    public static func words(_ text: String) -> Set<String> {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
        var out = Set<String>()
        var current = ""
        func flush() {
            if current.count >= 3, !stopwords.contains(current) { out.insert(current) }
            current = ""
        }
        for ch in folded {
            if ch.isLetter || ch.isNumber { current.append(ch) } else { flush() }
        }
        flush()
        return out
    }

    /// Suggestions for every request (or the ones given), from `offers`.
    public static func match(requests: [MatchListing], offers: [MatchListing]) -> [RequestMatches] {
        // An inverted index of the offers' words keeps this far from requests x offers.
        let offerWords = offers.map { words($0.info.title + " " + $0.info.text) }
        let offerAvailability = offers.map { words($0.info.availability ?? "") }
        var byWord = [String: [Int]]()
        var byDomainKind = [String: [Int]]()
        for (i, o) in offers.enumerated() {
            for w in offerWords[i] { byWord[w, default: []].append(i) }
            byDomainKind["\(o.info.domain)/\(o.info.kind.rawValue)", default: []].append(i)
        }
        return requests.map { r in
            let rw = words(r.info.title + " " + r.info.text)
            let ra = words(r.info.availability ?? "")
            var candidates = Set(byDomainKind["\(r.info.domain)/\(r.info.kind.rawValue)"] ?? [])
            for w in rw { candidates.formUnion(byWord[w] ?? []) }
            var same = [MatchSuggestion](), cross = [MatchSuggestion]()
            for i in candidates {
                let o = offers[i]
                guard o.info.author != r.info.author else { continue }
                var score = 0.0
                var reasons = [String]()
                let sameDomain = o.info.domain == r.info.domain
                if sameDomain { score += 3; reasons.append("same domain \(o.info.domain)") } else { reasons.append("across domains: \(o.info.domain) for \(r.info.domain)") }
                if o.info.kind == r.info.kind { score += 2; reasons.append("same kind \(o.info.kind.rawValue)") }
                let shared = rw.intersection(offerWords[i]).sorted()
                if !shared.isEmpty { score += 2 * Double(min(3, shared.count)); reasons.append("shared words \(shared.prefix(3).joined(separator: ", "))") }
                if let p = r.place, p == o.place { score += 1.5; reasons.append("same neighbourhood \(p)") }
                let when = ra.intersection(offerAvailability[i]).sorted()
                if !when.isEmpty { score += 1; reasons.append("available \(when.joined(separator: ", "))") }
                guard !shared.isEmpty || (sameDomain && o.info.kind == r.info.kind) else { continue }
                let s = MatchSuggestion(offer: o, score: score, crossDomain: !sameDomain, reason: reasons.joined(separator: "; "))
                if sameDomain { same.append(s) } else { cross.append(s) }
            }
            func best(_ list: [MatchSuggestion], _ n: Int) -> [MatchSuggestion] {
                Array(list.sorted { ($0.score, ListingInfo.number($0.offer.info.id)) > ($1.score, ListingInfo.number($1.offer.info.id)) }.prefix(n))
            }
            return RequestMatches(request: r, suggestions: best(same, sameDomainSuggestions) + best(cross, crossDomainSuggestions))
        }
    }
}
