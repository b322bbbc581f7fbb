import Foundation
import Testing
import KringCore
import KringStore
import KringTestSupport

/// Runs the built `kring` binary against one database, on a fixed clock.
struct CLI {
    let dir = TempDir("cli")
    var db: String { dir.file("k.sqlite") }
    let now = "2026-06-01"

    @discardableResult
    func run(_ args: String..., env: [String: String] = [:]) throws -> ProcessResult {
        try runProcess(productsDirectory + "/kring", ["--db", db] + args, environment: ["KRING_NOW": now].merging(env) { $1 })
    }

    func json(_ args: String...) throws -> JSON {
        let r = try runProcess(productsDirectory + "/kring", ["--db", db] + args + ["--json"], environment: ["KRING_NOW": now])
        #expect(r.status == 0, "\(args): \(r.stderr)")
        return try JSON.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

@Suite(.serialized) struct CLITests {
    func community() throws -> CLI {
        let k = CLI()
        #expect(try k.run("init").status == 0)
        for (id, kind) in [("an", "person"), ("bram", "person"), ("chloe", "person"), ("bakkerij", "company"), ("repair", "association"), ("stad", "municipality")] {
            let r = try k.run("member", "add", id, "--name", id.capitalized, "--kind", kind, "--neighbourhood", "Noord", "--domains", "care,food")
            #expect(r.status == 0, "\(r.stderr)")
        }
        return k
    }

    @Test func lifecycleThroughTheBinary() throws {
        let k = try community(); defer { k.dir.remove() }
        var r = try k.run("exchange", "propose", "--as", "an", "--provider", "an", "--receiver", "bram", "--kind", "time", "--domain", "care", "--what", "groceries", "--credits", "1:30")
        #expect(r.status == 0 && r.stdout.contains("ex-1"), "\(r.stderr)")
        #expect(try k.json("balance", "an")["balance_minutes"]?.intValue == 0)
        r = try k.run("exchange", "confirm", "ex-1", "--as", "bram")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try k.json("balance", "an")["balance_minutes"]?.intValue == 90)
        let all = try k.json("balance").arrayValue ?? []
        #expect(all.count == 7)
        #expect(all.compactMap { $0["balance_minutes"]?.intValue }.reduce(0, +) == 0)
        #expect(try k.json("exchange", "show", "ex-1")["state"]?.stringValue == "confirmed")

        // Group exchange, recorded by the coordinator; 45m per pair.
        r = try k.run("exchange", "record", "--provider", "repair", "--receiver", "an,bram,chloe", "--kind", "time", "--domain", "climate-energy", "--what", "repair café", "--credits", "45m")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try k.json("balance", "repair")["balance_minutes"]?.intValue == 135)
        // A gift of space.
        r = try k.run("exchange", "record", "--provider", "bakkerij", "--receiver", "repair", "--kind", "space", "--domain", "culture", "--what", "meeting room", "--credits", "0", "--quantity", "2h")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try k.json("exchange", "list", "--member", "bakkerij").arrayValue?.first?["credits_minutes"]?.intValue == 0)

        // reject, cancel, reverse, expire
        _ = try k.run("exchange", "propose", "--as", "chloe", "--provider", "chloe", "--receiver", "an", "--kind", "goods", "--domain", "food", "--what", "jam", "--credits", "15m")
        #expect(try k.run("exchange", "reject", "ex-4", "--as", "an", "--reason", "geen confituur meer nodig").status == 0)
        #expect(try k.json("exchange", "list", "--state", "rejected").arrayValue?.first?["end_reason"]?.stringValue == "geen confituur meer nodig")
        _ = try k.run("exchange", "propose", "--as", "chloe", "--provider", "chloe", "--receiver", "an", "--kind", "time", "--domain", "food", "--what", "cooking", "--credits", "1")
        #expect(try k.run("exchange", "cancel", "ex-5", "--as", "an").status == 1)
        #expect(try k.run("exchange", "cancel", "ex-5", "--as", "chloe").status == 0)
        #expect(try k.run("exchange", "reverse", "ex-1", "--reason", "entered by mistake").status == 0)
        r = try k.run("exchange", "reverse", "ex-1", "--reason", "again")
        #expect(r.status == 1 && r.stderr.contains("rule.reversal"))
        _ = try k.run("exchange", "propose", "--as", "chloe", "--provider", "chloe", "--receiver", "an", "--kind", "time", "--domain", "food", "--what", "cooking", "--credits", "1")
        r = try k.run("exchange", "expire", env: ["KRING_NOW": "2026-06-20"])
        #expect(r.status == 0 && r.stdout.contains("1 proposal"), "\(r.stdout)")
        #expect(try k.json("exchange", "list", "--state", "expired").arrayValue?.count == 1)
        #expect(try k.json("exchange", "list", "--state", "reversed").arrayValue?.first?["reversal_reason"]?.stringValue == "entered by mistake")

