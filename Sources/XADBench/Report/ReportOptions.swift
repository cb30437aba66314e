import XADImage

/// What goes into a ``Report`` and how it looks. `Codable`, so a config file or the CLI can set it.
public struct ReportOptions: Codable, Sendable, Equatable {
    /// The page's title; nil gives "DETECTOR on DATASET".
    public var title: String?
    /// Test images shown in the gallery. Default 48. Misclassified images come first, and every
    /// outcome gets places (see ``GalleryOrder``).
    public var galleryLimit: Int
    /// Gallery images that get explanation panels: the highest-scoring ones. Default 4; 0 turns
    /// explanations off (they cost one or more backbone passes per image and method).
    public var explainedImages: Int
    /// The explanation methods to show, by registry name (`Explainers`), in this order. Methods
    /// that are not registered, or that cannot explain this detector, are left out quietly (the
    /// report lists them with the reason). Default: Grad-CAM, integrated gradients,
    /// counterfactual, healing and nearest normal exemplars.
    public var explainers: [String]
    /// The colour map of anomaly maps and explanation overlays. Default jet.
    public var colorMap: ColorMap
    /// The overlays' opacity. Default 0.5.
    public var overlayAlpha: Float
    /// JPEG quality (1...100) of the gallery's photographs; masks are PNG. Default 88.
    public var jpegQuality: Int

    public init(title: String? = nil, galleryLimit: Int = 48, explainedImages: Int = 4,
                explainers: [String] = ["grad-cam", "integrated-gradients", "counterfactual", "healing", "exemplars"],
                colorMap: ColorMap = .jet, overlayAlpha: Float = 0.5, jpegQuality: Int = 88) {
        self.title = title
        self.galleryLimit = galleryLimit
        self.explainedImages = explainedImages
        self.explainers = explainers
        self.colorMap = colorMap
        self.overlayAlpha = overlayAlpha
        self.jpegQuality = jpegQuality
    }
}
