/// XADBench: what sits above detectors, explainers and metrics: the HTML report with its own
/// small SVG plots (Report/, Plot/), and later the benchmark grid and method guide.
public enum XADBench {
    /// The report format version written into every report's HTML (`<meta name="xadkit-report">`).
    public static let reportFormatVersion = 1
}
