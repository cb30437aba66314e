/// What to do with a sample whose image (or mask) cannot be read.
public enum BadImagePolicy: String, Codable, Sendable, CaseIterable {
    /// Stop with the error, which names the file. The default: a silently smaller data set misleads.
    case fail
    /// Leave the sample out and report it (a warning naming the file).
    case skip
}
