import CCurl
import Synchronization

/// libcurl's process-wide setup; a global `let` runs it exactly once, thread-safely, before the first handle exists.
private let curlGlobalInit: Void = {
    _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
}()

/// A libcurl easy handle checked out of a `CurlHandlePool`.
///
/// `@unchecked Sendable` is safe because a handle is only ever used by one thread at a time: it is
/// either idle in the pool, where it is reached only under the pool's lock, or checked out by exactly
/// one transfer, which hands it back when its thread is done with it and never touches it again.
struct EasyHandle: @unchecked Sendable {
    /// The `CURL *`.
    let pointer: UnsafeMutableRawPointer
}

/// Idle easy handles kept for reuse.
///
/// libcurl caches open connections per easy handle, and `curl_easy_reset` keeps that cache, so
/// running the next transfer on a handle that has just finished reuses its keep-alive connection
/// (no new TCP handshake, and for HTTPS no new TLS handshake). Handles go out last-in-first-out
/// because the most recently used connection is the one most likely still open.
final class CurlHandlePool: Sendable {
    private let idle = Mutex<[EasyHandle]>([])
    private let capacity: Int

    /// Creates an empty pool that keeps at most `capacity` idle handles.
    init(capacity: Int) {
        curlGlobalInit
        self.capacity = max(0, capacity)
    }

    deinit {
        // Transfers hold the pool strongly until they check their handle in, so only idle handles remain.
        for handle in idle.withLock({ $0 }) { curl_easy_cleanup(handle.pointer) }
    }

    /// Takes an idle handle, or creates one; `nil` only when libcurl cannot allocate a handle.
    func checkOut() -> EasyHandle? {
        if let handle = idle.withLock({ $0.popLast() }) { return handle }
        return curl_easy_init().map(EasyHandle.init(pointer:))
    }

    /// Returns a handle after its transfer, clearing every option (including pointers to the
    /// finished transfer's callbacks and buffers) but keeping its open connections.
    func checkIn(_ handle: EasyHandle) {
        curl_easy_reset(handle.pointer)
        let kept = idle.withLock { handles in
            guard handles.count < capacity else { return false }
            handles.append(handle)
            return true
        }
        if !kept { curl_easy_cleanup(handle.pointer) }
    }
}
