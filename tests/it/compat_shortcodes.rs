//! Shortcodes and Liquid tags (issue 13, part 2): Zola's and Hugo's syntax rendered by
//! `templates/shortcodes/`, Quire's own versions of Hugo's built-ins, the Liquid subset
//! Jekyll posts use, code left alone, and unknown or broken shortcodes reported where the
//! author wrote them. Each fixture here is written for these tests.

use crate::harness::*;

fn post(site: &TestSite, name: &str, title: &str, body: &str) {
    site.post(
        name,
        &format!("title = \"{title}\"\ndate = 2024-06-01\n[extra]\nmood = \"calm\""),
        body,
    );
}

#[test]
fn zola_shortcodes_with_html_and_markdown_templates_bodies_nth_and_typed_arguments() {
    let site = TestSite::new();
    site.write(
        "templates/shortcodes/note.html",
        "<aside class=\"note\" data-nth=\"{{ nth }}\" data-kind=\"{{ kind }}\" data-page=\"{{ page.title }}\">{{ body | markdown | safe }}</aside>",
    );
    site.write(
        "templates/shortcodes/quote.md",
        "> {{ text }}\n>\n> — *{{ who }}*",
    );
    site.write(
        "templates/shortcodes/list.html",
        "<ul class=\"args\">{% for x in items %}<li>{{ x }}</li>{% endfor %}</ul><span class=\"typed\" data-n=\"{{ n + 1 }}\" data-flag=\"{{ flag }}\" data-site=\"{{ config.title }}\"></span>",
    );
    post(
        &site,
        "zola.md",
        "Zola Shortcodes",
        "Opening paragraph.\n\n{{ list(items=[\"a\", 'b'], n=41, flag=true) }}\n\n{% note(kind=\"info\") %}\nSome **bold** words.\n{% end %}\n\n{% note(kind=\"warn\") %}Second{% end %}\n\n{{ quote(text=\"Words worth keeping.\", who=\"A Demo Author\") }}\n",
    );
    let built = site.built();
    let page = built.page("/posts/zola/");
    assert_eq!(texts(&page, ".post-body ul.args li"), ["a", "b"]);
    assert_eq!(attrs(&page, ".post-body span.typed", "data-n"), ["42"]);
    assert_eq!(attrs(&page, ".post-body span.typed", "data-flag"), ["true"]);
    assert_eq!(
        attrs(&page, ".post-body span.typed", "data-site"),
        ["Test Blog"]
    );
    assert_eq!(
        attrs(&page, ".post-body aside.note", "data-nth"),
        ["1", "2"]
    );
    assert_eq!(
        attrs(&page, ".post-body aside.note", "data-kind"),
        ["info", "warn"]
    );
    assert_eq!(
        attrs(&page, ".post-body aside.note", "data-page"),
        ["Zola Shortcodes", "Zola Shortcodes"]
    );
    assert_eq!(texts(&page, ".post-body aside.note strong"), ["bold"]);
    // The Markdown template's output is Markdown: a blockquote with emphasis.
    assert_eq!(
        texts(&page, ".post-body blockquote p"),
        ["Words worth keeping.", "— A Demo Author"]
    );
    assert_eq!(texts(&page, ".post-body blockquote em"), ["A Demo Author"]);
    // A block shortcode replaces its paragraph: no `<p>` around the list.
    assert!(select(&page, ".post-body p ul.args").is_empty());
    assert!(
        built.report.warnings.is_empty(),
        "{:?}",
        built.report.warnings
    );
}