        // pool
        #expect(try k.run("pool", "donate", "--from", "repair", "--credits", "1h").status == 0)
        r = try k.run("pool", "grant", "--to", "bram", "--credits", "2h", "--reason", "support")
        #expect(r.status == 1 && r.stderr.contains("rule.pool"))
        #expect(try k.run("pool", "grant", "--to", "bram", "--credits", "1h", "--reason", "support").status == 0)
        #expect(try k.json("balance", "pool")["balance_minutes"]?.intValue == 0)

        // members
        #expect(try k.run("member", "suspend", "chloe").status == 0)
        r = try k.run("exchange", "record", "--provider", "chloe", "--receiver", "an", "--kind", "time", "--domain", "food", "--what", "x", "--credits", "1")
        #expect(r.status == 1 && r.stderr.contains("rule.inactive"))
        #expect(try k.run("member", "reinstate", "chloe").status == 0)
        #expect(try k.run("member", "limits", "an", "--floor", "-5h").status == 0)
        #expect(try k.json("member", "limits", "an")["floor_minutes"]?.intValue == -300)
        #expect(try k.json("member", "show", "an")["neighbourhood"]?.stringValue == "Noord")
        #expect(try k.json("member", "list", "--kind", "company").arrayValue?.count == 1)
        r = try k.run("member", "leave", "chloe")
        #expect(r.status == 1 && r.stderr.contains("rule.pool"))  // the pool cannot cover chloe's 45 m debt yet
        #expect(try k.run("pool", "donate", "--from", "repair", "--credits", "45m").status == 0)
        #expect(try k.run("member", "leave", "chloe").status == 0)
        #expect(try k.json("balance", "chloe")["balance_minutes"]?.intValue == 0)
        #expect(try k.json("member", "show", "chloe")["status"]?.stringValue == "left")

        // statement, policy, verify
        let st = try k.json("statement", "an", "--from", "2026-01-01", "--to", "2026-12-31")
        #expect(st["closing_minutes"]?.intValue == (try k.json("balance", "an")["balance_minutes"]?.intValue))
        #expect(st["ledger_head"]?["seq"]?.intValue ?? 0 > 0)
        #expect(try k.run("policy", "set", "quantum", "30m").status == 0)
        #expect(try k.json("policy", "show")["quantum"]?.intValue == 30)
        let v = try k.json("verify")
        #expect(v["ok"]?.boolValue == true)
        // Without a place for its temporary files, verify keeps its columns in memory: the same verdict.
        let noTemp = ["TMPDIR": "/nonexistent-kring-tmp"]
        #expect(try k.run("verify", env: noTemp).status == 0)

