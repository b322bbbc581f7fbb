import Foundation
import Testing
import KringCore
import KringStore
import KringTestSupport

/// Ids on the command line: text that is not a canonical id is refused (exit 1, naming the
/// argument) before any command is built, and the ledger still verifies.
@Suite(.serialized) struct IdentityCLITests {
    /// The outside tester's reproduction through the binary: `exchange reverse ex-01163` acted on
    /// the exchange and journaled the id as typed.
    @Test func theReproductionThroughTheBinary() throws {
        let k = try CLITests().community(); defer { k.dir.remove() }
        #expect(try k.run("exchange", "record", "--provider", "an", "--receiver", "bram", "--kind", "time", "--domain", "care", "--what", "w", "--credits", "1").status == 0)
        let head = try k.json("verify")["entries"]?.intValue
        for (args, argument) in [(["exchange", "reverse", "ex-01", "--reason", "x"], "EXCHANGE"), (["exchange", "reverse", "ex-+1", "--reason", "x"], "EXCHANGE"),
                                 (["exchange", "confirm", "ex-1 ", "--as", "an"], "EXCHANGE"), (["exchange", "show", "EX-1"], "EXCHANGE"),
                                 (["exchange", "confirm", "ex-1", "--as", "An"], "--as"), (["member", "suspend", "an "], "ID"),
                                 (["balance", "-an"], "ID"), (["goods", "return", "ln-01"], "LOAN"), (["challenge", "join", "ch-01", "--as", "an"], "ID"),
                                 (["offer", "withdraw", "of-01"], "ID"), (["space", "cancel", "bk-\u{0661}"], "BOOKING"), (["token", "revoke", "3"], "TOKEN-ID"),
                                 (["exchange", "record", "--provider", "an", "--receiver", "bram", "--kind", "time", "--domain", "care", "--what", "w",
                                   "--credits", "1", "--links", "rq-01"], "--links"),
                                 (["member", "add", "An-Peeters", "--name", "An", "--kind", "person"], "ID")] {
            let r = try runProcess(productsDirectory + "/kring", ["--db", k.db] + args, environment: ["KRING_NOW": k.now])
            #expect(r.status == 1, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("input.invalid") && r.stderr.contains(argument), "\(args): \(r.stderr)")
        }
        #expect(try k.run("member", "add", "auto", "--name", "Auto", "--kind", "person").status == 1)
        #expect(try k.json("verify")["entries"]?.intValue == head)
        #expect(try k.run("exchange", "reverse", "ex-1", "--reason", "x").status == 0)
    }

    /// Seeded random ids in the CLI's id positions: canonical ones reach the command (exit 0 or
    /// a rule's refusal), the others are refused by the parser, naming the argument.
    @Test func idsFuzzedInTheCLIArguments() throws {
        let k = try CLITests().community(); defer { k.dir.remove() }
        _ = try k.run("exchange", "propose", "--as", "an", "--provider", "an", "--receiver", "bram", "--kind", "time", "--domain", "care", "--what", "w", "--credits", "1")
        var rng = SplitMix64(seed: 1201)
        let handles = ["an", "bram", "AN", "an ", "-an", "an_b", "", "nobody", "än"]
        for _ in 0..<40 {
            let n = 1 + rng.below(3)
            let exchange = rng.pick(["ex-\(n)", "ex-0\(n)", "ex-+\(n)", "ex-\(n) ", "EX-\(n)", "ex-", "ex-\u{FF11}"])
            let member = rng.pick(handles)
            let args = rng.chance(0.5) ? ["exchange", "show", exchange] : ["exchange", "confirm", exchange, "--as", member]
            let r = try runProcess(productsDirectory + "/kring", ["--db", k.db] + args, environment: ["KRING_NOW": k.now])
            let canonical = ExchangeID(canonical: exchange) != nil && (args.count == 3 || MemberID(canonical: member) != nil)
            #expect(r.status == 0 || r.status == 1, "\(args): \(r.status)")
            if !canonical { #expect(r.status == 1 && r.stderr.contains("input.invalid"), "\(args): \(r.stderr)") }
        }
        #expect(try k.json("verify")["legacy_ids"]?["entries"]?.intValue == 0)
    }
}