#[test]
fn hugo_shortcodes_positional_named_nested_and_markdown() {
    let site = TestSite::new();
    site.write(
        "templates/shortcodes/pair.html",
        "<span class=\"pair\">{{ args[0] }}-{{ args[1] }}-{{ params.unit | default(value=\"\") }}</span>",
    );
    site.write("templates/shortcodes/shout.html", "{{ body | upper }}");
    post(&site, "target.md", "Target", "## Part Two\n\nThe target.");
    post(
        &site,
        "hugo.md",
        "Hugo Shortcodes",
        "Inline {{< pair \"a b\" 2 unit=`cm` >}} here.\n\n{{% shout %}}*loud*{{% /shout %}}\n\n{{< details summary=\"More *here*\" >}}\nHidden **text** with {{< pair x y >}}.\n{{< /details >}}\n\n{{< figure src=\"/images/photo.png\" alt=\"A photo\" caption=\"The *caption*\" >}}\n\nParam: {{< param mood >}}.\n\nSee [the target]({{< ref \"posts/target.md\" >}}) and [part two]({{< relref \"target#part-two\" >}}).\n\n{{< highlight go >}}\nfunc main() {}\n{{< /highlight >}}\n",
    );
    site.write("static/images/photo.png", "not really a png");
    let built = site.built();
    let page = built.page("/posts/hugo/");
    assert_eq!(texts(&page, ".post-body > p > span.pair"), ["a b-2-cm"]);
    // `{{% %}}` output is Markdown.
    assert_eq!(texts(&page, ".post-body > p > em"), ["LOUD"]);
    assert_eq!(texts(&page, ".post-body details summary em"), ["here"]);
    assert_eq!(texts(&page, ".post-body details strong"), ["text"]);
    assert_eq!(texts(&page, ".post-body details span.pair"), ["x-y-"]);
    assert_eq!(
        attrs(&page, ".post-body figure img", "src"),
        ["/images/photo.png"]
    );
    assert_eq!(attrs(&page, ".post-body figure img", "alt"), ["A photo"]);
    assert_eq!(texts(&page, ".post-body figure figcaption em"), ["caption"]);
    assert!(texts(&page, ".post-body p").contains(&"Param: calm.".to_string()));
    let links = attrs(&page, ".post-body p a", "href");
    assert!(links.contains(&"/posts/target/".to_string()), "{links:?}");
    assert!(
        links.contains(&"/posts/target/#part-two".to_string()),
        "{links:?}"
    );
    assert_eq!(
        attrs(&page, ".post-body pre code", "class"),
        ["language-go"]
    );
    assert_eq!(texts(&page, ".post-body pre code"), ["func main() {}"]);
}

#[test]
fn embeds_are_plain_links_unless_the_site_opts_in() {
    let body = "{{< youtube dQw4w9WgXcQ >}}\n\n{{< vimeo id=\"12345\" >}}\n\n{{< gist someone 0a1b2c >}}\n\n{{< x user=\"someone\" id=\"99\" >}}\n\n{{< instagram AbC >}}\n";
    let site = TestSite::new();
    post(&site, "media.md", "Media", body);
    let page = site.built().page("/posts/media/");
    assert!(select(&page, ".post-body iframe, .post-body script").is_empty());
    assert_eq!(
        attrs(&page, ".post-body p.embed-link a", "href"),
        [
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://vimeo.com/12345",
            "https://gist.github.com/someone/0a1b2c",
            "https://x.com/someone/status/99",
            "https://www.instagram.com/p/AbC/",
        ]
    );
    assert_eq!(
        texts(&page, ".post-body p.embed-link a")[0],
        "Watch the video on YouTube"
    );

    let site = TestSite::with_config(&format!("{CONFIG}[shortcodes]\nembeds = true\n"));
    post(&site, "media.md", "Media", body);
    let page = site.built().page("/posts/media/");
    assert_eq!(
        attrs(&page, ".post-body iframe", "src"),
        [
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
            "https://player.vimeo.com/video/12345?dnt=1"
        ]
    );
    assert_eq!(select(&page, ".post-body script").len(), 3);
}

#[test]
fn a_site_template_overrides_a_built_in_shortcode() {
    let site = TestSite::new();
    site.write(
        "templates/shortcodes/youtube.html",
        "<p class=\"mine\">video {{ args[0] }}</p>",
    );
    site.write(
        "templates/shortcodes/highlight.html",
        "<div class=\"my-code\">{{ body }}</div>",
    );
    post(
        &site,
        "own.md",
        "Own",
        "{{< youtube abc >}}\n\n{{< highlight go >}}x := 1{{< /highlight >}}\n",
    );
    let page = site.built().page("/posts/own/");
    assert_eq!(texts(&page, ".post-body p.mine"), ["video abc"]);
    assert_eq!(texts(&page, ".post-body div.my-code"), ["x := 1"]);
    assert!(select(&page, ".post-body pre").is_empty());
}

