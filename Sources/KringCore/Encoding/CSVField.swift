/// One CSV (RFC 4180) cell of text, safe to open in a spreadsheet: quoted when it holds a comma,
/// quote or line break, and, when it begins with `=`, `+`, `-`, `@`, a tab or a carriage
/// return (what spreadsheets read as a formula), prefixed with `'` and quoted so it stays text
/// (OWASP's CSV injection rule). Numbers are written as numbers by the caller, never through
/// here, so they stay exact.
public func csvText(_ s: String) -> String {
    var t = s
    var neutralised = false
    if let first = t.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) {
        t = "'" + t
        neutralised = true
    }
    guard neutralised || t.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return t }
    var out = "\""
    for ch in t { out += ch == "\"" ? "\"\"" : String(ch) }
    return out + "\""
}
