import Foundation
import Testing
import KringCore
@testable import KringStore
import KringTestSupport

@Suite(.serialized) struct TamperTests {
    /// A small ledger with exchanges, a reversal and pool movements; returns its path.
    func build(_ dir: TempDir) throws -> String {
        let path = dir.file("t.sqlite")
        let clock = TestClock()
        let l = try fixtureLedger(at: path, clock: clock)
        for i in 0..<20 {
            let p = fixtureMembers[i % 6].0, r = fixtureMembers[(i + 1) % 6].0
            _ = try l.execute(.record(ExchangeDraft(providers: [p], receivers: [r], kind: .time, domain: "care", what: "help \(i)", credits: Minutes(60)), reason: nil), by: .coordinator)
        }
        _ = try l.execute(.reverse("ex-3", reason: "typo"), by: .coordinator)
        _ = try l.execute(.donate(from: "an", minutes: Minutes(30)), by: .member("an"))
        #expect(try Verifier.verify(path: path).ok)
        return path
    }

    func tamper(_ path: String, _ sql: String) throws {
        let db = try Connection(path: path)
        try db.execute("DROP TRIGGER IF EXISTS journal_no_update; DROP TRIGGER IF EXISTS journal_no_delete; DROP TRIGGER IF EXISTS postings_no_update; DROP TRIGGER IF EXISTS postings_no_delete; DROP TRIGGER IF EXISTS transfers_no_update; DROP TRIGGER IF EXISTS transfers_no_delete")
        try db.execute(sql)
    }

    @Test func triggersRefuseUpdatesAndDeletes() throws {
        let dir = TempDir("tamper"); defer { dir.remove() }
        let path = try build(dir)
        let db = try Connection(path: path)
        for sql in ["UPDATE journal SET ts = 0 WHERE seq = 5", "DELETE FROM journal WHERE seq = 5",
                    "UPDATE postings SET minutes = 1 WHERE id = 1", "DELETE FROM postings WHERE id = 1",
                    "UPDATE transfers SET minutes = 1 WHERE id = 1", "DELETE FROM transfers"] {
            #expect(throws: StoreError.self, "\(sql)") { try db.execute(sql) }
        }
        #expect(try Verifier.verify(path: path).ok)
    }

