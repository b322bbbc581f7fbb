import KringCore

/// A usage error: exit code 2 with the command's usage line.
struct UsageError: Error {
    let message: String
    let command: String?
}

/// What a command accepts.
struct CommandSpec: Sendable {
    let path: String
    let summary: String
    let usage: String
    /// Options that take a value.
    var options: [String] = []
    /// Options that do not.
    var flags: [String] = []
    /// Required options.
    var required: [String] = []
    /// Allowed number of positional arguments.
    var positionals: ClosedRange<Int> = 0...0
    let run: @Sendable (Invocation) throws -> Int32
}

/// A parsed command line for one command.
struct Invocation: Sendable {
    let spec: CommandSpec
    let positionals: [String]
    let options: [String: String]
    let flags: Set<String>
    let dbPath: String

    func option(_ name: String) -> String? { options[name] }
    func flag(_ name: String) -> Bool { flags.contains(name) }
    var json: Bool { flags.contains("json") }

    /// A required option's value (presence was checked when parsing).
    func required(_ name: String) -> String { options[name] ?? "" }

    /// An amount option parsed as minutes, or a bad-input error naming the option.
    func amount(_ name: String) throws(RuleViolation) -> Minutes? {
        guard let text = options[name] else { return nil }
        guard let m = Minutes.parse(text) else {
            throw RuleViolation(.inputAmount, "--\(name) \(text) is not an amount; write hours as 1.5, 1.5h or 1:30, or minutes as 90m.")
        }
        return m
    }

    /// A signed amount (floors are negative).
    func signedAmount(_ name: String) throws(RuleViolation) -> Minutes? {
        guard var text = options[name] else { return nil }
        var negative = false
        if text.hasPrefix("-") { negative = true; text.removeFirst() }
        guard let m = Minutes.parse(text) else {
            throw RuleViolation(.inputAmount, "--\(name) \(options[name]!) is not an amount; write hours as -20, -20h or -1:30.")
        }
        return negative ? -m : m
    }

    /// A date option.
    func day(_ name: String) throws(RuleViolation) -> Day? {
        guard let text = options[name] else { return nil }
        guard let d = Day(iso: text) else { throw RuleViolation(.inputInvalid, "--\(name) \(text) is not a date; write YYYY-MM-DD.") }
        return d
    }

    /// A comma-separated list of ids.
    func list(_ name: String) -> [String] {
        (options[name] ?? "").split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmedSpaces }
    }
}

extension String {
    var trimmedSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}

/// Splits `args` (without the program name) into the command and its options.
func parse(_ args: [String], specs: [CommandSpec], environmentDB: String?) throws(UsageError) -> Invocation {
    var words = [String]()
    var options = [String: String]()
    var flags = Set<String>()
    var db: String?
    var i = 0
    // The command is the longest prefix of non-option words that names a spec.
    var rest = [String]()
    while i < args.count {
        let a = args[i]
        if a == "--" { rest.append(contentsOf: args[(i + 1)...]); break }
        if a.hasPrefix("--"), a.count > 2 {
            var name = String(a.dropFirst(2))
            var value: String?
            if let eq = name.firstIndex(of: "=") { value = String(name[name.index(after: eq)...]); name = String(name[..<eq]) }
            if name == "db" {
                if value == nil { i += 1; guard i < args.count else { throw UsageError(message: "--db needs a path", command: nil) }; value = args[i] }
                db = value
            } else if name == "help" || name == "json" || isFlagLike(name, specs: specs) {
                guard value == nil else { throw UsageError(message: "--\(name) takes no value", command: nil) }
                flags.insert(name)
            } else {
                if value == nil {
                    i += 1
                    guard i < args.count else { throw UsageError(message: "--\(name) needs a value", command: nil) }
                    value = args[i]
                }
                guard options[name] == nil else { throw UsageError(message: "--\(name) is given twice", command: nil) }
                options[name] = value
            }
        } else if a == "-h" {
            flags.insert("help")
        } else {
            rest.append(a)
        }
        i += 1
    }
    words = rest
    var spec: CommandSpec?
    var consumed = 0
    for n in stride(from: min(2, words.count), through: 1, by: -1) {
        let path = words.prefix(n).joined(separator: " ")
        if let s = specs.first(where: { $0.path == path }) { spec = s; consumed = n; break }
    }
    if words.isEmpty { spec = specs.first { $0.path == "help" } }
    guard let spec else {
        let guess = words.first.map { w in specs.filter { $0.path.hasPrefix(w + " ") }.map(\.path) } ?? []
        throw UsageError(message: "unknown command \"\(words.prefix(2).joined(separator: " "))\"" + (guess.isEmpty ? "" : "; try one of: \(guess.joined(separator: ", "))"), command: nil)
    }
    let positionals = Array(words.dropFirst(consumed))
    let inv = Invocation(spec: spec, positionals: positionals, options: options, flags: flags,
                         dbPath: db ?? environmentDB ?? "./kring.sqlite")
    if flags.contains("help") { return inv }
    for name in options.keys where !spec.options.contains(name) {
        throw UsageError(message: "\(spec.path) does not take --\(name)", command: spec.path)
    }
    for name in flags where name != "help" && !spec.flags.contains(name) {
        throw UsageError(message: "\(spec.path) does not take --\(name)", command: spec.path)
    }
    for name in spec.required where options[name] == nil {
        throw UsageError(message: "\(spec.path) needs --\(name)", command: spec.path)
    }
    guard spec.positionals.contains(positionals.count) else {
        let want = spec.positionals.lowerBound == spec.positionals.upperBound ? "\(spec.positionals.lowerBound)" : "\(spec.positionals.lowerBound) to \(spec.positionals.upperBound)"
        throw UsageError(message: "\(spec.path) takes \(want) argument\(spec.positionals.upperBound == 1 ? "" : "s"), not \(positionals.count)", command: spec.path)
    }
    return inv
}

private func isFlagLike(_ name: String, specs: [CommandSpec]) -> Bool {
    specs.contains { $0.flags.contains(name) } && !specs.contains { $0.options.contains(name) }
}
