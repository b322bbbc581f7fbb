import KringCore

/// The languages of the statistics page.
public enum StatsLanguage: String, Sendable, CaseIterable {
    case nl, en
}

/// Words of the page, Dutch and English.
struct Words {
    let lang: StatsLanguage
    func t(_ nl: String, _ en: String) -> String { lang == .nl ? nl : en }

    func kind(_ k: String) -> String {
        switch k {
        case "time": t("tijd", "time")
        case "space": t("ruimte", "space")
        case "goods": t("goederen", "goods")
        default: k
        }
    }

    func memberKind(_ k: String) -> String {
        switch k {
        case "person": t("bewoners", "residents")
        case "company": t("bedrijven", "companies")
        case "association": t("verenigingen", "associations")
        case "initiative": t("burgerinitiatieven", "citizen initiatives")
        case "municipality": t("gemeente", "municipality")
        default: k
        }
    }

    func domain(_ d: String) -> String {
        let names: [String: (String, String)] = [
            "care": ("zorg", "care"), "loneliness": ("eenzaamheid", "loneliness"), "poverty": ("armoede", "poverty"),
            "housing": ("wonen", "housing"), "mobility": ("mobiliteit", "mobility"), "health": ("gezondheid", "health"),
            "culture": ("cultuur", "culture"), "education": ("onderwijs", "education"), "climate-energy": ("klimaat en energie", "climate and energy"),
            "food": ("voeding", "food"), "work": ("werk", "work"), "other": ("andere", "other"),
        ]
        return names[d].map { t($0.0, $0.1) } ?? d
    }
}

/// Escapes text for HTML (and XML) content and attributes.
func esc(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.count)
    for ch in s {
        switch ch {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(ch)
        }
    }
    return out
}

/// Hours with one decimal from minutes, in the page's language.
func hours(_ minutes: Int64, _ w: Words) -> String {
    let tenths = (minutes * 10 + (minutes >= 0 ? 30 : -30)) / 60
    let whole = tenths / 10, frac = abs(tenths % 10)
    let sign = tenths < 0 && whole == 0 ? "-" : ""
    return "\(sign)\(whole)\(w.lang == .nl ? "," : ".")\(frac)"
}

