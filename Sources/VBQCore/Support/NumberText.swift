/// Strict reading of numbers written in scenario files, data files and options.
///
/// Swift's `Double(String)` also accepts hexadecimal floats (`0x1p2`), `inf`, `nan`, and it
/// stops at an embedded NUL (`"4.1\0junk"` reads as 4.1). A number from a colleague's file is
/// only what a person would write: an optional sign, digits with at most one decimal point,
/// and an optional exponent.
public enum NumberText {
    /// A finite decimal number, or nil for anything else (including text around it).
    public static func double(_ text: String) -> Double? {
        guard isDecimal(text.utf8) else { return nil }
        guard let x = Double(text), x.isFinite else { return nil }
        // 1e-400 is not 0: a number too small for a Double is refused, not silently zeroed.
        if x == 0, text.utf8.prefix(while: { $0 != UInt8(ascii: "e") && $0 != UInt8(ascii: "E") }).contains(where: { $0 >= 49 && $0 <= 57 }) { return nil }
        return x
    }

    /// A whole number in Int's range written with digits only (optional sign), or nil.
    public static func int(_ text: String) -> Int? {
        var digits = Substring(text)
        if digits.first == "+" || digits.first == "-" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int(text.first == "+" ? String(text.dropFirst()) : text)
    }

    /// [+-] (digits [. digits?] | . digits) ([eE] [+-] digits)?
    static func isDecimal<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        var i = bytes.startIndex
        func peek() -> UInt8? { i < bytes.endIndex ? bytes[i] : nil }
        func isDigit(_ b: UInt8?) -> Bool { b.map { $0 >= 48 && $0 <= 57 } ?? false }
        if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { i = bytes.index(after: i) }
        var mantissaDigits = 0
        while isDigit(peek()) { mantissaDigits += 1; i = bytes.index(after: i) }
        if peek() == UInt8(ascii: ".") {
            i = bytes.index(after: i)
            while isDigit(peek()) { mantissaDigits += 1; i = bytes.index(after: i) }
        }
        guard mantissaDigits > 0 else { return false }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            i = bytes.index(after: i)
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { i = bytes.index(after: i) }
            var exponentDigits = 0
            while isDigit(peek()) { exponentDigits += 1; i = bytes.index(after: i) }
            guard exponentDigits > 0 else { return false }
        }
        return i == bytes.endIndex
    }
}
