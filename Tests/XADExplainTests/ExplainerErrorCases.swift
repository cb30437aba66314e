import XADExplain

extension ExplainerError {
    /// The reason of a ``ExplainerError/notApplicable(method:reason:)`` error; nil for the other
    /// cases.
    var notApplicableReason: String? {
        if case .notApplicable(_, let reason) = self { reason } else { nil }
    }

    /// The message of an ``ExplainerError/invalidInput(_:)`` error; nil for the other cases.
    var invalidInputMessage: String? {
        if case .invalidInput(let message) = self { message } else { nil }
    }
}
