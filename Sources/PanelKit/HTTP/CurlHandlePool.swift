import CCurl
import Synchronization

/// libcurl's process-wide setup; a global `let` runs it exactly once, thread-safely, before the first handle exists.
private let curlGlobalInit: Void = {
    _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
}()

/// A libcurl easy handle and the multi handle that drives it, checked out of a `CurlHandlePool`.
///
/// The transfer runs through a private multi handle rather than `curl_easy_perform` so that it can
/// wake every 100 ms (see `CurlTransfer`); the open connections then live in the multi handle's cache.
///
/// `@unchecked Sendable` is safe because a pair is only ever used by one thread at a time: it is
/// either idle in the pool, where it is reached only under the pool's lock, or checked out by exactly
/// one transfer, which hands it back when its thread is done with it and never touches it again.
struct CurlHandles: @unchecked Sendable {
    /// The `CURL *`.
    let easy: UnsafeMutableRawPointer
    /// The `CURLM *`.
    let multi: UnsafeMutableRawPointer

    /// Creates a pair; `nil` only when libcurl cannot allocate.
    init?() {
        guard let easy = curl_easy_init() else { return nil }
        guard let multi = curl_multi_init() else {
            curl_easy_cleanup(easy)
            return nil
        }
        self.easy = easy
        self.multi = multi
    }

    /// Frees both handles, closing the cached connections.
    func cleanup() {
        curl_easy_cleanup(easy)
        curl_multi_cleanup(multi)
    }
}

/// Idle handle pairs kept for reuse.
///
/// libcurl caches open connections in the multi handle, and that cache survives the easy handle being
/// removed and `curl_easy_reset`, so running the next transfer on a pair that has just finished reuses
/// its keep-alive connection (no new TCP handshake, and for HTTPS no new TLS handshake). Pairs go out
/// last-in-first-out because the most recently used connection is the one most likely still open.
final class CurlHandlePool: Sendable {
    private let idle = Mutex<[CurlHandles]>([])
    private let capacity: Int

    /// Creates an empty pool that keeps at most `capacity` idle handles.
    init(capacity: Int) {
        curlGlobalInit
        self.capacity = max(0, capacity)
    }

    deinit {
        // Transfers hold the pool strongly until they check their handle in, so only idle handles remain.
        for handles in idle.withLock({ $0 }) { handles.cleanup() }
    }

    /// Takes an idle pair, or creates one; `nil` only when libcurl cannot allocate.
    func checkOut() -> CurlHandles? {
        if let handles = idle.withLock({ $0.popLast() }) { return handles }
        return CurlHandles()
    }

    /// Returns a pair after its transfer (the easy handle already removed from the multi handle),
    /// clearing every option, including pointers to the finished transfer's callbacks and buffers,
    /// but keeping the open connections.
    func checkIn(_ handle: CurlHandles) {
        curl_easy_reset(handle.easy)
        let kept = idle.withLock { handles in
            guard handles.count < capacity else { return false }
            handles.append(handle)
            return true
        }
        if !kept { handle.cleanup() }
    }
}
