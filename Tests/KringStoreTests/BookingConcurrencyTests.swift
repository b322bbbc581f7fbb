import Foundation
import Testing
import KringCore
@testable import KringStore
import KringTestSupport

@Suite(.serialized) struct BookingConcurrencyTests {
    /// Threads with connections of their own book the same slot at once: the single writer
    /// lets exactly as many in as fit, never more.
    @Test func simultaneousBookingsNeverExceedTheCapacity() throws {
        let dir = TempDir("booking"); defer { dir.remove() }
        let path = dir.file("b.sqlite")
        let clock = TestClock()
        let setup = try fixtureLedger(at: path, clock: clock)
        _ = try setup.execute(.postListing(ListingDraft(side: .offer, author: "coworking", kind: .space, domain: "work", title: "Zaal")), by: .member("coworking"))
        _ = try setup.execute(.setSpaceHours("of-1", SpaceHours(capacity: 10, weekly: SpaceHours.parseWeek("mon-sun 00:00-24:00")!)), by: .coordinator)
        let people: [MemberID] = ["an", "bram", "chloe", "daan", "els", "fatima", "bakkerij", "fanfare"]
        let day = clock.today + 1
        let accepted = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: people.count) { i in
            guard let ledger = try? Ledger(path: path, clock: clock.clock) else { return }
            // Three people each: three bookings fit in ten places, the rest are refused.
            let draft = BookingDraft(offer: "of-1", member: people[i], date: day, start: 600 + Int64(i % 2) * 30, end: 720, people: 3)
            if (try? ledger.execute(.book(draft), by: .member(people[i]))) != nil { accepted.with { $0 += 1 } }
        }
        #expect(accepted.with { $0 } == 3)
        let booked = try Reader(path: path).bookings(of: "of-1", on: day)
        #expect(booked.reduce(0) { $0 + $1.info.people } == 9)
        #expect(try Verifier.verify(path: path).ok)
    }
}

/// A value behind a lock, for counting across threads in tests.
final class Mutex<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func with<R>(_ body: (inout T) -> R) -> R { lock.lock(); defer { lock.unlock() }; return body(&value) }
}
