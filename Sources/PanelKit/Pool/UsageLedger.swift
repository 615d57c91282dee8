import Synchronization

/// Counts model calls, cache hits and tokens of one command, in total and per candidate.
///
/// A class because every task of a command adds to the same counters; the counters sit behind a mutex.
public final class UsageLedger: Sendable {
    /// Usage of one candidate, or of all.
    public struct Usage: Sendable, Equatable {
        /// Calls sent to a server.
        public var calls = 0
        /// Calls answered from the store's cache instead.
        public var cacheHits = 0
        /// Prompt tokens of sent and cached calls.
        public var tokensIn = 0
        /// Generated tokens of sent and cached calls.
        public var tokensOut = 0
        /// Calls that failed.
        public var errors = 0

        /// Creates empty usage.
        public init() {}

        /// The usage as JSON.
        public var json: JSONValue {
            [
                "calls": .int(calls), "cache_hits": .int(cacheHits), "tokens_in": .int(tokensIn),
                "tokens_out": .int(tokensOut), "errors": .int(errors),
            ]
        }

        static func + (a: Usage, b: Usage) -> Usage {
            var sum = a
            sum.calls += b.calls
            sum.cacheHits += b.cacheHits
            sum.tokensIn += b.tokensIn
            sum.tokensOut += b.tokensOut
            sum.errors += b.errors
            return sum
        }
    }

    private let state = Mutex<[String: Usage]>([:])

    /// Creates an empty ledger.
    public init() {}

    /// Adds usage for a candidate.
    public func add(_ usage: Usage, for candidate: String) {
        state.withLock { $0[candidate] = ($0[candidate] ?? Usage()) + usage }
    }

    /// Usage per candidate.
    public var byCandidate: [String: Usage] { state.withLock { $0 } }

    /// Usage summed over candidates.
    public var total: Usage { state.withLock { $0.values.reduce(Usage(), +) } }
}