        // Tampered: verify exits 3 and names the sequence number.
        let raw = try Connection(path: k.db)
        try raw.execute("DROP TRIGGER postings_no_update; UPDATE postings SET minutes = minutes + 15 WHERE seq = 9 AND minutes > 0")
        let bad = try k.run("verify")
        #expect(bad.status == 3 && bad.stderr.contains("seq 9"), "\(bad.stderr)")
        let badInMemory = try k.run("verify", env: noTemp)
        #expect(badInMemory.status == 3 && badInMemory.stderr == bad.stderr, "\(badInMemory.stderr)")
    }

    @Test func exitCodes() throws {
        let k = try community(); defer { k.dir.remove() }
        let cases: [([String], Int32, String)] = [
            (["exchange", "record", "--provider", "an", "--receiver", "an", "--kind", "time", "--domain", "care", "--what", "x", "--credits", "1"], 1, "rule.self"),
            (["exchange", "record", "--provider", "an", "--receiver", "bram", "--kind", "time", "--domain", "care", "--what", "x", "--credits", "25h"], 1, "rule.max_exchange"),
            (["exchange", "record", "--provider", "an", "--receiver", "bram", "--kind", "time", "--domain", "care", "--what", "x", "--credits", "10m"], 1, "rule.quantum"),
            (["exchange", "record", "--provider", "an", "--receiver", "bram", "--kind", "time", "--domain", "care", "--what", "x", "--credits", "abc"], 1, "input.amount"),
            (["exchange", "record", "--provider", "an", "--receiver", "bram", "--kind", "time", "--domain", "care", "--what", "x", "--credits", "1", "--date", "2026-06-02"], 1, "rule.date"),
            (["exchange", "record", "--provider", "an", "--receiver", "bram", "--kind", "time", "--domain", "nope", "--what", "x", "--credits", "1"], 1, "input.domain"),
            (["exchange", "propose", "--as", "an", "--provider", "an", "--receiver", "bram", "--kind", "time", "--domain", "care", "--what", "x", "--credits", "2", "--quantity", "1h"], 1, "rule.equal_time"),
            (["member", "add", "an", "--name", "Again", "--kind", "person"], 1, "member.exists"),
            (["member", "add", "x", "--name", "X", "--kind", "alien"], 1, "input.invalid"),
            (["member", "show", "nobody"], 1, "member.not_found"),
            (["exchange", "confirm", "ex-77", "--as", "an"], 1, "exchange.not_found"),
            (["exchange", "propose", "--as", "an"], 2, "needs --provider"),
            (["exchange", "frobnicate"], 2, "unknown command"),
            (["balance", "--colour"], 2, "--colour"),
            (["balance", "--colour", "red"], 2, "does not take --colour"),
            (["member", "show"], 2, "takes 1 argument"),
            (["exchange", "list", "--state", "nice"], 1, "input.invalid"),
        ]
        for (args, code, text) in cases {
            let before = try k.json("verify")["entries"]?.intValue
            let r = try runProcess(productsDirectory + "/kring", ["--db", k.db] + args, environment: ["KRING_NOW": k.now])
            #expect(r.status == code, "\(args): \(r.stderr)")
            #expect(r.stderr.contains(text), "\(args): \(r.stderr)")
            #expect(try k.json("verify")["entries"]?.intValue == before, "\(args) changed the journal")
        }
        // Storage failures exit 3.
        let missing = try runProcess(productsDirectory + "/kring", ["--db", k.dir.file("none.sqlite"), "balance"])
        #expect(missing.status == 3)
        #expect(try k.run("init").status == 3)
    }

    @Test func helpAndDatabaseFromTheEnvironment() throws {
        let k = try community(); defer { k.dir.remove() }
        let h = try k.run("help")
        #expect(h.status == 0 && h.stdout.contains("exchange propose") && h.stdout.contains("verify"))
        for c in ["init", "demo", "member add", "exchange record", "pool grant", "statement", "export", "verify", "balance"] {
            let r = try runProcess(productsDirectory + "/kring", c.split(separator: " ").map(String.init) + ["--help"])
            #expect(r.status == 0 && r.stdout.contains("kring \(c)"), "\(c): \(r.stdout)")
        }
        let viaEnv = try runProcess(productsDirectory + "/kring", ["balance", "an", "--json"], environment: ["KRING_DB": k.db])
        #expect(viaEnv.status == 0 && viaEnv.stdout.contains("balance_minutes"))
    }

    @Test func demoAndExports() throws {
        let k = CLI(); defer { k.dir.remove() }
        var r = try k.run("demo", "--members", "60", "--months", "6", "--seed", "3", "--end", "2026-05-31")
        #expect(r.status == 0, "\(r.stderr)")
        r = try k.run("demo")
        #expect(r.status == 3 && r.stderr.contains("not overwriting"))
        #expect(try k.json("verify")["ok"]?.boolValue == true)
        let kinds = Set((try k.json("member", "list").arrayValue ?? []).compactMap { $0["kind"]?.stringValue })
        #expect(kinds == ["pool", "person", "company", "association", "initiative", "municipality"])
        let ex = try k.json("exchange", "list", "--limit", "100000").arrayValue ?? []
        #expect(Set(ex.compactMap { $0["kind"]?.stringValue }) == ["time", "space", "goods"])
        let states = Set(ex.compactMap { $0["state"]?.stringValue })
        #expect(states.isSuperset(of: ["confirmed", "rejected", "expired", "reversed"]), "\(states)")
        #expect(ex.contains { ($0["receivers"]?.arrayValue?.count ?? 0) > 1 })
        #expect(ex.contains { $0["kind"]?.stringValue == "space" && $0["credits_minutes"]?.intValue == 0 })

        // Deterministic: the same seed and end give the same head.
        let k2 = CLI(); defer { k2.dir.remove() }
        _ = try k2.run("demo", "--members", "60", "--months", "6", "--seed", "3", "--end", "2026-05-31")
        #expect(try k.json("verify")["ledger_head"] == (try k2.json("verify")["ledger_head"]))

        let csv = k.dir.file("t.csv"), json = k.dir.file("e.json")
        #expect(try k.run("export", "--format", "csv", "--out", csv).status == 0)
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(rows.first?.hasPrefix("seq,date,timestamp,kind") == true)
        #expect(try k.run("export", "--format", "json", "--out", json).status == 0)
        let parsed = try JSON.parse(Array(try Data(contentsOf: URL(fileURLWithPath: json))))
        #expect(parsed["transfers"]?.arrayValue?.count == rows.count - 1)
        #expect(try k.run("export", "--format", "csv", "--table", "exchanges").stdout.hasPrefix("id,state,date"))
        #expect(try k.run("export", "--format", "xml").status == 1)
    }

    @Test func hledgerAgreesWithKringExactly() throws {
        guard let hledger = ["/usr/bin/hledger", "/usr/local/bin/hledger"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            print("hledger not installed: skipping the independent check")
            return
        }
        let k = CLI(); defer { k.dir.remove() }
        _ = try k.run("demo", "--members", "80", "--months", "8", "--seed", "11", "--end", "2026-05-31")
        let journal = k.dir.file("k.journal")
        #expect(try k.run("export", "--format", "hledger", "--out", journal).status == 0)
        let r = try runProcess(hledger, ["-f", journal, "balance", "-O", "csv", "--no-total", "--flat"])
        #expect(r.status == 0, "hledger: \(r.stderr)")
        var fromHledger = [String: Int64]()
        for line in r.stdout.split(separator: "\n").dropFirst() {
            let cols = line.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            guard cols.count == 2, cols[0].hasPrefix("members:") else { continue }
            let amount = cols[1].replacingOccurrences(of: " H", with: "")
            let neg = amount.hasPrefix("-")
            let parts = amount.trimmingCharacters(in: CharacterSet(charactersIn: "-")).split(separator: ".")
            let hundredths = Int64(parts[0])! * 100 + (parts.count > 1 ? Int64(parts[1].padding(toLength: 2, withPad: "0", startingAt: 0))! : 0)
            fromHledger[String(cols[0].dropFirst(8))] = (neg ? -1 : 1) * hundredths * 60 / 100
        }
        let ours = try k.json("balance").arrayValue ?? []
        var compared = 0
        for b in ours {
            let id = b["member"]!.stringValue!, m = b["balance_minutes"]!.intValue!
            #expect((fromHledger[id] ?? 0) == m, "\(id): hledger \(fromHledger[id] ?? 0), kring \(m)")
            compared += 1
        }
        #expect(compared > 80 && fromHledger.count > 20)
        // A changed amount breaks a balance assertion.
        var text = try String(contentsOfFile: journal, encoding: .utf8)
        if let range = text.range(of: "  1.00 H\n") { text.replaceSubrange(range, with: "  1.25 H\n") }
        let bad = k.dir.file("bad.journal")
        try text.write(toFile: bad, atomically: true, encoding: .utf8)
        #expect(try runProcess(hledger, ["-f", bad, "balance"]).status != 0)
    }
}

