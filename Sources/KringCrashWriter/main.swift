import Foundation
import KringCore
import KringStore

// Usage: KringCrashWriter DB SEED
// Creates the ledger if needed, then records exchanges one per durable transaction forever,
// printing "ack ex-N SEQ" after each commit. The crash test kills it with SIGKILL at random.

func say(_ s: String) { FileHandle.standardOutput.write(Data((s + "\n").utf8)) }

func writeForever(path: String, seed: UInt64) throws -> Never {
    let members = ["an", "bram", "chloe", "daan", "els", "fatima"].map { MemberID(canonical: $0)! }
    let ledger: Ledger
    if let existing = try? Ledger(path: path) {
        ledger = existing
    } else {
        ledger = try Ledger.create(path: path)
        for m in members { _ = try ledger.execute(.addMember(MemberDraft(id: m, name: m.handle, kind: .person)), by: .coordinator) }
    }
    say("ready")
    var rng = SplitMix64(seed: seed)
    while true {
        let p = rng.pick(members)
        var r = rng.pick(members)
        while r == p { r = rng.pick(members) }
        let single = ExchangeDraft(providers: [p], receivers: [r], kind: .time, domain: "care", what: "crash test",
                                   credits: Minutes(Int64(15 * (1 + rng.below(4)))))
        // A group exchange now and then, so a multi-transfer commit can be interrupted too.
        let group = ExchangeDraft(providers: [p], receivers: members.filter { $0 != p }, kind: .time, domain: "care", what: "group", credits: Minutes(15))
        let result = Result { try ledger.execute(.record(rng.chance(0.2) ? group : single, reason: nil), by: .coordinator) }
        switch result {
        case .success(let o): say("ack \(o.event.exchangeID?.description ?? "") \(o.seq)")
        case .failure(let e):
            if case .rule = e as? LedgerError { say("refused") } else { throw e }
        }
    }
}

let args = CommandLine.arguments
guard args.count == 3, let seed = UInt64(args[2]) else {
    FileHandle.standardError.write(Data("usage: KringCrashWriter DB SEED\n".utf8))
    exit(2)
}
do {
    try writeForever(path: args[1], seed: seed)
} catch {
    FileHandle.standardError.write(Data("crash writer: \(error)\n".utf8))
    exit(3)
}
