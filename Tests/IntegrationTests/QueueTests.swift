import Foundation
import Queue
import Redis
import Testing

@testable import Models

@Suite struct QueueTests {
    let keys = QueueKeys(prefix: TestServices.uniqueName("q"))

    func queue() throws -> JobQueue {
        let queue = JobQueue(keys: keys, connection: TestServices.redis())
        try queue.ensureGroups()
        return queue
    }

    @Test func aJobStaysPendingUntilCompleted() throws {
        let queue = try queue()
        try queue.enqueue(Job(kind: .alert, body: "{}"))
        let jobs = try queue.read(consumer: "a", blockMillis: 10)
        #expect(jobs.count == 1)
        #expect(try queue.read(consumer: "b", blockMillis: 10).isEmpty)
        let pending = try queue.connection.command(["XPENDING", keys.urgent, QueueKeys.group])
        #expect(pending.array?.first?.int == 1)
        #expect(try queue.complete(jobs[0], consumer: "a"))
        #expect(try queue.connection.command(["XLEN", keys.urgent]).int == 0)
    }

    @Test func aDeadWorkersJobIsTakenOverAndTheLateWorkerIsFenced() throws {
        let queue = try queue()
        try queue.enqueue(Job(kind: .post, body: "{\"message\":1}"))
        let taken = try queue.read(consumer: "paused", blockMillis: 10)
        Thread.sleep(forTimeInterval: 0.05)
        let claimed = try queue.reclaim(consumer: "alive", minIdleMillis: 20)
        #expect(claimed.count == 1)
        #expect(claimed.first?.1 == 2)
        #expect(try queue.complete(taken[0], consumer: "paused") == false)
        #expect(try queue.complete(claimed[0].0, consumer: "alive"))
    }

    @Test func urgentJobsComeBeforeEdits() throws {
        let queue = try queue()
        try queue.enqueue(Job(kind: .edit, body: "{\"message\":1}"))
        try queue.enqueue(Job(kind: .post, body: "{\"message\":2}"))
        #expect(try queue.read(consumer: "a", blockMillis: 10).first?.job.kind == .post)
        #expect(try queue.read(consumer: "a", blockMillis: 10).first?.job.kind == .edit)
    }

    @Test func followUpsAreWrittenWithTheAcknowledgement() throws {
        let queue = try queue()
        try queue.enqueue(Job(kind: .alert, body: "{}"))
        let job = try #require(try queue.read(consumer: "a", blockMillis: 10).first)
        var next = FollowUps()
        next.jobs = [Job(kind: .post, body: "{\"message\":7}")]
        next.delayed = [(Job(kind: .escalate, body: "{\"incident\":1,\"level\":1}"), 4_000_000_000_000)]
        #expect(try queue.complete(job, consumer: "a", followUps: next))
        #expect(try queue.connection.command(["XLEN", keys.urgent]).int == 1)
        #expect(try queue.connection.command(["ZCARD", keys.delayed]).int == 1)
        var cancel = FollowUps()
        cancel.cancelled = [Job(kind: .escalate, body: "{\"incident\":1,\"level\":1}")]
        let post = try #require(try queue.read(consumer: "a", blockMillis: 10).first)
        #expect(try queue.complete(post, consumer: "a", followUps: cancel))
        #expect(try queue.connection.command(["ZCARD", keys.delayed]).int == 0)
    }

    @Test func duplicateDeliveriesMakeOneJob() throws {
        let queue = try queue()
        #expect(try queue.enqueueOnce(Job(kind: .alert, body: "1"), deliveryKey: "k", ttl: 60) != nil)
        #expect(try queue.enqueueOnce(Job(kind: .alert, body: "2"), deliveryKey: "k", ttl: 60) == nil)
        #expect(try queue.enqueueOnce(Job(kind: .alert, body: "3"), deliveryKey: "other", ttl: 60) != nil)
        #expect(try queue.connection.command(["XLEN", keys.urgent]).int == 2)
    }

    @Test func deadJobsKeepTheirLastError() throws {
        let queue = try queue()
        try queue.enqueue(Job(kind: .edit, body: "{\"message\":3}", attempts: 4))
        let job = try #require(try queue.read(consumer: "a", blockMillis: 10).first)
        #expect(try queue.deadLetter(job, consumer: "a", error: "editMessageText: 400 Bad Request"))
        let record = try #require(try queue.connection.command(["HGET", keys.dead, job.id]).text)
        #expect(record.contains("editMessageText: 400 Bad Request"))
        #expect(record.contains("\"kind\":\"edit\""))
    }

