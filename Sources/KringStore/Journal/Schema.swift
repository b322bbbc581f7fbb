/// The schema and its migrations. `PRAGMA user_version` holds the version; each migration
/// runs once, in its own transaction, in order.
enum Schema {
    /// The version this build writes.
    static let version: Int64 = 14

    /// The secondary indexes of the projections. Bulk loads drop them and build them again at
    /// the end, which is much faster than maintaining them row by row.
    static let indexes: [(name: String, definition: String, migration: Int)] = [
        ("exchanges_open", "exchanges(expires_at) WHERE state = 'proposed'", 1),
        ("listings_author", "listings(author)", 2),
        ("loans_open", "loans(due) WHERE returned IS NULL", 3),
        ("bookings_slot", "bookings(offer, day)", 4),
        ("exchange_links_target", "exchange_links(target)", 5),
        ("listings_recent", "listings(updated_seq)", 6),
        ("listings_challenge", "listings(challenge) WHERE challenge IS NOT NULL", 6),
        ("bookings_member", "bookings(member, day)", 10),
        ("introductions_offer", "introductions(offer)", 10),
        ("pledges_challenge", "pledges(challenge)", 6),
        ("loans_lender", "loans(lender)", 6),
        ("loans_borrower", "loans(borrower)", 6),
    ]

    /// The CREATE INDEX statements a migration adds.
    static func indexSQL(migration: Int) -> String {
        indexes.filter { $0.migration == migration }.map { "CREATE INDEX \($0.name) ON \($0.definition);" }.joined(separator: "\n")
    }

