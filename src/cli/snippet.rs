//! The source line under a located error, on a terminal: after the plain
//! `error: file:line:col: message` lines (unchanged, so scripts and tests
//! that read them see what they always did), the offending line of the
//! file with the token at `line:col` underlined, rendered by
//! annotate-snippets as rustc renders its own diagnostics.
//!
//! `--color auto` (the default) shows it, coloured, when stderr is a
//! terminal, without colour when `NO_COLOR` is set to anything non-empty
//! (no-color.org); `always` shows it coloured wherever stderr goes;
//! `never` shows it on a terminal without colour.

use std::io::Write;

/// When error output on stderr is coloured and shows source snippets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Snippets on a terminal, coloured unless `NO_COLOR` is set.
    #[default]
    Auto,
    /// Coloured snippets, even when stderr is a file or a pipe.
    Always,
    /// Snippets on a terminal, never coloured.
    Never,
}

/// The `--color` flag, shared by every subcommand.
#[derive(Debug, clap::Args)]
pub struct ColorArgs {
    /// Errors on stderr: `auto` adds the offending source line with a caret
    /// when stderr is a terminal (coloured unless NO_COLOR is set),
    /// `always` adds it coloured anywhere, `never` uncoloured on a terminal.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// `(show the snippet, colour it)` for a choice, whether stderr is a
/// terminal and whether `NO_COLOR` is set.
pub(super) fn decide(choice: ColorChoice, terminal: bool, no_color: bool) -> (bool, bool) {
    match choice {
        ColorChoice::Always => (true, true),
        ColorChoice::Never => (terminal, false),
        ColorChoice::Auto => (terminal, terminal && !no_color),
    }
}

/// Writes the snippet of the first located line of `message` to `err`,
/// when `choice` and the terminal say so. Best effort: a file that cannot
/// be read again, or a position past its end, adds nothing.
pub(super) fn show(message: &str, choice: ColorChoice, err: &mut dyn Write) {
    use std::io::IsTerminal;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let (show, colour) = decide(choice, std::io::stderr().is_terminal(), no_color);
    if !show {
        return;
    }
    if let Some(s) = render(message, colour) {
        // stderr failing leaves nothing better to do.
        let _ = writeln!(err, "{s}");
    }
}

/// Most bytes of a file read again for a snippet (the inputs' limit is
/// larger; a snippet is not worth reading more).
const MAX_SOURCE: u64 = 16 << 20;

/// The rendered snippet for the first `file:line:col: ` line of `message`.
pub(super) fn render(message: &str, colour: bool) -> Option<String> {
    use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
    let (file, line, col) = message.lines().find_map(located)?;
    let meta = std::fs::metadata(file).ok()?;
    if !meta.is_file() || meta.len() > MAX_SOURCE {
        return None;
    }
    let text = std::fs::read_to_string(file).ok()?;
    let source = text.lines().nth(line.checked_sub(1)?)?;
    let span = token(source, col)?;
    let report = [Group::with_level(Level::ERROR).element(
        Snippet::source(source).line_start(line).path(file).annotation(AnnotationKind::Primary.span(span)),
    )];
    let renderer = if colour { Renderer::styled() } else { Renderer::plain() };
    Some(renderer.render(&report))
}

/// `(file, line, column)` of a `file:line:col: message` line (lines and
/// columns from 1).
fn located(l: &str) -> Option<(&str, usize, usize)> {
    let l = l.strip_prefix("error: ").unwrap_or(l);
    // The first `:<digits>:<digits>: ` after the file name (which may hold
    // colons of its own).
    let mut from = 0;
    while let Some(i) = l[from..].find(':').map(|i| i + from) {
        let mut parts = l[i + 1..].splitn(3, ':');
        if let (Some(a), Some(b), Some(rest)) = (parts.next(), parts.next(), parts.next())
            && rest.starts_with(' ')
            && let (Ok(line), Ok(col)) = (a.parse::<usize>(), b.parse::<usize>())
            && line > 0
            && col > 0
            && i > 0
        {
            return Some((&l[..i], line, col));
        }
        from = i + 1;
    }
    None
}

/// The byte range of the token starting at character column `col` of
/// `line`: up to the next space or YAML punctuation, at least one
/// character.
fn token(line: &str, col: usize) -> Option<std::ops::Range<usize>> {
    let (start, first) = line.char_indices().nth(col - 1)?;
    let stop = |c: char| c.is_whitespace() || matches!(c, ',' | '}' | ']' | ':');
    let end = line[start + first.len_utf8()..]
        .char_indices()
        .find(|&(_, c)| stop(c))
        .map_or(line.len(), |(i, _)| start + first.len_utf8() + i);
    Some(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations() {
        assert_eq!(located("error: a/b.yaml:3:7: x: y"), Some(("a/b.yaml", 3, 7)));
        assert_eq!(located("C:/w/b.yaml:12:1: bad"), Some(("C:/w/b.yaml", 12, 1)));
        assert_eq!(located("error: invalid schedule \"x\": end of range"), None);
        assert_eq!(located("f:0:0: unknown position"), None);
    }

    #[test]
    fn tokens() {
        let l = "    - select: {name: \"nigthly\"}";
        assert_eq!(&l[token(l, 7).expect("a token")], "select");
        assert_eq!(&l[token(l, 22).expect("a token")], "\"nigthly\"");
        assert_eq!(token(l, 99), None);
        assert_eq!(&"x"[token("x", 1).expect("a token")], "x");
    }

    #[test]
    fn choices() {
        assert_eq!(decide(ColorChoice::Auto, true, false), (true, true));
        assert_eq!(decide(ColorChoice::Auto, true, true), (true, false));
        assert_eq!(decide(ColorChoice::Auto, false, false), (false, false));
        assert_eq!(decide(ColorChoice::Never, true, false), (true, false));
        assert_eq!(decide(ColorChoice::Never, false, false), (false, false));
        assert_eq!(decide(ColorChoice::Always, false, true), (true, true));
    }
}
