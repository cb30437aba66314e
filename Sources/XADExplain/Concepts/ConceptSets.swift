import Foundation
import XADData
import XADTensor

/// Named example images: one concept (e.g. "crack") or one random counterexample set.
public struct ConceptSet: Sendable {
    /// The sub-folder's name (for a split random folder, `random.0`, `random.1`, ...).
    public var name: String
    /// The images, each `[1, C, H, W]` in 0...1 (alpha dropped), any size.
    public var images: [Tensor]
    /// The file each image was read from, for reports.
    public var files: [URL]

    /// A set of `images` read from `files` (one per image).
    public init(name: String, images: [Tensor], files: [URL]) throws {
        guard images.count == files.count else {
            throw ExplainerError.invalidInput("concept set '\(name)' has \(images.count) images but \(files.count) file names")
        }
        self.name = name
        self.images = images
        self.files = files
    }
}

/// The concept and random sets of a concept folder: `folder/<concept>/*` with one sub-folder per
/// concept, and sub-folders whose names start with `random` holding random counterexamples.
///
/// Every file in a sub-folder whose name does not start with `.` is read as an image (PNG, JPEG,
/// TIFF or BMP). A set needs at least ``minimumImages`` images: a linear classifier on fewer has
/// no meaningful boundary.
///
/// The significance test compares each concept's vectors with random-vs-random vectors, so
/// several disjoint random sets are needed, as the `random500_0`, `random500_1`, ... folders of
/// Kim et al.'s code. Every random sub-folder is one set; a single random sub-folder is instead
/// partitioned by a seeded shuffle into `randomSetCount` disjoint sets of equal size (the
/// remainder left out), each of at least ``minimumImages`` images.
///
/// ```text
/// concepts/crack/*.png  concepts/blowhole/*.png  concepts/random/*.png
/// ```
/// ```swift
/// let sets = try ConceptSets(folder: URL(fileURLWithPath: "concepts"))
/// sets.concepts.map(\.name)     // ["blowhole", "crack"]
/// sets.randomSets.count         // 10
/// ```
public struct ConceptSets: Sendable {
    /// The fewest images a concept or random set may have (5).
    public static let minimumImages = 5

    /// The folder read.
    public var folder: URL
    /// The concepts, sorted by name.
    public var concepts: [ConceptSet]
    /// The disjoint random sets (at least 2).
    public var randomSets: [ConceptSet]

    /// Reads `folder`.
    /// - Parameters:
    ///   - folder: one sub-folder of example images per concept, and the random ones.
    ///   - randomSetCount: how many sets a single random sub-folder is split into (at least 2).
    ///   - seed: the seed of that split.
    /// - Throws: ``ConceptError`` naming the folder or file: a missing folder, no concept or no
    ///   random sub-folder, a set with too few images, an unreadable image.
    public init(folder: URL, randomSetCount: Int = 10, seed: UInt64 = 0) throws {
        guard randomSetCount >= 2 else {
            throw ExplainerError.invalidOption("the concept test needs at least 2 random sets, got \(randomSetCount)")
        }
        let subfolders = try Self.subfolders(of: folder)
        let randomFolders = subfolders.filter { $0.lastPathComponent.hasPrefix("random") }
        let conceptFolders = subfolders.filter { !$0.lastPathComponent.hasPrefix("random") }
        guard !conceptFolders.isEmpty else { throw ConceptError.noConcepts(folder) }
        guard !randomFolders.isEmpty else { throw ConceptError.noRandomSet(folder) }
        self.folder = folder
        concepts = try conceptFolders.map { try Self.readSet($0) }
        if randomFolders.count == 1 {
            let pool = try Self.readSet(randomFolders[0], minimum: randomSetCount * Self.minimumImages)
            randomSets = try Self.split(pool, into: randomSetCount, seed: seed)
        } else {
            randomSets = try randomFolders.map { try Self.readSet($0) }
        }
    }

    /// `pool` partitioned by a seeded shuffle into `count` disjoint sets of `pool.count / count`
    /// images.
    static func split(_ pool: ConceptSet, into count: Int, seed: UInt64) throws -> [ConceptSet] {
        var generator = SeededGenerator(seed: seed)
        var order = Array(pool.images.indices)
        for i in order.indices.dropLast() {   // Fisher–Yates
            order.swapAt(i, i + Int(generator.next() % UInt64(order.count - i)))
        }
        let size = order.count / count
        return try (0..<count).map { index in
            let chosen = order[(index * size)..<((index + 1) * size)].sorted()
            return try ConceptSet(name: "\(pool.name).\(index)", images: chosen.map { pool.images[$0] }, files: chosen.map { pool.files[$0] })
        }
    }

    /// The sub-folders of `folder`, sorted by name (hidden ones skipped).
    private static func subfolders(of folder: URL) throws -> [URL] {
        guard isFolder(folder) else { throw ConceptError.missingFolder(folder) }
        return try entries(of: folder).filter(isFolder)
    }

    /// The set in `folder`: every non-hidden file decoded; at least `minimum` of them.
    private static func readSet(_ folder: URL, minimum: Int = minimumImages) throws -> ConceptSet {
        let files = try entries(of: folder).filter { !isFolder($0) }
        guard files.count >= minimum else {
            throw ConceptError.tooFewImages(folder, found: files.count, minimum: minimum)
        }
        let images = try files.map { file in
            do {
                return try SampleReference(image: file, label: .normal, category: "concept").load().image
            } catch {
                throw ConceptError.unreadableImage(file, reason: "\(error)")
            }
        }
        return try ConceptSet(name: folder.lastPathComponent, images: images, files: files)
    }

    private static func entries(of folder: URL) throws -> [URL] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path) } catch {
            throw ConceptError.missingFolder(folder)
        }
        return names.filter { !$0.hasPrefix(".") }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            .map { folder.appendingPathComponent($0) }
    }

    private static func isFolder(_ url: URL) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) && isFolder.boolValue
    }
}

/// Why a concept folder cannot be used; each case names the folder or file.
public enum ConceptError: StatusReportingError, CustomStringConvertible, Equatable {
    /// A concept folder that cannot be used is bad data.
    public var exitStatus: ExitStatus { .data }

    case missingFolder(URL)
    case noConcepts(URL)
    case noRandomSet(URL)
    case tooFewImages(URL, found: Int, minimum: Int)
    case unreadableImage(URL, reason: String)

    public var description: String {
        switch self {
        case .missingFolder(let folder):
            "\(folder.path): no such concept folder (want one sub-folder of images per concept and a random/ sub-folder)"
        case .noConcepts(let folder):
            "\(folder.path): no concept sub-folders (want e.g. crack/ and blowhole/ beside random/)"
        case .noRandomSet(let folder):
            "\(folder.path): no random sub-folder (a folder whose name starts with 'random', holding random images to contrast the concepts with)"
        case .tooFewImages(let folder, let found, let minimum):
            "\(folder.path): \(found) images, but at least \(minimum) are needed (\(ConceptSets.minimumImages) per concept or random set; a single random folder is split into several sets)"
        case .unreadableImage(let file, let reason):
            "\(file.path): not a readable image (\(reason))"
        }
    }
}