extension StatsReport {
    /// One self-contained HTML page: inline styles, inline SVG charts drawn here, no script,
    /// no font, no link to anything outside it. Every chart has a text alternative (its SVG
    /// title and description) and the table of its numbers beside it. Well-formed XML, so it
    /// can be checked by any XML parser.
    public func html(_ lang: StatsLanguage) -> String {
        let w = Words(lang: lang)
        let dash = "\u{2014}"
        let last = columns.count - 1
        func v(_ table: String, _ cat: String, _ col: Int, _ m: String) -> Int64? { value(table, cat, col, m) }
        func cellText(_ x: Int64?, hoursFrom: Bool = false) -> String { x.map { hoursFrom ? hours($0, w) : String($0) } ?? dash }
        var body = ""

        // Key figures over the whole range.
        func figure(_ label: String, _ value: String) -> String { "<div class=\"kpi\"><span class=\"n\">\(esc(value))</span><span class=\"l\">\(esc(label))</span></div>" }
        let share = v("connections", "largest_group", last, "permille").map { "\($0 / 10)%" } ?? dash
        body += "<section class=\"kpis\">"
        body += figure(w.t("uren gegeven", "hours given"), cellText(v("total", "all", last, "credits"), hoursFrom: true))
        body += figure(w.t("uitwisselingen", "exchanges"), cellText(v("total", "all", last, "exchanges")))
        body += figure(w.t("actieve leden", "active members"), cellText(v("members", "active", last, "members")))
        body += figure(w.t("gaven én kregen", "gave and received"), cellText(v("members", "gave_and_received", last, "members")))
        body += figure(w.t("verbonden paren", "pairs connected"), cellText(v("connections", "pairs", last, "pairs")))
        body += figure(w.t("in de grootste groep", "in the largest group"), share)
        body += "</section>"

        // 1. Hours per period, stacked by kind.
        let kinds = ["time", "space", "goods"]
        let palette = ["#1b6e8f", "#e08a2c", "#5a9a3c", "#9b4f96", "#c8463d", "#6d6d6d"]
        do {
            let n = columns.count - 1
            let values = (0..<n).map { c in kinds.map { v("kind", $0, c, "credits") ?? 0 } }
            let maxH = max(1, (0..<n).map { c in max(v("total", "all", c, "credits") ?? 0, values[c].reduce(0, +)) }.max() ?? 1)
            let width = 640.0, height = 260.0, left = 48.0, bottom = 40.0, top = 10.0
            let bw = (width - left - 10) / Double(max(n, 1))
            var svg = ""
            let labelStep = max(1, (n + 7) / 8)
            for (c, parts) in values.enumerated() {
                var y = height - bottom
                // Withheld parts are drawn together, in grey, as what the published total leaves.
                let hidden = max(0, (v("total", "all", c, "credits") ?? parts.reduce(0, +)) - parts.reduce(0, +))
                for (i, m) in (parts + [hidden]).enumerated() where m > 0 {
                    let h = Double(m) / Double(maxH) * (height - bottom - top)
                    y -= h
                    svg += "<rect x=\"\(fmt(left + Double(c) * bw + 1))\" y=\"\(fmt(y))\" width=\"\(fmt(max(bw - 2, 1)))\" height=\"\(fmt(h))\" fill=\"\(i < kinds.count ? palette[i] : "#bbbbbb")\"/>"
                }
                if c % labelStep == 0 {
                    svg += "<text x=\"\(fmt(left + Double(c) * bw + bw / 2))\" y=\"\(fmt(height - bottom + 14))\" font-size=\"9\" text-anchor=\"middle\">\(esc(periods[c].label))</text>"
                }
            }
            svg += "<text x=\"4\" y=\"\(fmt(top + 8))\" font-size=\"10\">\(esc(hours(maxH, w))) \(w.t("u", "h"))</text>"
            svg += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(height - bottom))\" x2=\"\(fmt(width - 10))\" y2=\"\(fmt(height - bottom))\" stroke=\"#333\"/>"
            for (i, k) in (kinds.map(w.kind) + [w.t("verborgen", "hidden")]).enumerated() {
                svg += "<rect x=\"\(fmt(left + Double(i) * 120))\" y=\"\(fmt(height - 14))\" width=\"10\" height=\"10\" fill=\"\(i < kinds.count ? palette[i] : "#bbbbbb")\"/><text x=\"\(fmt(left + Double(i) * 120 + 14))\" y=\"\(fmt(height - 5))\" font-size=\"10\">\(esc(k))</text>"
            }
            let desc = w.t("Gestapelde staven: uren per periode, naar soort (tijd, ruimte, goederen). ", "Stacked bars: hours per period by kind (time, space, goods). ")
                + (0..<n).map { c in "\(periods[c].label): " + kinds.map { "\(w.kind($0)) \(cellText(v("kind", $0, c, "credits"), hoursFrom: true))" }.joined(separator: ", ") }.joined(separator: "; ")
            var table = "<table><thead><tr><th>\(w.t("periode", "period"))</th>" + kinds.map { "<th>\(esc(w.kind($0)))</th>" }.joined() + "<th>\(w.t("totaal", "total"))</th></tr></thead><tbody>"
            for c in 0...n {
                table += "<tr><th>\(esc(c == n ? w.t("alle", "all") : periods[c].label))</th>" + kinds.map { "<td>\(esc(cellText(v("kind", $0, c, "credits"), hoursFrom: true)))</td>" }.joined()
                    + "<td>\(esc(cellText(v("total", "all", c, "credits"), hoursFrom: true)))</td></tr>"
            }
            table += "</tbody></table>"
            body += chart(id: "c1", title: w.t("Uren per periode, naar soort", "Hours per period, by kind"), desc: desc, width: width, height: height, svg: svg, table: table)
        }

