import Foundation
import XADDetect
import XADExplain

/// The method selection guide: answers "which detector and which explainer for my data?" from
/// measured benchmark records and a rules file.
///
/// For a question it picks the measured data set most like the user's (``GuideRules/Similarity``),
/// takes the first of the need's measures recorded there, and ranks every detector + explainer
/// pair measured on it that gives the needed kind of reason: pairs that fail the sanity check
/// after those that pass, then by the figure. Pairs whose measured cost exceeds the budget are
/// listed apart. Every figure cited is a ``BenchmarkRecord`` of the evidence.
///
/// ```swift
/// let guide = try MethodGuide(rules: .builtIn, evidence: .builtIn)
/// let answer = try guide.answer(GuideQuestion(data: .init(modality: .image, content: .texture), need: "heat-map"))
/// print(answer.text)
/// ```
public struct MethodGuide: Sendable {
    /// The rules.
    public var rules: GuideRules
    /// The measured figures.
    public var evidence: GuideEvidence
    /// The registered methods, to name those applicable but not measured.
    public var methods: RegisteredMethods

    /// The method names the guide may recommend without a measurement.
    public struct RegisteredMethods: Hashable, Sendable {
        /// Detector names by the modality they read.
        public var detectors: [DatasetTraits.Modality: [String]]
        /// Explainer names.
        public var explainers: [String]

        /// The methods given.
        public init(detectors: [DatasetTraits.Modality: [String]], explainers: [String]) {
            self.detectors = detectors
            self.explainers = explainers
        }

        /// Every detector and explainer in XADKit's registries (plug-ins included).
        public static var registries: RegisteredMethods {
            let detectors = Dictionary(grouping: Detectors.all) { $0.traits.input == .clips ? DatasetTraits.Modality.video : .image }
            return RegisteredMethods(detectors: detectors.mapValues { $0.map { $0.name } }, explainers: Explainers.names)
        }
    }

    /// A guide over `evidence` with `rules`; methods from the registries unless given.
    public init(rules: GuideRules, evidence: GuideEvidence, methods: RegisteredMethods = .registries) {
        self.rules = rules
        self.evidence = evidence
        self.methods = methods
    }

    /// The ranked answer to `question`.
    /// - Throws: ``GuideError/unknownNeed(_:known:)`` when the rules have no such need.
    public func answer(_ question: GuideQuestion) throws -> GuideAnswer {
        guard let need = rules.need(question.need) else {
            throw GuideError.unknownNeed(question.need, known: rules.needs.map(\.id))
        }
        let names = Set(need.measures.map(\.name))
        let answering = evidence.records.filter { $0.traits.modality == question.data.modality && names.contains($0.measure) && gives(need, $0) }
        let reference = Dictionary(grouping: answering, by: \.dataset)
            .map { (dataset: $0.key, similarity: similarity(of: $0.value[0].traits, to: question.data) ?? -1) }
            .min { ($1.similarity, $0.dataset) < ($0.similarity, $1.dataset) }
        var answer = GuideAnswer(question: question, need: need, referenceDataset: reference?.dataset, measure: nil,
                                 restsOnSimilarData: (reference?.similarity ?? -1) >= rules.similarity.similarAt,
                                 recommendations: [], overBudget: [], unmeasured: [], source: evidence.source)
        if let reference, let measure = need.measures.first(where: { name in
            answering.contains { $0.dataset == reference.dataset && $0.measure == name.name }
        }) {
            answer.measure = measure
            let rows = answering.filter { $0.dataset == reference.dataset && $0.measure == measure.name }
            let ranked = Dictionary(grouping: rows, by: PairKey.init).map { recommendation(for: $0.value, measure: measure, question: question) }
                .sorted { better($0, than: $1, by: measure) }
            answer.recommendations = ranked.filter { $0.overBudget == nil }.map(\.recommendation)
            answer.overBudget = ranked.compactMap { candidate in
                candidate.overBudget.map { var excluded = candidate.recommendation; excluded.reasons.append($0); return excluded }
            }
        }
        let ranked = Set((answer.recommendations + answer.overBudget).flatMap { [$0.detector] + ($0.explainer.map { [$0] } ?? []) })
        answer.unmeasured = applicableMethods(for: need, modality: question.data.modality).filter { !ranked.contains($0) }
        return answer
    }

    /// Whether `record` is a figure of a pair that gives the reason `need` asks for.
    private func gives(_ need: GuideRules.Need, _ record: BenchmarkRecord) -> Bool {
        guard let reason = need.reason else { return record.explainer == nil }
        if let explainer = record.explainer { return rules.reasons.explainers[explainer] == reason }
        return rules.reasons.detectors[record.detector] == reason
    }

