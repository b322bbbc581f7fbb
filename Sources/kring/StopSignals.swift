import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The write end of the pipe the signal handler writes to. Set once before the handler is
/// installed; the handler only reads it.
nonisolated(unsafe) private var stopPipeWrite: Int32 = -1

/// Stops the server on SIGTERM and SIGINT, correct by construction: a minimal handler
/// (installed with `sigaction`, async-signal-safe: one `write` to a pipe) wakes a thread that
/// reads the pipe and calls `stop`. Nothing depends on a Swift object staying alive (the
/// release build may end an object's life after its last use: dispatch signal sources kept only
/// by a local were gone before the first signal, and the server ignored Ctrl-C). The signals
/// are unblocked in the calling thread, so an inherited blocked mask cannot swallow them.
enum StopSignals {
    static let signals: [Int32] = [SIGTERM, SIGINT]

    /// Calls `stop` (on a thread of its own) at each SIGTERM or SIGINT from now on.
    static func install(_ stop: @escaping @Sendable () -> Void) throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw StopSignalsError("pipe: errno \(errno)") }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        stopPipeWrite = fds[1]
        let readEnd = fds[0]
        let watcher = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n == 1 { stop() } else if n < 0 && errno == EINTR { continue } else { return }
            }
        }
        watcher.name = "kring-signals"
        watcher.stackSize = 1 << 16
        watcher.start()
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            let saved = errno
            var one: UInt8 = 1
            _ = write(stopPipeWrite, &one, 1)
            errno = saved
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for s in signals {
            guard sigaction(s, &action, nil) == 0 else { throw StopSignalsError("sigaction(\(s)): errno \(errno)") }
            sigaddset(&unblock, s)
        }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }
}

struct StopSignalsError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
