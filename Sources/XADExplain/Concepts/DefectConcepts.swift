import Foundation
import XADData
import XADImage
import XADTensor

/// Builds a concept folder (``ConceptSets``) from a data set with defect masks: one concept per
/// defect class, made of square crops around each defect, and a `random` set of crops of normal
/// training images at the same scale.
///
/// - A defect crop is the square centred on the bounding box of the image's mask, with side
///   `max(box width, box height) · (1 + 2 · margin)`, at least `minimumSide` and at most the
///   image's shorter side, moved inside the image; it is resized (bilinear, antialiased) to
///   `cropSize`. Images whose mask is empty or missing are passed over.
/// - A class's name becomes the concept's: lowercased, a leading `mt_` dropped (`MT_Crack` →
///   `crack`), characters other than letters, digits, `-` and `_` replaced by `_`.
/// - `skipFirst` leaves out each class's first test images in the data set's order, so the images
///   an evaluation explains are not concept examples; `perConcept` caps each class after that.
/// - Random crops: `randomImages` squares of the median defect-crop side at seeded positions of
///   seeded normal training images.
///
/// The folder is built beside `folder` under a temporary name and renamed at the end, so a failure
/// leaves nothing half-written; an existing non-empty `folder` is refused.
///
/// ```swift
/// let data = try DatasetFormats.load(URL(fileURLWithPath: "mtd"), format: "mtd")
/// let summary = try DefectConcepts(skipFirst: 5, perConcept: 30).write(data, to: URL(fileURLWithPath: "concepts"))
/// summary.concepts   // ["blowhole": 30, "break": 30, "crack": 30, "fray": 27, "uneven": 30]
/// ```
public struct DefectConcepts: Sendable {
    /// The side of the written crops. Default 128.
    public var cropSize: Int
    /// Context around the defect box on each side, as a share of the box's longer side. Default 0.25.
    public var margin: Double
    /// The smallest crop side in source pixels. Default 32.
    public var minimumSide: Int
    /// Test images of each class left out first. Default 0.
    public var skipFirst: Int
    /// At most this many crops per class (nil: all). Default nil.
    public var perConcept: Int?
    /// Random crops of normal training images. Default 200 (10 random sets of 20).
    public var randomImages: Int
    /// The seed of the random crops. Default 0.
    public var seed: UInt64

    public init(cropSize: Int = 128, margin: Double = 0.25, minimumSide: Int = 32, skipFirst: Int = 0,
                perConcept: Int? = nil, randomImages: Int = 200, seed: UInt64 = 0) {
        self.cropSize = cropSize
        self.margin = margin
        self.minimumSide = minimumSide
        self.skipFirst = skipFirst
        self.perConcept = perConcept
        self.randomImages = randomImages
        self.seed = seed
    }

    /// What ``write(_:to:progress:)`` wrote.
    public struct Summary: Sendable, Equatable {
        /// Crops written per concept.
        public var concepts: [String: Int]
        /// Random crops written.
        public var randomImages: Int
        /// Defect images passed over because their mask was empty or missing.
        public var withoutMask: Int
    }