    /// The rules' similarity of a measured data set's traits to the user's; `nil` across modalities.
    func similarity(of measured: DatasetTraits, to user: DatasetTraits) -> Int? {
        guard measured.modality == user.modality else { return nil }
        let weights = rules.similarity.weights
        var total = measured.content == user.content ? weights["content", default: 0] : 0
        if let size = user.defectSize, size == measured.defectSize { total += weights["defectSize", default: 0] }
        if let count = user.normalImages, let measuredCount = measured.normalImages,
           bucket(count) == bucket(measuredCount) {
            total += weights["normalImages", default: 0]
        }
        return total
    }

    private func bucket(_ count: Int) -> Int { rules.similarity.normalImageBounds.filter { count >= $0 }.count }

    /// Registered names that give what `need` asks for on `modality`.
    private func applicableMethods(for need: GuideRules.Need, modality: DatasetTraits.Modality) -> [String] {
        let detectors = methods.detectors[modality] ?? []
        guard let reason = need.reason else { return detectors }
        return detectors.filter { rules.reasons.detectors[$0] == reason }
            + methods.explainers.filter { rules.reasons.explainers[$0] == reason }
    }

    /// A measured pair: the same detector (and options) with the same explainer (and options).
    private struct PairKey: Hashable {
        var detector: String, detectorOptions: String, explainer: String?, explainerOptions: String?
        init(_ record: BenchmarkRecord) {
            (detector, detectorOptions, explainer, explainerOptions) =
                (record.detector, record.detectorOptions, record.explainer, record.explainerOptions)
        }
        func matches(_ record: BenchmarkRecord) -> Bool {
            record.detector == detector && record.detectorOptions == detectorOptions
                && (record.explainer == nil || (record.explainer == explainer && record.explainerOptions == explainerOptions))
        }
    }

    private struct Candidate {
        var recommendation: GuideAnswer.Recommendation
        var overBudget: String?
    }

    private func better(_ a: Candidate, than b: Candidate, by measure: GuideRules.Measure) -> Bool {
        let (x, y) = (a.recommendation, b.recommendation)
        if (x.passesSanity != false) != (y.passesSanity != false) { return x.passesSanity != false }
        if x.value != y.value { return measure.prefers(x.value, over: y.value) }
        return x.pair < y.pair
    }

    /// The pair measured by `rows` (its seeds) with its reasons, costs, sanity check and budget.
    private func recommendation(for rows: [BenchmarkRecord], measure: GuideRules.Measure, question: GuideQuestion) -> Candidate {
        let first = rows[0], key = PairKey(first)
        let value = rows.map(\.value).reduce(0, +) / Double(rows.count)
        let related = evidence.records.filter { $0.dataset == first.dataset && key.matches($0) }
        var reasons = [GuideCitation.figure(measure.name, rows: rows, value: value)]
        var cited = rows
        var passesSanity: Bool?
        if first.explainer != nil, let sanity = rules.sanity,
           let check = related.first(where: { $0.explainer != nil && $0.measure == sanity.measure }) {
            passesSanity = check.value <= sanity.atMost
            reasons.append("\(sanity.measure) \(GuideCitation.number(check.value)) \(passesSanity == true ? "<=" : ">") \(GuideCitation.number(sanity.atMost)): "
                + (passesSanity == true ? "passes" : "fails") + " the sanity check")
            cited.append(check)
        }
        var overBudget: String?
        let names = rules.budget
        let limits: [(measure: String, limit: Double?, explainerCost: Bool, unit: String)] = [
            (names.latency, question.budget.latencyMilliseconds, false, "ms per image"),
            (names.explanationLatency, question.budget.explanationMilliseconds, true, "ms per explanation"),
            (names.training, question.budget.trainingSeconds, false, "s to fit"),
            (names.memory, question.budget.memoryMB, false, "MB peak memory"),
        ]
        for cost in limits where !(cost.explainerCost && first.explainer == nil) {
            let record = related.first { $0.measure == cost.measure && ($0.explainer != nil) == cost.explainerCost }
            if let record {
                reasons.append("\(GuideCitation.number(record.value)) \(cost.unit) on \(record.dataset)")
                cited.append(record)
                if let limit = cost.limit, record.value > limit, overBudget == nil {
                    overBudget = "\(GuideCitation.number(record.value)) \(cost.unit) exceeds the budget of \(GuideCitation.number(limit))"
                }
            } else if cost.limit != nil {
                reasons.append("\(cost.unit): not measured, the budget is not checked")
            }
        }
        let recommendation = GuideAnswer.Recommendation(
            detector: first.detector, detectorOptions: first.detectorOptions, explainer: first.explainer,
            value: value, reasons: reasons, evidence: cited, passesSanity: passesSanity)
        return Candidate(recommendation: recommendation, overBudget: overBudget)
    }
}
