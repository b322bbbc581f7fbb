import Foundation
import Testing
import KringCore
import KringStore
import KringTestSupport

/// Importing another time bank through the binary: TimeOverflow in both its forms and the
/// generic CSV, balances checked exactly, a dry run reporting seeded errors at their lines, all
/// or nothing (also when killed), never twice.
@Suite(.serialized) struct ImportTests {
    static let kring = productsDirectory + "/kring"

    /// Writes `files` into `dir` and returns their paths by name.
    static func write(_ dir: TempDir, _ files: [String: String]) throws -> [String: String] {
        var paths = [String: String]()
        for (name, text) in files {
            let path = dir.file(name)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            paths[name] = path
        }
        return paths
    }

    static func run(_ args: [String]) throws -> ProcessResult { try runProcess(kring, args, environment: ["KRING_NOW": "2026-06-01"]) }

    /// TimeOverflow's report files of 500 members and 30,000 transfers written into `dir`, the
    /// ledger to import them into, and the command that does.
    static func largeImport(_ dir: TempDir) throws -> (fixture: TimeOverflowFixture, db: String, args: [String]) {
        let f = TimeOverflowFixture(members: 500, transfers: 30_000, posts: 0)
        let p = try write(dir, ["members.csv": f.membersReport, "transfers.csv": f.transfersReport])
        let db = dir.file("l.sqlite")
        return (f, db, ["import", "timeoverflow", "--db", db, "--members", p["members.csv"]!, "--transfers", p["transfers.csv"]!])
    }

    /// The balances a ledger holds, by member.
    static func balances(_ db: String) throws -> [MemberID: Int64] {
        var out = [MemberID: Int64]()
        for (m, b) in try Reader(path: db).balances() { out[m] = b.value }
        return out
    }

