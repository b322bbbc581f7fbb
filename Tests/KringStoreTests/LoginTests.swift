import CSQLite
import Foundation
import KringCore
import KringStore
import KringTestSupport
import Testing

/// Logins, invitations and sessions for the web pages (schema 8).
@Suite("Logins, invitations and sessions", .serialized)
struct LoginTests {
    let clock = TestClock()
    let dir = TempDir("kring-logins")
    var path: String { dir.file("l.sqlite") }

    /// A fixture ledger and a raw connection to look underneath it.
    func ledger() throws -> Ledger { try fixtureLedger(at: path, clock: clock) }

    @Test func anInvitationSetsAPasswordOnceAndSignsIn() throws {
        defer { dir.remove() }
        let l = try ledger()
        let inv = try l.invite(member: "an")
        #expect(inv.login.name == "an" && inv.login.role == .member && inv.code.hasPrefix("kring_") && inv.code.count == 70)
        guard case .valid(let login) = try l.invitation(inv.code) else { Issue.record("not valid"); return }
        #expect(login.id == inv.login.id && login.passwordSetAt == nil)
        // Refused passwords change nothing: the invitation still works.
        for (bad, reason) in [("short", Reason.passwordTooShort(least: 10, got: 5)), ("Wachtwoord123", .passwordCommon),
                              (String(repeating: "x", count: 201), .passwordTooLong(most: 200, got: 201))] {
            do { _ = try l.acceptInvitation(inv.code, password: bad); Issue.record("accepted \(bad)") } catch {
                guard case .rule(let v) = error else { Issue.record("\(error)"); continue }
                #expect(v.reason == reason && v.field == .password)
            }
        }
        #expect(try l.invitation(inv.code) == .valid(login))
        let (cookie, session) = try l.acceptInvitation(inv.code, password: "fietsbel onder de lindeboom")
        #expect(session.login.member == "an" && session.csrf.count == 64)
        #expect(try l.session(cookie)?.login.id == inv.login.id)
        // Once only.
        #expect(try l.invitation(inv.code) == .used)
        do { _ = try l.acceptInvitation(inv.code, password: "nog een ander wachtwoord"); Issue.record("used twice") } catch {
            guard case .rule(let v) = error else { Issue.record("\(error)"); return }
            #expect(v.reason == .invitationUsed)
        }
        #expect(try l.invitation("kring_" + String(repeating: "0", count: 64)) == .unknown)
    }

    @Test func signInAnswersAlikeForAWrongPasswordAndAnUnknownName() throws {
        defer { dir.remove() }
        let l = try ledger()
        let inv = try l.invite(member: "bakkerij", label: "balie")
        #expect(inv.login.name == "bakkerij/balie")
        _ = try l.acceptInvitation(inv.code, password: "broodjes-om-zeven-uur")
        #expect(try l.signIn(name: "bakkerij/balie", password: "broodjes-om-zeven-uur")?.info.login.member == "bakkerij")
        #expect(try l.signIn(name: "bakkerij/balie", password: "broodjes-om-acht-uur") == nil)
        #expect(try l.signIn(name: "bakkerij", password: "broodjes-om-zeven-uur") == nil)
        #expect(try l.signIn(name: "niemand", password: "broodjes-om-zeven-uur") == nil)
        // A suspended member cannot sign in, and their open sessions stop at the next request.
        let (cookie, _) = try #require(try l.signIn(name: "bakkerij/balie", password: "broodjes-om-zeven-uur"))
        _ = try l.execute(.suspend("bakkerij"), by: .coordinator)
        #expect(try l.signIn(name: "bakkerij/balie", password: "broodjes-om-zeven-uur") == nil)
        #expect(try l.session(cookie) == nil)
        _ = try l.execute(.reinstate("bakkerij"), by: .coordinator)
        #expect(try l.session(cookie) != nil)
        // A revoked login too.
        try l.revokeLogin(inv.login.id)
        #expect(try l.session(cookie) == nil)
        #expect(try l.signIn(name: "bakkerij/balie", password: "broodjes-om-zeven-uur") == nil)
    }