@Suite(.serialized) struct MarketCLITests {
    @Test func offersRequestsAndSearchThroughTheBinary() throws {
        let k = CLI(); defer { k.dir.remove() }
        #expect(try k.run("init").status == 0)
        _ = try k.run("member", "add", "cafe", "--name", "Café", "--kind", "company", "--neighbourhood", "Centrum")
        _ = try k.run("member", "add", "an", "--name", "An", "--kind", "person", "--neighbourhood", "Noord")
        var r = try k.run("offer", "add", "--as", "cafe", "--kind", "space", "--domain", "culture", "--title", "Zaal in het café", "--text", "40 personen")
        #expect(r.status == 0 && r.stdout.contains("of-1"), "\(r.stderr)")
        r = try k.run("request", "add", "--as", "an", "--kind", "time", "--domain", "care", "--title", "Hulp bij boodschappen", "--days", "30")
        #expect(r.status == 0 && r.stdout.contains("rq-2"), "\(r.stderr)")
        #expect(try k.json("offer", "list").arrayValue?.count == 1)
        #expect(try k.json("request", "list").arrayValue?.first?["expires"]?.stringValue == "2026-07-01")
        #expect(try k.json("offer", "show", "of-1")["place"]?.stringValue == "Centrum")
        #expect(try k.json("search", "CAFE").arrayValue?.first?["id"]?.stringValue == "of-1")
        #expect(try k.json("search", "zaal", "--side", "request").arrayValue?.isEmpty == true)
        r = try k.run("search", "\"", "OR")
        #expect(r.status == 0, "operators are words: \(r.stderr)")
        #expect(try k.run("search", "?!").status == 1)
        r = try k.run("offer", "edit", "of-1", "--as", "an", "--kind", "space", "--domain", "culture", "--title", "mine now")
        #expect(r.status == 1 && r.stderr.contains("rule.forbidden"))
        #expect(try k.run("offer", "edit", "of-1", "--as", "cafe", "--kind", "space", "--domain", "culture", "--title", "Grote zaal").status == 0)
        #expect(try k.json("offer", "show", "of-1")["version"]?.intValue == 2)
        #expect(try k.run("request", "renew", "rq-2", "--as", "an", "--days", "10").status == 0, "renewing keeps it in the history")
        _ = try k.run("request", "add", "--as", "an", "--kind", "goods", "--domain", "poverty", "--title", "Winterjas")
        #expect(try k.run("request", "edit", "rq-3", "--as", "an", "--kind", "goods", "--domain", "poverty", "--title", "Winterjas maat 110").status == 0)
        #expect(try k.json("request", "show", "rq-3")["title"]?.stringValue == "Winterjas maat 110")
        #expect(try k.run("request", "withdraw", "rq-3", "--as", "cafe").status == 1)
        #expect(try k.run("request", "withdraw", "rq-3", "--as", "an").status == 0)
        #expect(try k.json("request", "list", "--history").arrayValue?.contains { $0["id"]?.stringValue == "rq-3" && $0["withdrawn"]?.boolValue == true } == true)
        let matches = try k.json("match").arrayValue ?? []
        #expect(matches.count == 1 && matches[0]["request"]?.stringValue == "rq-2")
        #expect(try k.run("match", "--request", "rq-9").status == 1)
        r = try k.run("exchange", "record", "--provider", "an", "--receiver", "cafe", "--kind", "time", "--domain", "care", "--what", "boodschappen",
                      "--credits", "1", "--links", "rq-2")
        #expect(r.status == 1 && r.stderr.contains("listing.state"), "an's request, but an provides: \(r.stderr)")
        r = try k.run("exchange", "record", "--provider", "cafe", "--receiver", "an", "--kind", "time", "--domain", "care", "--what", "boodschappen",
                      "--credits", "1", "--links", "rq-2")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try k.json("exchange", "show", "ex-1")["links"]?.arrayValue == [.string("rq-2")])
        #expect(try k.json("request", "show", "rq-2")["fulfilled_by"]?.stringValue == "ex-1")
        #expect(try k.json("request", "list").arrayValue?.isEmpty == true, "a fulfilled request leaves the public listing")
        #expect(try k.run("offer", "withdraw", "of-1").status == 0)
        #expect(try k.json("offer", "list").arrayValue?.isEmpty == true)
        #expect(try k.json("offer", "list", "--history").arrayValue?.first?["withdrawn"]?.boolValue == true)
        r = try k.run("offer", "renew", "of-1")
        #expect(r.status == 1 && r.stderr.contains("listing.state"))
        #expect(try k.run("offer", "show", "rq-2").status == 1)
        // Goods: lend, overdue, return.
        _ = try k.run("offer", "add", "--as", "an", "--kind", "goods", "--domain", "housing", "--title", "Ladder")
        r = try k.run("goods", "lend", "--as", "an", "--to", "cafe", "--what", "ladder", "--due", "2026-06-03", "--offer", "of-4")
        #expect(r.status == 0 && r.stdout.contains("ln-1"), "\(r.stderr)")
        #expect(try k.json("goods", "overdue").arrayValue?.isEmpty == true)
        let late = try runProcess(productsDirectory + "/kring", ["--db", k.db, "goods", "overdue", "--json"], environment: ["KRING_NOW": "2026-06-10"])
        #expect(late.stdout.contains("\"id\":\"ln-1\""))
        #expect(try k.run("goods", "return", "ln-1", "--as", "cafe").status == 1)
        #expect(try k.run("goods", "return", "ln-1", "--as", "an").status == 0)
        #expect(try k.json("goods", "loans", "--member", "cafe").arrayValue?.first?["returned"]?.stringValue == "2026-06-01")
        #expect(try k.json("goods", "loans", "--open").arrayValue?.isEmpty == true)
        #expect(try k.json("verify")["ok"]?.boolValue == true)
    }
}

