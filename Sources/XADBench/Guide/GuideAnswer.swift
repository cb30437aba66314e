/// The method selection guide's answer to one ``GuideQuestion``: detector + explainer pairs
/// ranked by the measure that answers the need, each with its reasons and the measured records
/// it rests on.
public struct GuideAnswer: Hashable, Sendable {
    /// The question answered.
    public var question: GuideQuestion
    /// The need, as the rules define it.
    public var need: GuideRules.Need
    /// The measured data set the ranking comes from (the one most like the user's), `nil` when
    /// nothing that answers the need was measured on data of the user's modality.
    public var referenceDataset: String?
    /// The measure that ranks the pairs, `nil` with no reference data set.
    public var measure: GuideRules.Measure?
    /// Whether the reference data set is similar to the user's by the rules' similarity.
    public var restsOnSimilarData: Bool
    /// The pairs, best first.
    public var recommendations: [Recommendation]
    /// Measured pairs left out because a measured cost exceeds the budget.
    public var overBudget: [Recommendation]
    /// Registered methods that give what the need asks but have no measurement on the reference
    /// data set (not ranked).
    public var unmeasured: [String]
    /// Where the evidence comes from.
    public var source: String

    /// One ranked detector + explainer pair.
    public struct Recommendation: Hashable, Sendable {
        /// The detector's registry name.
        public var detector: String
        /// The detector's options as canonical JSON (`{}` at the defaults).
        public var detectorOptions: String
        /// The explainer's registry name, `nil` when the detector's own output answers the need.
        public var explainer: String?
        /// The ranking figure (the mean of the ranking records, over seeds).
        public var value: Double
        /// Why, in a person's words, one line each: the figure, the costs, the sanity check, the budget.
        public var reasons: [String]
        /// The measured records cited: the ranking records first, then costs and the sanity check.
        public var evidence: [BenchmarkRecord]
        /// `false` when the explainer fails the rules' sanity check, `nil` where not measured or not an explainer.
        public var passesSanity: Bool?

        /// `detector` or `detector + explainer`.
        public var pair: String { explainer.map { "\(detector) + \($0)" } ?? detector }
    }

    /// The answer as lines of text for a terminal: the need, the reference data, the first `top`
    /// ranked pairs with their reasons, and what was left out.
    public func text(top: Int = .max) -> String {
        var lines = ["\(need.title) (\(need.question))"]
        if let referenceDataset, let measure {
            lines.append("ranked by \(measure.name) (\(measure.better) is better) on \(referenceDataset), evidence: \(source)")
        }
        if !restsOnSimilarData {
            lines.append("note: \(noSimilarDataNote)")
        }
        for (rank, recommendation) in recommendations.prefix(top).enumerated() {
            lines.append("\(rank + 1). \(recommendation.pair)")
            lines += recommendation.reasons.map { "     \($0)" }
        }
        if recommendations.count > top {
            lines.append("(\(recommendations.count - top) more measured pairs rank lower)")
        }
        for excluded in overBudget {
            lines.append("over budget: \(excluded.pair): \(excluded.reasons.last ?? "")")
        }
        if !unmeasured.isEmpty {
            lines.append("also applicable, not measured here: \(unmeasured.joined(separator: ", "))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Why the ranking is weak when ``restsOnSimilarData`` is false.
    public var noSimilarDataNote: String {
        guard let referenceDataset else {
            return "no measurement answers this need for \(question.data.modality) data: the methods below are applicable, not ranked"
        }
        return "this recommendation rests on no measurement of data like yours; the closest measured data set, \(referenceDataset), differs in kind"
    }
}