    /// Four promoters race over 1000 due jobs: each job reaches the stream exactly once.
    @Test func dueJobsMoveOnceHoweverManyPromote() throws {
        let setup = try queue()
        let now = try setup.connection.serverTimeMillis()
        for index in 0..<1000 {
            try setup.schedule(
                Job(kind: .escalate, body: "{\"incident\":\(index),\"level\":1}"),
                dueMillis: now - Int64(index % 50))
        }
        let moved = Counter()
        let group = DispatchGroup()
        for _ in 0..<4 {
            group.enter()
            Thread { [keys] in
                let queue = JobQueue(keys: keys, connection: TestServices.redis())
                while let promotion = try? queue.promoteDue(limit: 37), promotion.moved > 0 {
                    moved.add(promotion.moved)
                }
                group.leave()
            }.start()
        }
        group.wait()
        #expect(moved.value == 1000)
        #expect(try setup.connection.command(["XLEN", keys.urgent]).int == 1000)
        #expect(try setup.connection.command(["ZCARD", keys.delayed]).int == 0)
        let bodies = try setup.connection.command(["XRANGE", keys.urgent, "-", "+"]).array ?? []
        let unique = Set(bodies.compactMap { $0.array?[1].array?[3].text })
        #expect(unique.count == 1000)
    }

    @Test func promotionReportsTheNextDueTime() throws {
        let queue = try queue()
        let now = try queue.connection.serverTimeMillis()
        try queue.schedule(Job(kind: .escalate, body: "{\"incident\":1,\"level\":1}"), dueMillis: now + 60_000)
        let promotion = try queue.promoteDue()
        #expect(promotion.moved == 0)
        #expect(promotion.nextDueMillis == now + 60_000)
    }

    @Test func rateLimitLetsABurstOutThenPaces() throws {
        let queue = try queue()
        let limiter = RateLimiter(
            keys: keys, chatRate: Rate(count: 3, period: 2), globalRate: Rate(count: 100, period: 1))
        func waitMillis(_ chat: Int64) throws -> Int64 {
            if case .wait(let millis) = try limiter.acquire(chat: chat, on: queue.connection) { return millis }
            return 0
        }
        var slots: [String] = []
        for _ in 0..<3 {
            guard case .slot(let slot) = try limiter.acquire(chat: -1, on: queue.connection) else {
                Issue.record("the burst was refused")
                return
            }
            slots.append(slot)
        }
        let wait = try waitMillis(-1)
        #expect(wait > 1500 && wait <= 2200)
        // A slot given back (the send failed before Telegram counted it) is free again.
        try limiter.release(chat: -1, slot: slots[0], on: queue.connection)
        #expect(try waitMillis(-1) == 0)
        #expect(try waitMillis(-2) == 0)
        try limiter.pause(chat: -2, seconds: 5, on: queue.connection)
        #expect(try waitMillis(-2) > 4000)
    }
}

/// A counter shared by test threads.
final class Counter: @unchecked Sendable {
    // @unchecked: `count` is only touched under `lock`.
    private let lock = NSLock()
    private var count = 0

    func add(_ amount: Int) {
        lock.lock()
        count += amount
        lock.unlock()
    }

    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }

    @Test func pollerLeaseHasOneHolderAndPassesOnWhenItLapses() throws {
        let keys = QueueKeys(prefix: TestServices.uniqueName("lease"))
        let redis = TestServices.redis()
        let first = PollerLease(keys: keys, holder: "host-a-1", ttlMillis: 300)
        let second = PollerLease(keys: keys, holder: "host-b-2", ttlMillis: 300)
        #expect(try first.acquire(on: redis))
        #expect(try !second.acquire(on: redis))
        Thread.sleep(forTimeInterval: 0.2)
        #expect(try first.acquire(on: redis), "the holder renews")
        Thread.sleep(forTimeInterval: 0.2)
        #expect(try !second.acquire(on: redis), "a renewed lease has not lapsed")
        Thread.sleep(forTimeInterval: 0.35)
        #expect(try second.acquire(on: redis), "a lapsed lease is taken over")
        #expect(try !first.acquire(on: redis), "and the old holder does not get it back")
    }
}
