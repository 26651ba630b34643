/// The version every binary and `/health` report, so an operator can tell which build answers.
public enum NeuroSwarmVersion {
    /// Semantic version of this build.
    public static let current = "0.1.0"
}
