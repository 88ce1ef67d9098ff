@testable import HFTTransport
import NIOCore
import NIOPosix
import Synchronization
import Testing

@Suite("Delivery buffers")
struct DeliveryBufferTests {
    @Test func conflateKeepsTheLatest() async {
        let b = DeliveryBuffer<Int>(policy: .conflate)
        for i in 1...100 { b.push(i) }
        #expect(b.bufferedCount == 1)
        #expect(b.droppedCount == 99)
        #expect(await b.next() == 100)
    }

    @Test func dropOldestCountsDrops() async {
        let b = DeliveryBuffer<Int>(policy: .dropOldest(capacity: 3))
        for i in 1...10 { b.push(i) }
        #expect(b.droppedCount == 7)
        #expect(await b.next() == 8)
        #expect(await b.next() == 9)
        #expect(await b.next() == 10)
        #expect(b.bufferedCount == 0)
    }

    @Test func neverDropRaisesAnAlarmOnce() async {
        let alarms = Mutex<[Int]>([])
        let b = DeliveryBuffer<Int>(policy: .neverDrop(alarmThreshold: 5)) { n in alarms.withLock { $0.append(n) } }
        for i in 1...10 { b.push(i) }
        #expect(alarms.withLock { $0 } == [6])
        #expect(b.isAlarmed)
        #expect(b.droppedCount == 0)
        #expect(b.highWaterMark == 10)
        var got: [Int] = []
        for _ in 1...10 { got.append(await b.next()!) }
        #expect(got == Array(1...10))
        #expect(!b.isAlarmed)
        b.finish()
        #expect(await b.next() == nil)
    }

    @Test func waitingConsumerIsWokenAndFinishEnds() async {
        let b = DeliveryBuffer<Int>(policy: .neverDrop(alarmThreshold: 100))
        let consumer = Task { () -> [Int] in
            var out: [Int] = []
            for await v in b { out.append(v) }
            return out
        }
        for i in 0..<50 {
            b.push(i)
            if i % 7 == 0 { await Task.yield() }
        }
        b.finish()
        #expect(await consumer.value == Array(0..<50))
        #expect(!b.push(1))
    }

    @Test func cancelledConsumerGetsNil() async {
        let b = DeliveryBuffer<Int>(policy: .conflate)
        let consumer = Task { await b.next() }
        consumer.cancel()
        #expect(await consumer.value == nil)
    }

    @Test func coalescedWakesHandOverTheBatchLatest() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let b = DeliveryBuffer<Int>(policy: .conflate, wakeLoop: loop)
        let consumer = Task { await b.next() }
        try await loop.submit { for i in 1...100 { b.push(i) } }.get()
        #expect(await consumer.value == 100)   // parked or not, a batch yields its latest value

        let all = DeliveryBuffer<Int>(policy: .neverDrop(alarmThreshold: 1_000), wakeLoop: loop)
        let reader = Task { () -> [Int] in
            var out: [Int] = []
            for await v in all { out.append(v) }
            return out
        }
        for batch in 0..<10 {
            try await loop.submit { for i in 0..<50 { all.push(batch * 50 + i) } }.get()
        }
        all.finish()
        #expect(await reader.value == Array(0..<500))
    }
}
