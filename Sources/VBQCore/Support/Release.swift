/// The version of vbqlab: written into every output's provenance, checkpoint and shard header.
public enum Release {
    public static let version = "0.2.0"
}