        // 2. Hours by policy domain (whole range).
        if let t = table("domain") {
            let rows = t.categories.map { ($0, v("domain", $0, last, "credits")) }
            let maxH = max(1, rows.compactMap(\.1).max() ?? 1)
            let width = 640.0, rowH = 22.0, left = 150.0
            let height = rowH * Double(rows.count) + 10
            var svg = ""
            for (i, (d, m)) in rows.enumerated() {
                let y = 5 + Double(i) * rowH
                svg += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(y + 14))\" font-size=\"11\" text-anchor=\"end\">\(esc(w.domain(d)))</text>"
                if let m {
                    let bw = Double(m) / Double(maxH) * (width - left - 70)
                    svg += "<rect x=\"\(fmt(left))\" y=\"\(fmt(y + 3))\" width=\"\(fmt(max(bw, 0.5)))\" height=\"\(fmt(rowH - 7))\" fill=\"\(palette[0])\"/>"
                    svg += "<text x=\"\(fmt(left + bw + 4))\" y=\"\(fmt(y + 14))\" font-size=\"10\">\(esc(hours(m, w)))</text>"
                } else {
                    svg += "<text x=\"\(fmt(left + 4))\" y=\"\(fmt(y + 14))\" font-size=\"10\">\(dash)</text>"
                }
            }
            let desc = w.t("Staven: uren per beleidsdomein over de hele periode. ", "Bars: hours by policy domain over the whole range. ")
                + rows.map { "\(w.domain($0.0)) \(cellText($0.1, hoursFrom: true))" }.joined(separator: "; ")
            var table = "<table><thead><tr><th>\(w.t("domein", "domain"))</th><th>\(w.t("uitwisselingen", "exchanges"))</th><th>\(w.t("uren", "hours"))</th></tr></thead><tbody>"
            for (d, m) in rows { table += "<tr><th>\(esc(w.domain(d)))</th><td>\(esc(cellText(v("domain", d, last, "exchanges"))))</td><td>\(esc(cellText(m, hoursFrom: true)))</td></tr>" }
            table += "</tbody></table>"
            body += chart(id: "c2", title: w.t("Uren per beleidsdomein", "Hours by policy domain"), desc: desc, width: width, height: height, svg: svg, table: table)
        }

        // 3. Who helps whom: givers' kinds (rows) by receivers' kinds (columns).
        do {
            let ks = exchangingKinds.map(\.rawValue)
            let cell = 84.0, left = 130.0, top = 60.0
            let width = left + cell * Double(ks.count) + 10, height = top + cell * Double(ks.count) / 2 + 10
            let values = ks.map { g in ks.map { r in v("who_helps_whom", "\(g)>\(r)", last, "credits") } }
            let maxH = max(1, values.flatMap { $0.compactMap { $0 } }.max() ?? 1)
            var svg = "<text x=\"\(fmt(left))\" y=\"12\" font-size=\"10\">\(w.t("kreeg hulp →", "received help →"))</text>"
            for (j, r) in ks.enumerated() {
                svg += "<text x=\"\(fmt(left + Double(j) * cell + cell / 2))\" y=\"\(fmt(top - 8))\" font-size=\"10\" text-anchor=\"middle\">\(esc(w.memberKind(r)))</text>"
            }
            for (i, g) in ks.enumerated() {
                let y = top + Double(i) * cell / 2
                svg += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(y + cell / 4 + 4))\" font-size=\"10\" text-anchor=\"end\">\(esc(w.memberKind(g)))</text>"
                for (j, m) in values[i].enumerated() {
                    let x = left + Double(j) * cell
                    let shade = m.map { 0.08 + 0.85 * Double($0) / Double(maxH) } ?? 0
                    svg += "<rect x=\"\(fmt(x + 1))\" y=\"\(fmt(y + 1))\" width=\"\(fmt(cell - 2))\" height=\"\(fmt(cell / 2 - 2))\" fill=\"\(m == nil ? "#eeeeee" : palette[0])\" fill-opacity=\"\(m == nil ? "1" : fmt(shade))\"/>"
                    svg += "<text x=\"\(fmt(x + cell / 2))\" y=\"\(fmt(y + cell / 4 + 4))\" font-size=\"10\" text-anchor=\"middle\">\(esc(cellText(m, hoursFrom: true)))</text>"
                }
            }
            let desc = w.t("Raster: uren gegeven door elke soort lid (rijen) aan elke soort lid (kolommen). ", "Grid: hours given by each kind of member (rows) to each kind (columns). ")
                + ks.enumerated().map { i, g in ks.enumerated().map { j, r in "\(w.memberKind(g)) → \(w.memberKind(r)) \(cellText(values[i][j], hoursFrom: true))" }.joined(separator: ", ") }.joined(separator: "; ")
            var table = "<table><thead><tr><th>\(w.t("gaf ↓ / kreeg →", "gave ↓ / received →"))</th>" + ks.map { "<th>\(esc(w.memberKind($0)))</th>" }.joined() + "<th>\(w.t("totaal", "total"))</th></tr></thead><tbody>"
            for (i, g) in ks.enumerated() {
                table += "<tr><th>\(esc(w.memberKind(g)))</th>" + values[i].map { "<td>\(esc(cellText($0, hoursFrom: true)))</td>" }.joined()
                    + "<td>\(esc(cellText(v("given_by", g, last, "credits"), hoursFrom: true)))</td></tr>"
            }
            table += "<tr><th>\(w.t("totaal", "total"))</th>" + ks.map { "<td>\(esc(cellText(v("received_by", $0, last, "credits"), hoursFrom: true)))</td>" }.joined()
                + "<td>\(esc(cellText(v("total", "all", last, "credits"), hoursFrom: true)))</td></tr></tbody></table>"
            body += chart(id: "c3", title: w.t("Wie helpt wie", "Who helps whom"), desc: desc, width: width, height: height, svg: svg, table: table)
        }

        // 4. Connectedness over time: the share of active members in the largest connected group.
        do {
            let n = columns.count - 1
            let pts = (0..<n).map { v("connections", "largest_group", $0, "permille") }
            let width = 640.0, height = 220.0, left = 40.0, bottom = 30.0, top = 10.0
            let step = (width - left - 10) / Double(max(n - 1, 1))
            var svg = "<line x1=\"\(fmt(left))\" y1=\"\(fmt(height - bottom))\" x2=\"\(fmt(width - 10))\" y2=\"\(fmt(height - bottom))\" stroke=\"#333\"/>"
            svg += "<text x=\"4\" y=\"\(fmt(top + 8))\" font-size=\"10\">100%</text><text x=\"4\" y=\"\(fmt(height - bottom))\" font-size=\"10\">0%</text>"
            var path = ""
            for (c, p) in pts.enumerated() {
                guard let p else { continue }
                let x = left + Double(c) * step, y = height - bottom - Double(p) / 1000 * (height - bottom - top)
                path += (path.isEmpty ? "M" : " L") + "\(fmt(x)) \(fmt(y))"
                svg += "<circle cx=\"\(fmt(x))\" cy=\"\(fmt(y))\" r=\"3\" fill=\"\(palette[1])\"/>"
            }
            if !path.isEmpty { svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(palette[1])\" stroke-width=\"2\"/>" }
            for c in 0..<n where c % max(1, (n + 7) / 8) == 0 {
                svg += "<text x=\"\(fmt(left + Double(c) * step))\" y=\"\(fmt(height - bottom + 14))\" font-size=\"9\" text-anchor=\"middle\">\(esc(periods[c].label))</text>"
            }
            func pct(_ p: Int64?) -> String { p.map { "\($0 / 10)%" } ?? dash }
            let desc = w.t("Lijn: aandeel van de actieve leden in de grootste verbonden groep, per periode. ", "Line: share of active members in the largest connected group, per period. ")
                + (0..<n).map { "\(periods[$0].label) \(pct(pts[$0]))" }.joined(separator: "; ")
            var table = "<table><thead><tr><th>\(w.t("periode", "period"))</th><th>\(w.t("actieve leden", "active members"))</th><th>\(w.t("paren", "pairs"))</th><th>\(w.t("grootste groep", "largest group"))</th></tr></thead><tbody>"
            for c in 0...n {
                table += "<tr><th>\(esc(c == n ? w.t("alle", "all") : periods[c].label))</th><td>\(esc(cellText(v("members", "active", c, "members"))))</td><td>\(esc(cellText(v("connections", "pairs", c, "pairs"))))</td><td>\(esc(pct(v("connections", "largest_group", c, "permille"))))</td></tr>"
            }
            table += "</tbody></table>"
            body += chart(id: "c4", title: w.t("Verbondenheid doorheen de tijd", "Connectedness over time"), desc: desc, width: width, height: height, svg: svg, table: table)
        }

        // 5. Balance distribution at the end of the range.
        do {
            let bins = balanceBins.map(\.label)
            let values = bins.map { v("balance_bins", $0, last, "members") }
            let maxN = max(1, values.compactMap { $0 }.max() ?? 1)
            let width = 640.0, height = 220.0, bottom = 30.0, top = 10.0
            let bw = (width - 20) / Double(bins.count)
            var svg = ""
            for (i, n) in values.enumerated() {
                let x = 10 + Double(i) * bw
                if let n {
                    let h = Double(n) / Double(maxN) * (height - bottom - top - 12)
                    svg += "<rect x=\"\(fmt(x + 4))\" y=\"\(fmt(height - bottom - h))\" width=\"\(fmt(bw - 8))\" height=\"\(fmt(h))\" fill=\"\(palette[2])\"/>"
                    svg += "<text x=\"\(fmt(x + bw / 2))\" y=\"\(fmt(height - bottom - h - 3))\" font-size=\"10\" text-anchor=\"middle\">\(n)</text>"
                } else {
                    svg += "<text x=\"\(fmt(x + bw / 2))\" y=\"\(fmt(height - bottom - 3))\" font-size=\"10\" text-anchor=\"middle\">\(dash)</text>"
                }
                svg += "<text x=\"\(fmt(x + bw / 2))\" y=\"\(fmt(height - bottom + 14))\" font-size=\"10\" text-anchor=\"middle\">\(esc(bins[i].replacingOccurrences(of: "h", with: w.t("u", "h"))))</text>"
            }
            let gini = v("balances", "gini", last, "permille").map { "0\(w.lang == .nl ? "," : ".")\($0 < 100 ? "0" : "")\($0 < 10 ? "0" : "")\($0)" } ?? dash
            let desc = w.t("Staven: aantal leden per saldo aan het einde van de periode. ", "Bars: members by balance at the end of the range. ")
                + bins.enumerated().map { "\($1): \(cellText(values[$0]))" }.joined(separator: "; ") + ". Gini \(gini)."
            var table = "<table><thead><tr><th>\(w.t("saldo", "balance"))</th><th>\(w.t("leden", "members"))</th></tr></thead><tbody>"
            for (i, b) in bins.enumerated() { table += "<tr><th>\(esc(b))</th><td>\(esc(cellText(values[i])))</td></tr>" }
            table += "<tr><th>\(w.t("aan hun ondergrens", "at their floor"))</th><td>\(esc(cellText(v("balances", "at_floor", last, "members"))))</td></tr>"
            table += "<tr><th>\(w.t("aan hun bovengrens", "at their ceiling"))</th><td>\(esc(cellText(v("balances", "at_ceiling", last, "members"))))</td></tr>"
            table += "<tr><th>Gini</th><td>\(esc(gini))</td></tr></tbody></table>"
            body += chart(id: "c5", title: w.t("Verdeling van de saldi", "Balance distribution"), desc: desc, width: width, height: height, svg: svg, table: table)
        }

        // Other figures: gifts, requests, the pool, new members.
        do {
            var rows = [(String, String)]()
            rows.append((w.t("nieuwe leden", "new members"), cellText(v("members", "new", last, "members"))))
            rows.append((w.t("vragen beantwoord", "requests fulfilled"), cellText(v("requests", "fulfilled", last, "requests"))))
            rows.append((w.t("mediaan dagen van vraag tot uitwisseling", "median days from request to exchange"), cellText(v("requests", "median_days", last, "days"))))
            rows.append((w.t("ruimte geschonken (uren gebruik)", "space given (hours of use)"), cellText(v("gifts", "space", last, "quantity"), hoursFrom: true)))
            rows.append((w.t("goederen geschonken (stuks)", "goods given (items)"), cellText(v("gifts", "goods", last, "quantity"))))
            rows.append((w.t("kennismakingen door de coördinator", "introductions by the coordinator"), cellText(v("introductions", "made", last, "introductions"))))
            rows.append((w.t("kennismakingen die een uitwisseling werden", "introductions that became an exchange"), cellText(v("introductions", "became_exchanges", last, "introductions"))))
            rows.append((w.t("sessies bij een expert", "sessions with an expert"), cellText(v("expert_sessions", "all", last, "exchanges"))))
            rows.append((w.t("uren advies door experts", "hours of advice by experts"), cellText(v("expert_sessions", "all", last, "credits"), hoursFrom: true)))
            rows.append((w.t("schenkingen aan de solidariteitspot (uren)", "donations to the solidarity pool (hours)"), cellText(v("pool_donations", "all", last, "credits"), hoursFrom: true)))
            rows.append((w.t("toekenningen uit de solidariteitspot (uren)", "grants from the solidarity pool (hours)"), cellText(v("pool_grants", "all", last, "credits"), hoursFrom: true)))
            body += "<section><h2>\(w.t("Meer cijfers", "More figures"))</h2><table><tbody>" + rows.map { "<tr><th>\(esc($0.0))</th><td>\(esc($0.1))</td></tr>" }.joined() + "</tbody></table></section>"
        }

        let title = w.t("Kring in cijfers", "Kring in figures")
        let range = "\(from) \(w.t("tot", "to")) \(to)"
        return """
        <!DOCTYPE html>
        <html lang="\(lang.rawValue)">
        <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>\(esc(title)) \(esc(range))</title>
        <style>
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:980px;padding:1rem;color:#1d1d1d;line-height:1.4}
        h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.2rem;margin:1.4rem 0 .4rem}
        .kpis{display:flex;flex-wrap:wrap;gap:.6rem}.kpi{flex:1 1 9rem;border:1px solid #ccc;border-radius:6px;padding:.5rem}
        .kpi .n{display:block;font-size:1.5rem;font-weight:600}.kpi .l{font-size:.85rem;color:#444}
        .chart{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start;break-inside:avoid}
        .chart figure{flex:2 1 22rem;margin:0}.chart svg{width:100%;height:auto}.chart table{flex:1 1 14rem}
        table{border-collapse:collapse;font-size:.85rem}th,td{border-bottom:1px solid #ddd;padding:.15rem .4rem;text-align:right}th{text-align:left;font-weight:500}
        .note,footer{font-size:.8rem;color:#444}code{word-break:break-all}
        @media (max-width:36rem){.chart table,.chart tbody,.chart tr,.chart th,.chart td{display:block;text-align:left}.chart thead{position:absolute;left:-9999px}.chart tr{border-bottom:1px solid #ddd;padding:.3rem 0}.chart th,.chart td{border:0}.chart td::before{content:attr(data-label) ": ";font-weight:500}.chart table{width:100%}}
        @media print{body{max-width:none}.chart{page-break-inside:avoid}a{color:inherit}}
        </style>
        </head>
        <body>
        <header><h1>\(esc(title))</h1><p>\(esc(w.t("Wat inwoners, bedrijven, verenigingen, initiatieven en de gemeente elkaar gaven, in uren: één uur van wie dan ook is één tijdskrediet.", "What residents, companies, associations, initiatives and the municipality gave each other, in hours: one hour of anyone's time is one time credit."))) \(esc(range)), \(esc(w.t("per", "by"))) \(esc(w.t(period == .month ? "maand" : period == .quarter ? "kwartaal" : "jaar", period.rawValue))).</p></header>
        <main>
        \(body)
        </main>
        <footer>
        <p class="note">\(dash) \(esc(w.t("verborgen om de privacy te beschermen: het cijfer beschrijft minder dan \(k) leden, of zou een verborgen cijfer verraden.", "hidden to protect privacy: the figure describes fewer than \(k) members, or would give a hidden figure away.")))</p>
        <p>\(esc(w.t("Berekend op het grootboek tot en met boeking", "Computed on the ledger up to entry"))) \(headSeq), hash <code>\(esc(headHash))</code>. \(esc(w.t("Beleid", "Policy"))): \(esc(w.t("kwantum", "quantum"))) \(policy.quantumMinutes) min, \(esc(w.t("maximum per uitwisseling", "maximum per exchange"))) \(esc(hours(policy.maxExchangeMinutes, w))) \(w.t("u", "h")), \(esc(w.t("paarplafond", "pair cap"))) \(esc(hours(policy.pairCapMinutes, w))) \(w.t("u", "h")) / \(policy.pairWindowDays) \(w.t("dagen", "days")).</p>
        </footer>
        </body>
        </html>

        """
    }

    private func chart(id: String, title: String, desc: String, width: Double, height: Double, svg: String, table: String) -> String {
        """
        <section class="chart"><h2 id="\(id)-h">\(esc(title))</h2><figure><svg viewBox="0 0 \(fmt(width)) \(fmt(height))" role="img" aria-labelledby="\(id)-t \(id)-d"><title id="\(id)-t">\(esc(title))</title><desc id="\(id)-d">\(esc(desc))</desc>\(svg)</svg></figure>\(labelled(table))</section>

        """
    }
}

