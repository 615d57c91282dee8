import Foundation
public struct SSEEvent: Sendable { public var event: String?; public var data: String }
extension HTTPTransport {
    public func events(_ request: HTTPRequest) -> AsyncThrowingStream<SSEEvent, any Error> { fatalError() }
    public func jsonLines(_ request: HTTPRequest) -> AsyncThrowingStream<JSONValue, any Error> { fatalError() }
}
