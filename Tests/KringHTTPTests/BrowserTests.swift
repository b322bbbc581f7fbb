#if canImport(Glibc)
import Glibc
#endif
import Foundation
import KringCore
import KringTestSupport
import Testing

/// Debian's chromium driven through chromedriver, which speaks W3C WebDriver: plain HTTP/1.1
/// and JSON, spoken here over the tests' own socket client (no package). `.ci/run` installs
/// both.
final class ChromeDriver: @unchecked Sendable {
    let process: Process
    let port: UInt16
    /// The sessions opened and not yet closed: `stop` closes them, so no browser outlives the test.
    private var open: Set<String> = []
    private let lock = NSLock()

    init() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"), FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") else {
            throw ServerTestError("chromium and chromium-driver are not installed (apt-get install chromium chromium-driver; .ci/run does)")
        }
        // Below the ephemeral range (32768–60999 on Linux) the servers under test bind port 0 in.
        port = UInt16.random(in: 15_000...30_000)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/chromedriver")
        process.arguments = ["--port=\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let ready = waitUntil(seconds: 20) { (try? self.call("GET", "/status"))?["value"]?["ready"]?.boolValue == true }
        guard ready else { stop(); throw ServerTestError("chromedriver did not start") }
    }

    /// Stops chromedriver with SIGKILL: a child of the test process inherits its blocked
    /// signal mask (Swift Testing's threads block SIGTERM), so a SIGTERM would wait forever.
    /// The browsers still open are closed first (DELETE /session): killed, chromedriver would
    /// leave them running.
    func stop() {
        for id in lock.withLock({ open }) { closeSession(id) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func opened(_ id: String) { _ = lock.withLock { open.insert(id) } }

    /// Closes the browser of a session, once.
    func closeSession(_ id: String) {
        guard lock.withLock({ open.remove(id) }) != nil else { return }
        _ = try? call("DELETE", "/session/\(id)")
    }

    /// One WebDriver command; its JSON answer. (chromedriver answers only requests whose Host
    /// is the loopback address.)
    @discardableResult
    func call(_ method: String, _ path: String, _ body: JSON? = nil) throws -> JSON {
        if let trace = ProcessInfo.processInfo.environment["KRING_WEBDRIVER_TRACE"], let f = FileHandle(forWritingAtPath: trace) {
            f.seekToEndOfFile()
            f.write(Data("\(Date()) \(method) \(path.suffix(40)) \(body?.canonicalString.prefix(120) ?? "")\n".utf8))
            try? f.close()
        }
        let payload = body?.canonicalBytes ?? []
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nContent-Length: \(payload.count)\r\n"
        if body != nil { head += "Content-Type: application/json; charset=utf-8\r\n" }
        let c = try RawClient(port: port)
        c.send(Array((head + "\r\n").utf8) + payload)
        guard let r = c.read(timeout: 30) else { throw ServerTestError("chromedriver did not answer \(method) \(path)") }
        return try JSON.parse(r.body)
    }
}

/// One browser window (a WebDriver session).
final class BrowserSession {
    let driver: ChromeDriver
    let id: String
    let shots: String
    let name: String
    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    /// A headless chromium: `width` wide (phone widths by mobile emulation, since headless
    /// chromium will not make a window narrower than 500 px), with or without JavaScript.
    init(_ driver: ChromeDriver, name: String, width: Int, javascript: Bool = true, shots: String) throws {
        self.driver = driver
        self.name = name
        self.shots = shots
        let args: [JSON] = ["--headless", "--no-sandbox", "--disable-gpu", "--window-size=\(max(width, 500)),900"].map(JSON.string)
        // The person's language: Dutch first, as a browser in Flanders asks.
        // JavaScript off as a person turns it off (the content setting): pages' scripts do not
        // run, while chromedriver's own commands still work.
        var prefs: [String: JSON] = ["intl.accept_languages": .string("nl-BE,nl,en")]
        if !javascript { prefs["profile.managed_default_content_settings.javascript"] = .int(2) }
        var options: [String: JSON] = ["binary": .string("/usr/bin/chromium"), "args": .array(args + [.string("--lang=nl-BE")]), "prefs": .object(prefs)]
        if width < 500 {
            options["mobileEmulation"] = .object(["deviceMetrics": .object(["width": .int(Int64(width)), "height": .int(800), "pixelRatio": .int(1)])])
        }
        let always: [String: JSON] = ["browserName": .string("chrome"), "goog:chromeOptions": .object(options)]
        let caps = JSON.object(["capabilities": .object(["alwaysMatch": .object(always)])])
        let answer = try driver.call("POST", "/session", caps)
        guard let id = answer["value"]?["sessionId"]?.stringValue else { throw ServerTestError("no WebDriver session: \(answer.canonicalString.prefix(500))") }
        self.id = id
        driver.opened(id)
    }

    func close() { driver.closeSession(id) }

    func open(_ url: String) throws {
        try driver.call("POST", "/session/\(id)/url", .object(["url": .string(url)]))
        guard waitUntil(seconds: 15, { (try? self.url()) == url && ((try? self.source())?.contains("</footer>") ?? false) }) else {
            throw ServerTestError("\(name): \(url) did not load")
        }
    }

    func element(_ css: String) throws -> String {
        let r = try driver.call("POST", "/session/\(id)/element", .object(["using": .string("css selector"), "value": .string(css)]))
        guard let e = r["value"]?[BrowserSession.elementKey]?.stringValue else { throw ServerTestError("\(name): no element \(css) on \(try title())") }
        return e
    }

    func type(_ css: String, _ text: String) throws {
        let e = try element(css)
        try driver.call("POST", "/session/\(id)/element/\(e)/clear", .object([:]))
        try driver.call("POST", "/session/\(id)/element/\(e)/value", .object(["text": .string(text)]))
    }

    func click(_ css: String) throws { try driver.call("POST", "/session/\(id)/element/\(try element(css))/click", .object([:])) }

    /// Clicks what submits a form or follows a link, and waits until the next page is there
    /// (its URL or title changed, or `until` holds).
    func follow(_ css: String, until: ((String) -> Bool)? = nil) throws {
        let before = (try url(), try title())
        try click(css)
        let arrived = waitUntil(seconds: 15) {
            guard let t = try? self.title(), let u = try? self.url(), (try? self.source())?.contains("</footer>") == true else { return false }
            if let until { return until(t) }
            return (u, t) != before
        }
        if !arrived { throw ServerTestError("\(name): no next page after clicking \(css) on \(before.1)") }
    }

    func title() throws -> String { try driver.call("GET", "/session/\(id)/title")["value"]?.stringValue ?? "" }
    func source() throws -> String { try driver.call("GET", "/session/\(id)/source")["value"]?.stringValue ?? "" }
    func url() throws -> String { try driver.call("GET", "/session/\(id)/url")["value"]?.stringValue ?? "" }

    func script(_ js: String) throws -> JSON? {
        try driver.call("POST", "/session/\(id)/execute/sync", .object(["script": .string(js), "args": .array([])]))["value"]
    }

    /// Presses Tab once (WebDriver key actions).
    func tab() throws {
        let tab = JSON.string("\u{E004}")
        try driver.call("POST", "/session/\(id)/actions", .object(["actions": .array([.object([
            "type": .string("key"), "id": .string("keyboard"),
            "actions": .array([.object(["type": .string("keyDown"), "value": tab]), .object(["type": .string("keyUp"), "value": tab])]),
        ])])]))
    }

    /// Saves a screenshot as `shots/NAME-step.png`.
    func screenshot(_ step: String) throws {
        guard let b64 = try driver.call("GET", "/session/\(id)/screenshot")["value"]?.stringValue, let data = Data(base64Encoded: b64) else { return }
        try data.write(to: URL(fileURLWithPath: "\(shots)/\(name)-\(step).png"))
    }

    /// Whether the page scrolls sideways.
    func scrollsSideways() throws -> Bool {
        try script("return document.documentElement.scrollWidth > document.documentElement.clientWidth")?.boolValue ?? true
    }

    /// Every control and link a keyboard should reach, and whether Tab reaches each.
    func unreachableByTab() throws -> [String] {
        let total = Int(try script("return document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary').length")?.intValue ?? 0)
        _ = try script("document.activeElement && document.activeElement.blur(); window.__seen = new Set(); document.addEventListener('focusin', e => window.__seen.add(e.target)); return 0")
        // A date field is three Tab stops in chromium (day, month, year); the budget allows
        // four (the paper slips' ten dates ran out at three), and tabbing past the end wraps
        // round, which only sees the same controls again. A time field is two (hours,
        // minutes); the budget allows three.
        let dates = Int(try script("return document.querySelectorAll('input[type=date]').length")?.intValue ?? 0)
        let times = Int(try script("return document.querySelectorAll('input[type=time]').length")?.intValue ?? 0)
        for _ in 0..<(total + 3 * dates + 2 * times + 3) { try tab() }
        // A radio group is one Tab stop: its checked button (arrow keys move within it).
        // Controls folded in a closed details element are reached once it is opened (its
        // summary is a Tab stop of its own).
        let missing = try script("""
            return Array.from(document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary'))
                .filter(e => !(e.tagName !== 'SUMMARY' && e.closest('details:not([open])')))
                .filter(e => !(e.type === 'radio' && !e.checked && document.querySelector('input[type=radio][name="' + e.name + '"]:checked')))
                .filter(e => !window.__seen.has(e)).map(e => e.outerHTML.slice(0, 80))
            """)?.arrayValue ?? []
        return missing.compactMap(\.stringValue)
    }
}

@Suite("In a real browser", .serialized)
struct BrowserTests {
    static let shots: String = {
        let dir = ReleaseBinary.packageRoot + "/.build/screenshots/BrowserTests"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }()

    /// The newcomer's path, through the release binary started from a shell with `--demo`: a
    /// resident opens the printed invitation, sets a password and logs an exchange with the
    /// demo company; the company's front desk opens its invitation in a second browser and
    /// confirms; both overviews show the new balances. At a phone's 390 and 320 px (no page
    /// scrolls sideways, Tab reaches every control) and at 1280 px with JavaScript off (as a
    /// person turns it off; chromedriver's clicks under phone emulation need scripts, so the
    /// script-free run is the desktop one).
    @Test(arguments: [(390, true), (320, true), (1280, false)])
    func aResidentAndAFrontDeskExchangeAnHour(width: Int, javascript: Bool) throws {
        let binary = try ReleaseBinary.ensureBuilt()
        let dir = TempDir("kring-browser")
        defer { dir.remove() }
        let server = try ShellServer(binary: binary, db: dir.file("demo.sqlite"), arguments: ["--demo", "--quiet"])
        defer { _ = server.stop(with: SIGTERM) }
        #expect(waitUntil(seconds: 60) { server.output.contains("the coordinator, ") }, "\(server.output)")
        func link(_ who: String) throws -> String {
            let line = try #require(server.output.split(separator: "\n").first { $0.contains(who) })
            return String(try #require(line.split(separator: " ").last))
        }
        let residentLink = try link("a resident, "), deskLink = try link("a company's front desk, ")
        let company = String(try #require(server.output.split(separator: "\n").first { $0.contains("front desk, ") }?
            .components(separatedBy: "front desk, ").last?.split(separator: "/").first))
        let driver = try ChromeDriver()
        defer { driver.stop() }
        let tag = "\(width)\(javascript ? "" : "-nojs")"
        let resident = try BrowserSession(driver, name: "resident-\(tag)", width: width, javascript: javascript, shots: Self.shots)
        defer { resident.close() }
        let desk = try BrowserSession(driver, name: "desk-\(tag)", width: width, javascript: javascript, shots: Self.shots)
        defer { desk.close() }

        /// Checks the page as a person with a phone or a keyboard meets it, and keeps a picture.
        func look(_ b: BrowserSession, _ step: String) throws {
            try b.screenshot(step)
            guard javascript else { return }
            #expect(try !b.scrollsSideways(), "\(b.name) \(step): the page scrolls sideways at \(width) px")
            let missed = try b.unreachableByTab()
            #expect(missed == [], "\(b.name) \(step): Tab does not reach these: \(missed.prefix(4))")
        }

        // The resident: invitation, password, overview.
        try resident.open(residentLink)
        #expect(try resident.title().hasPrefix("Kies je wachtwoord"))
        try look(resident, "1-invitation")
        try resident.type("#password", "een fiets met een bel")
        try resident.type("#repeat", "een fiets met een bel")
        try resident.follow("main button[type=submit]")
        #expect(try resident.title().hasPrefix("Mijn overzicht"))
        try look(resident, "2-home")
        let residentBefore = try Self.balance(resident)
        // Posts an offer.
        try resident.follow("main a[href='/listings/new']")
        try look(resident, "3-new-offer")
        try resident.type("#title", "Fietsen herstellen")
        try resident.type("#text", "Lekke band of losse ketting? Ik kom langs.")
        try resident.follow("main button[type=submit]")
        #expect(try resident.title().hasPrefix("Fietsen herstellen"), "\((try? resident.source())?.prefix(2_000) ?? "")")
        try look(resident, "3-offer")
        // Logs an hour and a half for the company, checks it, and sends it.
        try resident.follow("header a[href='/exchanges/new']")
        try look(resident, "4-new-exchange")
        try resident.type("#other", company)
        try resident.type("#what", "koffie schenken op de receptie")
        try resident.type("#hours", "1,5")
        try resident.follow("main button[type=submit]")
        #expect(try resident.title().hasPrefix("Kijk je voorstel na"), "\((try? resident.source())?.prefix(2_000) ?? "")")
        #expect(try resident.source().contains("naar \(Minutes(residentBefore + 90).dutch)"))
        try look(resident, "4-review")
        try resident.follow("main button[value=send]")
        let afterPropose = try resident.source()
        #expect(try resident.title().hasPrefix("Uitwisseling ex-"), "\(afterPropose.prefix(2_000))")
        try look(resident, "4-exchange")
        // The offer is there for anyone who searches, signed in or not.
        try desk.open("http://127.0.0.1:\(server.port)/offers?q=fietsen")
        #expect(try desk.source().contains("Fietsen herstellen"))
        try look(desk, "0-offers")
        // The statistics page reflows too: its tables become lines on a phone.
        try desk.open("http://127.0.0.1:\(server.port)/stats")
        #expect(try desk.title().hasPrefix("Kring in cijfers"))
        try look(desk, "0-stats")
        let exchangePath = try #require(try resident.url().components(separatedBy: "127.0.0.1:\(server.port)").last)

        // The front desk, in its own browser: invitation, then confirms what waits for it.
        try desk.open(deskLink)
        try desk.type("#password", "balie open van negen tot vijf")
        try desk.type("#repeat", "balie open van negen tot vijf")
        try desk.follow("main button[type=submit]")
        let deskTitle = try desk.title()
        #expect(deskTitle.hasPrefix("Mijn overzicht"), "\(deskTitle)")
        let deskBefore = try Self.balance(desk)
        try desk.follow("main a[href='\(exchangePath)']")
        try look(desk, "5-exchange-to-confirm")
        try desk.follow("form[action='\(exchangePath)/confirm'] button") { _ in (try? desk.source().contains("<dd>bevestigd</dd>")) == true }

        // Both overviews show the hour and a half moved.
        try resident.open("http://127.0.0.1:\(server.port)/")
        try desk.open("http://127.0.0.1:\(server.port)/")
        #expect(try Self.balance(resident) == residentBefore + 90)
        #expect(try Self.balance(desk) == deskBefore - 90)
        try look(desk, "6-home-after")
        // The statement shows the line; settings are there too, both seen at this width.
        try resident.follow("header a[href='/statement']")
        #expect(try resident.source().contains("koffie schenken op de receptie"))
        try look(resident, "8-statement")
        try resident.follow("header a[href='/settings']")
        try look(resident, "9-settings")
        try resident.follow("header a[href='/loans']")
        try look(resident, "9-loans")
        try resident.follow("header a[href='/challenges']")
        #expect(try resident.title().hasPrefix("Uitdagingen"))
        try look(resident, "9-challenges")
        // The pages a member meets of others: a listing, the author's entry, and the forms.
        let site = "http://127.0.0.1:\(server.port)"
        try resident.open(site + "/offers")
        try resident.follow("main ul.items li a")
        try look(resident, "a-listing")
        try resident.follow("main dl.entry a")
        #expect(try !resident.source().contains("<strong>"), "a member's entry shows no balance")
        try look(resident, "a-member")
        // A room: a free time on a weekday from the day after tomorrow (the demo's rooms open
        // Monday to Saturday), booked from the room's week.
        let later = (2...5).map { Day(timestamp: Int64(Date().timeIntervalSince1970)) + $0 }.first { $0.weekday < 5 }!
        try resident.open(site + "/rooms?date=\(later)")
        #expect(try resident.title().hasPrefix("Een zaal vinden"))
        try look(resident, "9-rooms")
        try resident.follow("main ul.items li a")
        try look(resident, "9-room")
        try resident.follow("main ul.week a")
        try resident.follow("form[action$='/book'] button")
        #expect(try resident.title().hasPrefix("Reservaties"), "\((try? resident.source())?.prefix(3_000) ?? "")")
        try look(resident, "9-bookings")
        for (path, title) in [("/experts", "Vraag het een expert"), ("/listings/new", "Een zoekertje plaatsen"), ("/loans/new", "Een uitlening noteren"), ("/challenges/new", "Een uitdaging plaatsen"),
                              ("/settings/leave", "Uit de kring stappen")] {
            try resident.open(site + path)
            #expect(try resident.title().hasPrefix(title), "\(path)")
            try look(resident, "b" + path.replacingOccurrences(of: "/", with: "-"))
        }
        // The coordinator, in a browser of their own: the desk and its pages.
        let coordinator = try BrowserSession(driver, name: "coordinator-\(tag)", width: width, javascript: javascript, shots: Self.shots)
        defer { coordinator.close() }
        try coordinator.open(try link("the coordinator, "))
        try coordinator.type("#password", "de gemeente zegt ja")
        try coordinator.type("#repeat", "de gemeente zegt ja")
        try coordinator.follow("main button[type=submit]")
        for (path, title) in [("/desk", "Balie"), ("/desk/members", "Balie: de leden"), ("/desk/members/\(company)", ""), ("/desk/members/new", "Een lid inschrijven"),
                              ("/desk/slips", "Papieren strookjes"), ("/desk/policy", "Het beleid"), ("/desk/matches", "Mensen verbinden"),
                              ("/desk/import", "Een andere tijdsbank overbrengen")] {
            try coordinator.open(site + path)
            let shown = try coordinator.title()
            #expect(shown.hasPrefix(title) && !shown.hasPrefix("Niet gevonden"), "\(path): \(shown)")
            try look(coordinator, "c" + path.replacingOccurrences(of: "/", with: "-"))
        }
        // An expert's page and its hours form, and a room's hours form (a coordinator may open
        // every one), as their owners see them.
        for (list, step) in [("/experts", "d-expert"), ("/rooms?date=\(later)", "d-room")] {
            try coordinator.open(site + list)
            try coordinator.follow("main ul.items > li > a")
            try look(coordinator, step)
            let page = try #require(try coordinator.url().components(separatedBy: site).last?.split(separator: "?").first.map(String.init))
            try coordinator.open(site + page + "/hours")
            #expect(try coordinator.source().contains("id=\"capacity\""), "\(page)/hours")
            try look(coordinator, step + "-hours")
        }
        // Into English and back, on the foot of the page.
        try resident.open(site + "/challenges")
        try resident.click("footer select option[value=en]")
        try resident.follow("footer button")
        #expect(try resident.title().hasPrefix("Challenges"), "the language form leads back to the page it was on")
        try look(resident, "7-home-english")
    }

    /// The balance in minutes, read from the overview's figure (`-7,25 u`).
    static func balance(_ b: BrowserSession) throws -> Int64 {
        let source = try b.source()
        guard let r = source.range(of: "<strong>"), let end = source[r.upperBound...].range(of: "</strong>") else { throw ServerTestError("no balance on \(try b.title())") }
        let text = source[r.upperBound..<end.lowerBound].replacingOccurrences(of: ",", with: ".").replacingOccurrences(of: " u", with: "h").replacingOccurrences(of: " h", with: "h")
        let negative = text.hasPrefix("-")
        guard let m = Minutes.parse(negative ? String(text.dropFirst()) : text) else { throw ServerTestError("unreadable balance \(text)") }
        return negative ? -m.value : m.value
    }
}
