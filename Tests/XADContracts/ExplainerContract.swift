import Foundation
import XADDetect
import XADExplain
import XADTensor

/// What every registered explainer must do on every detector: explain it with a finite map at
/// the image's size when the detector has what the method needs, or refuse with a clear
/// "not applicable" error (``ExplainerError/notApplicable(method:reason:)`` or
/// ``ExplainerError/notDifferentiable(detector:method:)``) when it does not.
public enum ExplainerContract {
    /// Checks `explainer` on `detector` (fitted on ``DetectorContract/normalImages(count:seed:)``)
    /// with the image of ``DetectorContract/anomalousImage(size:)``; returns whether it explained.
    @discardableResult
    public static func check(_ explainer: any Explainer, on detector: any AnomalyDetector) throws -> Bool {
        let method = type(of: explainer).name, name = type(of: detector).name
        let image = try DetectorContract.anomalousImage(size: Size2(height: 48, width: 56))
        if let reason = explainer.unmetNeeds(of: detector) {
            do {
                _ = try explainer.explain(detector, image: image, target: .imageScore)
            } catch let error as ExplainerError {
                switch error {
                case .notApplicable, .notDifferentiable: return false
                default: throw ContractViolation(description: "\(method) on \(name): needs '\(reason)' but threw \(error) instead of not-applicable")
                }
            }
            throw ContractViolation(description: "\(method) on \(name): says it does not apply (\(reason)) but explained anyway")
        }
        let explanation = try explainer.explain(detector, image: image, target: .imageScore)
        try require(explanation.method == method, "\(method): the explanation is labelled \(explanation.method)")
        try require(explanation.map.shape == [48, 56], "\(method) on \(name): map \(explanation.map.shape), not the image's [48, 56]")
        try require(explanation.map.scalars.allSatisfy(\.isFinite), "\(method) on \(name): the map holds NaN or infinity")
        try require(explanation.targetValue.isFinite, "\(method) on \(name): the target value is not finite")
        return true
    }

    /// The explainer's description and options, as for detectors.
    public static func checkDescription(of type: any Explainer.Type) throws {
        try require(!type.summary.isEmpty, "\(type.name): no summary")
        try checkOptions(of: type)
    }

    private static func checkOptions<E: Explainer>(of type: E.Type) throws {
        try OptionsContract.check(E.Options.self, method: E.name)
    }
}