    @Test func sessionsEndWhenIdleWhenOldOnSignOutAndWhenThePasswordIsReplaced() throws {
        defer { dir.remove() }
        let l = try ledger()
        let first = try l.invite(member: "chloe", role: .coordinator)
        #expect(first.login.actor == .coordinatorLogin(first.login.id))
        let (a, _) = try l.acceptInvitation(first.code, password: "de molen draait weer")
        let (b, _) = try #require(try l.signIn(name: "chloe", password: "de molen draait weer"))
        // Idle: a request within the idle time keeps it; the idle time without one ends it.
        clock.advance(seconds: Logins.idleSeconds - 10)
        #expect(try l.session(a) != nil)
        clock.advance(seconds: Logins.idleSeconds - 10)
        #expect(try l.session(a) != nil && l.session(b) == nil)
        // Sign out ends one session; sign out everywhere ends them all.
        let (c, _) = try #require(try l.signIn(name: "chloe", password: "de molen draait weer"))
        try l.endSession(a)
        #expect(try l.session(a) == nil && l.session(c) != nil)
        let (d, _) = try #require(try l.signIn(name: "chloe", password: "de molen draait weer"))
        // Three: b is past its idle time but not yet marked ended.
        #expect(try l.endSessions(of: first.login.id) == 3)
        #expect(try l.session(c) == nil && l.session(d) == nil)
        // Absolute: however busy, a session ends after the absolute limit.
        let (e, _) = try #require(try l.signIn(name: "chloe", password: "de molen draait weer"))
        var elapsed: Int64 = 0
        while elapsed + 3_600 < Logins.absoluteSeconds { clock.advance(seconds: 3_600); elapsed += 3_600; #expect(try l.session(e) != nil) }
        clock.advance(seconds: Logins.absoluteSeconds - elapsed)
        #expect(try l.session(e) == nil)
        // A forgotten password: a new invitation for the same login; the old code stops
        // working, the new password replaces the old one and ends the login's sessions.
        let (f, _) = try #require(try l.signIn(name: "chloe", password: "de molen draait weer"))
        let stale = try l.invite(member: "chloe", role: .coordinator)
        let again = try l.invite(member: "chloe", role: .coordinator)
        #expect(try again.login.id == first.login.id && l.invitation(stale.code) == .used)
        _ = try l.acceptInvitation(again.code, password: "de molen staat weer stil")
        #expect(try l.session(f) == nil)
        #expect(try l.signIn(name: "chloe", password: "de molen draait weer") == nil)
        #expect(try l.signIn(name: "chloe", password: "de molen staat weer stil") != nil)
    }

    @Test func aPageViewWritesTheLastSeenTimeAtMostOnceAMinute() throws {
        defer { dir.remove() }
        let l = try ledger()
        let (cookie, _) = try l.acceptInvitation(try l.invite(member: "daan").code, password: "zes appels en een peer")
        let raw = try Connection(path: path)
        let lastSeen = { try raw.scalarInt("SELECT last_seen FROM sessions WHERE hash = ?", .blob(SHA256.hash(Array(cookie.utf8)))) }
        let start = try lastSeen()
        clock.advance(seconds: 30)
        _ = try l.session(cookie)
        #expect(try lastSeen() == start)
        clock.advance(seconds: 31)
        _ = try l.session(cookie)
        #expect(try lastSeen() == clock.now)
    }

    @Test func invitationsExpireAndNameWhatIsWrong() throws {
        defer { dir.remove() }
        let l = try ledger()
        let inv = try l.invite(member: "els", days: 3)
        clock.advance(days: 3)
        #expect(try l.invitation(inv.code) == .expired(inv.expiresAt))
        do { _ = try l.acceptInvitation(inv.code, password: "te laat voor de bus"); Issue.record("accepted") } catch {
            guard case .rule(let v) = error else { Issue.record("\(error)"); return }
            #expect(v.reason == .invitationExpired(Day(timestamp: inv.expiresAt)))
        }
        func reason(_ body: () throws(LedgerError) -> Invitation) -> Reason? {
            do { _ = try body(); return nil } catch { if case .rule(let v) = error { return v.reason }; return nil }
        }
        #expect(reason { () throws(LedgerError) in try l.invite(member: "els", label: "Front Desk") } == .loginLabel("Front Desk"))
        #expect(reason { () throws(LedgerError) in try l.invite(member: "els", days: 91) } == .invitationDays(most: 90, got: 91))
        #expect(reason { () throws(LedgerError) in try l.invite(member: "els", role: .coordinator) } == .loginRole(name: "els", isCoordinator: false))
        #expect(reason { () throws(LedgerError) in try l.invite(member: "nobody") } == .notFound(.member("nobody")))
        _ = try l.execute(.leave("fatima"), by: .coordinator)
        #expect(reason { () throws(LedgerError) in try l.invite(member: "fatima") } == .noLoginForLeft("fatima"))
    }

    @Test func secretsAreStoredOnlyAsHashes() throws {
        defer { dir.remove() }
        let l = try ledger()
        let inv = try l.invite(member: "an")
        let password = "een geheim dat niemand kent"
        let (cookie, session) = try l.acceptInvitation(inv.code, password: password)
        let (other, _) = try #require(try l.signIn(name: "an", password: password))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        if let wal = try? Data(contentsOf: URL(fileURLWithPath: path + "-wal")) { bytes += wal }
        for secret in [inv.code, cookie, other, password, String(inv.code.dropFirst(6))] {
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "the ledger file holds a secret")
        }
        let stored = try #require(try Connection(path: path).scalarText("SELECT password FROM logins WHERE id = ?", .int(session.login.id.number)))
        let hash = try #require(PasswordHash(stored: stored))
        #expect(stored.hasPrefix("pbkdf2-sha256$600000$") && hash.iterations == 600_000 && hash.salt.count == 16 && hash.matches(password) && !hash.matches(password + "!"))
    }
}
