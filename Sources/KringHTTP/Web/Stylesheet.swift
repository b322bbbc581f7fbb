import KringCore

/// The one stylesheet, served at a content-hashed URL (`/assets/kring-HASH.css`) with a year's
/// caching and an ETag. Colour pairs are chosen for at least 4.5:1 contrast (the web tests
/// compute them); controls are at least 44 px high; nothing is wider than the screen at
/// 320 px; a print style drops the navigation.
enum Stylesheet {
    /// Text and background colours, named so the contrast test can read them.
    static let ink = "#1b1b1b", paper = "#ffffff", accent = "#0b4f8a", muted = "#4a4a4a", danger = "#a4161a", soft = "#eef3f8", focus = "#ffbf47"

    static let css = """
    *,*::before,*::after{box-sizing:border-box}
    html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:112.5%;line-height:1.5;color:\(ink);background:\(paper);-webkit-text-size-adjust:100%}
    body{margin:0;overflow-wrap:anywhere}
    a{color:\(accent)}
    a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible{outline:3px solid \(focus);outline-offset:2px;box-shadow:0 0 0 5px \(ink)}
    .skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:\(paper);padding:.5rem;z-index:2}
    header.site{background:\(accent);color:\(paper);padding:.5rem 1rem}
    header.site a{color:\(paper);font-weight:600}
    header.site nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
    header.site nav a{display:inline-block;min-height:44px;padding:.6rem 0}
    main{max-width:44rem;margin:0 auto;padding:1rem}
    h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem}
    h2{font-size:1.25rem;margin:1.5rem 0 .5rem}
    label{display:block;font-weight:600;margin-top:1rem}
    .hint{display:block;color:\(muted);font-weight:400;font-size:.9rem}
    input,select,textarea{font:inherit;width:100%;max-width:30rem;min-height:44px;padding:.4rem .5rem;border:2px solid \(ink);border-radius:4px;background:\(paper);color:\(ink)}
    input[type=radio]{width:auto;min-height:24px;min-width:24px;margin-right:.5rem;vertical-align:middle}
    fieldset{border:0;padding:0;margin:1rem 0 0}
    legend{font-weight:600}
    .choice{display:flex;align-items:center;min-height:44px;font-weight:400;margin:0}
    button{font:inherit;font-weight:600;min-height:44px;min-width:44px;padding:.5rem 1rem;margin-top:1rem;border:2px solid \(accent);border-radius:4px;background:\(accent);color:\(paper);cursor:pointer}
    button.secondary{background:\(paper);color:\(accent)}
    button.warning{background:\(danger);border-color:\(danger);color:\(paper)}
    a.button{display:inline-block;min-height:44px;padding:.5rem 1rem;border-radius:4px;background:\(accent);color:\(paper);font-weight:600;text-decoration:none}
    .effect{background:\(soft);padding:1rem;border-radius:4px;font-weight:600}
    p.text{white-space:pre-line}
    .card{border:3px solid \(accent);border-radius:4px;padding:1rem;margin:1rem 0}.card .link{font-family:ui-monospace,monospace;word-break:break-all}
    form.inline{display:inline-block;margin-right:.5rem}
    .error{color:\(danger);font-weight:600}
    input[aria-invalid=true]{border-color:\(danger)}
    .summary{border:3px solid \(danger);padding:.5rem 1rem;margin:1rem 0}
    .summary h2{margin-top:0;color:\(danger)}
    .balance{background:\(soft);padding:1rem;border-radius:4px}
    .balance strong{font-size:1.6rem;display:block}
    ul.items{list-style:none;padding:0;margin:0}
    ul.items li{border-bottom:1px solid \(muted);padding:.5rem 0}
    dl{display:grid;grid-template-columns:minmax(6rem,auto) 1fr;gap:.25rem 1rem}
    dt{font-weight:600}dd{margin:0}
    table{border-collapse:collapse;width:100%}
    th,td{text-align:left;padding:.35rem .5rem .35rem 0;border-bottom:1px solid \(muted);vertical-align:top}
    td.number,th.number{text-align:right;white-space:nowrap}
    details{margin-top:1rem}summary{cursor:pointer;font-weight:600;min-height:44px;padding:.6rem 0;color:\(accent)}
    @media (max-width:36rem){dl{grid-template-columns:1fr;gap:0}dd{margin-bottom:.5rem}}
    @media (max-width:36rem){table,thead,tbody,tr,th,td{display:block}thead{position:absolute;left:-999px}tr{border-bottom:1px solid \(muted);padding:.5rem 0}td{border:0;padding:0}td.number{text-align:left}}
    footer.site{max-width:44rem;margin:2rem auto;padding:1rem;color:\(muted);border-top:1px solid \(muted)}
    footer.site form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}
    footer.site select{width:auto}
    @media print{header.site,footer.site,form,.skip{display:none}main{max-width:none}a{color:\(ink);text-decoration:none}}
    """

    static let bytes = Array(css.utf8)
    /// The first 16 hex digits of the stylesheet's SHA-256: its name changes with its content.
    static let hash = String(SHA256.hash(bytes).hexString.prefix(16))
    static let path = "/assets/kring-\(hash).css"
}
