import Foundation
@testable import KringHTTP
import Testing

/// WCAG 2.2 contrast (1.4.3, 1.4.11) of the stylesheet's colour pairs, computed from the
/// colours the stylesheet is built from.
@Suite struct ContrastTests {
    /// Relative luminance of `#rrggbb` (WCAG 2.2, "relative luminance").
    static func luminance(_ hex: String) -> Double {
        let v = Int(hex.dropFirst(), radix: 16)!
        func channel(_ c: Int) -> Double {
            let s = Double(c) / 255
            return s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(v >> 16 & 0xff) + 0.7152 * channel(v >> 8 & 0xff) + 0.0722 * channel(v & 0xff)
    }

    static func ratio(_ a: String, _ b: String) -> Double {
        let (x, y) = (luminance(a), luminance(b))
        return (max(x, y) + 0.05) / (min(x, y) + 0.05)
    }

    @Test func textIsAtLeastFourAndAHalfToOneAndTheFocusRingThreeToOne() {
        let s = Stylesheet.self
        // Text: body, links, header and buttons, hints, errors, the balance box.
        for (fg, bg, what) in [(s.ink, s.paper, "text"), (s.accent, s.paper, "links and secondary buttons"), (s.paper, s.accent, "header and buttons"),
                               (s.muted, s.paper, "hints"), (s.danger, s.paper, "errors"), (s.ink, s.soft, "the balance box"), (s.accent, s.soft, "links in the balance box"),
                               (s.paper, s.danger, "the leaving button")] {
            #expect(Self.ratio(fg, bg) >= 4.5, "\(what): \(fg) on \(bg) is \(Self.ratio(fg, bg)):1")
        }
        // The focus ring (a user-interface component): against the page and against the header.
        #expect(Self.ratio(s.focus, s.ink) >= 3 && Self.ratio(s.focus, s.accent) >= 3)
        // The check itself: black on white is 21:1, white on white 1:1.
        #expect(abs(Self.ratio("#000000", "#ffffff") - 21) < 0.01 && Self.ratio("#ffffff", "#ffffff") == 1)
        // Every colour the stylesheet uses is one of the named ones the test checks.
        let used = Set(WebTests.matches("(#[0-9a-f]{6})", Stylesheet.css))
        #expect(used.isSubset(of: [s.ink, s.paper, s.accent, s.muted, s.danger, s.soft, s.focus]), "\(used)")
    }
}
