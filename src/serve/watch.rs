//! Watching the site's sources. [`classify`] is pure: it turns raw file-system events into the
//! [`Changes`] a rebuild needs, ignoring editor temporaries and the output folder.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify::EventKind;
use notify_debouncer_full::{DebounceEventResult, new_debouncer};

use crate::content::{is_editor_temporary, is_ignored_name};
use crate::error::{Error, Result};
use crate::session::Changes;

/// One file-system event as the classifier sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEvent {
    pub kind: Kind,
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Created, modified, removed or renamed.
    Change,
    /// Only read or opened: nothing to rebuild.
    Access,
    /// The watcher lost track (queue overflow): rescan everything.
    Rescan,
}

/// What a burst of events means for the build. `ignore` lists folders whose events never
/// matter (the output folder).
pub fn classify(root: &Path, ignore: &[PathBuf], events: &[RawEvent]) -> Changes {
    let mut changes = Changes::default();
    for event in events {
        match event.kind {
            Kind::Access => continue,
            Kind::Rescan => {
                changes.everything = true;
                continue;
            }
            Kind::Change => {}
        }
        for path in &event.paths {
            if ignore.iter().any(|i| path.starts_with(i)) {
                continue;
            }
            let Ok(rel) = path.strip_prefix(root) else {
                continue;
            };
            // The same names the build leaves out: hidden files count in `static/` and
            // `templates/` (`.well-known/`), not in `content/`.
            let in_content = rel.starts_with("content");
            let ignored = rel.components().any(|c| {
                let name = c.as_os_str().to_string_lossy();
                if in_content {
                    is_ignored_name(&name)
                } else {
                    is_editor_temporary(&name)
                }
            });
            if ignored {
                continue;
            }
            let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
            match (parts.next().as_deref(), parts.next().is_some()) {
                (Some("config.toml"), false) => changes.config = true,
                (Some("templates"), _) => changes.templates = true,
                (Some("static"), _) => changes.statics = true,
                (Some("content"), _) => {
                    changes.content.insert(path.clone());
                }
                _ => {}
            }
        }
    }
    changes
}

type Watcher = notify_debouncer_full::Debouncer<
    notify::RecommendedWatcher,
    notify_debouncer_full::RecommendedCache,
>;

/// The folders and files a site's watcher follows.
pub const WATCHED: [&str; 3] = ["content", "templates", "static"];

/// A running watcher on a site. Dropping it stops watching.
pub struct Watch {
    debouncer: Watcher,
    root: PathBuf,
    /// Source folders with a recursive watch on them now.
    watched: Vec<PathBuf>,
}

impl Watch {
    /// Watch `root` and send the classified changes of each debounced burst.
    pub fn start(
        root: &Path,
        ignore: Vec<PathBuf>,
        debounce: Duration,
        send: Sender<Changes>,
    ) -> Result<Watch> {
        let root_owned = root.to_path_buf();
        let handler = move |result: DebounceEventResult| {
            let events: Vec<RawEvent> = match result {
                Ok(events) => events
                    .iter()
                    .map(|e| RawEvent {
                        kind: if e.need_rescan() {
                            Kind::Rescan
                        } else if matches!(e.kind, EventKind::Access(_)) {
                            Kind::Access
                        } else {
                            Kind::Change
                        },
                        paths: e.paths.clone(),
                    })
                    .collect(),
                // Errors from the watcher: safest to rebuild everything.
                Err(_) => vec![RawEvent {
                    kind: Kind::Rescan,
                    paths: Vec::new(),
                }],
            };
            let changes = classify(&root_owned, &ignore, &events);
            if !changes.is_empty() {
                let _ = send.send(changes);
            }
        };
        let mut debouncer = new_debouncer(debounce, Some(debounce / 4), handler)
            .map_err(|e| Error::Other(format!("cannot watch {}: {e}", root.display())))?;
        // The root itself, not recursively: config.toml, and source folders created later.
        debouncer
            .watch(root, notify::RecursiveMode::NonRecursive)
            .map_err(|e| Error::Other(format!("cannot watch {}: {e}", root.display())))?;
        let mut watch = Watch {
            debouncer,
            root: root.to_path_buf(),
            watched: Vec::new(),
        };
        watch.refresh()?;
        Ok(watch)
    }