    static let migrations: [String] = [
        // 1: the journal, its projections, and the triggers that keep history append-only.
        """
        CREATE TABLE journal(
            seq INTEGER PRIMARY KEY,
            ts INTEGER NOT NULL,
            type TEXT NOT NULL,
            payload TEXT NOT NULL,
            prev_hash BLOB NOT NULL,
            hash BLOB NOT NULL
        );
        CREATE TABLE policies(
            seq INTEGER PRIMARY KEY,
            payload TEXT NOT NULL
        );
        CREATE TABLE members(
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            neighbourhood TEXT,
            domains TEXT NOT NULL,
            joined TEXT NOT NULL,
            floor_override INTEGER,
            ceiling_override INTEGER,
            added_seq INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE accounts(
            member TEXT PRIMARY KEY,
            balance INTEGER NOT NULL,
            given INTEGER NOT NULL,
            last_seq INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE exchanges(
            num INTEGER PRIMARY KEY,
            proposer TEXT,
            kind TEXT NOT NULL,
            domain TEXT NOT NULL,
            what TEXT NOT NULL,
            credits INTEGER NOT NULL,
            quantity INTEGER NOT NULL,
            date TEXT NOT NULL,
            expires_at INTEGER,
            state TEXT NOT NULL,
            recorded INTEGER NOT NULL,
            reason TEXT,
            reversal_reason TEXT,
            created_seq INTEGER NOT NULL,
            updated_seq INTEGER NOT NULL
        );
        CREATE TABLE exchange_parties(
            exchange INTEGER NOT NULL,
            member TEXT NOT NULL,
            role TEXT NOT NULL,
            position INTEGER NOT NULL,
            consented INTEGER NOT NULL,
            PRIMARY KEY(exchange, member)
        ) WITHOUT ROWID;
        CREATE TABLE transfers(
            id INTEGER PRIMARY KEY,
            seq INTEGER NOT NULL,
            exchange INTEGER,
            kind TEXT NOT NULL,
            payer TEXT NOT NULL,
            payee TEXT NOT NULL,
            minutes INTEGER NOT NULL CHECK (minutes > 0),
            day INTEGER NOT NULL
        );
        CREATE TABLE postings(
            id INTEGER PRIMARY KEY,
            seq INTEGER NOT NULL,
            transfer INTEGER NOT NULL,
            member TEXT NOT NULL,
            minutes INTEGER NOT NULL,
            day INTEGER NOT NULL
        );
        \(indexSQL(migration: 1))
        CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
        CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
        CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings BEGIN SELECT RAISE(ABORT, 'postings are append-only'); END;
        CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings BEGIN SELECT RAISE(ABORT, 'postings are append-only'); END;
        CREATE TRIGGER transfers_no_update BEFORE UPDATE ON transfers BEGIN SELECT RAISE(ABORT, 'transfers are append-only'); END;
        CREATE TRIGGER transfers_no_delete BEFORE DELETE ON transfers BEGIN SELECT RAISE(ABORT, 'transfers are append-only'); END;
        """,
        // 2: offers and requests, and their full-text index. unicode61 with diacritics removed
        // folds case and accents (`cafe` finds `café`, `Zaal` finds `zaal`) in Dutch and English.
        """
        CREATE TABLE listings(
            num INTEGER PRIMARY KEY,
            side TEXT NOT NULL,
            author TEXT NOT NULL,
            kind TEXT NOT NULL,
            domain TEXT NOT NULL,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            place TEXT,
            availability TEXT,
            expires INTEGER NOT NULL,
            version INTEGER NOT NULL,
            state TEXT NOT NULL,
            fulfilled_by INTEGER,
            created_seq INTEGER NOT NULL,
            updated_seq INTEGER NOT NULL
        );
        ALTER TABLE exchanges ADD COLUMN links TEXT NOT NULL DEFAULT '';
        \(indexSQL(migration: 2))
        CREATE VIRTUAL TABLE listings_fts USING fts5(title, text, tokenize = 'unicode61 remove_diacritics 2');
        """,
        // 3: goods lent and returned.
        """
        CREATE TABLE loans(
            num INTEGER PRIMARY KEY,
            lender TEXT NOT NULL,
            borrower TEXT NOT NULL,
            what TEXT NOT NULL,
            offer TEXT,
            lent INTEGER NOT NULL,
            due INTEGER NOT NULL,
            returned INTEGER,
            created_seq INTEGER NOT NULL,
            updated_seq INTEGER NOT NULL
        );
        \(indexSQL(migration: 3))
        """,
        // 4: spaces as resources: opening hours, capacity and bookings.
        """
        CREATE TABLE spaces(
            offer INTEGER PRIMARY KEY,
            capacity INTEGER NOT NULL,
            hours TEXT NOT NULL,
            updated_seq INTEGER NOT NULL
        );
        CREATE TABLE bookings(
            num INTEGER PRIMARY KEY,
            offer INTEGER NOT NULL,
            member TEXT NOT NULL,
            day INTEGER NOT NULL,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            people INTEGER NOT NULL,
            state TEXT NOT NULL,
            settled_by INTEGER,
            created_seq INTEGER NOT NULL,
            updated_seq INTEGER NOT NULL
        );
        \(indexSQL(migration: 4))
        """,
        // 5: challenges, who joined them, pledges; and every exchange's links in a table of
        // their own (challenges and statistics look exchanges up by what they link).
        """
        CREATE TABLE challenges(
            num INTEGER PRIMARY KEY,
            author TEXT NOT NULL,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            domains TEXT NOT NULL,
            ends INTEGER NOT NULL,
            state TEXT NOT NULL,
            created_seq INTEGER NOT NULL,
            updated_seq INTEGER NOT NULL
        );
        CREATE TABLE challenge_members(
            challenge INTEGER NOT NULL,
            member TEXT NOT NULL,
            seq INTEGER NOT NULL,
            PRIMARY KEY(challenge, member)
        ) WITHOUT ROWID;
        CREATE TABLE pledges(
            id INTEGER PRIMARY KEY,
            challenge INTEGER NOT NULL,
            member TEXT NOT NULL,
            kind TEXT NOT NULL,
            what TEXT NOT NULL,
            seq INTEGER NOT NULL
        );
        ALTER TABLE listings ADD COLUMN challenge TEXT;
        CREATE TABLE exchange_links(
            exchange INTEGER NOT NULL,
            target TEXT NOT NULL,
            PRIMARY KEY(exchange, target)
        ) WITHOUT ROWID;
        INSERT INTO exchange_links(exchange, target)
            SELECT e.num, value FROM exchanges e, json_each('["' || replace(e.links, ',', '","') || '"]') WHERE e.links != '';
        \(indexSQL(migration: 5))
        """,
        // 6: the HTTP API's bearer tokens (only their SHA-256 is stored) and idempotency keys
        // with the answer first given. Access data, not ledger history: outside the journal,
        // not replayed by verify, written in the same transaction as the command they answer.
        """
        CREATE TABLE api_tokens(
            id INTEGER PRIMARY KEY,
            member TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('member', 'coordinator')),
            label TEXT NOT NULL,
            hash BLOB NOT NULL UNIQUE,
            created_at INTEGER NOT NULL,
            revoked_at INTEGER
        );
        CREATE TABLE idempotency(
            scope TEXT NOT NULL,
            key TEXT NOT NULL,
            request_hash BLOB NOT NULL,
            status INTEGER NOT NULL,
            body TEXT NOT NULL,
            seq INTEGER,
            created_at INTEGER NOT NULL,
            PRIMARY KEY(scope, key)
        ) WITHOUT ROWID;
        \(indexSQL(migration: 6))
        """,
        // 7: typed identities. Versions before them projected some ids as the client typed
        // them (`rq-02`, `ch-+1`); those become canonical here (the journal keeps what it
        // holds; verify reads it canonically). From here on, rows hold only the values the
        // ledger knows: triggers refuse an unknown kind, status, state or role, and an id
        // column that is not canonical, as CHECK constraints would (SQLite cannot add those to
        // existing tables).
        """
        UPDATE OR REPLACE exchange_links SET target = substr(target, 1, 3) || CAST(substr(target, 4) AS INTEGER)
            WHERE target != substr(target, 1, 3) || CAST(substr(target, 4) AS INTEGER);
        UPDATE exchanges SET links = (SELECT group_concat(substr(value, 1, 3) || CAST(substr(value, 4) AS INTEGER), ',')
                                      FROM json_each('["' || replace(links, ',', '","') || '"]'))
            WHERE links != '';
        UPDATE listings SET challenge = 'ch-' || CAST(substr(challenge, 4) AS INTEGER)
            WHERE challenge IS NOT NULL AND challenge != 'ch-' || CAST(substr(challenge, 4) AS INTEGER);
        UPDATE loans SET offer = 'of-' || CAST(substr(offer, 4) AS INTEGER)
            WHERE offer IS NOT NULL AND offer != 'of-' || CAST(substr(offer, 4) AS INTEGER);
        ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
        ALTER TABLE api_tokens ADD COLUMN last_used_at INTEGER;
        ALTER TABLE idempotency ADD COLUMN outcome TEXT;
        """,
        // 8: the web pages' logins, invitations and sessions. Access data like the tokens:
        // outside the journal. Only hashes of invitation codes and session ids are stored; a
        // password is stored as PBKDF2-HMAC-SHA256 with its salt and iteration count.
        """
        CREATE TABLE logins(
            id INTEGER PRIMARY KEY,
            member TEXT NOT NULL,
            name TEXT NOT NULL UNIQUE,
            label TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('member', 'coordinator')),
            password TEXT,
            password_set_at INTEGER,
            created_at INTEGER NOT NULL,
            revoked_at INTEGER
        );
        CREATE INDEX logins_member ON logins(member);
        CREATE TABLE invitations(
            hash BLOB PRIMARY KEY,
            login INTEGER NOT NULL REFERENCES logins(id),
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            used_at INTEGER,
            replaced_at INTEGER
        ) WITHOUT ROWID;
        CREATE INDEX invitations_login ON invitations(login);
        CREATE TABLE sessions(
            hash BLOB PRIMARY KEY,
            login INTEGER NOT NULL REFERENCES logins(id),
            csrf BLOB NOT NULL,
            created_at INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            ended_at INTEGER
        ) WITHOUT ROWID;
        CREATE INDEX sessions_login ON sessions(login);
        """,
        // 9: the reason a party gave when rejecting or cancelling a proposal, shown to the
        // others. Journal entries carry it from this version on; earlier ones have none and
        // keep their bytes.
        """
        ALTER TABLE exchanges ADD COLUMN end_reason TEXT;
        """,
        // 10: the reason given when a booking was cancelled, shown to the booker and the owner;
        // the question a starter asks an expert with the booking of a session; the introductions
        // a coordinator made between a request and an offer.
        """
        ALTER TABLE bookings ADD COLUMN end_reason TEXT;
        ALTER TABLE bookings ADD COLUMN question TEXT;
        CREATE TABLE introductions(
            request INTEGER NOT NULL,
            offer INTEGER NOT NULL,
            by TEXT NOT NULL,
            seq INTEGER NOT NULL,
            PRIMARY KEY(request, offer)
        ) WITHOUT ROWID;
        \(indexSQL(migration: 10))
        """,
        // 11: no index of transfers by pair. The pair cap reads the two members' postings
        // (`SQLiteView.pairMinutes`); the index cost the writer a page of the WAL for every
        // transfer. Ledgers made before this version built it in migration 1.
        """
        DROP INDEX IF EXISTS transfers_pair;
        """,
        // 12: no index of postings or exchange parties by member. Each posting names the same
        // member's previous posting (`prev`, NULL for their first), each party the member's
        // previous exchange, and each account its last of both (`last_posting`,
        // `last_exchange`, NULL before any), so a member's rows are read newest first along
        // those chains (`MemberChain`): the pair cap's window, a statement, a member's
        // exchanges. Each index cost the writer a page of the WAL for every row, on a random
        // leaf, as `transfers_pair` did for every transfer. The postings are append-only; their
        // trigger is lifted only to fill the new column.
        """
        ALTER TABLE postings ADD COLUMN prev INTEGER;
        ALTER TABLE exchange_parties ADD COLUMN prev INTEGER;
        ALTER TABLE accounts ADD COLUMN last_posting INTEGER;
        ALTER TABLE accounts ADD COLUMN last_exchange INTEGER;
        DROP TRIGGER postings_no_update;
        UPDATE postings SET prev = chain.prev
            FROM (SELECT id, LAG(id) OVER (PARTITION BY member ORDER BY id) AS prev FROM postings) AS chain
            WHERE chain.id = postings.id AND chain.prev IS NOT NULL;
        CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings BEGIN SELECT RAISE(ABORT, 'postings are append-only'); END;
        UPDATE exchange_parties SET prev = chain.prev
            FROM (SELECT exchange, member, LAG(exchange) OVER (PARTITION BY member ORDER BY exchange) AS prev FROM exchange_parties) AS chain
            WHERE chain.exchange = exchange_parties.exchange AND chain.member = exchange_parties.member AND chain.prev IS NOT NULL;
        UPDATE accounts SET last_posting = last.id FROM (SELECT member, MAX(id) AS id FROM postings GROUP BY member) AS last
            WHERE last.member = accounts.member;
        UPDATE accounts SET last_exchange = last.num FROM (SELECT member, MAX(exchange) AS num FROM exchange_parties GROUP BY member) AS last
            WHERE last.member = accounts.member;
        DROP INDEX IF EXISTS postings_member;
        DROP INDEX IF EXISTS parties_member;
        """,
        // 13: each table's CHECK says its words by comparisons instead of a list, the same
        // condition that SQLite evaluates without building a table of the words for every row
        // written (`WordForm`, `rewriteRowChecks`).
        "",
        // 14: the idempotency keys' rows in the order they come, and their keys in an index of
        // their own. Keyed by the client's key, each row (about 150 bytes) fell on a random
        // leaf of the table; the rows now fill pages in turn, and only the index's entries
        // (scope and key) fall at random, more to a leaf.
        """
        CREATE TABLE idempotency_rows(
            id INTEGER PRIMARY KEY,
            scope TEXT NOT NULL,
            key TEXT NOT NULL,
            request_hash BLOB NOT NULL,
            status INTEGER NOT NULL,
            body TEXT NOT NULL,
            seq INTEGER,
            created_at INTEGER NOT NULL,
            outcome TEXT,
            UNIQUE(scope, key)
        );
        INSERT INTO idempotency_rows(scope, key, request_hash, status, body, seq, created_at, outcome)
            SELECT scope, key, request_hash, status, body, seq, created_at, outcome FROM idempotency ORDER BY created_at, seq;
        DROP TABLE idempotency;
        ALTER TABLE idempotency_rows RENAME TO idempotency;
        """,
    ]