#[test]
fn jekyll_liquid_tags_under_a_base_path() {
    let site =
        TestSite::with_config("title = \"Test Blog\"\nbase_url = \"https://example.org/blog/\"\n");
    site.write(
        "templates/includes/card.html",
        "<div class=\"card\">{{ include.name }} on {{ page.title }}</div>",
    );
    site.write(
        "content/posts/2010-07-21-older.md",
        "---\ntitle: Older\n---\nThe older post.\n",
    );
    site.write("static/img/pic.png", "png");
    site.write(
        "content/posts/2011-01-02-liquid.md",
        "---\ntitle: Liquid Tags\n---\nLiquid in {{ page.title }}.\n\n![pic]({{ site.baseurl }}/img/pic.png) and [again]({{ \"/img/pic.png\" | relative_url }}) and <a class=\"abs\" href=\"{{ \"img/pic.png\" | absolute_url }}\">abs</a>.\n\nSee [older]({% post_url 2010-07-21-older %}) and [the same]({% link posts/2010-07-21-older.md %}).\n\n{% highlight ruby linenos %}\ndef hello\n  puts \"hi\"\nend\n{% endhighlight %}\n\n{% raw %}{{ kept }} and {% tags %}{% endraw %}\n\n{% comment %}Not shown.{% endcomment %}\n\n{% include card.html name=\"Demo\" %}\n",
    );
    let built = site.built();
    let page = built.page("/posts/liquid/");
    assert_eq!(texts(&page, ".post-body p")[0], "Liquid in Liquid Tags.");
    assert_eq!(attrs(&page, ".post-body img", "src"), ["/blog/img/pic.png"]);
    let hrefs = attrs(&page, ".post-body p a", "href");
    assert_eq!(
        hrefs,
        [
            "/blog/img/pic.png",
            "https://example.org/blog/img/pic.png",
            "/blog/posts/older/",
            "/blog/posts/older/"
        ]
    );
    assert_eq!(attrs(&page, ".post-body pre", "class"), ["linenos"]);
    assert_eq!(
        texts(&page, ".post-body pre .line"),
        ["def hello", "puts \"hi\"", "end"]
    );
    assert!(texts(&page, ".post-body p").contains(&"{{ kept }} and {% tags %}".to_string()));
    assert!(!texts(&page, ".post-body").join(" ").contains("Not shown"));
    assert_eq!(texts(&page, ".post-body div.card"), ["Demo on Liquid Tags"]);
}

#[test]
fn nothing_inside_code_is_a_shortcode_but_escapes_are_written_out_everywhere() {
    let site = TestSite::new();
    post(
        &site,
        "code.md",
        "Code",
        "Rust's `{{closure}}` and `{% tag %}`.\n\n```yaml\nrun: echo ${{ secrets.TOKEN }}\n```\n\n    push {{r0, r1}}\n\n```\n{{/* youtube(id=\"x\") */}} and {{</* figure src=\"y\" */>}}\n{{/* a Go template comment */}}\n```\n\nIn prose: {{/* note(a=1) */}}.\n",
    );
    let built = site.built();
    let page = built.page("/posts/code/");
    assert_eq!(
        texts(&page, ".post-body p code"),
        ["{{closure}}", "{% tag %}"]
    );
    let blocks = texts(&page, ".post-body pre code");
    assert_eq!(blocks[0], "run: echo ${{ secrets.TOKEN }}");
    assert_eq!(blocks[1], "push {{r0, r1}}");
    assert_eq!(
        blocks[2],
        "{{ youtube(id=\"x\") }} and {{< figure src=\"y\" >}} {{/* a Go template comment */}}"
    );
    assert!(
        texts(&page, ".post-body p")
            .iter()
            .any(|p| p == "In prose: {{ note(a=1) }}.")
    );
    assert!(
        built.report.warnings.is_empty(),
        "{:?}",
        built.report.warnings
    );
}

