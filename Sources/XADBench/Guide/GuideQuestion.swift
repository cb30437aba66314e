/// What a user tells the method selection guide: their data, what they need, and their budget.
///
/// ```swift
/// let question = GuideQuestion(data: .init(modality: .image, content: .texture, defectSize: .small, normalImages: 200),
///                              need: "localisation", budget: .init(latencyMilliseconds: 50))
/// ```
public struct GuideQuestion: Hashable, Sendable {
    /// The user's data, in the traits a benchmark data set is described by.
    public var data: DatasetTraits
    /// The need's id in the rules (`alarm`, `localisation`, `heat-map`, `counterfactual`, ...).
    public var need: String
    /// The limits a recommendation must keep.
    public var budget: Budget

    /// Limits on a detector and explainer pair's measured costs; `nil` for no limit.
    public struct Budget: Hashable, Sendable {
        /// Milliseconds to score one image.
        public var latencyMilliseconds: Double?
        /// Milliseconds to explain one image.
        public var explanationMilliseconds: Double?
        /// Seconds to fit or train the detector.
        public var trainingSeconds: Double?
        /// Peak memory in megabytes.
        public var memoryMB: Double?

        /// A budget; no limits unless given.
        public init(latencyMilliseconds: Double? = nil, explanationMilliseconds: Double? = nil,
                    trainingSeconds: Double? = nil, memoryMB: Double? = nil) {
            self.latencyMilliseconds = latencyMilliseconds
            self.explanationMilliseconds = explanationMilliseconds
            self.trainingSeconds = trainingSeconds
            self.memoryMB = memoryMB
        }
    }

    /// A question; no budget unless given.
    public init(data: DatasetTraits, need: String, budget: Budget = Budget()) {
        self.data = data
        self.need = need
        self.budget = budget
    }
}
