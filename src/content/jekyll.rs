//! Jekyll's `permalink` patterns (`/:categories/:year/:month/:day/:title:output_ext`), for a
//! post's own `permalink` front matter and for `quire import`'s old URLs. Pure.

use std::path::Path;

use chrono::Datelike;

use super::date::Date;

/// What a pattern's placeholders stand for in one post.
#[derive(Debug, Clone, Default)]
pub struct Vars<'a> {
    pub date: Option<Date>,
    /// The front matter `slug`, else the file name without its date and extension.
    pub slug: &'a str,
    /// The folders above `_posts/`, then the front matter's categories (Jekyll lowercases
    /// them and drops repeats).
    pub categories: Vec<String>,
}

/// The folders above a Jekyll `_posts/` folder (`content/news/_posts/x.md` → `news`), which
/// Jekyll counts as the post's first categories; none outside `_posts/`.
pub fn folder_categories(source: &Path) -> Vec<String> {
    let parts: Vec<String> = source
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let Some(at) = parts.iter().position(|p| p == "_posts") else {
        return Vec::new();
    };
    parts[..at]
        .iter()
        .filter(|p| p.as_str() != "content")
        .cloned()
        .collect()
}

/// A Jekyll style name as its pattern (`pretty` → `/:categories/:year/:month/:day/:title/`);
/// any other text is a pattern already.
pub fn style(name: &str) -> &str {
    match name {
        "date" => "/:categories/:year/:month/:day/:title:output_ext",
        "pretty" => "/:categories/:year/:month/:day/:title/",
        "ordinal" => "/:categories/:year/:y_day/:title:output_ext",
        "weekdate" => "/:categories/:year/W:week/:short_day/:title:output_ext",
        "none" => "/:categories/:title:output_ext",
        pattern => pattern,
    }
}

/// The URL path a pattern gives, or why it cannot be made (a date placeholder in a post
/// without a date, a placeholder Jekyll does not have).
pub fn expand(pattern: &str, vars: &Vars) -> Result<String, String> {
    let date = || {
        vars.date.ok_or_else(|| {
            format!("the permalink `{pattern}` uses the date, and this post has none")
        })
    };
    let mut categories: Vec<String> = Vec::new();
    for c in &vars.categories {
        let c = c.to_lowercase();
        if !categories.contains(&c) {
            categories.push(c);
        }
    }
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(at) = rest.find(':') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let value = match &after[..len] {
            "year" => format!("{:04}", date()?.year()),
            "short_year" => format!("{:02}", date()?.year() % 100),
            "month" => format!("{:02}", date()?.month()),
            "i_month" => date()?.month().to_string(),
            "day" => format!("{:02}", date()?.day()),
            "i_day" => date()?.day().to_string(),
            "y_day" => format!("{:03}", date()?.ordinal()),
            "title" => pretty_slug(vars.slug, true),
            "slug" => pretty_slug(vars.slug, false),
            "categories" => categories.join("/"),
            "output_ext" => ".html".into(),
            "" => ":".into(),
            other => {
                return Err(format!(
                    "the permalink `{pattern}` has `:{other}`, which Quire does not fill in \
                     (it knows :year, :month, :day, :i_month, :i_day, :short_year, :y_day, \
                     :title, :slug, :categories and :output_ext)"
                ));
            }
        };
        out.push_str(&value);
        rest = &after[len..];
    }
    out.push_str(rest);
    // An empty `:categories` leaves `//`.
    while out.contains("//") {
        out = out.replace("//", "/");
    }
    Ok(out)
}

/// Jekyll's `pretty` slug mode: letters, digits and `._~!$&'()+,;=@` stay (with their case
/// when `cased`), any run of other characters becomes one `-`.
pub fn pretty_slug(text: &str, cased: bool) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() || "._~!$&'()+,;=@".contains(c) {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    if cased { out } else { out.to_lowercase() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(slug: &str, categories: &[&str]) -> Vars<'static> {
        Vars {
            date: Some(super::super::date::parse_date("2024-03-05").unwrap()),
            slug: Box::leak(slug.to_string().into_boxed_str()),
            categories: categories.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn styles_and_placeholders_expand_as_jekyll_does() {
        let v = vars("Hello World.v2", &["Life", "life", "Code"]);
        assert_eq!(
            expand(style("date"), &v).unwrap(),
            "/life/code/2024/03/05/Hello-World.v2.html"
        );
        assert_eq!(
            expand("/:year/:i_month/:i_day/:slug/", &v).unwrap(),
            "/2024/3/5/hello-world.v2/"
        );
        assert_eq!(
            expand(style("pretty"), &vars("a", &[])).unwrap(),
            "/2024/03/05/a/"
        );
        assert!(
            expand("/:weird/:title/", &v)
                .unwrap_err()
                .contains("`:weird`")
        );
        let undated = Vars {
            date: None,
            ..vars("a", &[])
        };
        assert!(
            expand("/:year/:title/", &undated)
                .unwrap_err()
                .contains("uses the date")
        );
        assert_eq!(expand("/about/", &undated).unwrap(), "/about/");
    }

    #[test]
    fn pretty_slugs_keep_case_and_dots() {
        assert_eq!(pretty_slug("Hello World.v2", true), "Hello-World.v2");
        assert_eq!(pretty_slug("a  --  b", false), "a-b");
    }
}