    /// Writes the concept folder of `dataset` to `folder`; `progress(done, total)` after each image.
    /// - Throws: ``ExplainerError/invalidOption(_:)`` for bad options or an existing non-empty
    ///   `folder`; the data set's errors (naming the file) for an unreadable image or mask.
    public func write(_ dataset: Dataset, to folder: URL, progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> Summary {
        guard cropSize >= 8, minimumSide >= 1, margin >= 0, skipFirst >= 0, perConcept.map({ $0 >= 1 }) ?? true, randomImages >= 0 else {
            throw ExplainerError.invalidOption("concept crops need a crop size of at least 8, a minimum side of at least 1, a margin, skip count and random count of at least 0 and a per-concept count of at least 1")
        }
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        guard existing.isEmpty else {
            throw ExplainerError.invalidOption("\(folder.path) exists and is not empty; give a new folder for the concepts")
        }
        var chosen: [(concept: String, sample: SampleReference)] = []
        for category in dataset.categories where category != "good" {
            let samples = dataset.test.filter { $0.category == category && $0.label == .anomalous }.dropFirst(skipFirst)
            chosen += samples.prefix(perConcept ?? samples.count).map { (Self.conceptName(category), $0) }
        }
        let total = chosen.count + randomImages
        let staging = folder.deletingLastPathComponent().appendingPathComponent(".\(folder.lastPathComponent).\(UUID().uuidString).partial")
        do {
            var summary = Summary(concepts: [:], randomImages: 0, withoutMask: 0)
            var sides: [Int] = []
            for (index, (concept, reference)) in chosen.enumerated() {
                let sample = try reference.load()
                guard let box = Self.boundingBox(of: sample.mask) else {
                    summary.withoutMask += 1
                    continue
                }
                let side = squareSide(box: box, image: sample.size)
                sides.append(side)
                let crop = try Self.square(of: sample.image, around: (box.y1 + box.y2) / 2, (box.x1 + box.x2) / 2, side: side)
                try write(crop, to: staging.appendingPathComponent(concept), name: reference.image.deletingPathExtension().lastPathComponent)
                summary.concepts[concept, default: 0] += 1
                progress?(index + 1, total)
            }
            let randomSide = sides.sorted().dropFirst(sides.count / 2).first ?? 2 * minimumSide
            var generator = SeededGenerator(seed: seed)
            for index in 0..<(dataset.train.isEmpty ? 0 : randomImages) {
                let reference = dataset.train[Int(generator.next() % UInt64(dataset.train.count))]
                let image = try reference.load().image
                let side = Swift.min(randomSide, image.shape[2], image.shape[3])
                let top = Int(generator.next() % UInt64(image.shape[2] - side + 1))
                let left = Int(generator.next() % UInt64(image.shape[3] - side + 1))
                let crop = try Self.square(of: image, around: top + side / 2, left + side / 2, side: side)
                try write(crop, to: staging.appendingPathComponent("random"), name: String(format: "random_%03d", index))
                summary.randomImages += 1
                progress?(chosen.count + index + 1, total)
            }
            if FileManager.default.fileExists(atPath: folder.path) { try FileManager.default.removeItem(at: folder) }
            if FileManager.default.fileExists(atPath: staging.path) {
                try FileManager.default.moveItem(at: staging, to: folder)
            } else {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
            }
            return summary
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
    }

    /// The concept name of a defect class, e.g. `MT_Crack` → `crack`.
    public static func conceptName(_ category: String) -> String {
        var name = category.lowercased()
        if name.hasPrefix("mt_") { name.removeFirst(3) }
        return String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }

    /// The crop side for a defect box in an image of `image`'s size.
    func squareSide(box: DefectBox, image: Size2) -> Int {
        let longer = Double(Swift.max(box.x2 - box.x1, box.y2 - box.y1))
        let side = Swift.max(Int((longer * (1 + 2 * margin)).rounded()), minimumSide)
        return Swift.min(side, image.height, image.width)
    }

    /// The bounding box of a `[1, 1, H, W]` mask's nonzero pixels, nil when there are none.
    static func boundingBox(of mask: Tensor) -> DefectBox? {
        let (height, width) = (mask.shape[2], mask.shape[3])
        var box: DefectBox?
        mask.withUnsafeBufferPointer { values in
            for y in 0..<height {
                for x in 0..<width where values[y * width + x] > 0.5 {
                    if var found = box {
                        (found.x1, found.y1) = (Swift.min(found.x1, x), Swift.min(found.y1, y))
                        (found.x2, found.y2) = (Swift.max(found.x2, x + 1), Swift.max(found.y2, y + 1))
                        box = found
                    } else {
                        box = DefectBox(x1: x, y1: y, x2: x + 1, y2: y + 1)
                    }
                }
            }
        }
        return box
    }

    /// The `side x side` square of `image` (`[1, C, H, W]`) centred at row `y`, column `x` as far
    /// as the image allows (`side` at most the shorter side).
    static func square(of image: Tensor, around y: Int, _ x: Int, side: Int) throws -> Tensor {
        let top = Swift.min(Swift.max(y - side / 2, 0), image.shape[2] - side)
        let left = Swift.min(Swift.max(x - side / 2, 0), image.shape[3] - side)
        return try image.sliced(axis: 2, range: top..<(top + side)).sliced(axis: 3, range: left..<(left + side))
    }

    /// Resizes `crop` to `cropSize` and writes it as `folder/name.png`.
    private func write(_ crop: Tensor, to folder: URL, name: String) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let resized = try crop.resampled(to: Size2(cropSize), filter: .bilinear)
        try Image(tensor: resized).write(to: folder.appendingPathComponent("\(name).png"))
    }
}