@Suite(.serialized) struct SpaceCLITests {
    @Test func hoursBookingsAndCancellationThroughTheBinary() throws {
        let k = CLI(); defer { k.dir.remove() }
        #expect(try k.run("init").status == 0)
        _ = try k.run("member", "add", "cafe", "--name", "Café", "--kind", "company")
        _ = try k.run("member", "add", "an", "--name", "An", "--kind", "person")
        _ = try k.run("offer", "add", "--as", "cafe", "--kind", "space", "--domain", "culture", "--title", "Zaal")
        var r = try k.run("space", "book", "of-1", "--as", "an", "--date", "2026-06-02", "--from", "10:00", "--to", "11:00", "--people", "2")
        #expect(r.status == 1 && r.stderr.contains("space.hours"), "no hours yet: \(r.stderr)")
        r = try k.run("space", "hours", "of-1", "--as", "cafe", "--capacity", "4", "--weekly", "mon-fri 09:00-17:00", "--closed", "2026-06-03")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try k.run("space", "hours", "of-1", "--as", "cafe", "--capacity", "4", "--weekly", "someday").status == 1)
        r = try k.run("space", "book", "of-1", "--as", "an", "--date", "2026-06-02", "--from", "10:00", "--to", "11:00", "--people", "4")
        #expect(r.status == 0 && r.stdout.contains("bk-1"), "\(r.stderr)")
        r = try k.run("space", "book", "of-1", "--as", "an", "--date", "2026-06-02", "--from", "10:30", "--to", "11:30", "--people", "1")
        #expect(r.status == 1 && r.stderr.contains("space.capacity"))
        r = try k.run("space", "book", "of-1", "--as", "an", "--date", "2026-06-03", "--from", "10:30", "--to", "11:30", "--people", "1")
        #expect(r.status == 1 && r.stderr.contains("space.hours"))
        #expect(try k.run("space", "book", "of-1", "--as", "an", "--date", "2026-06-02", "--from", "9:5", "--to", "11:30", "--people", "1").status == 1)
        let listing = try k.json("space", "bookings", "of-1", "--date", "2026-06-02")
        #expect(listing["bookings"]?.arrayValue?.count == 1 && listing["hours"]?["capacity"]?.intValue == 4)
        #expect(try k.run("space", "cancel", "bk-1", "--as", "an").status == 0)
        #expect(try k.run("space", "book", "of-1", "--as", "an", "--date", "2026-06-02", "--from", "10:30", "--to", "11:30", "--people", "1").status == 0)
        // After the slot: a gift of space, settling the booking.
        let after = ["KRING_NOW": "2026-06-03"]
        r = try k.run("exchange", "propose", "--as", "cafe", "--provider", "cafe", "--receiver", "an", "--kind", "space", "--domain", "culture",
                      "--what", "zaal", "--credits", "0", "--quantity", "1h", "--links", "bk-2", env: after)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try k.run("exchange", "confirm", "ex-1", "--as", "an", env: after).status == 0)
        #expect(try k.json("space", "bookings", "of-1", "--date", "2026-06-02")["bookings"]?.arrayValue?.last?["settled_by"]?.stringValue == "ex-1")
        #expect(try k.json("verify")["ok"]?.boolValue == true)
    }
}