    /// How a CHECK says that a column holds one of a few words. Schemas 7 to 12 wrote a list,
    /// `c IN ('a', 'b', 'c')`; SQLite evaluates a list of three words or more by building a
    /// temporary b-tree of it each time a statement runs, about 4 µs on every INSERT of a row
    /// and every UPDATE of a column the CHECK names (docs/performance.md, fifteenth session).
    /// Schema 13 writes the same condition as comparisons, `(c = 'a' OR c = 'b' OR c = 'c')`,
    /// which it evaluates in place: for a value, NULL or not, both give the same answer.
    enum WordForm {
        case list, comparisons
    }

    /// Column `c` holds one of `words`, written in `form`.
    private static func oneOf(_ c: String, _ words: [String], _ form: WordForm) -> String {
        switch form {
        case .list: "\(c) IN (\(words.map { "'\($0)'" }.joined(separator: ", ")))"
        case .comparisons: "(\(words.map { "\(c) = '\($0)'" }.joined(separator: " OR ")))"
        }
    }

    /// A canonical numbered id in column `c` (`ex-12`): a two-letter prefix and a dash, then a
    /// positive decimal number without sign or leading zero.
    private static func numberedID(_ c: String, prefixes: [String], _ form: WordForm) -> String {
        "(\(oneOf("substr(\(c), 1, 3)", prefixes, form)) AND length(\(c)) BETWEEN 4 AND 22 "
            + "AND substr(\(c), 4) NOT GLOB '*[^0-9]*' AND substr(\(c), 4) NOT GLOB '0*')"
    }

