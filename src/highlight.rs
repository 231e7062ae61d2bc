//! Build-time syntax highlighting of fenced code blocks with syntect (pure-Rust regex engine),
//! as class-based HTML (`hl-` prefixed classes), and the stylesheet those classes need,
//! generated from syntect's bundled themes (`static/syntax.css`, made by
//! `cargo run --example gen-syntax-css`). Pure: no I/O.

use std::fmt::Write as _;
use std::sync::LazyLock;

use syntect::highlighting::{Color, FontStyle, Theme, ThemeSet};
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// The prefix of every class the highlighter writes.
pub const CLASS_PREFIX: &str = "hl-";
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed {
    prefix: CLASS_PREFIX,
};

/// The light scheme's theme and the dark scheme's (under `prefers-color-scheme: dark`).
pub const LIGHT_THEME: &str = "InspiredGitHub";
pub const DARK_THEME: &str = "base16-ocean.dark";

/// The code block backgrounds of `static/style.css` (`--code-bg`), light and dark: the
/// colours the generated stylesheet is made to contrast with.
pub const LIGHT_CODE_BG: Color = rgb(0xf1, 0xef, 0xea);
pub const DARK_CODE_BG: Color = rgb(0x20, 0x20, 0x20);

/// WCAG AA contrast for normal text.
pub const MIN_CONTRAST: f64 = 4.5;

/// Loaded once per process, on first use.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// `code` highlighted as `lang` (a fence's language token: a name or file extension,
/// case-insensitive), as HTML spans to go inside `<pre><code>`. `None` when the language is
/// unknown or plain text: the caller then writes the code escaped, as without highlighting.
pub fn highlight(lang: &str, code: &str) -> Option<String> {
    let syntaxes = &*SYNTAXES;
    let syntax = syntaxes.find_syntax_by_token(lang)?;
    if syntax.name == syntaxes.find_syntax_plain_text().name {
        return None;
    }
    let mut html = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        html.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(html.finalize())
}

/// The highlighting stylesheet: the light theme's colours (screens in the light scheme, and
/// print), then the dark theme's inside `@media screen and (prefers-color-scheme: dark)`. Only foreground colours and font styles are taken
/// from the themes (the code block background is the theme's `--code-bg`); a colour that
/// would fall below AA contrast against that background is moved towards the scheme's text
/// colour just until it passes.
pub fn css() -> String {
    let themes = ThemeSet::load_defaults();
    let theme = |name: &str| themes.themes.get(name).expect("a bundled syntect theme");
    let mut css = String::from(
        "/* Syntax highlighting for fenced code blocks. Generated from syntect's bundled themes by\n   `cargo run --example gen-syntax-css > static/syntax.css`: do not edit by hand. */\n",
    );
    // Each scheme's rules only under its own media query, so that no light rule the dark
    // theme does not override shows in the dark scheme. Print takes the light colours.
    let _ = writeln!(
        css,
        "\n/* Light (and print): {LIGHT_THEME} */\n@media not screen and (prefers-color-scheme: dark) {{"
    );
    rules(&mut css, theme(LIGHT_THEME), LIGHT_CODE_BG, "  ");
    let _ = writeln!(
        css,
        "}}\n\n/* Dark: {DARK_THEME} */\n@media screen and (prefers-color-scheme: dark) {{"
    );
    rules(&mut css, theme(DARK_THEME), DARK_CODE_BG, "  ");
    css.push_str("}\n");
    css
}

fn rules(css: &mut String, theme: &Theme, background: Color, indent: &str) {
    for item in &theme.scopes {
        let mut selectors = Vec::new();
        for selector in &item.scope.selectors {
            let scopes = selector.extract_scopes();
            if scopes.is_empty() {
                continue;
            }
            let compound: Vec<String> = scopes
                .iter()
                .map(|scope| {
                    scope
                        .build_string()
                        .split('.')
                        .map(|atom| {
                            format!(".{}", css_identifier(&format!("{CLASS_PREFIX}{atom}")))
                        })
                        .collect::<String>()
                })
                .collect();
            selectors.push(compound.join(" "));
        }
        let mut declarations = Vec::new();
        if let Some(fg) = item.style.foreground {
            let fg = readable(fg, background);
            declarations.push(format!("color: #{:02x}{:02x}{:02x}", fg.r, fg.g, fg.b));
        }
        if let Some(fs) = item.style.font_style {
            if fs.contains(FontStyle::BOLD) {
                declarations.push("font-weight: bold".into());
            }
            if fs.contains(FontStyle::ITALIC) {
                declarations.push("font-style: italic".into());
            }
            if fs.contains(FontStyle::UNDERLINE) {
                declarations.push("text-decoration: underline".into());
            }
        }
        if selectors.is_empty() || declarations.is_empty() {
            continue;
        }
        let _ = writeln!(
            css,
            "{indent}{} {{ {}; }}",
            selectors.join(", "),
            declarations.join("; ")
        );
    }
}

