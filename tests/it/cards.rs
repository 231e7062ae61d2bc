//! List pages give each post its `post_summary` component rendered once per build
//! (`post.card_html`). These tests show that a card is exactly what the component writes on
//! the page, and that a component whose HTML depends on the page turns cards off.

use crate::harness::*;

/// The built-in list templates, each with the line that uses the card.
const LIST_TEMPLATES: [(&str, &str); 3] = [
    ("index.html", include_str!("../../templates/index.html")),
    ("section.html", include_str!("../../templates/section.html")),
    ("term.html", include_str!("../../templates/term.html")),
];

const USES_CARD: &str = "{% if post.card_html %}{{ post.card_html | safe }}{% else %}{{ <post_summary post={post} /> }}{% endif %}";

/// Posts with what a summary shows: images with captions, updates, tags, two sections and
/// pagination, so the cards differ from post to post.
fn site() -> TestSite {
    let site = TestSite::with_config(&format!(
        "{CONFIG}posts_per_page = 2\ntaxonomies = [{{ name = \"tags\", feed = true, paginate_by = 2 }}, {{ name = \"authors\" }}]\n"
    ));
    site.write("content/news/_index.md", "+++\ntitle = \"News\"\n+++\n");
    for i in 1..=5 {
        let image = if i % 2 == 1 {
            format!(
                "image = \"/images/p{i}.png\"\nimage_alt = \"Alt {i}\"\nimage_caption = \"Caption <{i}>\"\n"
            )
        } else {
            String::new()
        };
        let updated = if i == 3 { "updated = 2026-02-01\n" } else { "" };
        let section = if i <= 3 { "posts" } else { "news" };
        site.write(&format!("static/images/p{i}.png"), "png");
        site.write(
            &format!("content/{section}/p{i}.md"),
            &format!(
                "+++\ntitle = \"Post {i} & more\"\ndate = 2026-01-0{i}\n{updated}{image}author = \"Writer {}\"\ntags = [\"shared\", \"t{i}\"]\n+++\nBody of post {i} with *emphasis*.\n",
                i % 2
            ),
        );
    }
    site
}

#[test]
fn cards_are_byte_for_byte_what_the_component_writes_on_each_page() {
    let with_cards = site();
    let built = with_cards.built();
    let home = built.page("/");
    assert_eq!(select(&home, ".post-list article.summary").len(), 2);
    assert_eq!(
        texts(&home, ".post-list .summary .headline a"),
        ["Post 3 & more", "Post 2 & more"]
    );

    // The same site, with list templates that call the component on every page.
    let without = site();
    for (name, text) in LIST_TEMPLATES {
        assert_eq!(
            text.matches(USES_CARD).count(),
            1,
            "{name} uses the card once"
        );
        let direct = text.replace(USES_CARD, "{{ <post_summary post={post} /> }}");
        assert!(!direct.contains("card_html"));
        without.write(&format!("templates/{name}"), &direct);
    }
    let direct = without.built();

    let a = tree(&built.out);
    let b = tree(&direct.out);
    assert_eq!(
        a.iter().map(|(p, _)| p).collect::<Vec<_>>(),
        b.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    let lists = a
        .iter()
        .filter(|(_, bytes)| String::from_utf8_lossy(bytes).contains("class=\"summary\""))
        .count();
    assert!(
        lists >= 8,
        "home, section and term pages list posts ({lists})"
    );
    for ((path, x), (_, y)) in a.iter().zip(&b) {
        assert!(
            x == y,
            "{path} differs between cards and direct component calls"
        );
    }
}

#[test]
fn a_component_that_reads_the_page_gets_no_cards() {
    let site = site();
    // `@current_url` is implicit: the component reads it from the page that calls it, so
    // one post's HTML differs from list page to list page and cannot be made once.
    let components = include_str!("../../templates/components.html").replace(
        "{% component post_summary(post) -%}\n<article class=\"summary\">",
        "{% component post_summary(post, @current_url) -%}\n<article class=\"summary\" data-on=\"{{ current_url }}\">",
    );
    assert!(components.contains("@current_url"));
    site.write("templates/components.html", &components);
    let built = site.built();
    for url in ["/", "/tags/shared/", "/news/"] {
        let page = built.page(url);
        let on = attrs(&page, ".post-list article.summary", "data-on");
        assert!(!on.is_empty(), "{url} lists posts");
        assert!(on.iter().all(|u| u == url), "{url}: {on:?}");
    }
}
