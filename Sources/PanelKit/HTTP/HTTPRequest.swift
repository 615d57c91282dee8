import Foundation

/// One HTTP request, with the limits Panel applies to every transfer.
///
/// There is deliberately no total timeout: a long generation that keeps streaming must never be cut
/// off. A transfer fails only when connecting takes too long or when no byte arrives for `idleTimeout`.
public struct HTTPRequest: Sendable, Equatable {
    /// The method, e.g. `GET` or `POST`.
    public var method: String
    /// The absolute URL.
    public var url: String
    /// Header fields in order (name, value).
    public var headers: [HTTPHeader]
    /// The body, if any.
    public var body: Data?
    /// The longest wait for a connection to be established.
    public var connectTimeout: Duration
    /// The longest silence tolerated while the response is arriving.
    public var idleTimeout: Duration
    /// The largest response body accepted, in bytes; larger bodies fail with `HTTPError.responseTooLarge`.
    public var maxResponseBytes: Int

    /// Creates a request; the defaults suit calls to a local model server.
    public init(
        method: String = "GET", url: String, headers: [HTTPHeader] = [], body: Data? = nil,
        connectTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(120),
        maxResponseBytes: Int = 64 << 20
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// A POST of a JSON body.
    public static func postJSON(_ url: String, _ body: JSONValue, headers: [HTTPHeader] = []) -> HTTPRequest {
        HTTPRequest(
            method: "POST", url: url,
            headers: [HTTPHeader(name: "Content-Type", value: "application/json")] + headers,
            body: body.data())
    }
}

/// One header field.
public struct HTTPHeader: Sendable, Equatable {
    /// The field name.
    public var name: String
    /// The field value.
    public var value: String

    /// Creates a header field.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