@Suite(.serialized) struct ChallengeCLITests {
    @Test func coCreationThroughTheBinary() throws {
        let k = CLI(); defer { k.dir.remove() }
        #expect(try k.run("init").status == 0)
        for (id, kind, domains) in [("stad", "municipality", "care"), ("an", "person", "loneliness,care"), ("cafe", "company", "culture"), ("chloe", "person", "care")] {
            _ = try k.run("member", "add", id, "--name", id, "--kind", kind, "--domains", domains)
        }
        var r = try k.run("challenge", "add", "--as", "an", "--title", "x", "--domains", "care", "--ends", "2026-07-01")
        #expect(r.status == 1 && r.stderr.contains("rule.forbidden"))
        r = try k.run("challenge", "add", "--as", "stad", "--title", "Eenzame senioren", "--domains", "loneliness,care", "--ends", "2026-07-01")
        #expect(r.status == 0 && r.stdout.contains("ch-1"), "\(r.stderr)")
        #expect(try k.run("challenge", "join", "ch-1", "--as", "an").status == 0)
        #expect(try k.run("challenge", "join", "ch-1", "--as", "cafe").status == 0)
        #expect(try k.run("challenge", "pledge", "ch-1", "--as", "an", "--kind", "time", "--what", "wekelijks bezoek").status == 0)
        #expect(try k.run("offer", "add", "--as", "an", "--kind", "time", "--domain", "loneliness", "--title", "Bezoek", "--challenge", "ch-1").status == 0)
        #expect(try k.run("challenge", "pledge", "ch-1", "--as", "cafe", "--kind", "space", "--what", "zaal op zondag").status == 0)
        r = try k.run("exchange", "record", "--provider", "an", "--receiver", "chloe", "--kind", "time", "--domain", "loneliness", "--what", "bezoek",
                      "--credits", "1", "--links", "ch-1")
        #expect(r.status == 0, "\(r.stderr)")
        let report = try k.json("challenge", "show", "ch-1")
        #expect(report["joined_by_kind"]?["person"]?.intValue == 1 && report["joined_by_kind"]?["company"]?.intValue == 1)
        #expect(report["joined_by_domain"]?["care"]?.intValue == 1)
        #expect(report["listings"]?.arrayValue == [.string("of-1")])
        let pledges = report["pledges"]?.arrayValue ?? []
        #expect(pledges.first { $0["member"]?.stringValue == "an" }?["became_exchange"]?.stringValue == "ex-1")
        #expect(pledges.first { $0["member"]?.stringValue == "cafe" }?["became_exchange"]?.isNull == true)
        #expect(try k.json("challenge", "list").arrayValue?.count == 1)
        #expect(try k.run("challenge", "close", "ch-1", "--as", "an").status == 1)
        #expect(try k.run("challenge", "close", "ch-1").status == 0)
        #expect(try k.json("challenge", "list").arrayValue?.isEmpty == true)
        #expect(try k.json("challenge", "list", "--all").arrayValue?.first?["closed"]?.boolValue == true)
        #expect(try k.json("verify")["ok"]?.boolValue == true)
    }

