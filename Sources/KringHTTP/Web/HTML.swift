/// HTML written by one writer that escapes by construction. Element and attribute names are
/// `StaticString`s, so only code names them; every piece of text and every attribute value
/// passes through `escape`, so a member's text can never become markup or an attribute, and
/// attribute values are always double-quoted.
struct HTML {
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(8_192) }

    /// Text, escaped: `&`, `<`, `>`, `"` and `'` become character references.
    mutating func text(_ s: String) { HTML.escape(s, into: &bytes) }

    /// An element with attributes (nil values are left out) and content.
    mutating func element(_ tag: StaticString, _ attributes: [(StaticString, String?)] = [], _ content: (inout HTML) -> Void = { _ in }) {
        open(tag, attributes)
        content(&self)
        raw("</"); raw(tag); raw(">")
    }

    /// An element whose content is only text.
    mutating func element(_ tag: StaticString, _ attributes: [(StaticString, String?)] = [], text: String) {
        element(tag, attributes) { $0.text(text) }
    }

    /// A void element (`input`, `meta`, `link`): no content, no end tag.
    mutating func void(_ tag: StaticString, _ attributes: [(StaticString, String?)] = []) { open(tag, attributes) }

    /// The doctype.
    mutating func doctype() { raw("<!doctype html>") }

    private mutating func open(_ tag: StaticString, _ attributes: [(StaticString, String?)]) {
        raw("<"); raw(tag)
        for (name, value) in attributes {
            guard let value else { continue }
            raw(" "); raw(name); raw("=\"")
            HTML.escape(value, into: &bytes)
            raw("\"")
        }
        raw(">")
    }

    private mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends `s` with the five characters that matter in HTML text and double-quoted
    /// attribute values replaced by character references.
    static func escape(_ s: String, into out: inout [UInt8]) {
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): out.append(contentsOf: "&#39;".utf8)
            default: out.append(b)
            }
        }
    }
}
