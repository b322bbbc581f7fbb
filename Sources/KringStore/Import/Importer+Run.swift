import Foundation
import KringCore

/// What an import did, or would do.
public struct ImportOutcome: Sendable {
    /// Rows refused and checks failed, each at its file and line.
    public var problems: [ImportProblem]
    public var members: Int, exchanges: Int, listings: Int
    /// Balances checked against the source, and how many agreed.
    public var checked: Int
    public var head: LedgerHead?
    public var ok: Bool { problems.isEmpty }
}

/// Runs an import plan into a new ledger: all or nothing.
public enum Importer {
    /// The commands that follow an import into `path`: verify it, invite its coordinator (the
    /// municipality's account when the plan has one, else its first member) and serve it.
    public static func nextSteps(_ plan: ImportPlan, path: String) -> [String] {
        let added = plan.steps.compactMap { step -> MemberDraft? in if case .addMember(let d) = step.command { return d }; return nil }
        let who = (added.first { $0.kind == .municipality } ?? added.first)?.id.description ?? "ID"
        return ["kring --db \(path) verify", "kring --db \(path) member invite \(who) --role coordinator", "kring --db \(path) serve"]
    }

    /// Builds the ledger at `path + ".importing"` through the bulk loader (the rules of every
    /// entry, with the history exemption for imported exchanges), checks the balances the
    /// source states, and renames it to `path` only when nothing was refused (never in a dry run).
    public static func run(_ plan: ImportPlan, to path: String, policy: Policy = .standard, now: Int64, dryRun: Bool) throws(StoreError) -> ImportOutcome {
        let fm = FileManager.default
        guard !fm.fileExists(atPath: path) else {
            throw StoreError("\(path) exists; an import starts a new ledger and never writes into one (the same files are not imported twice).")
        }
        let work = path + ".importing"
        func clean() { for suffix in ["", "-wal", "-shm", "-journal"] { try? fm.removeItem(atPath: work + suffix) } }
        clean()
        var problems = plan.problems
        var outcome = ImportOutcome(problems: [], members: plan.members, exchanges: plan.exchanges, listings: plan.listings, checked: 0)
        let genesis = plan.steps.first?.at ?? Int64(Date().timeIntervalSince1970)
        // Whatever fails on the way (a full disk, an I/O error) leaves no half-built file behind.
        let loader: BulkLoader
        do { loader = try BulkLoader(path: work, policy: policy, genesisAt: genesis, expected: (plan.members, plan.exchanges)) } catch {
            clean()
            throw error
        }
        /// Stops the load without keeping anything.
        func discard() {
            loader.abandon()
            _ = try? loader.finish()
            clean()
        }
        do throws(StoreError) {
            for step in plan.steps {
                guard step.at <= now else {
                    problems.append(ImportProblem(file: step.file, line: step.line, code: .ruleDate, sentence: "\(policy.day(step.at)) is after today (\(policy.day(now))): history is in the past."))
                    continue
                }
                if case .failure(let v) = try loader.execute(step.command, by: step.actor, at: step.at) {
                    problems.append(ImportProblem(file: step.file, line: step.line, code: v.code, sentence: v.message, violation: v))
                }
            }
            for e in plan.expected {
                let have = loader.member(e.member)?.balance.value
                outcome.checked += 1
                if have != e.minutes {
                    problems.append(ImportProblem(file: e.file, line: e.line, code: .ledgerUnbalanced,
                                                  sentence: "\(e.member)'s balance would be \(Minutes(have ?? 0)), the source says \(Minutes(e.minutes))."))
                }
            }
            outcome.problems = problems.sorted { ($0.file, $0.line) < ($1.file, $1.line) }
            guard outcome.ok, !dryRun else {
                discard()
                return outcome
            }
            outcome.head = try loader.finish()
            do { try fm.moveItem(atPath: work, toPath: path) } catch { throw StoreError("could not move \(work) to \(path): \(error)") }
        } catch {
            discard()
            throw error
        }
        return outcome
    }
}
