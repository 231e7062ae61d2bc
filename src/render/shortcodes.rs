//! The theme's side of shortcodes: `templates/shortcodes/<name>.html` or `.md` and
//! `templates/includes/<name>` rendered with Tera for [`crate::markdown::shortcode`], which
//! finds and expands the calls.

use std::sync::{Arc, OnceLock};

use tera::{Context, Tera};

use super::i18n::Translations;
use super::theme::Theme;
use crate::config::Config;
use crate::markdown::shortcode::{Args, Call, Output, PageInfo, Templates};

/// Shortcode templates of one build.
pub struct Shortcodes<'t> {
    theme: &'t Theme,
    words: Arc<Translations>,
    /// What templates see as `config` and `site`.
    site: tera::Value,
    embeds: bool,
    base_url: String,
    /// The theme's Tera with the build's words, made when the first shortcode is rendered.
    tera: OnceLock<Tera>,
}

impl<'t> Shortcodes<'t> {
    pub fn new(theme: &'t Theme, config: &Config, words: Arc<Translations>) -> Shortcodes<'t> {
        #[derive(serde::Serialize)]
        struct SiteValues<'a> {
            title: &'a str,
            tagline: &'a str,
            description: &'a str,
            author: &'a str,
            base_url: &'a str,
            base_path: &'a str,
            language: &'a str,
            extra: &'a toml::Table,
        }
        let site = tera::Value::from_serializable(&SiteValues {
            title: &config.title,
            tagline: &config.tagline,
            description: &config.description,
            author: &config.author,
            base_url: &config.base_url,
            base_path: &config.base_path,
            language: &config.language,
            extra: &config.extra,
        });
        Shortcodes {
            theme,
            words,
            site,
            embeds: config.shortcodes.embeds,
            base_url: config.base_url.clone(),
            tera: OnceLock::new(),
        }
    }

    fn tera(&self) -> &Tera {
        self.tera.get_or_init(|| {
            let mut tera = self.theme.tera();
            self.words.register(&mut tera);
            tera.register_function("get_url", get_url(self.base_url.clone()));
            tera
        })
    }

    fn context(&self, page: &PageInfo) -> Context {
        let mut ctx = Context::new();
        ctx.insert("page", page);
        ctx.insert_value("config", self.site.clone());
        ctx.insert_value("site", self.site.clone());
        ctx.insert("embeds", &self.embeds);
        ctx
    }

    fn render_template(&self, template: &str, ctx: &Context) -> Result<String, String> {
        self.theme
            .render(self.tera(), template, ctx)
            .map_err(|e| e.to_string())
    }
}

impl Templates for Shortcodes<'_> {
    fn shortcode(&self, name: &str) -> Option<Output> {
        if self.theme.has(&format!("shortcodes/{name}.html")) {
            Some(Output::Html)
        } else if self.theme.has(&format!("shortcodes/{name}.md")) {
            Some(Output::Markdown)
        } else {
            None
        }
    }

    fn site_defines(&self, name: &str) -> bool {
        let html = format!("shortcodes/{name}.html");
        (self.theme.has(&html) && !self.theme.is_built_in(&html))
            || self.theme.has(&format!("shortcodes/{name}.md"))
    }

    fn render(
        &self,
        name: &str,
        output: Output,
        call: &Call,
        page: &PageInfo,
    ) -> Result<String, String> {
        let mut ctx = self.context(page);
        let mut params = serde_json::Map::new();
        for (key, value) in &call.args.named {
            ctx.insert(key.clone(), value);
            params.insert(key.clone(), serde_json::to_value(value).unwrap_or_default());
        }
        ctx.insert("params", &params);
        ctx.insert("args", &call.args.positional);
        ctx.insert("body", call.body.unwrap_or(""));
        ctx.insert("nth", &call.nth);
        let template = match output {
            Output::Html => format!("shortcodes/{name}.html"),
            Output::Markdown => format!("shortcodes/{name}.md"),
        };
        self.render_template(&template, &ctx)
    }

    fn has_include(&self, name: &str) -> bool {
        self.theme.has(&format!("includes/{name}"))
    }

    fn include(&self, name: &str, args: &Args, page: &PageInfo) -> Result<String, String> {
        let mut ctx = self.context(page);
        let include: serde_json::Map<String, serde_json::Value> = args
            .named
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap_or_default()))
            .collect();
        ctx.insert("include", &include);
        self.render_template(&format!("includes/{name}"), &ctx)
    }

    fn version(&self, key: &str) -> u64 {
        self.theme.version(key)
    }
}

/// Zola's `get_url(path="images/x.png", trailing_slash=false)`: the absolute URL of a file of
/// the site, from `base_url`. Content paths (`@/…`) are for Markdown links here.
pub fn get_url(
    base_url: String,
) -> impl Fn(tera::Kwargs, &tera::State) -> tera::TeraResult<tera::Value> + Send + Sync + 'static {
    move |kwargs: tera::Kwargs, _: &tera::State| {
        let path: &str = kwargs.must_get("path")?;
        if path.starts_with(crate::markdown::CONTENT_LINK) {
            return Err(tera::Error::message(format!(
                "get_url(path=\"{path}\"): content paths are links in Markdown here, \
                 `[text]({path})`"
            )));
        }
        if path.contains("://") {
            return Ok(tera::Value::from(path));
        }
        let mut url = format!(
            "{}/{}",
            base_url.trim_end_matches('/'),
            path.trim_start_matches('/')
        );
        if kwargs.get::<bool>("trailing_slash")?.unwrap_or(false) && !url.ends_with('/') {
            url.push('/');
        }
        Ok(tera::Value::from(url))
    }
}
