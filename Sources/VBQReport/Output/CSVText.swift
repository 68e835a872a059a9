import Foundation
import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation

/// CSV text (RFC 4180 quoting), numbers in their shortest round-trip form, NA for missing.
public enum CSVText {
    public static func field(_ s: String) -> String {
        if s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r") {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    public static func row(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") + "\n" }

    /// Booleans as R and pandas read them without being told.
    public static func bool(_ b: Bool) -> String { b ? "TRUE" : "FALSE" }
}