#[test]
fn links_shortcodes_write_are_checked_at_the_call_and_later_positions_stay_the_authors() {
    let site = TestSite::new();
    site.write(
        "templates/shortcodes/go.html",
        "<a href=\"{{ to }}\">go</a><h2 id=\"made-by-a-shortcode\">Made</h2>",
    );
    site.write(
        "templates/shortcodes/three.md",
        "Line one.\n\nLine two.\n\nLine three.",
    );
    post(
        &site,
        "links.md",
        "Links",
        "{{ three() }}\n\nText {{ go(to=\"/missing/\") }} and [fine](#made-by-a-shortcode).\n\n[broken](/nowhere/)\n",
    );
    let err = site.build().unwrap_err().to_string();
    // The shortcode's link is reported at the call (line 9 of the file, column 6), the
    // Markdown link after a three-paragraph expansion at its own place (line 11).
    assert!(
        err.contains("links.md:9:6") && err.contains("/missing/"),
        "{err}"
    );
    assert!(
        err.contains("links.md:11:1") && err.contains("/nowhere/"),
        "{err}"
    );
    assert!(!err.contains("made-by-a-shortcode"), "{err}");
}

#[test]
fn unknown_shortcodes_fail_the_build_or_are_kept_as_text_with_keep_going() {
    let site = TestSite::new();
    post(
        &site,
        "unknown.md",
        "Unknown",
        "Before {{ nope(a=1) }} and {{< gone >}}.\n",
    );
    let err = site.build().unwrap_err().to_string();
    assert!(
        err.contains("unknown.md:7:8")
            && err.contains("unknown shortcode `nope`")
            && err.contains("templates/shortcodes/nope.html"),
        "{err}"
    );
    assert!(err.contains("unknown.md:7:28"), "{err}");

    let mut options = site.options();
    options.checks.keep_going = true;
    let report = quire::build(&options).unwrap();
    assert_eq!(report.warnings.len(), 2, "{:?}", report.warnings);
    assert!(report.warnings[0].contains("unknown.md:7:8"));
    let page = Built {
        out: report.output.clone(),
        report,
    }
    .page("/posts/unknown/");
    assert_eq!(
        texts(&page, ".post-body p"),
        ["Before {{ nope(a=1) }} and {{< gone >}}."]
    );

    // The same from config.toml.
    let site = TestSite::with_config(&format!("{CONFIG}[shortcodes]\nkeep_going = true\n"));
    post(&site, "unknown.md", "Unknown", "Before {{ nope(a=1) }}.\n");
    assert_eq!(site.built().report.warnings.len(), 1);
}

#[test]
fn zola_templates_read_page_paths_and_get_url_and_zola_only_functions_fail_at_the_call() {
    let site = TestSite::new();
    site.write(
        "templates/shortcodes/pic.html",
        "<img class=\"pic\" src=\"{{ get_url(path=page.colocated_path ~ src) }}\" alt=\"{{ page.path }} {{ page.relative_path }}\">",
    );
    site.write(
        "templates/shortcodes/meta.html",
        "{% set m = get_image_metadata(path=src) %}<b>{{ m.width }}</b>",
    );
    site.write(
        "content/posts/trip/index.md",
        "+++\ntitle = \"Trip\"\ndate = 2024-01-01\n+++\n{{ pic(src=\"boat.png\") }}\n",
    );
    site.write("content/posts/trip/boat.png", "png");
    site.write(
        "content/posts/meta.md",
        "+++\ntitle = \"Meta\"\ndate = 2024-01-02\n+++\n{{ meta(src=\"x.png\") }}\n",
    );
    let err = site.build().unwrap_err().to_string();
    assert!(
        err.contains("meta.md:5:1") && err.contains("`get_image_metadata()` is a Zola function"),
        "{err}"
    );
    std::fs::remove_file(site.root().join("content/posts/meta.md")).unwrap();
    let page = site.built().page("/posts/trip/");
    assert_eq!(
        attrs(&page, ".post-body img.pic", "src"),
        ["https://example.org/posts/trip/boat.png"]
    );
    assert_eq!(
        attrs(&page, ".post-body img.pic", "alt"),
        ["/posts/trip/ posts/trip/index.md"]
    );
}