    /// A canonical member handle in column `c`.
    private static func handle(_ c: String) -> String {
        "(length(\(c)) BETWEEN 1 AND 40 AND \(c) NOT GLOB '*[^a-z0-9-]*' AND \(c) NOT GLOB '-*')"
    }

    /// What each projection row must satisfy: (table, CHECK condition), as this version writes it.
    static let rowChecks = rowChecks(.comparisons)

    /// What each projection row must satisfy, its words written in `form` (`.list` is how
    /// schemas 7 to 12 wrote them).
    static func rowChecks(_ form: WordForm) -> [(table: String, condition: String)] {
        func oneOf(_ c: String, _ words: [String]) -> String { Schema.oneOf(c, words, form) }
        func numberedID(_ c: String, prefixes: [String]) -> String { Schema.numberedID(c, prefixes: prefixes, form) }
        return [
            ("members", "\(handle("id")) AND \(oneOf("kind", ["person", "company", "association", "initiative", "municipality", "pool"])) "
                + "AND \(oneOf("status", ["active", "suspended", "left"]))"),
            ("exchanges", "\(oneOf("kind", ["time", "space", "goods"])) "
                + "AND \(oneOf("state", ["proposed", "confirmed", "rejected", "cancelled", "expired", "reversed"])) "
                + "AND (proposer IS NULL OR \(handle("proposer")))"),
            ("exchange_parties", "\(oneOf("role", ["provider", "receiver"])) AND \(handle("member"))"),
            ("exchange_links", numberedID("target", prefixes: ["of-", "rq-", "bk-", "ch-"])),
            ("transfers", oneOf("kind", ["exchange", "reversal", "donation", "grant", "settlement"])),
            ("listings", "\(oneOf("side", ["offer", "request"])) AND \(oneOf("kind", ["time", "space", "goods"])) "
                + "AND \(oneOf("state", ["active", "withdrawn"])) "
                + "AND \(handle("author")) AND (challenge IS NULL OR \(numberedID("challenge", prefixes: ["ch-"])))"),
            ("loans", "\(handle("lender")) AND \(handle("borrower")) AND (offer IS NULL OR \(numberedID("offer", prefixes: ["of-"])))"),
            ("bookings", "\(oneOf("state", ["booked", "cancelled"])) AND \(handle("member"))"),
            ("challenges", "\(oneOf("state", ["open", "closed"])) AND \(handle("author"))"),
            ("pledges", "\(oneOf("kind", ["time", "space", "goods"])) AND \(handle("member"))"),
        ]
    }

