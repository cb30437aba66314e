import XADImage
import XADTensor

extension ObjectMeasurer {
    /// Sets each object's ``MeasuredObject/appearance``: from a crop of its box when
    /// ``Attributes/Options/appearanceCrop`` is positive, else pooled from the whole frame's features.
    func addAppearance(to objects: inout [MeasuredObject], frame: Tensor, extractor: FeatureExtractor) throws {
        if options.appearanceCrop > 0 {
            try addCropAppearance(to: &objects, frame: frame, extractor: extractor)
        } else {
            try addPooledAppearance(to: &objects, frame: frame, extractor: extractor)
        }
    }

    /// The backbone's features of each object's own crop, averaged over the crop: a square of side
    /// `1.2 max(width, height) + 8` pixels around the box's centre (edge pixels repeated past the
    /// frame's border), resampled to `appearanceCrop` pixels a side. The object fills the crop at
    /// any distance from the camera, so a far bicycle and a near one look alike, and the frame's
    /// background hardly enters the features (a whole-frame map pooled in the box mixes both).
    private func addCropAppearance(to objects: inout [MeasuredObject], frame: Tensor, extractor: FeatureExtractor) throws {
        guard !objects.isEmpty else { return }
        let image = frame.rank == 2 ? try frame.unsqueezed(axis: 0) : frame
        let (channels, height, width) = (image.shape[image.rank - 3], image.shape[image.rank - 2], image.shape[image.rank - 1])
        let pixels = image.scalars
        let side = Size2(options.appearanceCrop)
        let crops = try objects.map { object in
            let box = object.box
            let extent = Swift.max(1, Int((1.2 * Float(Swift.max(box.width, box.height)) + 8).rounded()))
            let left = box.x + box.width / 2 - extent / 2, top = box.y + box.height / 2 - extent / 2
            let crop = Tensor(shape: [1, channels, extent, extent]) { out in
                for c in 0..<channels {
                    for y in 0..<extent {
                        let row = Swift.min(height - 1, Swift.max(0, top + y))
                        for x in 0..<extent {
                            let column = Swift.min(width - 1, Swift.max(0, left + x))
                            out[(c * extent + y) * extent + x] = pixels[(c * height + row) * width + column]
                        }
                    }
                }
            }
            return try crop.resampled(to: side, filter: .bilinear, antialias: true)
        }
        var prepared = preprocessing
        prepared.imageSize = side
        prepared.centerCrop = nil
        let features = try extractor(try prepared(try Tensor.concatenate(crops, axis: 0)))
        let (count, cells) = (features.shape[1], features.shape[2] * features.shape[3])
        let values = features.scalars
        for index in objects.indices {
            objects[index].appearance = (0..<count).map { c in
                let first = (index * count + c) * cells
                return values[first..<(first + cells)].reduce(0, +) / Float(cells)
            }
        }
    }

    /// The features of the whole frame averaged over the feature cells whose centres lie in each
    /// object's box (the cell nearest the box's centre when none does).
    private func addPooledAppearance(to objects: inout [MeasuredObject], frame: Tensor, extractor: FeatureExtractor) throws {
        let features = try extractor(try preprocessing(frame))
        let (channels, rows, columns) = (features.shape[1], features.shape[2], features.shape[3])
        let (height, width) = (Float(frame.shape[frame.rank - 2]), Float(frame.shape[frame.rank - 1]))
        let values = features.scalars
        for index in objects.indices {
            let box = objects[index].box
            func cells(_ low: Int, _ length: Int, _ count: Int, _ side: Float) -> ClosedRange<Int> {
                let cell = side / Float(count)
                let first = Int((Float(low) / cell - 0.5).rounded(.up)), last = Int((Float(low + length) / cell - 0.5).rounded(.down))
                if first <= last { return Swift.max(0, first)...Swift.min(count - 1, last) }
                let centre = Swift.min(count - 1, Swift.max(0, Int((Float(low) + Float(length) / 2) / cell)))
                return centre...centre
            }
            let (ys, xs) = (cells(box.y, box.height, rows, height), cells(box.x, box.width, columns, width))
            var pooled = [Float](repeating: 0, count: channels)
            for c in 0..<channels {
                var sum: Float = 0
                for y in ys { for x in xs { sum += values[(c * rows + y) * columns + x] } }
                pooled[c] = sum / Float(ys.count * xs.count)
            }
            objects[index].appearance = pooled
        }
    }
}
