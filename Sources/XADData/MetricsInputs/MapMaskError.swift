import Foundation
import XADTensor

/// Why score maps and masks could not be read from their folders; every case names the file or
/// folder at fault.
///
/// ```swift
/// do { _ = try MapMaskFolders(maps: mapsURL, masks: masksURL) }
/// catch let error as MapMaskError { print(error) }
/// // "/data/maps/007.npy: no mask named 007.png, 007_mask.png or 007.npy in masks"
/// ```
public enum MapMaskError: StatusReportingError, Equatable, Sendable {
    /// The folder could not be listed; `reason` is the system's.
    case unreadableFolder(URL, reason: String)
    /// The folder holds no `.npy` or `.png` file.
    case noFiles(URL)
    /// A mask whose name (`NAME` or `NAME_mask`) matches no score map.
    case orphanMask(URL, name: String, mapsFolder: URL)
    /// A score map with no mask of the same name.
    case missingMask(URL, name: String, masksFolder: URL)
    /// An `.npy` array that is not one plane: its shape is not [H, W] (leading sizes of 1 aside).
    case notAPlane(URL, shape: [Int])
    /// A colour PNG: the channels differ at pixel (`x`, `y`).
    case colourImage(URL, x: Int, y: Int)

    /// Missing, unpaired or malformed maps and masks are bad data.
    public var exitStatus: ExitStatus { .data }

    public var description: String {
        switch self {
        case .unreadableFolder(let folder, let reason):
            "\(folder.relativePath): cannot list the folder (\(reason))"
        case .noFiles(let folder):
            "\(folder.relativePath): no .npy or .png files"
        case .orphanMask(let mask, let name, let mapsFolder):
            "\(mask.path): this mask has no score map named \(name).npy or \(name).png in \(mapsFolder.relativePath)"
        case .missingMask(let map, let name, let masksFolder):
            "\(map.path): no mask named \(name).png, \(name)_mask.png or \(name).npy in \(masksFolder.relativePath)"
        case .notAPlane(let file, let shape):
            "\(file.path): the array has shape \(shape); a map or mask needs [H, W]"
        case .colourImage(let file, let x, let y):
            "\(file.path): a colour image; maps and masks must be gray (pixel \(x), \(y) differs between channels)"
        }
    }
}
