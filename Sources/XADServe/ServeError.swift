import Foundation
import Hummingbird
import XADTensor

/// An error of the inspection service: an HTTP status and a message that names the request's
/// problem. Sent to clients as JSON, `{"error": {"status": 415, "message": "..."}}`.
public struct ServeError: StatusReportingError, HTTPResponseError, Equatable {
    public let status: HTTPResponse.Status
    public let message: String
    /// Seconds a client should wait before retrying (sent as `Retry-After`), for 503 answers.
    public let retryAfter: Int?

    public init(_ status: HTTPResponse.Status, _ message: String, retryAfter: Int? = nil) {
        (self.status, self.message, self.retryAfter) = (status, message, retryAfter)
    }

    /// A setting the service cannot start with (a usage error of `xad serve`).
    public static func configuration(_ message: String) -> ServeError { ServeError(.badRequest, message) }

    /// Client errors are usage errors, server errors internal ones.
    public var exitStatus: ExitStatus { status.code < 500 ? .usage : .internal }
    public var description: String { message }

    /// The error as a JSON response.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        let body = ["error": Body(status: Int(status.code), message: message)]
        let data = try JSONEncoder().encode(body)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    private struct Body: Encodable {
        let status: Int
        let message: String
    }

    /// Any error as the service answers it: its own errors as they are, Hummingbird's HTTP errors
    /// with their status, XADKit's errors by their exit status (usage 400, data 422), anything
    /// else 500.
    static func answering(_ error: any Error) -> ServeError {
        switch error {
        case let error as ServeError: return error
        case let error as HTTPError: return ServeError(error.status, error.body ?? error.status.reasonPhrase)
        case let error as any HTTPResponseError: return ServeError(error.status, "\(error)")
        case let error as any StatusReportingError:
            switch error.exitStatus {
            case .usage: return ServeError(.badRequest, "\(error)")
            case .data: return ServeError(.unprocessableContent, "\(error)")
            case .ok, .internal: return ServeError(.internalServerError, "internal error (please report it): \(error)")
            }
        default: return ServeError(.internalServerError, "internal error (please report it): \(error)")
        }
    }
}
