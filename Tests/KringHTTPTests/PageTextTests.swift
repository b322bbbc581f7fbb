import Foundation
import KringCore
@testable import KringHTTP
import KringStore
import KringTestSupport
import Testing

/// Every word a page shows comes from the language tables (Words.swift): none is written in
/// the pages' code, and a page in one language shows no sentence of the other.
@Suite("Page text", .serialized)
struct PageTextTests {
    static let webSources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/KringHTTP/Web")

    /// The text of the string literal that starts at `i` (just after its opening quote), with
    /// the text of literals nested in its interpolations, and the index after its closing quote.
    static func literal(_ s: [Character], from start: Int) -> (text: String, end: Int) {
        var text = "", i = start
        while i < s.count {
            let c = s[i]
            if c == "\"" { return (text, i + 1) }
            if c == "\\", i + 1 < s.count {
                if s[i + 1] == "(" {
                    // An interpolation: code up to the balancing parenthesis; its literals count.
                    var depth = 1
                    i += 2
                    while i < s.count, depth > 0 {
                        if s[i] == "\"" {
                            let inner = literal(s, from: i + 1)
                            text += inner.text
                            i = inner.end
                            continue
                        }
                        if s[i] == "(" { depth += 1 } else if s[i] == ")" { depth -= 1 }
                        i += 1
                    }
                    continue
                }
                i += 2
                continue
            }
            text.append(c)
            i += 1
        }
        return (text, i)
    }

    @Test("no page text is written in the pages' code: every literal given as text has no letters (the two language names aside)")
    func noTextInCode() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.webSources.path).filter { $0.hasSuffix(".swift") && $0 != "Words.swift" }
        #expect(files.contains("Web.swift") && files.contains("Web+Listings.swift"))
        // Autonyms: a language is offered in its own name, whatever the page's language.
        let allowed: Set<String> = ["Nederlands", "English"]
        var found = [String]()
        for file in files {
            let source = Array(try String(contentsOf: Self.webSources.appendingPathComponent(file), encoding: .utf8))
            let text = String(source)
            for marker in ["text: \"", ".text(\""] {
                var from = text.startIndex
                while let r = text.range(of: marker, range: from..<text.endIndex) {
                    let offset = text.distance(from: text.startIndex, to: r.upperBound)
                    let lit = Self.literal(source, from: offset)
                    if lit.text.contains(where: \.isLetter), !allowed.contains(lit.text) { found.append("\(file): \"\(lit.text)\"") }
                    from = r.upperBound
                }
            }
        }
        #expect(found.isEmpty, "page text written in code instead of the tables: \(found)")
        // The scanner itself: a literal with letters is found, through interpolations too.
        let sample = Array(#"x(text: "\(a.b(c)) (\(d ? "ja" : ""))")"#)
        #expect(Self.literal(sample, from: 9).text == " (ja)")
    }

    /// The visible text of a page: tags dropped, character references read.
    static func visibleText(_ html: String) -> String {
        html.replacingOccurrences(of: "<[^>]*>", with: "\n", options: .regularExpression)
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }

    @Test("a page in English shows no Dutch sentence of the tables, and a page in Dutch no English one")
    func oneLanguageAPage() throws {
        let s = try TestServer()
        defer { s.stop() }
        let ledger = try Ledger(path: s.path, clock: s.clock.clock)
        let listing = try #require(try ledger.execute(.postListing(ListingDraft(side: .offer, author: "bram", kind: .goods, domain: "care", title: "Ladder")), by: .member("bram")).event.listingID)
        _ = try ledger.execute(.record(ExchangeDraft(providers: ["an"], receivers: ["bram"], kind: .time, domain: "care", what: "garden", credits: Minutes(90)), reason: nil), by: .coordinator)
        let an = try WebTests.signedIn(s, "an")
        _ = try an.propose(["direction": "gave", "other": "bram", "what": "ladder", "domain": "care", "date": s.clock.today.description, "hours": "1"])
        let pages = ["/", "/exchanges/new", "/exchanges/ex-2", "/statement", "/settings", "/settings/leave", "/offers", "/offers?q=ladder",
                     "/listings/new", "/listings/\(listing)", "/members/bram", "/loans", "/loans/new", "/challenges", "/challenges/new", "/nowhere"]
        for (language, other) in [(Language.en, Language.nl), (.nl, .en)] {
            an.cookies["kring_lang"] = language.rawValue
            for path in pages {
                try an.get(path)
                let shown = Self.visibleText(an.page)
                for word in Word.allCases where word.text(other) != word.text(language) {
                    // Each fixed piece of the other language's entry, long enough to be telling.
                    for piece in word.text(other).components(separatedBy: "{}") where piece.trimmingCharacters(in: .whitespaces).count >= 6 {
                        #expect(!shown.contains(piece), "\(path) in \(language) shows \(word) of \(other): \(piece)")
                    }
                }
            }
        }
    }
}
