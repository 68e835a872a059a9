import Dispatch
import Synchronization

/// The one parallel driver behind every simulation (run, power, against, truth, re-analysis)
/// and every parallel output step.
///
/// Items `0..<count` are handed out in chunks to at most `threads` workers, each with its own
/// state (random streams, buffers) made once. A worker stops taking chunks once `control` is
/// cancelled. Results are kept by item index, never by the order in which work finishes, so
/// what a caller builds from them is the same for any number of threads. Callers that must
/// write somewhere (records, a checkpoint, progress) do it in their chunk body after computing,
/// through a sink of their own; this driver holds no lock while they do.
package enum Parallel {
    /// Runs `body` on every chunk of `0..<count`, then `finish` once on each worker's state.
    package static func forEach<Worker>(_ count: Int, chunk: Int = 1, threads: Int, control: RunControl? = nil,
                                        worker makeWorker: @Sendable () -> Worker,
                                        _ body: @Sendable (inout Worker, Range<Int>) -> Void,
                                        finish: @Sendable (inout Worker) -> Void = { _ in }) {
        let chunk = max(1, chunk)
        let next = WorkCounter()
        let workers = max(1, min(threads, (count + chunk - 1) / chunk))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var state = makeWorker()
            while control?.isCancelled != true {
                let start = next.add(chunk)
                if start >= count { break }
                body(&state, start..<min(start + chunk, count))
            }
            finish(&state)
        }
    }

    /// `width` values for each item, row-major: `row` fills item i's row (left NaN where it
    /// writes nothing, and for items not reached after a cancellation).
    package static func rows<Worker>(_ count: Int, width: Int, chunk: Int = 1, threads: Int, control: RunControl? = nil,
                                     worker makeWorker: @Sendable () -> Worker,
                                     _ row: @Sendable (inout Worker, Int, UnsafeMutableBufferPointer<Double>) -> Void) -> [Double] {
        var out = [Double](repeating: .nan, count: count * width)
        out.withUnsafeMutableBufferPointer { buffer in
            let shared = SendableBuffer(buffer)
            forEach(count, chunk: chunk, threads: threads, control: control, worker: makeWorker) { state, items in
                for i in items {
                    row(&state, i, UnsafeMutableBufferPointer(rebasing: shared.buffer[(i * width)..<((i + 1) * width)]))
                }
            }
        }
        return out
    }

    /// One value per item, in item order.
    package static func map<T>(_ count: Int, threads: Int, _ transform: @Sendable (Int) -> T) -> [T] {
        var out = [T?](repeating: nil, count: count)
        out.withUnsafeMutableBufferPointer { buffer in
            let shared = SendableBuffer(buffer)
            forEach(count, threads: threads, worker: { () }) { _, items in
                for i in items { shared.buffer[i] = transform(i) }
            }
        }
        return out.map { $0! }
    }
}

/// Work running beside the caller on a thread of the shared pool, and its outcome once it has
/// finished (`outcome()` waits for it). A writer renders its figures this way while it writes its
/// tables; on an error it still waits, so nothing is left writing into a folder being removed.
package final class Background<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    /// Written once, before `done` is signalled; read only after waiting for it.
    private var result: Result<T, any Error>?

    package init(_ work: @escaping @Sendable () throws -> T) {
        DispatchQueue.global().async { [self] in
            result = Result { try work() }
            done.signal()
        }
    }

    /// Waits for the work to finish; its value, or its error rethrown. May be called again.
    package func outcome() throws -> T {
        done.wait()
        done.signal()
        return try result!.get()
    }
}

/// Lets a run be stopped early (Ctrl-C, or after a number of cohorts for tests and demos).
public final class RunControl: Sendable {
    private let cancelled = Atomic<Bool>(false)
    private let simulating = Atomic<Bool>(false)
    /// Stop once this many cohorts have been simulated in this call.
    public let stopAfter: Int?

    public init(stopAfter: Int? = nil) { self.stopAfter = stopAfter }
    public func cancel() { cancelled.store(true, ordering: .relaxed) }
    public var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
    /// True once cohorts are being simulated (before that, there is nothing to keep).
    public var hasStarted: Bool { simulating.load(ordering: .relaxed) }
    func markStarted() { simulating.store(true, ordering: .relaxed) }
}

/// A shared atomic counter.
final class WorkCounter: Sendable {
    private let value = Atomic<Int>(0)
    /// Adds `n` and returns the value before the addition.
    func add(_ n: Int) -> Int { value.wrappingAdd(n, ordering: .relaxed).oldValue }
}

/// Lets workers write disjoint parts of one buffer.
struct SendableBuffer<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
    init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
}