    /// Migration 13: each table's CHECK as comparisons instead of lists (`WordForm`), the same
    /// condition. SQLite cannot alter a CHECK, and rebuilding the tables would copy every row of
    /// a large ledger, so the definitions are rewritten in place as SQLite documents it for
    /// changing a constraint that every row already meets ("Making Other Kinds Of Table Schema
    /// Changes", lang_altertable.html): the schema's text edited in the migration's transaction,
    /// and its version raised so every connection reads it again. Refuses a table whose CHECK is
    /// not the one schema 7 wrote.
    static func rewriteRowChecks(_ db: Connection) throws(StoreError) {
        let schemaVersion = try db.scalarInt("PRAGMA schema_version") ?? 0
        try db.execute("PRAGMA writable_schema = ON")
        do throws(StoreError) {
            let edit = try db.prepare("""
                UPDATE sqlite_master SET sql = replace(sql, ?1, ?2) WHERE type = 'table' AND name = ?3 AND instr(sql, 'CHECK (' || ?1 || ')') > 0
                """)
            for ((table, list), (_, comparisons)) in zip(rowChecks(.list), rowChecks(.comparisons)) where list != comparisons {
                try edit.run(.text(list), .text(comparisons), .text(table))
                guard db.changes == 1 else { throw StoreError("migration 13: the CHECK of \(table) is not the one schema 7 wrote", integrity: true) }
            }
            try db.execute("PRAGMA schema_version = \(schemaVersion + 1)")
        } catch {
            try? db.execute("PRAGMA writable_schema = OFF")
            throw error
        }
        try db.execute("PRAGMA writable_schema = OFF")
    }