/// `fg` (alpha blended over `bg`), mixed towards black or white (whichever contrasts more
/// with `bg`) in small steps until it reaches `MIN_CONTRAST` against `bg`.
fn readable(fg: Color, bg: Color) -> Color {
    let a = f64::from(fg.a) / 255.0;
    let blend = |f: u8, b: u8| (f64::from(f) * a + f64::from(b) * (1.0 - a)).round() as u8;
    let base = rgb(blend(fg.r, bg.r), blend(fg.g, bg.g), blend(fg.b, bg.b));
    let target = if contrast(rgb(0, 0, 0), bg) > contrast(rgb(255, 255, 255), bg) {
        rgb(0, 0, 0)
    } else {
        rgb(255, 255, 255)
    };
    (0..=100)
        .map(|step| {
            let t = f64::from(step) / 100.0;
            let mix = |f: u8, g: u8| (f64::from(f) * (1.0 - t) + f64::from(g) * t).round() as u8;
            rgb(
                mix(base.r, target.r),
                mix(base.g, target.g),
                mix(base.b, target.b),
            )
        })
        .find(|&c| contrast(c, bg) >= MIN_CONTRAST)
        .unwrap_or(target)
}

const fn rgb(r: u8, g: u8, b: u8) -> Color {
    Color { r, g, b, a: 0xff }
}

/// WCAG 2 contrast ratio of two opaque colours.
pub fn contrast(a: Color, b: Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

fn luminance(c: Color) -> f64 {
    let channel = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
}

/// A class name as a CSS identifier: characters other than ASCII letters, digits, `-` and `_`
/// are escaped (scope atoms such as `c++`).
fn css_identifier(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            out.push(c);
        } else {
            out.push('\\');
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_stylesheet_matches_the_generator() {
        let committed = include_str!("../static/syntax.css");
        assert!(
            committed == css(),
            "static/syntax.css is out of date: run `cargo run --example gen-syntax-css > static/syntax.css`"
        );
    }

    #[test]
    fn every_generated_colour_meets_aa_against_the_code_background() {
        let css = css();
        let parts: Vec<&str> = css.split("@media").collect();
        let [_, light, dark] = parts[..] else {
            panic!("two media blocks: {css}")
        };
        assert!(light.starts_with(" not screen and (prefers-color-scheme: dark)"));
        assert!(dark.starts_with(" screen and (prefers-color-scheme: dark)"));
        for (part, bg) in [(light, LIGHT_CODE_BG), (dark, DARK_CODE_BG)] {
            let colours: Vec<&str> = part
                .split("color: #")
                .skip(1)
                .map(|rest| &rest[..6])
                .collect();
            assert!(colours.len() > 10, "{part}");
            for hex in colours {
                let v = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap();
                let ratio = contrast(rgb(v(0), v(2), v(4)), bg);
                assert!(ratio >= MIN_CONTRAST, "#{hex}: {ratio:.2}");
            }
        }
    }

    #[test]
    fn code_backgrounds_match_the_theme_stylesheet() {
        let style = include_str!("../static/style.css");
        for bg in [LIGHT_CODE_BG, DARK_CODE_BG] {
            let decl = format!("--code-bg: #{:02x}{:02x}{:02x};", bg.r, bg.g, bg.b);
            assert!(style.contains(&decl), "{decl} not in style.css");
        }
    }

    #[test]
    fn unknown_and_plain_languages_are_not_highlighted() {
        assert!(highlight("no-such-language", "x").is_none());
        assert!(highlight("text", "x").is_none());
        assert!(highlight("RS", "fn main() {}\n").is_some());
    }
}
