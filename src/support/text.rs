//! Small text helpers shared by reporters and the managed emulators' logs.

/// Text without ANSI escape sequences (colored diffs, coloured logs), for files.
///
/// The stripping is `strip-ansi-escapes`'; it also drops control characters other than newline,
/// so tabs and carriage returns are kept here around it, as before.
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for piece in text.split_inclusive(['\t', '\r']) {
        let (body, kept) = match piece.strip_suffix(['\t', '\r']) {
            Some(body) => (body, &piece[body.len()..]),
            None => (piece, ""),
        };
        out.push_str(&strip_ansi_escapes::strip_str(body));
        out.push_str(kept);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::strip_ansi;

    #[test]
    fn tabs_and_carriage_returns_are_kept() {
        assert_eq!(strip_ansi("a\t\u{1b}[1mb\u{1b}[0m\r\nc"), "a\tb\r\nc");
    }
}
