#if canImport(Glibc)
import Glibc
#endif
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KringCore
import KringTestSupport
import Testing

/// Debian's chromium driven through chromedriver, which speaks W3C WebDriver: plain HTTP and
/// JSON, spoken here with URLSession (no package). `.ci/run` installs both.
final class ChromeDriver: @unchecked Sendable {
    let process: Process
    let port: UInt16

    init() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"), FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") else {
            throw ServerTestError("chromium and chromium-driver are not installed (apt-get install chromium chromium-driver; .ci/run does)")
        }
        port = UInt16.random(in: 20_000...40_000)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/chromedriver")
        process.arguments = ["--port=\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let ready = waitUntil(seconds: 20) { (try? self.call("GET", "/status"))?["value"]?["ready"]?.boolValue == true }
        guard ready else { stop(); throw ServerTestError("chromedriver did not start") }
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    /// One WebDriver command; its JSON answer.
    @discardableResult
    func call(_ method: String, _ path: String, _ body: JSON? = nil) throws -> JSON {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 60
        if let body {
            request.httpBody = Data(body.canonicalBytes)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        final class Box: @unchecked Sendable { var data: Data?; var error: Error? }
        let box = Box(), done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { d, _, e in box.data = d; box.error = e; done.signal() }.resume()
        done.wait()
        if let e = box.error { throw e }
        return try JSON.parse(Array(box.data ?? Data()))
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
        var args: [JSON] = ["--headless", "--no-sandbox", "--disable-gpu", "--window-size=\(max(width, 500)),900"].map(JSON.string)
        if !javascript { args.append(.string("--blink-settings=scriptEnabled=false")) }
        var options: [String: JSON] = ["binary": .string("/usr/bin/chromium"), "args": .array(args)]
        if width < 500 {
            options["mobileEmulation"] = .object(["deviceMetrics": .object(["width": .int(Int64(width)), "height": .int(800), "pixelRatio": .int(1)])])
        }
        let caps = JSON.object(["capabilities": .object(["alwaysMatch": .object(["browserName": .string("chrome"), "goog:chromeOptions": .object(options)])])])
        let answer = try driver.call("POST", "/session", caps)
        guard let id = answer["value"]?["sessionId"]?.stringValue else { throw ServerTestError("no WebDriver session: \(answer.canonicalString.prefix(500))") }
        self.id = id
    }

    func close() { _ = try? driver.call("DELETE", "/session/\(id)") }

    func open(_ url: String) throws { try driver.call("POST", "/session/\(id)/url", .object(["url": .string(url)])) }

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
        let total = Int(try script("return document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea').length")?.intValue ?? 0)
        _ = try script("document.activeElement && document.activeElement.blur(); window.__seen = new Set(); document.addEventListener('focusin', e => window.__seen.add(e.target)); return 0")
        for _ in 0..<(total + 3) { try tab() }
        let missing = try script("""
            return Array.from(document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea'))
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
    /// confirms; both overviews show the new balances. At a phone's 320 and 390 px and at
    /// 1280 px, and once with JavaScript off; at each width no page scrolls sideways and Tab
    /// reaches every control.
    @Test(arguments: [(390, true), (1280, true), (320, false)])
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
            #expect(try b.unreachableByTab() == [], "\(b.name) \(step): Tab does not reach these")
        }

        // The resident: invitation, password, overview.
        try resident.open(residentLink)
        #expect(try resident.title().hasPrefix("Kies je wachtwoord"))
        try look(resident, "1-invitation")
        try resident.type("#password", "een fiets met een bel")
        try resident.type("#repeat", "een fiets met een bel")
        try resident.click("button[type=submit]")
        #expect(try resident.title().hasPrefix("Mijn overzicht"))
        try look(resident, "2-home")
        let residentBefore = try Self.balance(resident)
        // Logs an hour and a half for the company.
        try resident.click("a[href='/exchanges/new']")
        try look(resident, "3-new-exchange")
        try resident.type("#other", company)
        try resident.type("#what", "koffie schenken op de receptie")
        try resident.type("#hours", "1,5")
        try resident.click("main button[type=submit]")
        let afterPropose = try resident.source()
        #expect(try resident.title().hasPrefix("Uitwisseling ex-"), "\(afterPropose.prefix(2_000))")
        try look(resident, "4-exchange")
        let exchangePath = try #require(try resident.url().components(separatedBy: "127.0.0.1:\(server.port)").last)

        // The front desk, in its own browser: invitation, then confirms what waits for it.
        try desk.open(deskLink)
        try desk.type("#password", "balie open van negen tot vijf")
        try desk.type("#repeat", "balie open van negen tot vijf")
        try desk.click("button[type=submit]")
        #expect(try desk.title().hasPrefix("Mijn overzicht"))
        let deskBefore = try Self.balance(desk)
        try desk.click("a[href='\(exchangePath)']")
        try look(desk, "5-exchange-to-confirm")
        try desk.click("form[action='\(exchangePath)/confirm'] button")
        #expect(try desk.source().contains("bevestigd"))

        // Both overviews show the hour and a half moved.
        try resident.open("http://127.0.0.1:\(server.port)/")
        try desk.open("http://127.0.0.1:\(server.port)/")
        #expect(try Self.balance(resident) == residentBefore + 90)
        #expect(try Self.balance(desk) == deskBefore - 90)
        try look(desk, "6-home-after")
        // Into English and back, on the foot of the page.
        try resident.click("footer select option[value=en]")
        try resident.click("footer button")
        #expect(try resident.title().hasPrefix("My overview"))
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
