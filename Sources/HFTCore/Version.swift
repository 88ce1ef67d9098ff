public enum HFTKitVersion {
    public static let string = "0.1.0"
}
