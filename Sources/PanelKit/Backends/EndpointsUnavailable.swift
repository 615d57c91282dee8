/// Every endpoint a request could go to has an open circuit: each failed repeatedly just now, so the
/// request fails at once instead of adding to a down server's load.
public struct EndpointsUnavailable: Error, Hashable, CustomStringConvertible {
    /// The endpoints tried.
    public var urls: [String]
    /// The most consecutive failures among them.
    public var failures: Int
    /// How long until the first of them admits a trial call.
    public var retryIn: Duration

    /// Creates the error.
    public init(urls: [String], failures: Int, retryIn: Duration) {
        self.urls = urls
        self.failures = failures
        self.retryIn = retryIn
    }

    public var description: String {
        let which = urls.count == 1 ? urls[0] : "all of \(urls.joined(separator: ", "))"
        return "\(which) failed \(failures) times in a row; no calls for \(Int(retryIn.inSeconds.rounded(.up))) s "
            + "(circuit open; check the server's log)"
    }
}