    @Test(arguments: [
        ("UPDATE journal SET payload = replace(payload, 'help 7', 'help 8') WHERE seq = 21", Int64(21)),
        ("UPDATE journal SET ts = ts + 1 WHERE seq = 16", Int64(16)),
        ("DELETE FROM journal WHERE seq = 18", Int64(18)),
        ("UPDATE postings SET minutes = minutes + 15 WHERE seq = 20 AND minutes > 0", Int64(20)),
        ("DELETE FROM postings WHERE id = (SELECT MIN(id) FROM postings WHERE seq = 19)", Int64(19)),
        ("UPDATE accounts SET balance = balance + 60 WHERE member = 'bram'", Int64(33)),
        ("UPDATE exchanges SET state = 'rejected' WHERE num = 5", Int64(18)),
        ("UPDATE exchanges SET end_reason = 'een reden die niemand gaf' WHERE num = 5", Int64(18)),
        ("UPDATE transfers SET payee = 'els' WHERE seq = 17", Int64(17)),
        ("UPDATE postings SET member = member || char(0) || 'x' WHERE id = (SELECT MIN(id) FROM postings WHERE seq = 20)", Int64(20)),
        ("UPDATE transfers SET payer = payer || char(0) WHERE seq = 17", Int64(17)),
        // What a transfer is and when: its kind, its exchange, its day; a posting's day and transfer.
        // The reason given for the reversal (entry 34), and the policy the writer decides by.
        ("UPDATE exchanges SET reversal_reason = 'iets anders' WHERE num = 3", Int64(34)),
        ("UPDATE policies SET payload = replace(payload, '\"pair_cap\":2400', '\"pair_cap\":9999')", Int64(1)),
        ("UPDATE transfers SET kind = 'grant' WHERE seq = 17", Int64(17)),
        ("UPDATE transfers SET exchange = exchange + 1 WHERE seq = 17", Int64(17)),
        ("UPDATE transfers SET day = day - 1 WHERE seq = 16", Int64(16)),
        ("UPDATE postings SET day = day + 1 WHERE id = (SELECT MAX(id) FROM postings WHERE seq = 20)", Int64(20)),
        ("UPDATE postings SET transfer = transfer - 1 WHERE id = (SELECT MAX(id) FROM postings WHERE seq = 19)", Int64(19)),
        ("UPDATE accounts SET given = given + 1 WHERE member = 'an'", Int64(35)),
        ("UPDATE members SET status = 'suspended' WHERE id = 'els'", Int64(30)),
        // The chain's own columns: a hash replaced, one byte too long, a previous hash one byte
        // short, and a NUL after the type (hashed as stored, not cut at the NUL).
        ("UPDATE journal SET hash = zeroblob(32) WHERE seq = 12", Int64(12)),
        ("UPDATE journal SET hash = hash || x'00' WHERE seq = 14", Int64(14)),
        ("UPDATE journal SET prev_hash = substr(prev_hash, 1, 31) WHERE seq = 15", Int64(15)),
        ("UPDATE journal SET type = type || char(0) WHERE seq = 13", Int64(13)),
        // Every member differs: each finding names its member's last entry; the first is reported.
        ("UPDATE accounts SET given = given + 1", Int64(8)),
        // The chain through each member's postings: a link cut, moved, or turned on itself; an
        // account naming another posting as its last, or none.
        ("UPDATE postings SET prev = NULL WHERE id = (SELECT MAX(id) FROM postings WHERE seq = 20)", Int64(20)),
        ("UPDATE postings SET prev = prev - 1 WHERE id = (SELECT MAX(id) FROM postings WHERE seq = 19)", Int64(19)),
        ("UPDATE postings SET prev = id WHERE id = (SELECT MIN(id) FROM postings WHERE seq = 16)", Int64(16)),
        ("UPDATE accounts SET last_posting = last_posting - 1 WHERE member = 'bram'", Int64(33)),
        ("UPDATE accounts SET last_posting = NULL WHERE member = 'an'", Int64(35)),
        // The chain through each member's exchanges (exchange n was recorded at entry 13 + n).
        ("UPDATE exchange_parties SET prev = NULL WHERE exchange = 10", Int64(23)),
        ("UPDATE exchange_parties SET prev = prev - 1 WHERE exchange = 12 AND role = 'provider'", Int64(25)),
        ("UPDATE exchange_parties SET prev = exchange WHERE exchange = 14 AND role = 'receiver'", Int64(27)),
        ("UPDATE accounts SET last_exchange = 1 WHERE member = 'bram'", Int64(33)),
        ("UPDATE accounts SET last_exchange = NULL WHERE member = 'an'", Int64(35)),
    ])
    func verifyNamesTheSequenceNumber(sql: String, seq: Int64) throws {
        let dir = TempDir("tamper"); defer { dir.remove() }
        let path = try build(dir)
        try tamper(path, sql)
        let report = try Verifier.verify(path: path)
        #expect(!report.ok, "\(sql) went unnoticed")
        if seq > 0 { #expect(report.divergence?.seq == seq, "\(sql): \(String(describing: report.divergence))") }
        // The server verifies on one thread: the same finding, word for word.
        let serial = try Verifier.verify(path: path, parallel: false)
        #expect(serial.divergence?.seq == report.divergence?.seq && serial.divergence?.reason == report.divergence?.reason && serial.entries == report.entries)
    }

    /// A posting moved to another member, or gone: the finding lists what the entry implies and
    /// what the rows hold, in order.
    @Test func aPostingFindingSaysWhatDiffers() throws {
        let dir = TempDir("postings"); defer { dir.remove() }
        let path = try build(dir)
        let db = try Connection(path: path)
        let rows = try db.strings("SELECT member || ' ' || minutes FROM postings WHERE seq = 20 ORDER BY id")
        #expect(rows.count == 2)
        try tamper(path, "UPDATE postings SET member = 'els' WHERE id = (SELECT MAX(id) FROM postings WHERE seq = 20)")
        let moved = try #require(try Verifier.verify(path: path).divergence)
        let els = "els " + (rows[1].split(separator: " ").last ?? "")
        #expect(moved.seq == 20 && moved.reason == "postings differ from the journal entry (expected \(rows), found \([rows[0], els]))")
        try tamper(path, "DELETE FROM postings WHERE id = (SELECT MIN(id) FROM postings WHERE seq = 20)")
        let gone = try #require(try Verifier.verify(path: path).divergence)
        #expect(gone.seq == 20 && gone.reason == "postings differ from the journal entry (expected \(rows), found \([els]))")
    }

    /// A member's postings and exchanges are read along their chains. A chain broken behind
    /// the ledger's back (a link to another member's row, to itself, or to a row that is not
    /// there) fails the read with an integrity error naming the row, and never loops; verify
    /// names the link.
    @Test func aBrokenChainFailsTheReadAndVerifyNamesTheLink() throws {
        let dir = TempDir("chain"); defer { dir.remove() }
        let path = try build(dir)
        let db = try Connection(path: path)
        let last = try #require(try db.scalarInt("SELECT last_posting FROM accounts WHERE member = 'bram'"))
        let prev = try #require(try db.scalarInt("SELECT prev FROM postings WHERE id = ?", .int(last)))
        #expect(try Reader(path: path).statement("bram", from: nil, to: nil)?.lines.count == (try db.scalarInt("SELECT COUNT(*) FROM postings WHERE member = 'bram'")).map(Int.init))
        let other = try #require(try db.scalarInt("SELECT MAX(id) FROM postings WHERE member != 'bram' AND id < ?", .int(last)))
        let lastExchange = try #require(try db.scalarInt("SELECT last_exchange FROM accounts WHERE member = 'bram'"))
        let otherExchange = try #require(try db.scalarInt("SELECT MAX(exchange) FROM exchange_parties WHERE exchange < ? AND exchange NOT IN (SELECT exchange FROM exchange_parties WHERE member = 'bram')", .int(lastExchange)))
        #expect(try Reader(path: path).exchanges(member: "bram").count == (try db.scalarInt("SELECT COUNT(*) FROM exchange_parties WHERE member = 'bram'")).map(Int.init))
        let cases: [(sql: String, says: String, statement: Bool)] = [
            ("UPDATE postings SET prev = \(other) WHERE id = \(last)", "the chain of bram's postings leads to posting \(other), which is not theirs", true),
            ("UPDATE postings SET prev = \(last) WHERE id = \(last)", "posting \(last) of bram names posting \(last) as their previous", true),
            ("UPDATE postings SET prev = 100000 WHERE id = \(last)", "posting \(last) of bram names posting 100000 as their previous", true),
            ("DELETE FROM postings WHERE id = \(prev)", "leads to posting \(prev), which is not theirs", true),
            ("UPDATE exchange_parties SET prev = \(otherExchange) WHERE exchange = \(lastExchange) AND member = 'bram'",
             "the chain of bram's exchanges leads to exchange \(otherExchange), which is not theirs", false),
            ("UPDATE exchange_parties SET prev = \(lastExchange) WHERE exchange = \(lastExchange) AND member = 'bram'",
             "exchange \(lastExchange) of bram names exchange \(lastExchange) as their previous", false),
        ]
        for (i, c) in cases.enumerated() {
            let copy = dir.file("copy-\(i).sqlite")
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            try tamper(copy, c.sql)
            do {
                if c.statement { _ = try Reader(path: copy).statement("bram", from: nil, to: nil) } else { _ = try Reader(path: copy).exchanges(member: "bram") }
                Issue.record("\(c.sql): the chain was read")
            } catch {
                #expect(error.kind == .integrity && error.message.contains(c.says), "\(c.sql): \(error)")
            }
        }
        try tamper(path, "UPDATE postings SET prev = \(other) WHERE id = \(last)")
        let seq = try #require(try db.scalarInt("SELECT seq FROM postings WHERE id = ?", .int(last)))
        let found = try #require(try Verifier.verify(path: path).divergence)
        #expect(found.seq == seq && found.reason == "posting \(last) names posting \(other) as its member's previous; the journal gives posting \(prev)")
        // A party's link: the exchange's finding names the member and both exchanges.
        let fresh = TempDir("chain-parties"); defer { fresh.remove() }
        let parties = try build(fresh)
        let before = try #require(try Connection(path: parties).scalarInt("SELECT prev FROM exchange_parties WHERE exchange = 12 AND role = 'provider'"))
        try tamper(parties, "UPDATE exchange_parties SET prev = prev - 1 WHERE exchange = 12 AND role = 'provider'")
        let party = try #require(try Verifier.verify(path: parties).divergence)
        let member = try #require(try Connection(path: parties).scalarText("SELECT member FROM exchange_parties WHERE exchange = 12 AND role = 'provider'"))
        #expect(party.seq == 25 && party.reason == "exchange ex-12's party \(member) names exchange ex-\(before - 1) as their previous; the parties give exchange ex-\(before)")
    }

    @Test func aRefusedCommandChangesNothing() throws {
        let dir = TempDir("refuse"); defer { dir.remove() }
        let path = dir.file("r.sqlite")
        let clock = TestClock()
        let l = try fixtureLedger(at: path, clock: clock)
        _ = try l.execute(.record(ExchangeDraft(providers: ["an"], receivers: ["bram"], kind: .time, domain: "care", what: "x", credits: .hours(20)), reason: nil), by: .coordinator)
        func snapshot() throws -> [String] {
            let db = try Connection(path: path)
            var rows = [String]()
            for table in ["journal", "members", "accounts", "exchanges", "exchange_parties", "transfers", "postings", "policies"] {
                let s = try db.prepare("SELECT * FROM \(table)")
                var n = 0
                while try s.step() { n += 1; rows.append("\(table):\(s.text(0)):\(s.text(1))") }
                rows.append("\(table)#\(n)")
            }
            return rows
        }
        let before = try snapshot()
        let group = ExchangeDraft(providers: ["chloe"], receivers: ["daan", "bram"], kind: .time, domain: "care", what: "x", credits: .hours(1))
        #expect(throws: LedgerError.self) { try l.execute(.record(group, reason: nil), by: .coordinator) }
        #expect(throws: LedgerError.self) { try l.execute(.grant(to: "an", minutes: .hours(1), reason: "r"), by: .coordinator) }
        #expect(throws: LedgerError.self) { try l.execute(.reverse("ex-9", reason: "r"), by: .coordinator) }
        #expect(try snapshot() == before)
    }
}

@Suite(.serialized) struct CrashTests {
    /// A child appends exchanges one per durable transaction and acknowledges each; it is
    /// killed with SIGKILL at random moments. After each kill: every acknowledged exchange is
    /// there, nothing is half-written, and verify passes.
    @Test func killedMidWriteLosesNothingAcknowledged() throws {
        let dir = TempDir("crash"); defer { dir.remove() }
        let path = dir.file("c.sqlite")
        let writer = productsDirectory + "/KringCrashWriter"
        #expect(FileManager.default.isExecutableFile(atPath: writer), "build the package first: \(writer)")
        var rng = SplitMix64(seed: 2026)
        var acknowledged = Set<String>()
        var totalKills = 0
        for round in 0..<20 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: writer)
            p.arguments = [path, String(round)]
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardError = FileHandle.nullDevice
            try p.run()
            let lines = LineCollector(pipe.fileHandleForReading)
            // Wait until it is writing, then let it run for a random while.
            let deadline = Date().addingTimeInterval(20)
            while !lines.snapshot().contains("ready"), Date() < deadline { usleep(2_000) }
            usleep(UInt32(5_000 + rng.below(150_000)))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            totalKills += 1
            let output = lines.finish()
            for line in output where line.hasPrefix("ack ") { acknowledged.insert(String(line.split(separator: " ")[1])) }

