import XADData

extension BenchmarkConfig.DatasetEntry {
    /// `dataset` cut to this entry's `trainImages` and `testImages`: evenly spaced picks that
    /// keep the protocol's order, so a test set listed class by class keeps each class's share.
    ///
    /// ```swift
    /// entry.testImages = 3
    /// entry.subset(of: dataset).test     // items 0, n/3 and 2n/3 of the protocol's n test images
    /// ```
    func subset(of dataset: Dataset) -> Dataset {
        Dataset(name: dataset.name, train: Self.evenlySpaced(dataset.train, count: trainImages),
                test: Self.evenlySpaced(dataset.test, count: testImages))
    }

    /// What the subset adds to the data's fingerprint, so that a rerun with other limits
    /// measures again: empty without limits.
    var subsetFingerprint: String {
        [trainImages.map { " train \($0)" }, testImages.map { " test \($0)" }].compactMap { $0 }.joined()
    }

    /// Items `i * n / count` for `i` in `0..<count` (all of them when `count` is `nil` or not below `n`).
    static func evenlySpaced<Item>(_ items: [Item], count: Int?) -> [Item] {
        guard let count, count < items.count else { return items }
        return (0..<count).map { items[$0 * items.count / count] }
    }
}
