import Foundation
import KringCore
import KringStore

/// Writes a line to stdout.
func out(_ s: String) { write(s + "\n", to: .standardOutput) }
/// Writes a line to stderr.
func err(_ s: String) { write(s + "\n", to: .standardError) }

/// Writes to stdout or stderr without ever trapping: a closed pipe or a full disk loses the
/// text (`kring serve | head -1` must not stop the server), it does not crash the process.
func write(_ s: String, to handle: FileHandle) { try? handle.write(contentsOf: Data(s.utf8)) }

/// Prints the outcome of a write: a line for people (or JSON), warnings on stderr.
func report(_ o: Outcome, _ inv: Invocation, _ text: String) -> Int32 {
    for w in o.warnings { err("warning[\(w.code.rawValue)]: \(w.message)") }
    if inv.json {
        out(JSON.object([
            "seq": .int(o.seq), "hash": .string(o.hash.hexString), "event": .string(o.event.type.rawValue),
            "exchange": .id(o.event.exchangeID),
            "warnings": .array(o.warnings.map { .object(["code": .string($0.code.rawValue), "message": .string($0.message)]) }),
            "expired_before": .int(Int64(o.expiredBefore)),
        ]).canonicalString)
    } else {
        out("\(text) (seq \(o.seq))")
    }
    return 0
}

func openLedger(_ inv: Invocation) throws -> Ledger { try Ledger(path: inv.dbPath) }
func openReader(_ inv: Invocation) throws -> Reader { try Reader(path: inv.dbPath) }

func perform(_ inv: Invocation, _ command: Command, by actor: Actor = .coordinator, _ text: (Outcome) -> String) throws -> Int32 {
    let o = try openLedger(inv).execute(command, by: actor)
    return report(o, inv, text(o))
}

func draft(_ inv: Invocation) throws -> ExchangeDraft {
    guard let kind = ExchangeKind(rawValue: inv.required("kind")) else {
        throw ArgumentError(.inputInvalid, "--kind is time, space or goods, not \(inv.required("kind")).")
    }
    guard let credits = try inv.amount("credits") else { throw ArgumentError(.inputAmount, "--credits is required.") }
    var quantity: Int64?
    if let q = inv.option("quantity") {
        if kind == .goods {
            guard let n = Int64(q), n > 0 else { throw ArgumentError(.inputAmount, "--quantity of goods is a whole number of items, not \(q).") }
            quantity = n
        } else {
            guard let m = Minutes.parse(q) else { throw ArgumentError(.inputAmount, "--quantity \(q) is not a duration; write 2h, 1:30 or 90m.") }
            quantity = m.value
        }
    }
    return ExchangeDraft(providers: try inv.ids("provider", MemberID.self), receivers: try inv.ids("receiver", MemberID.self), kind: kind, domain: inv.required("domain"),
                         what: inv.required("what"), credits: credits, quantity: quantity, date: try inv.day("date"),
                         links: try inv.ids("links", ExchangeLink.self))
}

func memberLine(_ r: MemberRow) -> String {
    let i = r.state.info
    let pad = { (s: String, n: Int) in s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    return "\(pad(i.id.handle, 28)) \(pad(i.kind.rawValue, 13)) \(pad(r.state.status.rawValue, 10)) \(pad(r.state.balance.clock, 9)) \(i.name)"
}

func exchangeLine(_ r: ExchangeRow) -> String {
    let i = r.record.info
    let credits = i.credits.value == 0 ? "gift" : i.credits.clock
    return "\(i.id)  \(i.date)  \(r.record.state.rawValue)  \(i.kind.rawValue)/\(i.domain)  \(i.providers.map(\.handle).joined(separator: ",")) -> \(i.receivers.map(\.handle).joined(separator: ","))  \(credits)  \(i.what)"
}

let exchangeOptions = ["provider", "receiver", "kind", "domain", "what", "credits", "quantity", "date", "links"]
let exchangeRequired = ["provider", "receiver", "kind", "domain", "what", "credits"]

/// Every command of the CLI.

/// Every command of the CLI, in the order `kring help` lists them.
let commands: [CommandSpec] = setupCommands + memberCommands + loginCommands + exchangeCommands + accountCommands + marketCommands + spaceCommands + goodsCommands + challengeCommands + ledgerCommands + importCommands + statsCommands + serveCommands


let helpText = """
kring: a time-bank ledger. One hour of anyone's time is one credit.

Usage: kring [--db PATH] COMMAND [OPTIONS]   (database: --db, else $KRING_DB, else ./kring.sqlite)
Amounts: 1.5, 1.5h, 90m or 1:30. Dates: YYYY-MM-DD. Read commands take --json.
Exit codes: 0 ok, 1 rule violation or bad input, 2 usage error, 3 storage or integrity failure.

Commands:
\(commands.map { "  \($0.path.padding(toLength: 18, withPad: " ", startingAt: 0)) \($0.summary)" }.joined(separator: "\n"))

`kring help COMMAND` or `kring COMMAND --help` shows a command's options.
"""

/// A command line the CLI cannot turn into a command: an option's value it cannot read, an id
/// that is not canonical, a thing it looks up that is not there. Printed like a rule's
/// refusal (`error[input.invalid]: …`, exit 1); the CLI speaks English, so its own sentences
/// are written here rather than in the core's sentence tables.
struct ArgumentError: Error {
    let code: RuleCode
    let message: String

    init(_ code: RuleCode, _ message: String) {
        self.code = code
        self.message = message
    }
}