/// The table with each data cell labelled by its column's header (`data-label`), so that on a
/// narrow screen every row can reflow into lines of "header: value" instead of making the
/// page scroll sideways. The headers are this file's own escaped text.
func labelled(_ table: String) -> String {
    guard let headEnd = table.range(of: "</thead>") else { return table }
    var headers = [String]()
    var rest = table[..<headEnd.lowerBound]
    while let open = rest.range(of: "<th>"), let close = rest.range(of: "</th>", range: open.upperBound..<rest.endIndex) {
        headers.append(String(rest[open.upperBound..<close.lowerBound]))
        rest = rest[close.upperBound...]
    }
    var out = String(table[..<headEnd.upperBound])
    for (n, row) in table[headEnd.upperBound...].components(separatedBy: "<tr>").enumerated() {
        if n > 0 { out += "<tr>" }
        var column = 0
        for (m, piece) in row.components(separatedBy: "<td>").enumerated() {
            if m > 0 {
                column += 1
                out += column < headers.count ? "<td data-label=\"\(headers[column])\">" : "<td>"
            }
            out += piece
        }
    }
    return out
}

/// A number for SVG coordinates: at most one decimal.
func fmt(_ x: Double) -> String {
    let r = (x * 10).rounded() / 10
    return r == r.rounded() ? String(Int64(r)) : String(r)
}