            let report = try Verifier.verify(path: path)
            #expect(report.ok, "round \(round): \(String(describing: report.divergence))")
            let reader = try Reader(path: path)
            for id in acknowledged {
                #expect(try reader.exchange(canonical(id))?.record.state == .confirmed, "round \(round): acknowledged \(id) is missing")
            }
            // Nothing half-written: every exchange's transfers are all there.
            let db = try Connection(path: path)
            #expect(try db.scalarInt("""
                SELECT COUNT(*) FROM exchanges e WHERE e.credits > 0 AND
                  (SELECT COUNT(*) FROM transfers t WHERE t.exchange = e.num) != (SELECT COUNT(*) FROM exchange_parties p WHERE p.exchange = e.num) - 1
                """) == 0)
        }
        #expect(totalKills == 20)
        #expect(acknowledged.count > 20, "the writer should have committed exchanges between kills")
    }
}

/// Collects a child's stdout lines on a background thread.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.lock(); buffer.append(chunk); lock.unlock()
            }
            done.signal()
        }
    }

    func snapshot() -> String { lock.lock(); defer { lock.unlock() }; return String(decoding: buffer, as: UTF8.self) }

    func finish() -> [String] {
        _ = done.wait(timeout: .now() + 10)
        // Only whole lines count: a line cut by the kill was never acknowledged.
        let text = snapshot()
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if !text.hasSuffix("\n") { lines.removeLast() }
        return lines
    }
}

@Suite struct StorageFaultTests {
    /// A read that fails inside the write transaction fails the command as a storage error; it
    /// is never mistaken for a rule's answer (here: "no such exchange").
    @Test func aFailedReadIsAStorageErrorNotARuleViolation() throws {
        let dir = TempDir("fault"); defer { dir.remove() }
        let path = dir.file("f.sqlite")
        let l = try fixtureLedger(at: path, clock: TestClock())
        _ = try l.execute(.propose(ExchangeDraft(providers: ["an"], receivers: ["bram"], kind: .time, domain: "care", what: "x", credits: .hours(1))), by: .member("an"))
        let raw = try Connection(path: path)
        try raw.execute("DROP TABLE exchange_parties")
        do {
            _ = try l.execute(.confirm("ex-1"), by: .member("bram"))
            Issue.record("the confirmation was accepted without its parties")
        } catch let LedgerError.storage(e) {
            #expect(e.message.contains("exchange_parties"))
        } catch {
            Issue.record("expected a storage error, got \(error)")
        }
    }
}

@Suite struct SchemaTests {
    @Test func aNewLedgerIsAtTheCurrentVersionAndANewerOneIsRefused() throws {
        let dir = TempDir("schema"); defer { dir.remove() }
        let path = dir.file("s.sqlite")
        _ = try Ledger.create(path: path, clock: TestClock().clock)
        let raw = try Connection(path: path)
        #expect(try raw.scalarInt("PRAGMA user_version") == Schema.version)
        let mode = try raw.prepare("PRAGMA journal_mode")
        #expect(try mode.step() && mode.text(0) == "wal")
        mode.reset()
        try raw.execute("PRAGMA user_version = \(Schema.version + 1)")
        #expect(throws: StoreError.self) { try Ledger(path: path) }
        #expect(throws: StoreError.self) { try Reader(path: path) }
    }

    @Test func aFileThatIsNotALedgerIsRefused() throws {
        let dir = TempDir("schema"); defer { dir.remove() }
        let path = dir.file("other.sqlite")
        try Connection(path: path).execute("CREATE TABLE x(y)")
        #expect(throws: StoreError.self) { try Reader(path: path) }
        #expect(throws: StoreError.self) { try Ledger(path: path) }
        #expect(throws: StoreError.self) { try Ledger.create(path: path) }
        let tables = try Connection(path: path).prepare("SELECT group_concat(name) FROM sqlite_master")
        #expect(try tables.step() && tables.text(0) == "x", "the foreign database was changed")
    }
}

/// Schema 13 says each CHECK's words by comparisons instead of a list (`Schema.WordForm`): the
/// same condition, which SQLite evaluates without building a table of the words per row.
@Suite struct RowCheckFormTests {
    /// Both forms of every table's CHECK give the same answer, NULL included, on rows made of
    /// every word the checks name and their near misses; each form accepts some and refuses some.
    @Test func bothFormsOfEveryCheckAgree() throws {
        let dir = TempDir("check-forms"); defer { dir.remove() }
        let db = try Connection(path: dir.file("c.sqlite"))
        try Schema.migrate(db)
        let words = ["time", "space", "goods", "proposed", "confirmed", "rejected", "cancelled", "expired", "reversed", "provider", "receiver",
                     "exchange", "reversal", "donation", "grant", "settlement", "offer", "request", "active", "withdrawn", "suspended", "left",
                     "person", "company", "association", "initiative", "municipality", "pool", "booked", "open", "closed"]
        let nearMisses = ["Time", "time ", " time", "tim", "times", "", "of-1", "rq-12", "bk-3", "ch-40", "ex-1", "of-01", "of-", "OF-1", "an", "bram-2",
                          "-an", "An", "a b", "caf\u{E9}", String(repeating: "a", count: 41)]
        let pool: [SQLValue] = (words + nearMisses).map { .text($0) } + [.null, .int(1)]
        var rng = SplitMix64(seed: 13)
        func any(_ values: [SQLValue]) -> SQLValue { values[Int(rng.next() % UInt64(values.count))] }
        let pairs = Array(zip(Schema.rowChecks(.list), Schema.rowChecks(.comparisons)))
        #expect(pairs.count == Schema.rowChecks.count)
        for ((table, list), (same, comparisons)) in pairs {
            #expect(table == same)
            #expect(!comparisons.contains(" IN ("), "\(table): \(comparisons)")
            let columns = try db.strings("SELECT name FROM pragma_table_info(?)", .text(table))
            try db.execute("DROP TABLE IF EXISTS temp.probe")
            try db.execute("CREATE TEMP TABLE probe(\(columns.joined(separator: ", ")))")
            // A CHECK passes unless it is false. Each condition is a conjunction of conditions on
            // one column each, so the values a column may hold are those that pass with every
            // other column NULL; rows draw from them half the time, so that some rows pass.
            let passes = try db.prepare("SELECT (\(comparisons)) IS NOT 0 FROM (SELECT \(columns.map { "? AS \($0)" }.joined(separator: ", ")))")
            var allowed = [[SQLValue]]()
            for c in columns.indices {
                var values = [SQLValue]()
                for v in pool {
                    try passes.bind(columns.indices.map { $0 == c ? v : .null })
                    if try passes.step(), passes.int(0) == 1 { values.append(v) }
                    passes.reset()
                }
                allowed.append(values)
            }
            let insert = try db.prepare("INSERT INTO probe VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))")
            for _ in 0..<4_000 {
                try insert.bind(columns.indices.map { rng.next() % 2 == 0 && !allowed[$0].isEmpty ? any(allowed[$0]) : any(pool) })
                try insert.step()
                insert.reset()
            }
            let accepted = try db.scalarInt("SELECT COUNT(*) FROM probe WHERE (\(comparisons)) IS NOT 0") ?? 0
            #expect(accepted > 100 && accepted < 3_900, "\(table): \(accepted) of 4,000 rows pass")
            #expect(try db.scalarInt("SELECT COUNT(*) FROM probe WHERE (\(list)) IS NOT (\(comparisons))") == 0, "\(table)")
        }
    }

    /// A ledger of schema 12, with rows, upgraded to 13: every table reads as a new ledger's
    /// defines it, its rows are kept, and a row breaking a check is still refused.
    @Test func anUpgradedLedgerHasANewLedgersTables() throws {
        let dir = TempDir("check-upgrade"); defer { dir.remove() }
        let clock = TestClock()
        let old = dir.file("old.sqlite")
        let raw = try Connection(path: old)
        try raw.execute("PRAGMA journal_mode = WAL")
        try Schema.migrate(raw, upTo: 12)
        #expect(try raw.scalarText("SELECT sql FROM sqlite_master WHERE name = 'exchanges'")?.contains("state IN ('proposed', 'confirmed'") == true)
        let projector = try Projector(db: raw)
        try raw.execute("BEGIN IMMEDIATE")
        try projector.append(.ledgerCreated(LedgerCreated(policy: .standard)), by: .coordinator, at: clock.now)
        for id: MemberID in ["an", "bram"] {
            try projector.append(.memberAdded(MemberAdded(member: MemberInfo(id: id, name: id.handle, kind: .person, joined: clock.today))), by: .coordinator, at: clock.now)
        }
        try raw.execute("COMMIT")
        let ledger = try Ledger(path: old, clock: clock.clock)
        _ = try ledger.execute(.record(ExchangeDraft(providers: ["an"], receivers: ["bram"], kind: .time, domain: "care", what: "koken",
                                                     credits: .hours(1)), reason: nil), by: .coordinator)
        #expect(try raw.scalarInt("PRAGMA user_version") == Schema.version)
        _ = try Ledger.create(path: dir.file("new.sqlite"), clock: clock.clock)
        let fresh = try Connection(path: dir.file("new.sqlite"), readOnly: true)
        let definitions = "SELECT type || ' ' || name || ': ' || sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name"
        #expect(try raw.strings(definitions) == fresh.strings(definitions))
        for (table, _) in Schema.rowChecks {
            #expect(try raw.scalarText("SELECT sql FROM sqlite_master WHERE name = ?", .text(table))?.contains(" IN (") == false, "\(table)")
        }
        #expect(try raw.scalarInt("SELECT COUNT(*) FROM exchanges") == 1 && raw.scalarText("PRAGMA integrity_check") == "ok")
        #expect(throws: StoreError.self) { try raw.execute("UPDATE exchanges SET state = 'asleep'") }
        #expect(throws: StoreError.self) { try raw.execute("UPDATE exchange_parties SET role = 'Provider'") }
        #expect(throws: StoreError.self) { try raw.execute("UPDATE transfers SET kind = 'gift'") }
        #expect(try Verifier.verify(path: old).ok)
    }

    /// A table whose CHECK is not the one schema 7 wrote stops the upgrade, which changes nothing.
    @Test func anUnexpectedCheckStopsTheUpgrade() throws {
        let dir = TempDir("check-unexpected"); defer { dir.remove() }
        let raw = try Connection(path: dir.file("odd.sqlite"))
        try Schema.migrate(raw, upTo: 12)
        let schemaVersion = try raw.scalarInt("PRAGMA schema_version") ?? 0
        try raw.execute("""
            PRAGMA writable_schema = ON;
            UPDATE sqlite_master SET sql = replace(sql, '''settlement''', '''gift''') WHERE name = 'transfers';
            PRAGMA schema_version = \(schemaVersion + 1);
            PRAGMA writable_schema = OFF;
            """)
        do {
            try Schema.migrate(raw)
            Issue.record("the upgrade went on past a CHECK it did not write")
        } catch {
            #expect(error.message == "migration 13: the CHECK of transfers is not the one schema 7 wrote", "\(error.message)")
        }
        #expect(try raw.scalarInt("PRAGMA user_version") == 12)
        #expect(try raw.scalarText("SELECT sql FROM sqlite_master WHERE name = 'exchanges'")?.contains("state IN (") == true)
    }
}

@Suite struct MigrationTests {
    /// Two processes opening an older ledger at once: the one that waited for the write lock
    /// finds the migration done and does not run it again. Schema 12's migration is the one
    /// raced here because it fails when run twice (on the columns it adds), as 13's does (on the
    /// CHECKs it has rewritten).
    @Test func aMigrationDoneWhileWaitingIsNotRunAgain() throws {
        let dir = TempDir("migrate-twice"); defer { dir.remove() }
        let path = dir.file("v11.sqlite")
        let first = try Connection(path: path)
        try first.execute("PRAGMA journal_mode = WAL")
        try Schema.migrate(first, upTo: 11)
        // The first holds the write lock; the second reads the old version and waits for it.
        try first.execute("BEGIN IMMEDIATE")
        nonisolated(unsafe) let second = try Connection(path: path)
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var failure: Error?
        Thread.detachNewThread {
            do { try Schema.migrate(second, upTo: 12) } catch { failure = error }
            done.signal()
        }
        Thread.sleep(forTimeInterval: 0.5)
        try Schema.apply(first, migration: 11)
        try first.execute("PRAGMA user_version = 12")
        try first.execute("COMMIT")
        done.wait()
        #expect(failure == nil, "\(String(describing: failure))")
        #expect(try second.scalarInt("PRAGMA user_version") == 12)
        // Run twice, the migration fails: the test would catch a second run.
        #expect(throws: StoreError.self) { try Schema.apply(first, migration: 11) }
    }

    /// Schema 14 keeps the idempotency keys' rows in the order they come and their keys in an
    /// index: every row of 13 is kept, a key still names one row, the lookup uses the index,
    /// and a repeated key is answered as before (the same request, another request, an answer
    /// kept by a version before typed outcomes).
    @Test func theIdempotencyKeysMoveToRowsInTheOrderTheyCame() throws {
        let dir = TempDir("migrate-keys"); defer { dir.remove() }
        let path = dir.file("v13.sqlite")
        let clock = TestClock()
        _ = try fixtureLedger(at: path, clock: clock)
        let raw = try Connection(path: path)
        // The fixture's ledger as schema 13 held it, with keys of both kinds.
        try raw.execute("""
            PRAGMA user_version = 13;
            DROP TABLE idempotency;
            CREATE TABLE idempotency(
                scope TEXT NOT NULL, key TEXT NOT NULL, request_hash BLOB NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL,
                seq INTEGER, created_at INTEGER NOT NULL, outcome TEXT,
                PRIMARY KEY(scope, key)
            ) WITHOUT ROWID;
            INSERT INTO idempotency VALUES ('coordinator:stad', 'old', x'01', 201, '{"old":true}', NULL, 100, NULL);
            INSERT INTO idempotency VALUES ('coordinator:stad', 'typed', x'02', 0, '', NULL, 200,
                '{"refused":{"code":"rule.inactive","field":null,"reason":{"kept":{"_0":"no"}}}}');
            """)
        let before = try raw.strings("SELECT scope || ' ' || key || ' ' || hex(request_hash) || ' ' || status || ' ' || body || ' ' || created_at || ' ' || ifnull(outcome, '-') FROM idempotency ORDER BY scope, key")
        let ledger = try Ledger(path: path, clock: clock.clock)
        #expect(try raw.scalarInt("PRAGMA user_version") == Schema.version)
        #expect(try raw.strings("SELECT scope || ' ' || key || ' ' || hex(request_hash) || ' ' || status || ' ' || body || ' ' || created_at || ' ' || ifnull(outcome, '-') FROM idempotency ORDER BY scope, key") == before)
        #expect(try raw.strings("SELECT key FROM idempotency ORDER BY id") == ["old", "typed"], "the rows in the order they came")
        #expect(throws: StoreError.self) {
            try raw.execute("INSERT INTO idempotency(scope, key, request_hash, status, body, created_at) VALUES ('coordinator:stad', 'old', x'01', 0, '', 1)")
        }
        let plan = try raw.prepare("EXPLAIN QUERY PLAN SELECT request_hash, status, body, outcome FROM idempotency WHERE scope = ? AND key = ?")
        var steps = [String]()
        while try plan.step() { steps.append(plan.text(3)) }
        #expect(steps.count == 1 && steps[0].hasPrefix("SEARCH idempotency USING INDEX sqlite_autoindex_idempotency"), "\(steps)")
        // A new key, then each kind of repeat.
        let record = Command.record(ExchangeDraft(providers: ["an"], receivers: ["bram"], kind: .time, domain: "care", what: "koken", credits: .hours(1)), reason: nil)
        func item(_ key: String, _ hash: UInt8) -> BatchItem {
            BatchItem(command: record, actor: .coordinator, idempotency: IdempotencyKey(scope: "coordinator:stad", key: key, requestHash: [hash]))
        }
        let results = try ledger.executeBatch([item("new", 3), item("new", 3), item("new", 4), item("old", 1), item("typed", 2)])
        guard results.count == 5, case .fresh(.success(let first)) = results[0], case .replay(.success(let again)) = results[1],
              case .conflict = results[2], case .replayAnswer(let answer) = results[3], case .replay(.failure(let refused)) = results[4] else {
            Issue.record("unexpected answers: \(results)")
            return
        }
        #expect(again.seq == first.seq && answer == StoredAnswer(status: 201, body: "{\"old\":true}") && refused.code == .ruleInactive)
        #expect(try raw.strings("SELECT key FROM idempotency ORDER BY id") == ["old", "typed", "new"])
    }

    /// A ledger written by schema 1 (before offers and requests) is migrated in place when the
    /// writer opens it, and its history still verifies.
    @Test func aVersionOneLedgerIsMigrated() throws {
        let dir = TempDir("migrate"); defer { dir.remove() }
        let path = dir.file("v1.sqlite")
        let clock = TestClock()
        // A ledger as schema 1 wrote it: genesis and two members (events whose projections schema 1 has).
        let raw = try Connection(path: path)
        try raw.execute("PRAGMA journal_mode = WAL")
        try Schema.migrate(raw, upTo: 1)
        let projector = try Projector(db: raw)
        try raw.execute("BEGIN IMMEDIATE")
        try projector.append(.ledgerCreated(LedgerCreated(policy: .standard)), by: .coordinator, at: clock.now)
        for id: MemberID in ["an", "bram"] { try projector.append(.memberAdded(MemberAdded(member: MemberInfo(id: id, name: id.handle, kind: .person, joined: clock.today))), by: .coordinator, at: clock.now) }
        try raw.execute("COMMIT")
        #expect(try raw.scalarInt("PRAGMA user_version") == 1)
        // The first to open it after an upgrade migrates it, a reader too (`kring verify` is
        // often the first command after an upgrade).
        _ = try Reader(path: path)
        #expect(try raw.scalarInt("PRAGMA user_version") == Schema.version)
        let reopened = try Ledger(path: path, clock: clock.clock)
        _ = try reopened.execute(.postListing(ListingDraft(side: .offer, author: "an", kind: .time, domain: "care", title: "Koken")), by: .member("an"))
        _ = try reopened.execute(.record(ExchangeDraft(providers: ["an"], receivers: ["bram"], kind: .time, domain: "care", what: "koken",
                                                       credits: .hours(1), links: ["of-1"]), reason: nil), by: .coordinator)
        #expect(try Verifier.verify(path: path).ok)
        #expect(try Reader(path: path).search("koken", filter: ListingFilter(), today: clock.today).count == 1)
    }
}

/// The projections' descriptive columns (a member's name, an offer's title, a loan's
/// description, a booking's hours, a challenge's text) are recomputed from the journal too:
/// changed behind the ledger's back, verify names the row, the field and the entry.
@Suite(.serialized) struct DescriptiveTamperTests {
    static let person = "(SELECT id FROM members WHERE kind = 'person' ORDER BY id LIMIT 1)"

    @Test(arguments: [
        ("UPDATE members SET name = 'Mallory' WHERE id = \(person)", "name", nil),
        ("UPDATE members SET neighbourhood = 'Elders' WHERE id = \(person)", "neighbourhood", nil),
        ("UPDATE members SET domains = 'x' WHERE id = \(person)", "domains", nil),
        ("UPDATE members SET joined = '2001-01-01' WHERE id = \(person)", "joined", nil),
        ("UPDATE members SET added_seq = added_seq + 1 WHERE id = \(person)", "entry", nil),
        ("UPDATE members SET added_seq = 2 WHERE id = 'pool'", "entry", nil),
        ("UPDATE listings SET created_seq = created_seq - 1 WHERE num = 7", "entry", "SELECT updated_seq FROM listings WHERE num = 7"),
        ("UPDATE listings SET title = 'Gestolen' WHERE num = 3", "title", "SELECT updated_seq FROM listings WHERE num = 3"),
        ("UPDATE listings SET text = text || '!' WHERE num = 4", "text", "SELECT updated_seq FROM listings WHERE num = 4"),
        ("UPDATE listings SET place = 'Elders' WHERE num = 5", "place", "SELECT updated_seq FROM listings WHERE num = 5"),
        ("UPDATE listings SET availability = availability || ' ' WHERE num = (SELECT MIN(num) FROM listings WHERE availability IS NOT NULL)", "availability",
         "SELECT updated_seq FROM listings WHERE availability IS NOT NULL ORDER BY num LIMIT 1"),
        ("UPDATE listings SET availability = NULL WHERE num = (SELECT MIN(num) FROM listings WHERE availability IS NOT NULL)", "availability",
         "SELECT updated_seq FROM listings WHERE availability IS NOT NULL ORDER BY num LIMIT 1"),
        ("UPDATE listings SET title = '' WHERE num = 8", "title", "SELECT updated_seq FROM listings WHERE num = 8"),
        ("UPDATE listings SET text = CAST(text AS BLOB) || x'00' WHERE num = 9", "text", "SELECT updated_seq FROM listings WHERE num = 9"),
        ("UPDATE listings SET author = \(person) WHERE num = 6 AND author != \(person)", "author", "SELECT updated_seq FROM listings WHERE num = 6"),
        ("UPDATE loans SET what = 'Goud' WHERE num = 1", "description", "SELECT updated_seq FROM loans WHERE num = 1"),
        ("UPDATE loans SET lent = lent - 1 WHERE num = 2", "day lent", "SELECT updated_seq FROM loans WHERE num = 2"),
        ("UPDATE bookings SET start = start + 60 WHERE num = 1", "start", "SELECT updated_seq FROM bookings WHERE num = 1"),
        ("UPDATE bookings SET member = \(person) WHERE num = 2 AND member != \(person)", "member", "SELECT updated_seq FROM bookings WHERE num = 2"),
        ("UPDATE bookings SET question = 'Mag ik?' WHERE num = 3", "question", "SELECT updated_seq FROM bookings WHERE num = 3"),
        ("UPDATE bookings SET end_reason = 'Ziek.' WHERE num = 4", "reason", "SELECT updated_seq FROM bookings WHERE num = 4"),
        // The demo gives reasons for some cancellations: changed, or taken away.
        ("UPDATE bookings SET end_reason = end_reason || '!' WHERE num = (SELECT MIN(num) FROM bookings WHERE end_reason IS NOT NULL)", "reason",
         "SELECT updated_seq FROM bookings WHERE end_reason IS NOT NULL ORDER BY num LIMIT 1"),
        ("UPDATE bookings SET end_reason = NULL WHERE num = (SELECT MIN(num) FROM bookings WHERE end_reason IS NOT NULL)", "reason",
         "SELECT updated_seq FROM bookings WHERE end_reason IS NOT NULL ORDER BY num LIMIT 1"),
        ("UPDATE loans SET what = CAST(what AS BLOB) || x'00' WHERE num = 3", "description", "SELECT updated_seq FROM loans WHERE num = 3"),
        ("UPDATE challenges SET title = 'Iets anders' WHERE num = 1", "title", "SELECT updated_seq FROM challenges WHERE num = 1"),
        ("UPDATE challenges SET domains = 'x' WHERE num = 2", "domains", "SELECT updated_seq FROM challenges WHERE num = 2"),
    ] as [(String, String, String?)])
    func verifyNamesTheFieldAndTheEntry(sql: String, field: String, seqSQL: String?) throws {
        let dir = TempDir("tamper-fields"); defer { dir.remove() }
        let (report, seq) = try verifyDemo(changedBy: sql, naming: seqSQL, in: dir)
        let reason = report.divergence?.reason ?? ""
        #expect(reason.hasSuffix("differs from the journal in its \(field)"), "\(sql): \(reason)")
        if let seq { #expect(report.divergence?.seq == seq, "\(sql): \(String(describing: report.divergence))") }
    }
}

/// Builds the small demo in `dir` and checks it verifies; runs `sql`, which must change one row;
/// and verifies again. Gives the report, and the number `seqSQL` read before the change (the
/// entry the finding must name). The server verifies on one thread and one connection: its
/// finding must be the same, word for word.
func verifyDemo(changedBy sql: String, naming seqSQL: String?, in dir: TempDir) throws -> (report: VerifyReport, seq: Int64?) {
    let path = dir.file("d.sqlite")
    _ = try DemoCommunity.build(at: path, options: DemoOptions(members: 200, months: 4, endDay: Day(iso: "2026-11-29")!))
    #expect(try Verifier.verify(path: path).ok)
    let db = try Connection(path: path)
    let seq = try seqSQL.flatMap { q throws in try db.scalarInt(q) }
    try db.execute(sql)
    #expect(db.changes == 1, "\(sql) changed \(db.changes) rows")
    let report = try Verifier.verify(path: path)
    let serial = try Verifier.verify(db, parallel: false)
    #expect(serial.divergence?.seq == report.divergence?.seq && serial.divergence?.reason == report.divergence?.reason,
            "\(sql): \(String(describing: serial.divergence)) on one thread")
    return (report, seq)
}

/// An exchange's row and its parties, as its proposing or recording entry gave them.
@Suite(.serialized) struct ExchangeTamperTests {
    static let outsider = "(SELECT id FROM members WHERE kind = 'person' AND id NOT IN (SELECT member FROM exchange_parties WHERE exchange = 14) ORDER BY id LIMIT 1)"

    @Test(arguments: [
        ("UPDATE exchanges SET what = 'iets anders' WHERE num = 10", Int64(10)),
        ("UPDATE exchanges SET domain = 'x' WHERE num = 11", 11),
        ("UPDATE exchanges SET quantity = quantity + 1 WHERE num = 12", 12),
        ("UPDATE exchanges SET date = '2001-01-01' WHERE num = 13", 13),
        ("UPDATE exchanges SET expires_at = 1 WHERE num = 9", 9),
        ("UPDATE exchanges SET links = 'rq-1' WHERE num = 19", 19),
        ("UPDATE exchanges SET reason = 'verzonnen' WHERE num = (SELECT MIN(num) FROM exchanges WHERE recorded = 1)", -1),
        ("UPDATE exchanges SET proposer = NULL WHERE num = (SELECT MIN(num) FROM exchanges WHERE proposer IS NOT NULL)", -2),
        ("DELETE FROM exchange_links WHERE exchange = (SELECT MIN(exchange) FROM exchange_links)", -3),
        ("UPDATE exchange_links SET target = 'ch-2' WHERE exchange = (SELECT MIN(exchange) FROM exchange_links)", -3),
        ("UPDATE exchange_parties SET member = \(outsider) WHERE exchange = 14 AND role = 'receiver'", 14),
        ("DELETE FROM exchange_parties WHERE exchange = 15 AND role = 'provider'", 15),
        ("UPDATE exchange_parties SET role = CASE role WHEN 'provider' THEN 'receiver' ELSE 'provider' END WHERE exchange = 16", 16),
        ("UPDATE exchange_parties SET position = position + 1 WHERE exchange = 17", 17),
        ("INSERT INTO exchange_parties(exchange, member, role, position, consented) SELECT 18, id, 'receiver', 9, 1 FROM members WHERE kind = 'company' AND id NOT IN (SELECT member FROM exchange_parties WHERE exchange = 18) LIMIT 1", 18),
    ] as [(String, Int64)])
    func verifyNamesTheExchange(sql: String, num: Int64) throws {
        let dir = TempDir("tamper-exchange"); defer { dir.remove() }
        let path = dir.file("d.sqlite")
        _ = try DemoCommunity.build(at: path, options: DemoOptions(members: 200, months: 4, endDay: Day(iso: "2026-11-29")!))
        let db = try Connection(path: path)
        // The exchange the statement changes, when it picks it itself.
        let picked = [-1: "SELECT MIN(num) FROM exchanges WHERE recorded = 1", -2: "SELECT MIN(num) FROM exchanges WHERE proposer IS NOT NULL",
                      -3: "SELECT MIN(exchange) FROM exchange_links"]
        let target = num > 0 ? num : try #require(try db.scalarInt(picked[Int(num)]!))
        let seq = try #require(try db.scalarInt("SELECT updated_seq FROM exchanges WHERE num = ?", .int(target)))
        try db.execute(sql)
        #expect(db.changes >= 1, "\(sql) changed nothing")
        let report = try Verifier.verify(path: path)
        #expect(report.divergence?.reason == "exchange ex-\(target)'s description, parties or first entry differ from the journal", "\(sql): \(String(describing: report.divergence))")
        #expect(report.divergence?.seq == seq, "\(sql): \(String(describing: report.divergence))")
    }

    /// The reasons the demo's members give for some refusals verify as given; changed or taken
    /// away, each is named with the entry that gave it.
    @Test(arguments: ["end_reason || '!'", "NULL", "CAST(end_reason AS BLOB) || x'00'"])
    func verifyNamesChangedReasons(value: String) throws {
        let dir = TempDir("tamper-reason"); defer { dir.remove() }
        // verifyDemo checks that the reasons as given verify, then changes the first one.
        let first = "(SELECT MIN(num) FROM exchanges WHERE end_reason IS NOT NULL)"
        let (report, number) = try verifyDemo(changedBy: "UPDATE exchanges SET end_reason = \(value) WHERE num = \(first)", naming: "SELECT \(first)", in: dir)
        let target = try #require(number)
        // The entry that ended it (the change leaves it as it was).
        let seq = try Connection(path: dir.file("d.sqlite")).scalarInt("SELECT updated_seq FROM exchanges WHERE num = ?", .int(target))
        #expect(report.divergence?.reason == "exchange ex-\(target)'s reason differs from the journal", "\(value): \(String(describing: report.divergence))")
        #expect(report.divergence?.seq == seq, "\(value): \(String(describing: report.divergence))")
    }

    /// Who agreed: an open proposal's consents decide the next confirmation, a closed one's
    /// are its history. Each changed flag is found.
    @Test(arguments: ["proposed", "confirmed", "expired"])
    func verifyNamesChangedConsents(state: String) throws {
        let dir = TempDir("tamper-consent"); defer { dir.remove() }
        let path = dir.file("d.sqlite")
        _ = try DemoCommunity.build(at: path, options: DemoOptions(members: 200, months: 4, endDay: Day(iso: "2026-11-29")!))
        let db = try Connection(path: path)
        let target = try #require(try db.scalarInt("SELECT MIN(num) FROM exchanges WHERE state = ? AND recorded = 0", .text(state)))
        let seq = try #require(try db.scalarInt("SELECT updated_seq FROM exchanges WHERE num = ?", .int(target)))
        try db.execute("UPDATE exchange_parties SET consented = 1 - consented WHERE exchange = \(target) AND role = 'receiver'")
        let report = try Verifier.verify(path: path)
        #expect(report.divergence?.reason == "exchange ex-\(target)'s consents differ from the journal", "\(state): \(String(describing: report.divergence))")
        #expect(report.divergence?.seq == seq)
    }

    /// Pledges, who joined a challenge, and a space's capacity and hours.
    @Test(arguments: [
        ("UPDATE pledges SET what = 'iets anders' WHERE id = (SELECT MIN(id) FROM pledges)", "the pledge of entry %p differs from the journal"),
        ("DELETE FROM pledges WHERE id = (SELECT MIN(id) FROM pledges)", "the pledge of entry %p differs from the journal"),
        ("UPDATE challenge_members SET member = (SELECT id FROM members WHERE kind = 'person' AND id NOT IN (SELECT member FROM challenge_members) ORDER BY id LIMIT 1) "
            + "WHERE challenge = 1 AND seq = (SELECT MIN(seq) FROM challenge_members WHERE challenge = 1)", "the members of challenge ch-1 differ from the journal"),
        ("UPDATE spaces SET capacity = capacity + 1 WHERE offer = (SELECT MIN(offer) FROM spaces)", "the hours of of-%d differ from the journal"),
        ("UPDATE spaces SET hours = replace(hours, '\"capacity\"', '\"capacity\" ') WHERE offer = (SELECT MIN(offer) FROM spaces)", "the hours of of-%d differ from the journal"),
    ])
    func verifyNamesChangedChallengesAndSpaces(sql: String, reason: String) throws {
        let dir = TempDir("tamper-rooms"); defer { dir.remove() }
        let path = dir.file("d.sqlite")
        _ = try DemoCommunity.build(at: path, options: DemoOptions(members: 200, months: 4, endDay: Day(iso: "2026-11-29")!))
        let db = try Connection(path: path)
        let offer = try #require(try db.scalarInt("SELECT MIN(offer) FROM spaces"))
        let pledge = try #require(try db.scalarInt("SELECT seq FROM pledges ORDER BY id LIMIT 1"))
        try db.execute(sql)
        #expect(db.changes == 1, "\(sql) changed \(db.changes) rows")
        let report = try Verifier.verify(path: path)
        let expected = reason.replacingOccurrences(of: "%d", with: "\(offer)").replacingOccurrences(of: "%p", with: "\(pledge)")
        #expect(report.divergence?.reason == expected, "\(sql): \(String(describing: report.divergence))")
        if reason.contains("%p") { #expect(report.divergence?.seq == pledge) }
    }
}
