import CCurl
import Foundation
import Synchronization

/// Set from any thread when the consumer of a stream goes away; read by the transfer's libcurl callbacks.
final class CancellationFlag: Sendable {
    private let value = Atomic<Bool>(false)

    /// Asks the transfer to stop at its next callback.
    func cancel() { value.store(true, ordering: .relaxed) }

    /// Whether the transfer should stop.
    var isCancelled: Bool { value.load(ordering: .relaxed) }
}

/// One libcurl transfer, run synchronously on its own thread.
///
/// Deliberately not `Sendable`: it is created, run and dropped on one thread, and libcurl calls
/// its callbacks on that same thread from inside `curl_multi_perform`. The only state shared with
/// other threads is the `Sendable` continuation and cancellation flag.
final class CurlTransfer {
    /// Why a callback told libcurl to stop; libcurl then reports only a generic "aborted" code.
    private enum Abort {
        case cancelled, idle, tooLarge, errorBodyCollected
    }

    /// How much of a non-2xx body is kept for the error message; the rest is not read.
    private static let errorBodyLimit = 64 * 1024

    private let request: HTTPRequest
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    private let flag: CancellationFlag
    private let handle: UnsafeMutableRawPointer
    private let multi: UnsafeMutableRawPointer
    private let started = ContinuousClock.now

    private var status: Int?
    private var receivedBytes = 0
    private var errorBody = Data()
    private var retryAfter: Double?
    private var abort: Abort?
    private var lastActivity = ContinuousClock.now
    private var lastProgress: (downloaded: curl_off_t, uploaded: curl_off_t) = (0, 0)
    private var requestStarted = false

    private init(
        request: HTTPRequest, continuation: AsyncThrowingStream<Data, any Error>.Continuation,
        flag: CancellationFlag, handles: CurlHandles
    ) {
        self.request = request
        self.continuation = continuation
        self.flag = flag
        self.handle = handles.easy
        self.multi = handles.multi
    }

    /// Runs `request` to completion on the calling thread (which must not be a cooperative-pool
    /// thread: this blocks for the whole transfer), streaming into `continuation` and finishing it exactly once.
    static func run(
        _ request: HTTPRequest, into continuation: AsyncThrowingStream<Data, any Error>.Continuation,
        flag: CancellationFlag, pool: CurlHandlePool
    ) {
        guard let handles = pool.checkOut() else {
            continuation.finish(
                throwing: HTTPError.transport(
                    url: request.url, code: Int(CURLE_OUT_OF_MEMORY.rawValue), message: "cannot create a curl handle"))
            return
        }
        let transfer = CurlTransfer(request: request, continuation: continuation, flag: flag, handles: handles)
        let error = transfer.perform()
        pool.checkIn(handles)
        continuation.finish(throwing: error)
    }

    /// Configures the handle, runs the transfer and returns how it failed, or `nil` on success.
    private func perform() -> (any Error)? {
        var headers: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headers) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        defer { errorBuffer.deallocate() }
        errorBuffer[0] = 0

