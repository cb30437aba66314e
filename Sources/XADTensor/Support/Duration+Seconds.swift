extension Duration {
    /// The duration in seconds, e.g. `(ContinuousClock.now - start).seconds` for a wall-clock time.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}

extension ContinuousClock.Instant {
    /// Seconds from this instant until now.
    public var secondsElapsed: Double { (ContinuousClock.now - self).seconds }
}
