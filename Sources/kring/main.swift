import Foundation
import KringCore
import KringStore

/// Runs one command line and returns the exit code.
func run(_ args: [String]) -> Int32 {
    do {
        let inv = try parse(args, specs: commands, environmentDB: ProcessInfo.processInfo.environment["KRING_DB"])
        if inv.flag("help") {
            out("\(inv.spec.usage)\n    \(inv.spec.summary)")
            return 0
        }
        return try inv.spec.run(inv)
    } catch let e as UsageError {
        err("usage error: \(e.message)")
        if let c = e.command, let spec = commands.first(where: { $0.path == c }) { err("usage: \(spec.usage)") } else { err("see `kring help`") }
        return 2
    } catch let v as RuleViolation {
        err("error[\(v.code.rawValue)]: \(v.message)")
        return 1
    } catch let a as ArgumentError {
        err("error[\(a.code.rawValue)]: \(a.message)")
        return 1
    } catch let e as LedgerError {
        switch e {
        case .rule(let v): err("error[\(v.code.rawValue)]: \(v.message)"); return 1
        case .storage(let s): err("error[storage]: \(s.message)"); return 3
        }
    } catch let s as StoreError {
        err("error[storage]: \(s.message)")
        return 3
    } catch {
        err("error[storage]: \(error)")
        return 3
    }
}

exit(run(Array(CommandLine.arguments.dropFirst())))