    @Test func tokensAndBackupThroughTheBinary() throws {
        let k = try CLITests().community(); defer { k.dir.remove() }
        // A token is printed once; the list never shows it; its hash is what is stored.
        let issued = try k.json("token", "issue", "an", "--role", "member", "--label", "phone")
        guard let token = issued["token"]?.stringValue, let id = issued["id"]?.stringValue else { Issue.record("no token"); return }
        #expect(id.hasPrefix("tk-"))
        #expect(token.hasPrefix("kring_") && token.count == 70)
        let list = try k.run("token", "list")
        #expect(list.status == 0 && list.stdout.contains("an  member  phone") && !list.stdout.contains(token))
        let raw = try Connection(path: k.db, readOnly: true)
        #expect(try raw.scalarInt("SELECT COUNT(*) FROM api_tokens WHERE hash = ?", .blob(Tokens.hash(token))) == 1)
        #expect(try raw.scalarInt("SELECT COUNT(*) FROM api_tokens WHERE CAST(hash AS TEXT) LIKE '%' || ? || '%'", .text(String(token.dropFirst(6).prefix(16)))) == 0)
        #expect(try k.run("token", "issue", "nobody").status == 1)
        #expect(try k.run("token", "issue", "an", "--role", "admin").status == 1)
        // A token is named by its canonical id only.
        #expect(try k.run("token", "revoke", String(id.dropFirst(3))).status == 1)
        #expect(try k.run("token", "revoke", "tk-0" + id.dropFirst(3)).status == 1)
        #expect(try k.run("token", "revoke", id).status == 0)
        let again = try k.run("token", "revoke", id)
        #expect(again.status == 1 && again.stderr.contains("already revoked"))
        #expect(try k.run("token", "list", "--member", "an").stdout.contains("[revoked]"))
        // An online backup verifies, and never overwrites.
        let copy = k.dir.file("copy.sqlite")
        let b = try k.run("backup", copy)
        #expect(b.status == 0 && b.stdout.contains("verifies up to seq"), "\(b.stderr)")
        #expect(try runProcess(productsDirectory + "/kring", ["--db", copy, "verify"]).status == 0)
        #expect(try k.run("backup", copy).status == 3)
        #expect(try k.run("serve", "--port", "99999").status == 1)
        #expect(try k.run("serve", "--help").stdout.contains("--max-connections"))
    }

