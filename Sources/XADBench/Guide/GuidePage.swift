/// The method selection guide as one self-contained HTML page: the user's data and budget, then
/// per need a table of the ranked pairs with their figures and reasons, the pairs over budget,
/// and the methods not measured.
///
/// ```swift
/// let answers = try guide.rules.needs.map { try guide.answer(GuideQuestion(data: traits, need: $0.id)) }
/// try AtomicFile.write(Data(GuidePage(answers: answers).html.utf8), to: url)
/// ```
public struct GuidePage: Sendable {
    /// The answers shown, one section each (the same data and budget).
    public var answers: [GuideAnswer]

    /// A page of `answers`.
    public init(answers: [GuideAnswer]) { self.answers = answers }

    /// The page's HTML.
    public var html: String {
        let data = answers.first?.question.data
        let about = data.map { traits in
            [traits.modality.rawValue, traits.content.rawValue, traits.defectSize.map { "\($0.rawValue) defects" },
             traits.normalImages.map { "\($0) normal images" }].compactMap { $0 }.joined(separator: ", ")
        } ?? ""
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>XADKit method selection guide</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 70em; }
        table { border-collapse: collapse; margin-bottom: 1em; width: 100%; font-size: 14px; }
        th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
        th { background: #f3f3f3; } tr.first td:nth-child(2) { font-weight: bold; color: #1a7f37; }
        .note { background: #fff4e5; border-left: 4px solid #e8a33d; padding: 6px 10px; }
        ul.reasons { margin: 0; padding-left: 1.2em; }
        </style></head><body>
        <h1>Which detector and explainer for your data?</h1>
        <p>Your data: \(Markup.escape(about)). Evidence: \(Markup.escape(answers.first?.source ?? "none")).</p>
        \(answers.map(section).joined(separator: "\n"))
        </body></html>

        """
    }

    private func section(_ answer: GuideAnswer) -> String {
        var parts = ["<section id=\"\(Markup.escape(answer.need.id))\"><h2>\(Markup.escape(answer.need.title))</h2>",
                     "<p><em>\(Markup.escape(answer.need.question))</em>"]
        if let dataset = answer.referenceDataset, let measure = answer.measure {
            parts.append(" Ranked by <code>\(Markup.escape(measure.name))</code> (\(measure.better) is better) on "
                + "<code>\(Markup.escape(dataset))</code>.")
        }
        parts.append("</p>")
        if !answer.restsOnSimilarData { parts.append("<p class=\"note\">\(Markup.escape(answer.noSimilarDataNote))</p>") }
        if !answer.recommendations.isEmpty {
            parts.append("<table><thead><tr><th>#</th><th>Pair</th><th>Figure</th><th>Reasons</th></tr></thead><tbody>")
            for (rank, recommendation) in answer.recommendations.enumerated() {
                parts.append(row(recommendation, rank: String(rank + 1), first: rank == 0))
            }
            parts.append("</tbody></table>")
        }
        if !answer.overBudget.isEmpty {
            parts.append("<h3>Over budget</h3><table><tbody>")
            parts += answer.overBudget.map { row($0, rank: "-", first: false) }
            parts.append("</tbody></table>")
        }
        if !answer.unmeasured.isEmpty {
            parts.append("<p>Also applicable, not measured here: \(answer.unmeasured.map { "<code>\(Markup.escape($0))</code>" }.joined(separator: ", ")).</p>")
        }
        parts.append("</section>")
        return parts.joined(separator: "\n")
    }

    private func row(_ recommendation: GuideAnswer.Recommendation, rank: String, first: Bool) -> String {
        let reasons = recommendation.reasons.map { "<li>\(Markup.escape($0))</li>" }.joined()
        return "<tr\(first ? " class=\"first\"" : "")><td>\(rank)</td><td>\(Markup.escape(recommendation.pair))</td>"
            + "<td>\(GuideCitation.number(recommendation.value))</td><td><ul class=\"reasons\">\(reasons)</ul></td></tr>"
    }
}