    /// Watch source folders that appeared since the last call (a `templates/` created while
    /// serving), and forget those that went away so they are watched again if they return.
    pub fn refresh(&mut self) -> Result<()> {
        self.watched.retain(|d| d.is_dir());
        for name in WATCHED {
            let dir = self.root.join(name);
            if dir.is_dir() && !self.watched.contains(&dir) {
                self.debouncer
                    .watch(&dir, notify::RecursiveMode::Recursive)
                    .map_err(|e| Error::Other(format!("cannot watch {}: {e}", dir.display())))?;
                self.watched.push(dir);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(paths: &[&str]) -> RawEvent {
        RawEvent {
            kind: Kind::Change,
            paths: paths.iter().map(|p| Path::new("/site").join(p)).collect(),
        }
    }

    fn classify_all(events: &[RawEvent]) -> Changes {
        classify(Path::new("/site"), &[PathBuf::from("/site/public")], events)
    }

    #[test]
    fn sorts_paths_into_what_they_affect() {
        let c = classify_all(&[change(&[
            "content/posts/a.md",
            "templates/post.html",
            "static/style.css",
            "config.toml",
        ])]);
        assert!(c.config && c.templates && c.statics && !c.everything);
        assert_eq!(
            c.content.into_iter().collect::<Vec<_>>(),
            [PathBuf::from("/site/content/posts/a.md")]
        );
    }

    #[test]
    fn ignores_editor_temporaries_output_and_unrelated_files() {
        let c = classify_all(&[change(&[
            "content/posts/.a.md.swp",
            "content/posts/a.md~",
            "content/posts/.#a.md",
            "content/posts/4913",
            "content/.git/index",
            "public/index.html",
            "README.md",
            "target/debug/x",
            "templates/config.toml/x",
        ])]);
        assert_eq!(
            c,
            Changes {
                templates: true,
                ..Changes::default()
            }
        );
        let c = classify_all(&[change(&["content/posts/.a.md.swp", "README.md"])]);
        assert!(c.is_empty());
    }

    #[test]
    fn hidden_static_files_count_but_editor_temporaries_do_not() {
        for path in [
            "static/.well-known/security.txt",
            "static/.well-known/acme-challenge/x",
            "static/.nojekyll",
            "static/.htaccess",
        ] {
            assert!(classify_all(&[change(&[path])]).statics, "{path}");
        }
        for path in [
            "static/.style.css.swp",
            "static/.#style.css",
            "static/style.css~",
            "static/4913",
            "static/.DS_Store",
            "static/.git/index",
        ] {
            assert!(classify_all(&[change(&[path])]).is_empty(), "{path}");
        }
        assert!(classify_all(&[change(&["templates/.hidden.html"])]).templates);
        assert!(classify_all(&[change(&["content/.hidden.md"])]).is_empty());
    }

    #[test]
    fn reads_do_nothing_and_overflow_rebuilds_everything() {
        let access = RawEvent {
            kind: Kind::Access,
            paths: vec![PathBuf::from("/site/content/posts/a.md")],
        };
        assert!(classify_all(&[access]).is_empty());
        let rescan = RawEvent {
            kind: Kind::Rescan,
            paths: vec![],
        };
        assert!(classify_all(&[rescan]).everything);
    }

    #[test]
    fn a_rename_reports_both_names() {
        let c = classify_all(&[change(&["content/posts/old.md", "content/posts/new.md"])]);
        assert_eq!(c.content.len(), 2);
    }

    #[test]
    fn a_nested_config_toml_is_not_the_site_config() {
        let c = classify_all(&[change(&["content/config.toml"])]);
        assert!(!c.config);
    }
}