    @Test func invitationsAndLoginsThroughTheBinary() throws {
        let k = try CLITests().community(); defer { k.dir.remove() }
        // The link carries the code once; only its hash is stored; it opens a login to the
        // ledger for the member, at the site the coordinator names.
        let r = try k.run("member", "invite", "bakkerij", "--label", "balie", "--public-url", "https://kring.example.be")
        #expect(r.status == 0, "\(r.stderr)")
        let link = try #require(r.stdout.split(separator: "\n").last.map(String.init))
        #expect(link.hasPrefix("https://kring.example.be/invitation/kring_") && r.stdout.contains("bakkerij/balie (member)"))
        let code = String(link.dropFirst("https://kring.example.be/invitation/".count))
        let ledger = try Ledger(path: k.db, clock: TestClock(Day(iso: k.now)!).clock)
        guard case .valid(let login) = try ledger.invitation(code) else { Issue.record("the printed code does not open its invitation"); return }
        #expect(login.name == "bakkerij/balie" && login.member == "bakkerij")
        let raw = try Connection(path: k.db, readOnly: true)
        #expect(try raw.scalarInt("SELECT COUNT(*) FROM invitations WHERE hash = ?", .blob(SHA256.hash(Array(code.utf8)))) == 1)
        // A coordinator's login; the list shows logins, never a code.
        let c = try k.json("member", "invite", "stad", "--role", "coordinator", "--days", "3")
        #expect(c["name"]?.stringValue == "stad" && c["role"]?.stringValue == "coordinator" && c["link"]?.stringValue?.hasPrefix("http://127.0.0.1:8080/invitation/kring_") == true)
        let list = try k.run("login", "list")
        #expect(list.stdout.contains("bakkerij/balie  member  invited") && list.stdout.contains("stad  coordinator  invited") && !list.stdout.contains(code))
        // Refusals: a label that is not one, a role the login does not have, days out of range,
        // an unknown member, a site that is not an origin, a login id that is not canonical.
        for args in [["member", "invite", "bakkerij", "--label", "Front Desk"], ["member", "invite", "bakkerij", "--label", "balie", "--role", "coordinator"],
                     ["member", "invite", "an", "--days", "0"], ["member", "invite", "an", "--days", "91"], ["member", "invite", "nobody"],
                     ["member", "invite", "an", "--public-url", "kring.example.be/x"], ["login", "revoke", "lg-01"],
                     // Behind a proxy the site's origin must be named: the Host header is no proof of it.
                     ["serve", "--port", "0", "--trusted-proxy", "127.0.0.1"]] {
            let refused = try runProcess(productsDirectory + "/kring", ["--db", k.db] + args, environment: ["KRING_NOW": k.now])
            #expect(refused.status == 1 && refused.stderr.hasPrefix("error["), "\(args): \(refused.stderr)")
        }
        #expect(try k.run("login", "revoke", login.id.description).status == 0)
        #expect(try ledger.invitation(code) == .unknown)
        #expect(try k.run("login", "list", "--member", "bakkerij").stdout.contains("revoked"))
    }

    @Test func statisticsThroughTheBinary() throws {
        let k = CLI(); defer { k.dir.remove() }
        var r = try k.run("demo", "--members", "60", "--months", "6", "--end", "2026-06-01")
        #expect(r.status == 0, "\(r.stderr)")
        r = try k.run("stats")
        #expect(r.status == 0 && r.stdout.contains("at ledger head seq") && r.stdout.contains("all"), "\(r.stderr)")
        let json = try k.json("stats", "--period", "quarter", "--by", "domain")
        #expect(json["ledger_head"]?["seq"]?.intValue ?? 0 > 0 && json["k"]?.intValue == 5)
        let names = json["tables"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(names.contains("domain") && !names.contains("who_helps_whom") && names.contains("total"))
        r = try k.run("stats", "--format", "csv", "--k", "10")
        #expect(r.stdout.hasPrefix("table,category,period,measure,value,suppressed\r\nmeta,ledger_head_seq,all,value,"))
        let out = k.dir.file("stats.html")
        r = try k.run("stats", "--format", "html", "--lang", "en", "--out", out)
        #expect(r.status == 0 && r.stderr.contains("Wrote html"))
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("Who helps whom") && html.contains("lang=\"en\""))
        for bad in [["--period", "week"], ["--k", "0"], ["--format", "pdf"], ["--by", "colour"], ["--lang", "fr"], ["--from", "2026-05-01", "--to", "2026-04-01"], ["--from", "1970-01-01"]] {
            let e = try runProcess(productsDirectory + "/kring", ["--db", k.db, "stats"] + bad)
            #expect(e.status == 1 && e.stderr.contains("input.invalid"), "\(bad): \(e.stderr)")
        }
    }
}
