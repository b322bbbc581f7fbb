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
    /// Why it fits, piece by piece (the pages say it in their language).
    public let reasons: MatchReasons
    /// The reasons in one English line (the CLI and the API).
    public var reason: String { reasons.english }
}

/// Why an offer fits a request.
public struct MatchReasons: Sendable, Equatable {
    /// The offer's domain, and the request's.
    public let domain: String, requestDomain: String
    /// The kind both share (time, space, goods), if they do.
    public let sameKind: ExchangeKind?
    /// Words of the request found in the offer (at most three, in order).
    public let sharedWords: [String]
    /// The neighbourhood both are in, if they are.
    public let samePlace: String?
    /// Words of both availabilities.
    public let sharedAvailability: [String]

    public var english: String {
        var reasons = [String]()
        if domain == requestDomain { reasons.append("same domain \(domain)") } else { reasons.append("across domains: \(domain) for \(requestDomain)") }
        if let k = sameKind { reasons.append("same kind \(k.rawValue)") }
        if !sharedWords.isEmpty { reasons.append("shared words \(sharedWords.joined(separator: ", "))") }
        if let p = samePlace { reasons.append("same neighbourhood \(p)") }
        if !sharedAvailability.isEmpty { reasons.append("available \(sharedAvailability.joined(separator: ", "))") }
        return reasons.joined(separator: "; ")
    }
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
/// shared word, or the same domain and kind. Words found in more than 5% of the offers (and in
/// more than 50) are too common to connect anyone and do not count.
public enum Matcher {
    /// Suggestions per request in its own domain, and from other domains.
    public static let sameDomainSuggestions = 3
    public static let crossDomainSuggestions = 2
    /// Below this many offers, no word is too common to count.
    public static let minimumCommonWordOffers = 50

    /// Words too common to connect anyone (Dutch and English).
    static let stopwords: Set<String> = [
        "de", "het", "een", "en", "van", "voor", "met", "op", "in", "te", "is", "ik", "je", "jij", "we", "wij", "die", "dat", "naar",
        "bij", "om", "aan", "uit", "ook", "of", "er", "zijn", "mijn", "onze", "ons", "uw", "wie", "wat", "waar", "nog", "als", "tot",
        "the", "a", "an", "and", "for", "with", "of", "to", "on", "my", "your", "our", "or", "at", "by", "from", "who", "what",
        "gezocht", "looking", "someone", "iemand", "hulp", "help", "graag",
    ]

