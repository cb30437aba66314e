import XADDetect
import XADExplain
import XADTensor

/// Runs the report's explanation methods, taken from the ``Explainers`` registry by name and
/// handed the ``ExplanationContext``, on one image at a time.
///
/// A name that is not registered, or a method that fails on this detector (e.g. a gradient
/// method on a detector without gradients, healing without recorded training images, a map
/// holding NaN), is left out quietly: its first reason is kept for the report and it is not
/// tried again.
struct ReportExplanations {
    private(set) var explainers: [any Explainer]
    /// Method name → why it is not shown, in the order the methods were asked for.
    private(set) var unavailable: [(method: String, reason: String)] = []

    init(names: [String], context: ExplanationContext) {
        var resolved: [any Explainer] = []
        for name in names {
            do { resolved.append(try Explainers.named(name)) } catch {
                unavailable.append((name, "not registered in this XADKit"))
            }
        }
        explainers = Explainers.configured(resolved, with: context)
    }

    /// Every still-available method's explanation of `detector`'s image score on `image`
    /// (`[1, C, H, W]` in 0...1, the test image as decoded), with the seconds it took.
    mutating func explain(_ detector: any AnomalyDetector, image: Tensor) -> [(explanation: Explanation, seconds: Double)] {
        var explanations: [(explanation: Explanation, seconds: Double)] = [], failed: Set<String> = []
        for explainer in explainers {
            let method = type(of: explainer).name
            let started = ContinuousClock.now
            do {
                let explanation = try explainer.explain(detector, image: image, target: .imageScore)
                // A NaN cannot be coloured or saved: say so instead of failing the whole report.
                guard ([explanation.map] + explanation.images.values).allSatisfy({ $0.scalars.allSatisfy(\.isFinite) }) else {
                    throw ExplainerError.invalidOption("\(method) gave a map or image holding NaN or infinity")
                }
                explanations.append((explanation, Report.seconds(since: started)))
            } catch {
                unavailable.append((method, "\(error)"))
                failed.insert(method)
            }
        }
        explainers.removeAll { failed.contains(type(of: $0).name) }
        return explanations
    }
}
