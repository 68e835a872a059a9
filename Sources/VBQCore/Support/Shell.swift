/// Words for a POSIX shell (the commands vbqlab prints and the batch scripts it writes).
public enum Shell {
    /// `s` as one shell word that the shell reads back exactly: as it is when it holds only
    /// characters no shell treats specially, else in single quotes (a quote inside as '\'').
    /// Control characters are refused by the callers before a word is built.
    public static func quote(_ s: String) -> String {
        let plain = !s.isEmpty && s.unicodeScalars.allSatisfy { c in
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || "_./:=@%+,-".unicodeScalars.contains(c)
        }
        if plain && !s.hasPrefix("-") && !s.hasPrefix("=") { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Whether `s` has a character a script line cannot hold as it is (a line break, NUL, an
    /// escape sequence): a `ControlCharacter`.
    public static func hasControl(_ s: String) -> Bool { ControlCharacter.contains(s) }
}