    /// Words of a text, lower-case and without accents (`String.folded`), stopwords and words under three letters left out.
    public static func words(_ text: String) -> Set<String> {
        let folded = text.folded
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

    /// Suggestions for every request, from `offers`.
    ///
    /// Scoring runs on an inverted index of word ids: each request walks the posting lists of its
    /// own words (and its domain and kind), counting shared words per offer in a flat array, so
    /// the work grows with the postings touched, not with requests x offers. Reasons are written
    /// for the winners only.
    public static func match(requests: [MatchListing], offers: [MatchListing]) -> [RequestMatches] {
        var wordIDs = [String: Int32]()
        func ids(_ words: Set<String>) -> [Int32] {
            words.map { w in
                if let id = wordIDs[w] { return id }
                let id = Int32(wordIDs.count)
                wordIDs[w] = id
                return id
            }.sorted()
        }
        // Everything compared in the inner loop becomes an integer.
        var names = [String: Int32]()
        func nameID(_ s: String?) -> Int32 {
            guard let s else { return -1 }
            if let id = names[s] { return id }
            let id = Int32(names.count)
            names[s] = id
            return id
        }
        let n = offers.count
        let offerWords = offers.map { ids(words($0.info.title + " " + $0.info.text)) }
        let offerAvailability = offers.map { ids(words($0.info.availability ?? "")) }
        let offerAuthor = offers.map { nameID($0.info.author.handle) }, offerDomain = offers.map { nameID($0.info.domain) }
        let offerKind = offers.map { nameID($0.info.kind.rawValue) }, offerPlace = offers.map { nameID($0.place) }
        let offerNumber = offers.map { $0.info.id.number }
        var postings = [[Int32]](repeating: [], count: wordIDs.count)
        for i in 0..<n { for w in offerWords[i] { postings[Int(w)].append(Int32(i)) } }
        var byDomainKind = [Int64: [Int32]]()
        for i in 0..<n { byDomainKind[Int64(offerDomain[i]) << 32 | Int64(offerKind[i]), default: []].append(Int32(i)) }

        // A word in more than 5% of the offers (and in more than 50) connects everyone with
        // everyone: like a stopword, it does not count.
        let commonWordOffers = max(minimumCommonWordOffers, n / 20)
        var shared = [UInt16](repeating: 0, count: n)
        var seen = [Int32](repeating: -1, count: n)
        var touched = [Int32]()
        touched.reserveCapacity(1024)
        var results = [RequestMatches]()
        results.reserveCapacity(requests.count)

        for (ri, r) in requests.enumerated() {
            let mark = Int32(ri)
            // The request's words that count: known to some offer and not too common.
            let rWords = words(r.info.title + " " + r.info.text).filter { w in
                wordIDs[w].map { postings[Int($0)].count <= commonWordOffers } ?? false
            }
            let rAvailability = Set(words(r.info.availability ?? "").compactMap { wordIDs[$0] })
            let rAuthor = nameID(r.info.author.handle), rDomain = nameID(r.info.domain), rKind = nameID(r.info.kind.rawValue)
            let rPlace = r.place.map { nameID($0) } ?? -2
            touched.removeAll(keepingCapacity: true)
            for w in rWords {
                for o in postings[Int(wordIDs[w]!)] {
                    let i = Int(o)
                    if seen[i] != mark { seen[i] = mark; shared[i] = 0; touched.append(o) }
                    shared[i] &+= 1
                }
            }
            for o in byDomainKind[Int64(rDomain) << 32 | Int64(rKind)] ?? [] {
                let i = Int(o)
                if seen[i] != mark { seen[i] = mark; shared[i] = 0; touched.append(o) }
            }

            // The best few per list, kept sorted by (score, newer first).
            var same = [(score: Double, n: Int64, i: Int32)](), cross = [(score: Double, n: Int64, i: Int32)]()
            func keep(_ list: inout [(score: Double, n: Int64, i: Int32)], _ c: (score: Double, n: Int64, i: Int32), _ limit: Int) {
                if list.count == limit, (c.score, c.n) <= (list[limit - 1].score, list[limit - 1].n) { return }
                list.append(c)
                list.sort { ($0.score, $0.n) > ($1.score, $1.n) }
                if list.count > limit { list.removeLast() }
            }
            for o in touched {
                let i = Int(o)
                guard offerAuthor[i] != rAuthor else { continue }
                let sameDomain = offerDomain[i] == rDomain, sameKind = offerKind[i] == rKind
                let sharedCount = Int(shared[i])
                guard sharedCount > 0 || (sameDomain && sameKind) else { continue }
                var score = (sameDomain ? 3 : 0) + (sameKind ? 2 : 0) + 2 * Double(min(3, sharedCount))
                if offerPlace[i] == rPlace { score += 1.5 }
                if !rAvailability.isEmpty, offerAvailability[i].contains(where: rAvailability.contains) { score += 1 }
                if sameDomain { keep(&same, (score, offerNumber[i], o), sameDomainSuggestions) } else { keep(&cross, (score, offerNumber[i], o), crossDomainSuggestions) }
            }
            let suggestions = (same + cross).map { c -> MatchSuggestion in
                let o = offers[Int(c.i)]
                return MatchSuggestion(offer: o, score: c.score, crossDomain: o.info.domain != r.info.domain, reasons: reasons(r, o, rWords))
            }
            results.append(RequestMatches(request: r, suggestions: suggestions))
        }
        return results
    }

    /// Why an offer fits a request.
    static func reasons(_ r: MatchListing, _ o: MatchListing, _ requestWords: Set<String>) -> MatchReasons {
        let shared = requestWords.intersection(words(o.info.title + " " + o.info.text)).sorted()
        let when = words(r.info.availability ?? "").intersection(words(o.info.availability ?? "")).sorted()
        return MatchReasons(domain: o.info.domain, requestDomain: r.info.domain, sameKind: o.info.kind == r.info.kind ? o.info.kind : nil,
                            sharedWords: Array(shared.prefix(3)), samePlace: r.place.flatMap { $0 == o.place ? $0 : nil }, sharedAvailability: when)
    }
}

extension String {
    /// Lower case without accents (`Élise` → `elise`): how matching and finding members by
    /// name compare words.
    public var folded: String { folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased() }
}