    /// The tables holding rows that break `rowChecks`, with how many (a bulk load checks its
    /// rows once at the end instead of row by row).
    static func rowsFailingChecks(_ db: Connection) throws(StoreError) -> [(table: String, rows: Int64)] {
        var out = [(String, Int64)]()
        for (table, condition) in rowChecks {
            let n = try db.scalarInt("SELECT COUNT(*) FROM \(table) WHERE NOT (\(condition))") ?? 0
            if n > 0 { out.append((table, n)) }
        }
        return out
    }

    /// Runs migration `v` (to version `v + 1`) on the open transaction: its SQL, and for
    /// versions 7 and 13 the steps SQL alone cannot say.
    static func apply(_ db: Connection, migration v: Int) throws(StoreError) {
        try db.execute(migrations[v])
        if v + 1 == 7 { try addRowChecks(db) }
        if v + 1 == 13 { try rewriteRowChecks(db) }
    }

    /// Rebuilds each table of `rowChecks` with its CHECK constraint (migration 7): the same
    /// columns, keys and rows, then its indexes and triggers again. Refuses a row that breaks a
    /// check (the ledger would not read it anyway).
    static func addRowChecks(_ db: Connection) throws(StoreError) {
        for (table, condition) in rowChecks(.list) {
            guard let create = try db.scalarText("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", .text(table)) else {
                throw StoreError("migration 7: no table \(table)")
            }
            let bad = try db.scalarInt("SELECT COUNT(*) FROM \(table) WHERE NOT (\(condition))") ?? 0
            guard bad == 0 else { throw StoreError("migration 7: \(bad) rows of \(table) hold values the ledger does not know", integrity: true) }
            let triggers = try db.strings("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", .text(table))
            // The definition with the constraint before its closing parenthesis.
            let withoutRowID = create.hasSuffix("WITHOUT ROWID")
            var body = withoutRowID ? String(create.dropLast("WITHOUT ROWID".count)) : create
            while body.last == " " || body.last == "\n" { body.removeLast() }
            guard body.last == ")", let open = body.firstIndex(of: "(") else { throw StoreError("migration 7: cannot read the definition of \(table)") }
            let columns = body[body.index(after: open)..<body.index(before: body.endIndex)]
            let definition = "CREATE TABLE \(table)_checked(\(columns),\n    CHECK (\(condition))\n)\(withoutRowID ? " WITHOUT ROWID" : "")"
            try db.execute(definition)
            try db.execute("INSERT INTO \(table)_checked SELECT * FROM \(table)")
            try db.execute("DROP TABLE \(table)")
            try db.execute("ALTER TABLE \(table)_checked RENAME TO \(table)")
            for index in indexes where index.definition.hasPrefix(table + "(") && index.migration < 7 { try db.execute("CREATE INDEX \(index.name) ON \(index.definition)") }
            for trigger in triggers { try db.execute(trigger) }
        }
    }

    /// Brings the database up to `version`. Refuses a database written by a newer build.
    /// - Parameter target: the version to stop at (tests build older ledgers with it).
    static func migrate(_ db: Connection, upTo target: Int64 = version) throws(StoreError) {
        let current = try db.scalarInt("PRAGMA user_version") ?? 0
        guard current <= version else {
            throw StoreError("\(db.path) has schema version \(current); this kring reads up to \(version). Upgrade kring.")
        }
        if current == 0, let tables = try db.scalarInt("SELECT COUNT(*) FROM sqlite_master"), tables > 0 {
            throw StoreError("\(db.path) is an SQLite database but not a Kring ledger; not touching it.")
        }
        for v in Int(current)..<Int(target) {
            try db.execute("BEGIN IMMEDIATE")
            do {
                // Another process may have run this migration while this one waited for the lock.
                if try db.scalarInt("PRAGMA user_version") ?? 0 > v {
                    try db.execute("COMMIT")
                    continue
                }
                try apply(db, migration: v)
                try db.execute("PRAGMA user_version = \(v + 1)")
                try db.execute("COMMIT")
            } catch {
                try? db.execute("ROLLBACK")
                throw error
            }
        }
    }
}
