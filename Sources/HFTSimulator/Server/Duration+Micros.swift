extension Duration {
    /// Whole microseconds (sub-microsecond parts dropped).
    var wholeMicros: Int64 { components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000 }
}
