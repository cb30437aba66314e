import Foundation
import XADData
import XADMetrics
import XADTensor

/// The test images explanations are measured on: anomalous images whose mask marks at least one
/// defect pixel, in the data set's order, at most `perClass` of each defect class.
///
/// ```swift
/// let images = try DefectImages(limit: 10, spread: true).load(from: dataset)
/// ```
public struct DefectImages: Sendable {
    /// At most this many images.
    public var limit: Int
    /// At most this many images of each defect class; `nil`: no cap.
    public var perClass: Int?

    /// `limit` images, `perClass` of each class at most.
    public init(limit: Int, perClass: Int? = nil) {
        (self.limit, self.perClass) = (limit, perClass)
    }

    /// `limit` images spread over the defect classes of `dataset` (an equal share of each, rounded up).
    public init(limit: Int, spreadOver dataset: Dataset) {
        let classes = Set(dataset.test.filter(\.label.isAnomalous).map(\.category)).count
        self.init(limit: limit, perClass: classes > 0 ? (limit + classes - 1) / classes : nil)
    }

    /// The images with their masks, read from `dataset`'s test split.
    /// - Throws: ``BenchmarkDataError`` when no anomalous test image has a defect mask; the
    ///   loading error (naming the file) for an image that cannot be read.
    public func load(from dataset: Dataset) throws -> [(name: String, image: Tensor, mask: DefectMask)] {
        var images: [(name: String, image: Tensor, mask: DefectMask)] = []
        var taken: [String: Int] = [:]
        for reference in dataset.test where reference.label.isAnomalous && images.count < limit {
            guard taken[reference.category, default: 0] < perClass ?? limit else { continue }
            let sample = try reference.load()
            let values = sample.mask.scalars
            guard sample.hasMask, values.contains(1) else { continue }
            taken[reference.category, default: 0] += 1
            images.append((reference.name, sample.image,
                           try DefectMask(height: sample.size.height, width: sample.size.width, values: values, name: reference.name)))
        }
        guard !images.isEmpty else { throw BenchmarkDataError("\(dataset.name): no anomalous test image has a defect mask") }
        return images
    }
}

/// A data set that cannot be benchmarked (e.g. no defect masks to measure explanations on).
public struct BenchmarkDataError: StatusReportingError, CustomStringConvertible, Equatable, Sendable {
    /// Unusable data is a data error.
    public var exitStatus: ExitStatus { .data }
    /// What is wrong, naming the data set.
    public let description: String

    public init(_ description: String) { self.description = description }
}