        do {
            headers = try headerList()
            try configure(headers: headers, errorBuffer: errorBuffer)
        } catch {
            return error
        }
        // The callbacks reach `self` through an unretained pointer; it must outlive the transfer.
        let code: CURLcode = withExtendedLifetime(self) {
            guard let body = request.body, !body.isEmpty else { return drive() }
            // POSTFIELDS does not copy: the body's bytes must stay put until the transfer is over.
            return body.withUnsafeBytes { raw in
                _ = ccurl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress))
                return drive()
            }
        }
        return outcome(code, errorBuffer: errorBuffer)
    }

    /// Runs the configured transfer to its end, like `curl_easy_perform`, but through the multi handle.
    ///
    /// `curl_easy_perform` waits up to a second at a time on a silent connection, so cancellation and the
    /// idle timeout could only act once a second. Here the wait is at most 100 ms, after which libcurl
    /// runs the progress callback (which enforces the idle timeout) and this loop checks for cancellation.
    private func drive() -> CURLcode {
        if let failure = multiCall(curl_multi_add_handle(multi, handle)) { return failure }
        // Removing the handle also aborts a transfer this loop leaves early; its connection is then closed.
        defer { _ = curl_multi_remove_handle(multi, handle) }
        var running: Int32 = 1
        while running > 0 {
            if flag.isCancelled {
                abort = .cancelled
                return CURLE_ABORTED_BY_CALLBACK
            }
            if let failure = multiCall(curl_multi_perform(multi, &running)) { return failure }
            if running > 0, let failure = multiCall(curl_multi_poll(multi, nil, 0, 100, nil)) { return failure }
        }
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            if message.pointee.msg == CURLMSG_DONE { return message.pointee.data.result }
        }
        return multiCall(CURLM_INTERNAL_ERROR) ?? CURLE_FAILED_INIT
    }

    /// Records a failure of the multi interface itself (its codes differ from transfer codes) and turns it
    /// into a transfer code for `drive`'s caller; `nil` when `code` is `CURLM_OK`.
    private func multiCall(_ code: CURLMcode) -> CURLcode? {
        guard code != CURLM_OK else { return nil }
        multiFailure = code
        return CURLE_FAILED_INIT
    }

    /// Set when libcurl's multi interface failed rather than the transfer.
    private var multiFailure: CURLMcode?

    private func headerList() throws(HTTPError) -> UnsafeMutablePointer<curl_slist>? {
        // An empty `Expect:` stops libcurl from sending `Expect: 100-continue` with bodies over 1 MiB
        // and then waiting a second for a `100 Continue` that model servers never send.
        var list = curl_slist_append(nil, "Expect:")
        for header in request.headers {
            // Checked on UTF-8 bytes: as a Character, "\r\n" is a single grapheme equal to neither "\r" nor "\n".
            guard !(header.name + header.value).utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) else {
                curl_slist_free_all(list)
                throw fail("header '\(header.name)' contains a line break")
            }
            // libcurl drops a header given as `Name:`; `Name;` is its spelling for an empty value.
            let line = header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)"
            list = curl_slist_append(list, line)
        }
        return list
    }

    private func configure(headers: UnsafeMutablePointer<curl_slist>?, errorBuffer: UnsafeMutablePointer<CChar>)
        throws(HTTPError)
    {
        let context = Unmanaged.passUnretained(self).toOpaque()
        try check(ccurl_setopt_string(handle, CURLOPT_URL, request.url), "url")
        try check(ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"), "protocols")
        // Signals cannot be used for timeouts in a multi-threaded process.
        try check(ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1), "nosignal")
        try check(ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, max(1, request.connectTimeout.milliseconds)), "connect timeout")
        // No CURLOPT_TIMEOUT: a total limit would cut off long generations. The idle timeout is enforced in `progress`.
        try check(ccurl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1), "keepalive")
        try check(ccurl_setopt_long(handle, CURLOPT_TCP_KEEPIDLE, 30), "keepalive idle")
        try check(ccurl_setopt_long(handle, CURLOPT_TCP_KEEPINTVL, 15), "keepalive interval")
        try check(ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headers), "headers")
        try check(ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), "error buffer")

        let method = request.method.uppercased()
        if let body = request.body ?? (method == "POST" ? Data() : nil) {
            try check(ccurl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count), "body size")
            if body.isEmpty {
                // A POST with no POSTFIELDS would read its body from stdin; give it an empty copied one.
                try check(ccurl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, ""), "body")
            }
            if method != "POST" { try check(ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method), "method") }
        } else if method == "HEAD" {
            try check(ccurl_setopt_long(handle, CURLOPT_NOBODY, 1), "method")
        } else if method != "GET" {
            try check(ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method), "method")
        }

        try check(ccurl_setopt_write_function(handle, curlWrite), "write callback")
        try check(ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, context), "write callback")
        try check(ccurl_setopt_header_function(handle, curlHeader), "header callback")
        try check(ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, context), "header callback")
        try check(ccurl_setopt_xferinfo_function(handle, curlProgress), "progress callback")
        try check(ccurl_setopt_pointer(handle, CURLOPT_XFERINFODATA, context), "progress callback")
        // Without this libcurl never calls the progress callback, which enforces the idle timeout.
        try check(ccurl_setopt_long(handle, CURLOPT_NOPROGRESS, 0), "progress callback")
    }

    private func check(_ code: CURLcode, _ what: String) throws(HTTPError) {
        guard code != CURLE_OK else { return }
        throw fail("libcurl rejected the \(what) option: \(Self.lowercasedFirst(String(cString: curl_easy_strerror(code))))")
    }

    private func fail(_ message: String) -> HTTPError {
        HTTPError.transport(url: request.url, code: Int(CURLE_BAD_FUNCTION_ARGUMENT.rawValue), message: message)
    }

    // MARK: Callbacks (on the transfer thread, inside curl_multi_perform)

    /// Body bytes: streamed on 2xx, collected (bounded) for the error message otherwise.
    fileprivate func receive(_ bytes: UnsafeRawBufferPointer) -> Int {
        if flag.isCancelled {
            abort = .cancelled
            return 0  // any count other than the one given makes libcurl abort with CURLE_WRITE_ERROR
        }
        lastActivity = .now
        let status = self.status ?? responseCode()
        self.status = status
        if (200..<300).contains(status) {
            guard receivedBytes + bytes.count <= request.maxResponseBytes else {
                abort = .tooLarge
                return 0
            }
            receivedBytes += bytes.count
            continuation.yield(Data(bytes))
        } else {
            errorBody.append(contentsOf: bytes.prefix(Self.errorBodyLimit - errorBody.count))
            if errorBody.count >= Self.errorBodyLimit {
                abort = .errorBodyCollected
                return 0
            }
        }
        return bytes.count
    }

    /// One header line, including the status line of each response (there can be several, e.g. after `100 Continue`).
    fileprivate func header(_ bytes: UnsafeRawBufferPointer) -> Int {
        if flag.isCancelled {
            abort = .cancelled
            return 0
        }
        lastActivity = .now
        let line = String(decoding: bytes, as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            retryAfter = nil
        } else if let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == "retry-after" {
            // Only the delay-seconds form; model servers do not send the HTTP-date form.
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            retryAfter = Double(value).flatMap { $0 >= 0 && $0.isFinite ? $0 : nil }
        }
        return bytes.count
    }

    /// Called by libcurl on every pass of `drive`'s loop (at least ten times a second even when nothing
    /// arrives): the place where the idle timeout can stop a silent transfer.
    fileprivate func progress(downloaded: curl_off_t, uploaded: curl_off_t) -> Int32 {
        if flag.isCancelled {
            abort = .cancelled
            return 1
        }
        let now = ContinuousClock.now
        if !requestStarted {
            // While connecting, the connect timeout is in charge. PRETRANSFER_TIME turns non-zero once the
            // connection is ready; the elapsed-time fallback covers a reused connection reporting exactly 0 µs.
            var pretransfer: curl_off_t = 0
            _ = ccurl_getinfo_off_t(handle, CURLINFO_PRETRANSFER_TIME_T, &pretransfer)
            guard pretransfer > 0 || now - started > request.connectTimeout else {
                lastActivity = now
                return 0
            }
            requestStarted = true
        }
        if (downloaded, uploaded) != lastProgress {
            lastProgress = (downloaded, uploaded)
            lastActivity = now
        }
        if now - lastActivity > request.idleTimeout {
            abort = .idle
            return 1
        }
        return 0
    }

    // MARK: Outcome

    private func responseCode() -> Int {
        var code = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    private func outcome(_ code: CURLcode, errorBuffer: UnsafeMutablePointer<CChar>) -> (any Error)? {
        if abort == .cancelled || flag.isCancelled { return CancellationError() }
        let status = self.status ?? (code == CURLE_OK ? responseCode() : nil)
        if let status, !(200..<300).contains(status) {
            // The server answered, so its status and message say more than whatever ended the body.
            return HTTPError.status(
                code: status, message: HTTPError.serverMessage(from: errorBody), url: request.url, retryAfter: retryAfter)
        }
        if code == CURLE_OK { return nil }
        switch abort {
        case .tooLarge: return HTTPError.responseTooLarge(url: request.url, limit: request.maxResponseBytes)
        case .idle: return HTTPError.idleTimeout(url: request.url, seconds: request.idleTimeout.inSeconds)
        case .cancelled, .errorBodyCollected, nil: break
        }
        if code == CURLE_COULDNT_CONNECT { return HTTPError.connectionRefused(url: request.url) }
        // No total timeout is set, so a timeout can only be the connect timeout.
        if code == CURLE_OPERATION_TIMEDOUT {
            return HTTPError.connectTimeout(url: request.url, seconds: request.connectTimeout.inSeconds)
        }
        if let multiFailure {
            let detail = Self.lowercasedFirst(String(cString: curl_multi_strerror(multiFailure)))
            return HTTPError.transport(
                url: request.url, code: Int(multiFailure.rawValue), message: "libcurl's transfer loop failed: \(detail)")
        }
        let detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        return HTTPError.transport(url: request.url, code: Int(code.rawValue), message: Self.lowercasedFirst(detail))
    }

    /// libcurl capitalises its messages; Panel's error messages are lowercase.
    private static func lowercasedFirst(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.lowercased() + text.dropFirst()
    }
}

// libcurl takes plain C function pointers, which cannot capture; each finds its transfer through the
// context pointer, which `perform` keeps alive (and valid) for as long as libcurl can call back.

private func transfer(_ context: UnsafeMutableRawPointer?) -> CurlTransfer {
    Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
}

private let curlWrite: curl_write_callback = { pointer, size, count, context in
    transfer(context).receive(UnsafeRawBufferPointer(start: pointer, count: size * count))
}

private let curlHeader: curl_write_callback = { pointer, size, count, context in
    transfer(context).header(UnsafeRawBufferPointer(start: pointer, count: size * count))
}

private let curlProgress: curl_xferinfo_callback = { context, _, downloaded, _, uploaded in
    transfer(context).progress(downloaded: downloaded, uploaded: uploaded)
}

extension Duration {
    /// The duration in whole milliseconds, rounded up, for libcurl options.
    fileprivate var milliseconds: Int {
        Int((inSeconds * 1000).rounded(.up))
    }
}