    @Test("TimeOverflow's report downloads: 200 members, 1,000 transfers, 300 posts; every balance as the report says, history in its months, posts by category")
    func timeOverflowReports() throws {
        let dir = TempDir("import-report"); defer { dir.remove() }
        let f = TimeOverflowFixture(members: 200, transfers: 1_000, posts: 300)
        let p = try Self.write(dir, ["members.csv": f.membersReport, "transfers.csv": f.transfersReport, "offers.csv": f.offersReport, "inquiries.csv": f.inquiriesReport])
        let db = dir.file("l.sqlite")
        let r = try Self.run(["import", "timeoverflow", "--db", db, "--members", p["members.csv"]!, "--transfers", p["transfers.csv"]!,
                              "--offers", p["offers.csv"]!, "--inquiries", p["inquiries.csv"]!])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Left out (Kring keeps no contact data): email, phone, alt_phone, last_sign_in_at, locale."))
        #expect(r.stdout.contains("200 balances agree with the source"), "\(r.stdout)")
        let have = try Self.balances(db)
        for (m, b) in f.balances { #expect(have[m] == b, "\(m)") }
        #expect(have.values.reduce(0, +) == 0, "the zero sum holds (the organisation's account takes the other side)")
        #expect(try Verifier.verify(path: db).ok)
        let reader = try Reader(path: db)
        #expect(try reader.counts().exchanges == 1_000)
        // Posts became offers and requests in the mapped domains (Cuidados → care, an unknown category → other).
        let posts = try reader.listings(ListingFilter(), today: Day(iso: "2026-06-01")!, history: true, limit: 1_000)
        #expect(posts.count == 300 && posts.filter { $0.record.info.side == .offer }.count == 150)
        #expect(posts.contains { $0.record.info.title == "Oferta 0" && $0.record.info.domain == "care" } && posts.contains { $0.record.info.domain == "other" })
        // History counts in its months: the first exchange is in February 2024.
        let stats = Statistics.report(try reader.statsInput(), period: .month, from: nil, to: nil, k: 1)
        #expect(stats.periods.first?.label == "2024-02", "\(stats.periods.first?.label ?? "")")
        // An exchange names its source file and row.
        let payload = try Connection(path: db).scalarText("SELECT payload FROM journal WHERE type = 'exchange.recorded' ORDER BY seq LIMIT 1") ?? ""
        #expect(payload.contains("\"import\":{\"row\":") && payload.contains("\"source\":\""), "\(payload)")
    }

    @Test("TimeOverflow's admin upload files give the same balances; their posts file is refused with the reason")
    func timeOverflowAdmin() throws {
        let dir = TempDir("import-admin"); defer { dir.remove() }
        let f = TimeOverflowFixture(members: 200, transfers: 1_000, posts: 300)
        let p = try Self.write(dir, ["members.csv": f.membersAdmin, "transfers.csv": f.transfersAdmin, "posts.csv": "1,Offer,Clases,De todo,1,2024-02-01,,\n"])
        let db = dir.file("l.sqlite")
        var r = try Self.run(["import", "timeoverflow", "--db", db, "--members", p["members.csv"]!, "--transfers", p["transfers.csv"]!, "--posts", p["posts.csv"]!])
        #expect(r.status == 1 && r.stderr.contains("posts.csv:1: error[input.invalid]") && r.stderr.contains("report downloads"))
        #expect(!FileManager.default.fileExists(atPath: db))
        r = try Self.run(["import", "timeoverflow", "--db", db, "--members", p["members.csv"]!, "--transfers", p["transfers.csv"]!])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("gender, date_of_birth, phone, alt_phone, email"))
        let have = try Self.balances(db)
        for (m, b) in f.balances { #expect(have[m] == b, "\(m)") }
        #expect(try Reader(path: db).member("lid-7")?.state.info.name == "Lid 7")
        #expect(try Verifier.verify(path: db).ok)
    }

    @Test("a dry run reports every seeded error at its file and line and writes nothing; a real run with them writes nothing either")
    func dryRunReportsEachError() throws {
        let dir = TempDir("import-dry"); defer { dir.remove() }
        let f = TimeOverflowFixture(members: 20, transfers: 50, posts: 0)
        var transfers = f.transfersReport.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        transfers[4] = "no es una fecha,Lid 1 (1),Lid 2 (2),x,1:00"          // line 5
        transfers[9] = "2024-03-01 10:00,Lid 1 (1),Lid 999 (999),x,1:00"      // line 10
        transfers[14] = "2024-03-01 10:00,Lid 3 (3),Lid 3 (3),x,0:30"         // line 15: the same member on both sides
        transfers[19] = "2027-03-01 10:00,Lid 1 (1),Lid 2 (2),x,1:00"         // line 20: after today
        var members = f.membersReport.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var fields = members[3].split(separator: ",", omittingEmptySubsequences: false)
        fields[8] = "61"                                                       // line 4: a balance of seconds that are no whole minute
        members[3] = fields.joined(separator: ",")
        let p = try Self.write(dir, ["members.csv": members.joined(separator: "\n"), "transfers.csv": transfers.joined(separator: "\n")])
        let db = dir.file("l.sqlite")
        for dry in [true, false] {
            let r = try Self.run(["import", "timeoverflow", "--db", db, "--members", p["members.csv"]!, "--transfers", p["transfers.csv"]!] + (dry ? ["--dry-run"] : []))
            #expect(r.status == 1, "\(r.stdout) \(r.stderr)")
            for expected in ["transfers.csv:5: error[input.invalid]", "transfers.csv:10: error[member.not_found]", "transfers.csv:15: error[rule.self]",
                             "transfers.csv:20: error[rule.date]", "members.csv:4: error[rule.quantum]",
                             // The refused transfers leave their members' balances short of the report's.
                             "error[ledger.unbalanced]"] {
                #expect(r.stderr.contains(expected), "\(expected) in \(r.stderr)")
            }
            #expect(!FileManager.default.fileExists(atPath: db) && !FileManager.default.fileExists(atPath: db + ".importing"))
        }
    }

    @Test("an import killed halfway leaves no ledger; the next one completes; the same files a second time are refused and change nothing")
    func allOrNothing() throws {
        let dir = TempDir("import-kill"); defer { dir.remove() }
        let (f, db, args) = try Self.largeImport(dir)
        let proc = Process()
        proc.executableURL = URL(fileURLWithPath: Self.kring)
        proc.arguments = args
        proc.standardOutput = FileHandle.nullDevice
        proc.standardError = FileHandle.nullDevice
        try proc.run()
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: db + ".importing"), Date() < deadline { usleep(2_000) }
        #expect(FileManager.default.fileExists(atPath: db + ".importing"), "the import began")
        kill(proc.processIdentifier, SIGKILL)
        proc.waitUntilExit()
        #expect(!FileManager.default.fileExists(atPath: db), "nothing at --db after a kill")
        let r = try Self.run(args)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: db + ".importing"))
        let head = try Reader(path: db).head()
        let again = try Self.run(args)
        #expect(again.status == 1 && again.stderr.contains("exists"))
        #expect(try Reader(path: db).head().seq == head.seq)
        #expect(try Self.balances(db)[MemberID(canonical: "lid-1")!] == f.balances[MemberID(canonical: "lid-1")!])
    }

    @Test("an import whose disk fills up stops with exit 3, names the file and SQLite's code, and leaves no file behind")
    func fullDiskLeavesNothing() throws {
        let dir = TempDir("import-full"); defer { dir.remove() }
        let (_, db, args) = try Self.largeImport(dir)
        // A file size limit of 200 KiB stands in for a full disk: past it, write(2) fails with
        // EFBIG (the signal it would send is ignored, as an exec'd process inherits).
        let script = "trap '' XFSZ; ulimit -f 400; exec \"$0\" \"$@\""
        let r = try runProcess("/bin/sh", ["-c", script, Self.kring] + args, environment: ["KRING_NOW": "2026-06-01"])
        #expect(r.status == 3 && r.stderr.contains("error[storage]") && r.stderr.contains(db + ".importing, SQLite result code"), "\(r.status) \(r.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("l.sqlite") }
        #expect(left.isEmpty, "left behind: \(left)")
    }

    @Test("the generic CSV: members and exchanges with groups, gifts, quantities and mapped categories")
    func genericCSV() throws {
        let dir = TempDir("import-csv"); defer { dir.remove() }
        let p = try Self.write(dir, [
            "members.csv": "id,name,kind,neighbourhood\nan-peeters,An Peeters,person,Centrum\nbo-smet,Bo Smet,person,\nbakkerij,Bakkerij,company,Noord\nrepair,Repair Café,association,Zuid\n",
            "exchanges.csv": """
                date,provider,receiver,kind,domain,what,credits,quantity,measure
                2025-01-10,an-peeters,bo-smet,time,care,boodschappen,1.5,,
                2025-02-01,bakkerij,repair,space,Cultura,"zaal, met koffie",0,2,h
                2025-03-05,repair,an-peeters;bo-smet,time,climate-energy,fietsen hersteld,0:40,,
                2025-03-06,bo-smet,an-peeters,goods,food,confituur,0,3,items

                """,
        ])
        let db = dir.file("l.sqlite")
        let r = try Self.run(["import", "csv", "--db", db, "--members", p["members.csv"]!, "--exchanges", p["exchanges.csv"]!])
        #expect(r.status == 0, "\(r.stderr)")
        let b = try Self.balances(db)
        #expect(b["an-peeters"] == 90 - 40 && b["bo-smet"] == -90 - 40 && b["repair"] == 80 && b["bakkerij"] == 0)
        let x = try #require(try Reader(path: db).exchange("ex-2"))
        #expect(x.record.info.domain == "culture" && x.record.info.quantity == 120 && x.record.info.what == "zaal, met koffie")
        #expect(try Verifier.verify(path: db).ok)
    }

    @Test("the mapping file: categories to domains, the organisation's id; a domain the policy lacks is refused at its line")
    func mapping() throws {
        let m = try ImportMapping(text: "organization = gemeente\nHuiswerk = education\n* = care\n", policyDomains: Policy.standard.domains)
        #expect(m.domain(for: "huiswerk") == "education" && m.domain(for: "iets anders") == "care" && m.organization == "gemeente")
        #expect(ImportMapping.standard.domain(for: "EDUCACIÓN") == "education")
        do {
            _ = try ImportMapping(text: "# x\nHuiswerk = school\n", policyDomains: Policy.standard.domains)
            Issue.record("an unknown domain was taken")
        } catch {
            #expect(error.line == 2 && error.code == .inputDomain)
        }
        let rows = CSVReader.rows("a,\"b, c\",\"d \"\"e\"\"\"\r\n\r\n\"multi\nline\",x\nlast")
        #expect(rows.map(\.line) == [1, 3, 5] && rows[0].fields == ["a", "b, c", "d \"e\""] && rows[1].fields == ["multi\nline", "x"])
    }
}
