import Foundation
import Testing
import KringCore
@testable import KringStore
import KringTestSupport

/// A reader keeps the head and the policy it read at a `data_version` and answers them again in
/// a later snapshot at the same version (a balance with a token reads the version to check the
/// token). What another connection commits must show at the very next snapshot.
@Suite struct ReaderSnapshotTests {
    @Test("head and policy kept by data_version: another connection's commit shows at the next snapshot, a snapshot without the version reads afresh")
    func headAndPolicyFollowCommits() throws {
        let dir = TempDir("reader-snapshot"); defer { dir.remove() }
        let clock = TestClock()
        let server = try fixtureLedger(at: dir.file("k.sqlite"), clock: clock)
        let token = try server.issueToken(member: "stad", role: .coordinator, label: "test").token
        let cli = try Ledger(path: dir.file("k.sqlite"), clock: clock.clock)
        let reader = try Reader(path: dir.file("k.sqlite"))
        /// What a balance request reads, in one snapshot: the token, the balance, the head.
        func request() throws -> (head: LedgerHead, floor: Minutes) {
            let (found, balance, head) = try reader.snapshot { () throws(StoreError) in
                (try reader.principal(token: token, now: clock.now), try reader.balance(of: "bakkerij"), try reader.head())
            }
            #expect(found != nil)
            return (head, try #require(balance).floor)
        }
        let first = try request()
        #expect(try request().head == first.head, "nothing committed: the same head")

        // Another connection records an exchange: the next snapshot has the new head.
        _ = try cli.execute(.record(ExchangeDraft(providers: ["an"], receivers: ["bram"], kind: .time, domain: "care", what: "help", credits: Minutes(60)), reason: nil), by: .coordinator)
        let second = try request()
        #expect(second.head.seq > first.head.seq)
        #expect(second.head == (try Reader(path: dir.file("k.sqlite")).head()))

        // Another connection changes the companies' floor: the next snapshot applies it.
        var policy = Policy.standard
        let floor = Minutes(try #require(policy.limits[.company]).floor.value - 600)
        policy.limits[.company]?.floor = floor
        _ = try cli.execute(.setPolicy(policy), by: .coordinator)
        let third = try request()
        #expect(third.floor == floor && third.floor != first.floor)
        #expect(third.head.seq > second.head.seq)

        // A snapshot that does not read the version (as /health) reads the head itself.
        _ = try cli.execute(.record(ExchangeDraft(providers: ["bram"], receivers: ["an"], kind: .time, domain: "care", what: "help", credits: Minutes(30)), reason: nil), by: .coordinator)
        let plain = try reader.snapshot { () throws(StoreError) in try reader.head() }
        #expect(plain.seq > third.head.seq)
        #expect(try request().head == plain)
    }
}
